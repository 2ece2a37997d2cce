// Every update has its own identity, also two with the same label in the same minute (minute-precise feeds), and the
// identities (and event ids) stored by earlier versions keep matching the same updates.
import { describe, expect, it } from 'vitest';
import { normalize } from '../../functions/core/diff-items.js';
import { contentHash } from '../../functions/core/event-factory.js';
import type { IncidentItem, ItemUpdate } from '../../functions/core/model.js';
import type { TrackedItem } from '../../functions/core/tracked.js';
import { incidentBuilder, itemUpdate as upd, playAuth0Us1Polls as run } from '../support/diff-context.js';

const incident = incidentBuilder({
  itemId: 's6nmyrpsnbmj',
  title: 'Tenant Logs and Group Memberships Impacted on US-5 Public Cloud',
  regions: ['US-5'],
});

const INVESTIGATING = upd('Investigating', '2026-10-06T09:41:00.000Z', 'We are investigating delays in tenant logs.');
// Minute-precise feeds: two "Update"s posted in the same minute share label and time; newest first, as listed.
const FIRST = upd('Update', '2026-10-06T10:50:00.000Z', 'Delivery of delayed logs has started.');
const SECOND = upd('Update', '2026-10-06T10:50:00.000Z', 'Group membership updates are being applied again.');
const RESOLVED = upd('Resolved', '2026-10-06T11:25:00.000Z', 'This incident has been resolved.');

