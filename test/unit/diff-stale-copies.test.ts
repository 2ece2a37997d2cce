// State never goes backwards: an older copy of an item (a CDN edge serving a stale copy between fresh ones, or a feed
// listing an item twice) changes nothing and announces nothing, and the fresh copy after it announces nothing either.
import { describe, expect, it } from 'vitest';
import { diffItems } from '../../functions/core/diff-items.js';
import {
  auth0Us1Context as ctx,
  itemUpdate as upd,
  jsonwebtokenAdvisory as advisory,
  playAuth0Us1Polls as run,
  PUBLIC_CLOUD_UPDATES,
  publicCloudIncident as incident,
} from '../support/diff-context.js';

const { INVESTIGATING, MONITORING, RESOLVED } = PUBLIC_CLOUD_UPDATES;

/** One poll a minute, from 20:00 on 2026-04-22. */
const minute = (n: number) => new Date(Date.parse('2026-04-22T20:00:00Z') + n * 60_000).toISOString();

describe('a stale copy between fresh ones', () => {
  // Feeds that stamp their entries (Atom <updated>, Statuspage updated_at) and feeds that do not.
  const stamps = [
    ['stamped by the vendor', { a: '2026-04-22T20:05:00.000Z', b: '2026-04-22T20:14:00.000Z' }],
    ['not stamped', { a: undefined, b: undefined }],
  ] as const;

  it.each(stamps)('served A, B, A, B (%s) announces each update once and never rewinds the state', (_name, stamp) => {
    const A = incident([MONITORING, INVESTIGATING], { updatedAt: stamp.a });
    const B = incident([RESOLVED, MONITORING, INVESTIGATING], { updatedAt: stamp.b });
    const steps = run([
      { now: minute(0), baseline: true, items: [incident([INVESTIGATING], { updatedAt: stamp.a && INVESTIGATING.at })] },
      { now: minute(6), items: [A] },
      { now: minute(15), items: [B] },
      { now: minute(16), items: [structuredClone(A)] },
      { now: minute(17), items: [structuredClone(B)] },
    ]);
    expect(steps.flatMap((s) => s.events).map((e) => [e.type, e.update?.label])).toEqual([
      ['incident.opened', 'Investigating'],
      ['incident.updated', 'Monitoring'],
      ['incident.resolved', 'Resolved'],
    ]);
    // The stale copy writes nothing (not even the fingerprint), so the fresh copy after it is "unchanged".
    expect(steps[3]!.changes).toEqual([]);
    expect(steps[4]!.changes).toEqual([]);
    // While the stale copy stood, the incident stayed resolved: nothing showed it open again.
    expect(steps[3]!.state.get('rb4z1181bd4z')).toMatchObject({ status: 'resolved', resolvedAt: RESOLVED.at });
  });

  it('served after an RCA rewrite (only its text older, its stamp earlier) changes nothing', () => {
    const rca = upd('Resolved', RESOLVED.at, 'Root cause: an expired certificate. We now monitor every certificate.');
    const resolved = incident([RESOLVED, INVESTIGATING], { updatedAt: '2026-04-22T20:14:00.000Z' });
    const rewritten = incident([rca, INVESTIGATING], { updatedAt: '2026-05-09T22:46:26.000Z' });
    const steps = run([
      { now: minute(0), baseline: true, items: [incident([INVESTIGATING], { updatedAt: INVESTIGATING.at })] },
      { now: minute(20), items: [resolved] },
      { now: '2026-05-10T00:00:00Z', items: [rewritten] },
      { now: '2026-05-10T00:01:00Z', items: [structuredClone(resolved)] },
      { now: '2026-05-10T00:02:00Z', items: [structuredClone(rewritten)] },
    ]);
    expect(steps.flatMap((s) => s.events).map((e) => e.type)).toEqual([
      'incident.opened',
      'incident.resolved',
      'incident.rca_published',
    ]);
    expect(steps[3]!.changes).toEqual([]);
    expect(steps[4]!.changes).toEqual([]);
  });

  it('of a Statuspage incident whose postmortem shows only in its status announces the RCA once', () => {
    // What the Statuspage API parse yields: status "postmortem" becomes a Postmortem update dated by updated_at.
    const postmortem = upd('Postmortem', '2026-05-15T16:02:00.000Z', 'A postmortem was published on the status page.');
    const resolved = incident([RESOLVED, INVESTIGATING], { updatedAt: RESOLVED.at, impact: 'major' });
    const published = incident([postmortem, RESOLVED, INVESTIGATING], { updatedAt: postmortem.at, impact: 'major' });
    const steps = run([
      { now: minute(0), baseline: true, items: [resolved] },
      { now: '2026-05-15T16:03:00Z', items: [published] },
      { now: '2026-05-15T16:04:00Z', items: [structuredClone(resolved)] },
      { now: '2026-05-15T16:05:00Z', items: [structuredClone(published)] },
    ]);
    expect(steps.flatMap((s) => s.events).map((e) => e.type)).toEqual(['incident.rca_published']);
    expect(steps[2]!.changes).toEqual([]);
    expect(steps[3]!.changes).toEqual([]);
  });
});

