// The event rules, on plain items: baseline, new updates, resolution, RCA, markup-only edits, tracking window.
import { describe, expect, it } from 'vitest';
import { diffItems, normalize, type DiffContext } from '../../functions/core/diff-items.js';
import type { ChangelogItem, ItemUpdate } from '../../functions/core/model.js';
import {
  AUTH0_US_1_SOURCE as SOURCE,
  auth0Us1Context as ctx,
  itemUpdate as upd,
  jsonwebtokenAdvisory as advisory,
  playAuth0Us1Polls as run,
  PUBLIC_CLOUD_UPDATES,
  publicCloudIncident as incident,
} from '../support/diff-context.js';
import { remember } from '../support/remember-changes.js';

const { INVESTIGATING, MONITORING, RESOLVED } = PUBLIC_CLOUD_UPDATES;

describe('first poll (baseline)', () => {
  it('records resolved incidents silently', () => {
    const [first] = run([{ now: '2026-04-23T00:00:00Z', baseline: true, items: [incident([RESOLVED, INVESTIGATING])] }]);
    expect(first!.events).toEqual([]);
    expect(first!.state.get('rb4z1181bd4z')?.resolvedAt).toBe(RESOLVED.at);
  });

  it('announces an incident that is still open, once, as incident.opened', () => {
    const [first] = run([{ now: '2026-04-22T20:00:00Z', baseline: true, items: [incident([INVESTIGATING])] }]);
    expect(first!.events.map((e) => e.type)).toEqual(['incident.opened']);
    expect(first!.events[0]).toMatchObject({
      schemaVersion: 1,
      source: 'auth0-status-us-1',
      itemId: 'rb4z1181bd4z',
      status: 'investigating',
      regions: ['US-1'],
      occurredAt: INVESTIGATING.at,
      update: INVESTIGATING,
    });
  });

  it('announces maintenance that has not completed', () => {
    const scheduled = upd('Scheduled', '2026-02-07T12:00:00.000Z', 'We will be performing database maintenance.');
    const [first] = run([
      { now: '2026-02-08T00:00:00Z', baseline: true, items: [incident([scheduled], { kind: 'maintenance', regions: ['EU-1'] })] },
    ]);
    expect(first!.events.map((e) => [e.type, e.severity, e.regions])).toEqual([['maintenance.scheduled', 'info', ['EU-1']]]);
  });

  it('ignores incidents resolved before the tracking window', () => {
    const [first] = run([{ now: '2026-08-01T00:00:00Z', baseline: true, items: [incident([RESOLVED, INVESTIGATING])] }]);
    expect(first!.changes).toEqual([]);
  });
});