describe('two updates with the same label in the same minute', () => {
  it('arriving together are two updates, announced oldest first with distinct event ids', () => {
    const steps = run([
      { now: '2026-10-06T10:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
      { now: '2026-10-06T10:51:00Z', items: [incident([SECOND, FIRST, INVESTIGATING])] },
    ]);
    const events = steps[1]!.events;
    expect(events.map((e) => [e.type, e.update?.text])).toEqual([
      ['incident.updated', FIRST.text],
      ['incident.updated', SECOND.text],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect(steps[1]!.state.get('s6nmyrpsnbmj')!.updates!.map((u) => u.key)).toEqual([
      'update|2026-10-06T10:50:00.000Z|2',
      'update|2026-10-06T10:50:00.000Z',
      'investigating|2026-10-06T09:41:00.000Z',
    ]);
  });

  it('arriving in separate polls announces the second, and a later title edit invents no RCA', () => {
    const steps = run([
      { now: '2026-10-06T10:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
      { now: '2026-10-06T10:50:30Z', items: [incident([FIRST, INVESTIGATING])] },
      { now: '2026-10-06T10:51:00Z', items: [incident([SECOND, FIRST, INVESTIGATING])] },
      { now: '2026-10-06T11:26:00Z', items: [incident([RESOLVED, SECOND, FIRST, INVESTIGATING])] },
      { now: '2026-10-06T12:00:00Z', items: [incident([RESOLVED, SECOND, FIRST, INVESTIGATING], { title: 'Tenant Logs Delayed on US-5' })] },
    ]);
    expect(steps.slice(1).map((s) => s.events.map((e) => [e.type, e.update?.text]))).toEqual([
      [['incident.updated', FIRST.text]],
      [['incident.updated', SECOND.text]],
      [['incident.resolved', RESOLVED.text]],
      [],
    ]);
    expect(steps[4]!.state.get('s6nmyrpsnbmj')!.rcaAnnounced).toBeUndefined();
  });

  it('three in one minute get ordinals 1, 2 and 3 from the oldest, and a rewrite of one of them is told apart', () => {
    const THIRD = upd('Update', FIRST.at, 'All delayed logs have been delivered.');
    const rewritten = upd('Update', FIRST.at, 'Root cause: a queue was throttled. Group membership updates applied.');
    const steps = run([
      { now: '2026-10-06T10:00:00Z', baseline: true, items: [incident([INVESTIGATING])] },
      { now: '2026-10-06T11:26:00Z', items: [incident([RESOLVED, THIRD, SECOND, FIRST, INVESTIGATING])] },
      { now: '2026-10-20T00:00:00Z', items: [incident([RESOLVED, THIRD, rewritten, FIRST, INVESTIGATING])] },
    ]);
    expect(steps[1]!.events.map((e) => e.update?.text)).toEqual([FIRST.text, SECOND.text, THIRD.text, RESOLVED.text]);
    expect(steps[2]!.events.map((e) => [e.type, e.update?.text])).toEqual([['incident.rca_published', rewritten.text]]);
  });
});

describe('identities stored by earlier versions', () => {
  // Values an item stored before update ordinals existed, computed then: they must keep matching.
  const I = upd('Investigating', '2026-04-22T19:55:00.000Z', 'We are investigating.');
  const R = upd('Resolved', '2026-04-22T20:14:00.000Z', 'This incident has been resolved.');
  const simple = (updates: ItemUpdate[]): IncidentItem => ({
    kind: 'incident',
    itemId: 'rb4z1181bd4z',
    title: 'T',
    url: 'https://status.auth0.com/incidents/rb4z1181bd4z',
    updates,
    regions: [],
  });

  it('keep the keys, fingerprint and event ids of single updates, so a stored incident announces nothing anew', () => {
    const [opened, resolved] = run([
      { now: '2026-04-22T20:00:00Z', baseline: true, items: [simple([I])] },
      { now: '2026-04-22T20:20:00Z', items: [simple([R, I])] },
    ]);
    expect(opened!.events.map((e) => [e.type, e.id])).toEqual([['incident.opened', '0a8cbb60cca0bdc98150a0c1a3a9bd3b']]);
    expect(resolved!.events.map((e) => [e.type, e.id])).toEqual([['incident.resolved', '1b9b04e6cdb5e63633713ddcc65521bf']]);
    const stored = resolved!.state.get('rb4z1181bd4z')!;
    expect(stored.fingerprint).toBe('CXA1Qrc7RWIJlni50rm_WQ');
    expect(stored.updates).toEqual([
      { key: 'resolved|2026-04-22T20:14:00.000Z', hash: 'wdU5r6JURWohGQQbk2wfhX' },
      { key: 'investigating|2026-04-22T19:55:00.000Z', hash: 'xChzxleKPVysTTX5ivueLL' },
    ]);
  });

  it('read a stored item whose two same-minute updates shared one key as the same two updates: nothing announced', () => {
    const hash = (u: ItemUpdate) => contentHash(normalize(u.text));
    // As an earlier version stored it: both "Update"s under one key, the second never announced.
    const legacy: TrackedItem = {
      itemId: 's6nmyrpsnbmj',
      kind: 'incident',
      title: incident([]).title,
      url: incident([]).url,
      severity: 'major',
      fingerprint: 'stored-by-an-earlier-version',
      updates: [
        { key: 'resolved|2026-10-06T11:25:00.000Z', hash: hash(RESOLVED) },
        { key: 'update|2026-10-06T10:50:00.000Z', hash: hash(SECOND) },
        { key: 'update|2026-10-06T10:50:00.000Z', hash: hash(FIRST) },
        { key: 'investigating|2026-10-06T09:41:00.000Z', hash: hash(INVESTIGATING) },
      ],
      status: 'resolved',
      regions: ['US-5'],
      resolvedAt: RESOLVED.at,
      firstSeenAt: '2026-10-06T10:00:00.000Z',
      changedAt: '2026-10-06T11:26:00.000Z',
      expiresAt: Math.floor(Date.parse(RESOLVED.at) / 1000) + 60 * 86_400,
    };
    const [upgraded, next] = run(
      [
        { now: '2026-10-07T00:00:00Z', items: [incident([RESOLVED, SECOND, FIRST, INVESTIGATING])] },
        { now: '2026-10-07T00:01:00Z', items: [incident([RESOLVED, SECOND, FIRST, INVESTIGATING])] },
      ],
      new Map([[legacy.itemId, legacy]]),
    );
    expect(upgraded!.events).toEqual([]);
    expect(upgraded!.state.get('s6nmyrpsnbmj')!.updates!.map((u) => u.key)).toEqual([
      'resolved|2026-10-06T11:25:00.000Z',
      'update|2026-10-06T10:50:00.000Z|2',
      'update|2026-10-06T10:50:00.000Z',
      'investigating|2026-10-06T09:41:00.000Z',
    ]);
    expect(next!.changes).toEqual([]);
  });
});