describe('an item listed twice in one poll', () => {
  it('counts as its most advanced copy whichever comes first, so copies swapping places announce each update once', () => {
    const A = incident([MONITORING, INVESTIGATING]);
    const B = incident([RESOLVED, MONITORING, INVESTIGATING]);
    const other = incident([INVESTIGATING], { itemId: 'n3wincid3nt1', url: 'https://status.auth0.com/incidents/n3wincid3nt1' });
    const steps = run([
      { now: minute(0), baseline: true, items: [incident([INVESTIGATING])] },
      { now: minute(15), items: [structuredClone(A), other, structuredClone(B)] },
      { now: minute(16), items: [structuredClone(B), other, structuredClone(A)] },
      { now: minute(17), items: [structuredClone(A), other, structuredClone(B)] },
    ]);
    expect(steps[1]!.events.map((e) => [e.type, e.itemId, e.update?.label])).toEqual([
      ['incident.updated', 'rb4z1181bd4z', 'Monitoring'],
      ['incident.resolved', 'rb4z1181bd4z', 'Resolved'],
      ['incident.opened', 'n3wincid3nt1', 'Investigating'],
    ]);
    expect(steps[2]!.changes).toEqual([]);
    expect(steps[3]!.changes).toEqual([]);
  });

  it('picks the same copy of two equally advanced ones in either order', () => {
    const a = incident([upd('Investigating', INVESTIGATING.at, 'Text one.')]);
    const b = incident([upd('Investigating', INVESTIGATING.at, 'Text two.')]);
    const first = diffItems(ctx(minute(0), true), new Map(), [a, b]);
    const swapped = diffItems(ctx(minute(0), true), new Map(), [b, a]);
    expect(swapped).toEqual(first);
  });
});

describe('an update the vendor deletes', () => {
  it('stays remembered: a copy stamped later without it is taken, and it is never announced again', () => {
    const wrong = upd('Monitoring', MONITORING.at, 'Posted to the wrong incident.');
    const steps = run([
      { now: minute(0), baseline: true, items: [incident([INVESTIGATING], { updatedAt: INVESTIGATING.at })] },
      { now: minute(6), items: [incident([wrong, INVESTIGATING], { updatedAt: wrong.at })] },
      // The vendor deletes the wrong update and corrects the title: a later stamp, no new update.
      { now: minute(8), items: [incident([INVESTIGATING], { updatedAt: '2026-04-22T20:07:00.000Z', title: 'Login errors' })] },
      { now: minute(15), items: [incident([RESOLVED, INVESTIGATING], { updatedAt: RESOLVED.at, title: 'Login errors' })] },
      // An edge still holding the copy with the deleted update.
      { now: minute(16), items: [incident([wrong, INVESTIGATING], { updatedAt: wrong.at })] },
    ]);
    expect(steps.flatMap((s) => s.events).map((e) => [e.type, e.update?.label])).toEqual([
      ['incident.opened', 'Investigating'],
      ['incident.updated', 'Monitoring'],
      ['incident.resolved', 'Resolved'],
    ]);
    const tracked = steps[2]!.state.get('rb4z1181bd4z')!;
    expect(tracked.title).toBe('Login errors');
    expect(tracked.updates?.map((u) => [u.key, u.unlisted ?? false])).toEqual([
      ['investigating|2026-04-22T19:55:00.000Z', false],
      ['monitoring|2026-04-22T20:05:00.000Z', true],
    ]);
    expect(steps[4]!.changes).toEqual([]);
  });

  it('without vendor stamps, a copy lacking it is taken for stale until one adds an update; it is still kept', () => {
    const steps = run([
      { now: minute(0), baseline: true, items: [incident([INVESTIGATING])] },
      { now: minute(6), items: [incident([MONITORING, INVESTIGATING])] },
      { now: minute(8), items: [incident([INVESTIGATING])] },
      { now: minute(15), items: [incident([RESOLVED, INVESTIGATING])] },
      { now: minute(16), items: [incident([RESOLVED, MONITORING, INVESTIGATING])] },
    ]);
    expect(steps[2]!.changes).toEqual([]);
    expect(steps[3]!.events.map((e) => e.type)).toEqual(['incident.resolved']);
    expect(steps[3]!.state.get('rb4z1181bd4z')!.updates?.some((u) => u.key.startsWith('monitoring|') && u.unlisted)).toBe(true);
    expect(steps[4]!.events).toEqual([]);
  });
});

describe('advisories', () => {
  it('a copy stamped before the one processed changes nothing, so the update is announced once', () => {
    const updated = advisory({ text: 'Also affects 8.5.2.', updatedAt: '2026-01-04T00:00:00Z' });
    const steps = run([
      { now: '2026-01-01T00:00:00Z', baseline: true, items: [advisory()] },
      { now: '2026-01-04T00:01:00Z', items: [updated] },
      { now: '2026-01-04T00:02:00Z', items: [advisory()] },
      { now: '2026-01-04T00:03:00Z', items: [structuredClone(updated)] },
    ]);
    expect(steps.flatMap((s) => s.events).map((e) => e.type)).toEqual(['advisory.updated']);
    expect(steps[2]!.changes).toEqual([]);
    expect(steps[3]!.changes).toEqual([]);
  });
});