describe('later polls', () => {
  it('emits nothing when nothing changed', () => {
    const items = [incident([INVESTIGATING])];
    const [, second] = run([
      { now: '2026-04-22T20:00:00Z', baseline: true, items },
      { now: '2026-04-22T20:01:00Z', items: structuredClone(items) },
    ]);
    expect(second!.changes).toEqual([]);
  });

  it('emits exactly one event per new update, oldest first, typed by what it does', () => {
    const [, second] = run([
      { now: '2026-04-22T20:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
      { now: '2026-04-22T20:20:00Z', items: [incident([RESOLVED, MONITORING, INVESTIGATING])] },
    ]);
    expect(second!.events.map((e) => [e.type, e.update?.label])).toEqual([
      ['incident.updated', 'Monitoring'],
      ['incident.resolved', 'Resolved'],
    ]);
    expect(second!.events[1]!.status).toBe('resolved');
  });

  it('announces a new incident as incident.opened with its latest update', () => {
    const [, second] = run([
      { now: '2026-04-22T19:00:00Z', baseline: true, items: [] },
      { now: '2026-04-22T20:06:00Z', items: [incident([MONITORING, INVESTIGATING])] },
    ]);
    expect(second!.events.map((e) => [e.type, e.update?.label])).toEqual([['incident.opened', 'Monitoring']]);
  });

  it('announces an incident that opened and resolved between two polls as incident.resolved', () => {
    const [, second] = run([
      { now: '2026-04-22T19:00:00Z', baseline: true, items: [] },
      { now: '2026-04-22T20:30:00Z', items: [incident([RESOLVED, INVESTIGATING])] },
    ]);
    expect(second!.events.map((e) => e.type)).toEqual(['incident.resolved']);
  });

  it('gives the same change the same event id whichever run sees it', () => {
    const steps = [
      { now: '2026-04-22T20:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
      { now: '2026-04-22T20:20:00Z', items: [incident([RESOLVED, INVESTIGATING])] },
    ];
    const a = run(steps);
    const b = run(steps.map((s) => ({ ...s, now: '2026-04-22T21:00:00Z' })));
    expect(a[1]!.events.map((e) => e.id)).toEqual(b[1]!.events.map((e) => e.id));
    expect(new Set([...a[0]!.events, ...a[1]!.events].map((e) => e.id)).size).toBe(2);
  });

  it('uses the regions an incident names, and the configured region when it names none', () => {
    const named = incident([INVESTIGATING], { regions: ['US-5'] });
    const [first] = run([{ now: '2026-04-22T20:00:00Z', baseline: true, items: [named] }]);
    expect(first!.events[0]!.regions).toEqual(['US-5']);
  });

  it('rates an outage critical and keeps the severity for the rest of the incident', () => {
    const outage = upd('Investigating', '2026-04-22T19:55:00.000Z', 'Customers experience an outage of logins.');
    const [first, second] = run([
      { now: '2026-04-22T20:00:00Z', baseline: true, items: [incident([outage])] },
      { now: '2026-04-22T20:20:00Z', items: [incident([RESOLVED, outage])] },
    ]);
    expect(first!.events[0]!.severity).toBe('critical');
    expect(second!.events[0]!.severity).toBe('critical');
  });
});

describe('root-cause analysis', () => {
  const resolvedSteps = [
    { now: '2026-04-22T20:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
    { now: '2026-04-22T20:20:00Z', items: [incident([RESOLVED, INVESTIGATING])] },
  ];

  it('emits incident.rca_published when a resolved incident gets a Postmortem update', () => {
    const postmortem = upd('Postmortem', '2026-05-15T16:02:00.000Z', 'What happened: a DNS misconfiguration.');
    const steps = run([...resolvedSteps, { now: '2026-05-15T16:03:00Z', items: [incident([postmortem, RESOLVED, INVESTIGATING])] }]);
    expect(steps[2]!.events.map((e) => [e.type, e.update?.label])).toEqual([['incident.rca_published', 'Postmortem']]);
    expect(steps[2]!.state.get('rb4z1181bd4z')?.rcaAnnounced).toBe(true);
  });

  it("emits incident.rca_published when a resolved incident's text is rewritten", () => {
    const rewritten = upd('Resolved', RESOLVED.at, 'Root cause: an expired certificate. We added monitoring of all certificates.');
    const steps = run([
      ...resolvedSteps,
      { now: '2026-05-10T00:00:00Z', items: [incident([rewritten, INVESTIGATING], { updatedAt: '2026-05-09T22:46:26.000Z' })] },
    ]);
    expect(steps[2]!.events).toHaveLength(1);
    expect(steps[2]!.events[0]).toMatchObject({
      type: 'incident.rca_published',
      occurredAt: '2026-05-09T22:46:26.000Z',
      update: rewritten,
    });
  });

  it('emits only one RCA even when a Postmortem update follows a rewrite, and nothing for later edits', () => {
    const rewritten = upd('Resolved', RESOLVED.at, 'Root cause: an expired certificate.');
    const edited = upd('Resolved', RESOLVED.at, 'Root cause: an expired certificate, rotated too late.');
    const postmortem = upd('Postmortem', '2026-05-20T10:00:00.000Z', 'Full report.');
    const steps = run([
      ...resolvedSteps,
      { now: '2026-05-10T00:00:00Z', items: [incident([rewritten, INVESTIGATING])] },
      { now: '2026-05-11T00:00:00Z', items: [incident([edited, INVESTIGATING])] },
      { now: '2026-05-20T10:01:00Z', items: [incident([postmortem, edited, INVESTIGATING])] },
    ]);
    const all = steps.flatMap((s) => s.events);
    expect(all.filter((e) => e.type === 'incident.rca_published')).toHaveLength(1);
    expect(steps[3]!.events).toEqual([]);
    expect(steps[4]!.events.map((e) => [e.type, e.update?.label])).toEqual([['incident.updated', 'Postmortem']]);
  });

  it('emits nothing for a whitespace- or typography-only change of a resolved incident', () => {
    const respaced = upd('Resolved', RESOLVED.at, '  This   incident has\nbeen resolved. ');
    const quoted = upd('Investigating', INVESTIGATING.at, 'We\u2019re currently investigating an incident.');
    const steps = run([...resolvedSteps, { now: '2026-05-10T00:00:00Z', items: [incident([respaced, quoted])] }]);
    expect(steps[2]!.changes).toEqual([]);
  });

  it('treats a rewrite of an open incident as a silent correction', () => {
    const corrected = upd('Investigating', INVESTIGATING.at, 'We are investigating elevated error rates.');
    const steps = run([
      { now: '2026-04-22T20:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
      { now: '2026-04-22T20:01:00Z', items: [incident([corrected])] },
    ]);
    expect(steps[1]!.events).toEqual([]);
    expect(steps[1]!.changes).toHaveLength(1);
  });

  it('stops tracking a resolved incident after the window, so a late edit is not announced', () => {
    const rewritten = upd('Resolved', RESOLVED.at, 'Root cause published very late.');
    const steps = run([...resolvedSteps, { now: '2026-07-01T00:00:00Z', items: [incident([rewritten, INVESTIGATING])] }]);
    expect(steps[1]!.state.get('rb4z1181bd4z')?.expiresAt).toBe(Math.floor(Date.parse(RESOLVED.at) / 1000) + 60 * 86400);
    expect(steps[2]!.events).toEqual([]);
  });
});

describe('maintenance', () => {
  it('types each update: scheduled, started, updated, completed', () => {
    const m = (updates: ItemUpdate[]) => incident(updates, { kind: 'maintenance', itemId: 'k2w8yq0v7t3n' });
    const scheduled = upd('Scheduled', '2026-02-07T12:00:00.000Z', 'Planned.');
    const started = upd('In progress', '2026-02-14T04:00:00.000Z', 'In progress.');
    const verifying = upd('Verifying', '2026-02-14T05:30:00.000Z', 'Verifying.');
    const completed = upd('Completed', '2026-02-14T06:00:00.000Z', 'Done.');
    const steps = run([
      { now: '2026-02-01T00:00:00Z', baseline: true, items: [] },
      { now: '2026-02-07T12:01:00Z', items: [m([scheduled])] },
      { now: '2026-02-14T06:01:00Z', items: [m([completed, verifying, started, scheduled])] },
    ]);
    expect(steps.flatMap((s) => s.events).map((e) => e.type)).toEqual([
      'maintenance.scheduled',
      'maintenance.started',
      'maintenance.updated',
      'maintenance.completed',
    ]);
  });
});

describe('change log and advisories', () => {
  const SRC = { ...SOURCE, id: 'auth0-changelog', type: 'auth0-changelog', region: undefined };
  const entry = (itemId: string, changeType: ChangelogItem['changeType']): ChangelogItem => ({
    kind: 'changelog',
    itemId,
    title: `Entry ${itemId}`,
    url: itemId,
    publishedAt: '2026-07-10T00:00:00.000Z',
    changeType,
    changeTypeFrom: 'classified',
    text: 'Text.',
  });

  it('records the change log silently at first and announces each new entry once, deprecations as major', () => {
    const c = (now: string, baseline = false): DiffContext => ({ ...ctx(now, baseline), source: SRC });
    const first = diffItems(c('2026-07-10T00:00:00Z', true), new Map(), [entry('https://auth0.com/changelog#a', 'added')]);
    expect(first.flatMap((x) => x.events)).toEqual([]);
    const state = remember(new Map(), first);
    const second = diffItems(c('2026-07-11T00:00:00Z'), state, [
      entry('https://auth0.com/changelog#b', 'deprecated'),
      entry('https://auth0.com/changelog#a', 'added'),
    ]);
    expect(second.flatMap((x) => x.events).map((e) => [e.type, e.changeType, e.severity])).toEqual([
      ['changelog.published', 'deprecated', 'major'],
    ]);
  });

  it('announces new, updated and withdrawn advisories once each, and ignores a bare updated_at bump', () => {
    const c = (now: string, baseline = false): DiffContext => ({ ...ctx(now, baseline), source: { ...SRC, id: 'adv' } });
    let state = remember(new Map(), diffItems(c('2026-01-01T00:00:00Z', true), new Map(), []));
    const published = diffItems(c('2026-01-02T00:00:00Z'), state, [advisory()]);
    state = remember(state, published);
    const bumped = diffItems(c('2026-01-03T00:00:00Z'), state, [advisory({ updatedAt: '2026-01-03T00:00:00Z' })]);
    const updated = diffItems(c('2026-01-04T00:00:00Z'), state, [advisory({ text: 'Also affects 8.5.2.' })]);
    state = remember(state, updated);
    const withdrawn = diffItems(c('2026-01-05T00:00:00Z'), state, [
      advisory({ text: 'Also affects 8.5.2.', withdrawnAt: '2026-01-05T00:00:00Z' }),
    ]);
    expect(published.flatMap((x) => x.events).map((e) => [e.type, e.severity, e.packages?.[0]?.firstPatchedVersion])).toEqual([
      ['advisory.published', 'minor', '9.0.0'],
    ]);
    expect(bumped).toEqual([]);
    expect(updated.flatMap((x) => x.events).map((e) => e.type)).toEqual(['advisory.updated']);
    expect(withdrawn.flatMap((x) => x.events).map((e) => e.type)).toEqual(['advisory.withdrawn']);
  });
});

describe('normalize', () => {
  /** The definition: NFKC, typographic quotes and dashes folded, runs of white space as one space, trimmed. */
  const reference = (text: string) =>
    text
      .normalize('NFKC')
      .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
      .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
      .replace(/[\u2013\u2014]/g, '-')
      .replace(/\s+/g, ' ')
      .trim();

  it('gives what the definition gives for every character, alone and in context', () => {
    const differing: string[] = [];
    for (let code = 0; code <= 0x10ffff && differing.length < 5; code += code < 0x10000 ? 1 : 97) {
      const char = String.fromCodePoint(code);
      for (const text of [char, `a${char}b`, ` ${char}  ${char}\t`, `${char}\u0301`, `e${char}`]) {
        if (normalize(text) !== reference(text)) differing.push(text);
      }
    }
    expect(differing).toEqual([]);
  });

  it('skips NFKC only for text NFKC leaves alone (no pair of the skipped characters composes)', () => {
    const skipped: string[] = [];
    for (let code = 0; code < 0x10000; code += 1) {
      const char = String.fromCharCode(code);
      if (!/[^\u0000-\u009f\u00c0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d]/.test(char)) skipped.push(char);
    }
    const changed = skipped.flatMap((a) => skipped.map((b) => a + b)).filter((pair) => pair.normalize('NFKC') !== pair);
    expect(changed).toEqual([]);
  });

  it('folds mixed text as the definition does', () => {
    const pieces = [' ', '  ', '\t', '\n', '\u00a0', '\u2028', '\u3000', 'a', 'é', 'e\u0301', '\u2019', '\u201c', '\u2014', '\ufb01', '\u2460'];
    let state = 7;
    const differing: string[] = [];
    for (let round = 0; round < 20_000 && differing.length < 5; round += 1) {
      let text = '';
      for (let length = round % 12; length > 0; length -= 1) {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        text += pieces[state % pieces.length];
      }
      if (normalize(text) !== reference(text)) differing.push(text);
    }
    expect(differing).toEqual([]);
  });
});
