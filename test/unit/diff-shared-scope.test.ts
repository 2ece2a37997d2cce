// One incident in several regions' feeds of one status page: the regional sources share its tracked state (a scope),
// so each change has one event id whichever source sees it, and the regions of the feeds listing it are merged.
import { describe, expect, it } from 'vitest';
import { diffItems, type DiffContext } from '../../functions/core/diff-items.js';
import { chainEvents, threadKeyOf } from '../../functions/core/event-chain.js';
import type { IncidentItem, ItemUpdate, WatcherEvent } from '../../functions/core/model.js';
import { itemUpdate as upd, playPolls, publicCloudIncident } from '../support/diff-context.js';

const SCOPE = '@status.auth0.com';
const source = (region: string) => ({
  id: `auth0-status-${region.toLowerCase()}`,
  type: 'auth0-status',
  vendor: 'Auth0',
  url: `https://status.auth0.com/feed?domain=example.${region.slice(0, 2).toLowerCase()}.auth0.com`,
  region,
});
const US_1 = source('US-1');
const EU_1 = source('EU-1');

/** A poll of one of the scope's sources; `own`: of a source whose items are its own (no scope). */
function ctx(from: ReturnType<typeof source>, now: string, own?: 'own'): DiffContext {
  return { source: from, scope: own ? undefined : SCOPE, baseline: false, now: new Date(now), trackResolvedDays: 60 };
}

const INVESTIGATING = upd('Investigating', '2026-04-22T19:55:00.000Z', 'We are currently investigating an incident.');
const IDENTIFIED = upd('Identified', '2026-04-22T20:01:00.000Z', 'The issue has been identified: a DNS misconfiguration.');
const RESOLVED = upd('Resolved', '2026-04-22T20:14:00.000Z', 'Customers experienced service disruption due to a DNS misconfiguration.');

/** A global incident: it names no region, so the feeds listing it say where it is; stamped with its newest update. */
const incident = (updates: ItemUpdate[], over: Partial<IncidentItem> = {}): IncidentItem =>
  publicCloudIncident(updates, { updatedAt: updates[0]!.at, ...over });

/** Polls of the scope's sources, in order, against one shared state; each step's changes as written. */
function run(steps: Array<{ ctx: DiffContext; items: IncidentItem[] }>) {
  return playPolls(steps).map(({ changes, events, state }) => ({ changes, events, item: state.get('rb4z1181bd4z') }));
}

describe('an incident in two regions’ feeds of one status page', () => {
  it('gives a change the same event id whichever region’s source sees it, and names the scope in the event', () => {
    const fromUs = diffItems(ctx(US_1, '2026-04-22T19:56:00Z'), new Map(), [incident([INVESTIGATING])])[0]!.events[0]!;
    const fromEu = diffItems(ctx(EU_1, '2026-04-22T19:57:00Z'), new Map(), [incident([INVESTIGATING])])[0]!.events[0]!;
    expect(fromUs.id).toBe(fromEu.id);
    expect([fromUs.scope, fromEu.scope]).toEqual([SCOPE, SCOPE]);
    // The event still says which source saw it.
    expect([fromUs.source, fromEu.source]).toEqual(['auth0-status-us-1', 'auth0-status-eu-1']);
    // Computed over the scope: a source of its own would give the change another id.
    const own = diffItems(ctx(US_1, '2026-04-22T19:56:00Z', 'own'), new Map(), [incident([INVESTIGATING])])[0]!.events[0]!;
    expect(own.id).not.toBe(fromUs.id);
    expect(own).not.toHaveProperty('scope');
  });

  it('writes a second region merely listing a known incident silently, and names both regions in the next event', () => {
    const [opened, listed, again, identified] = run([
      { ctx: ctx(US_1, '2026-04-22T19:56:00Z'), items: [incident([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T19:56:30Z'), items: [incident([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T19:57:30Z'), items: [incident([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T20:02:00Z'), items: [incident([IDENTIFIED, INVESTIGATING])] },
    ]);
    expect(opened!.events.map((e) => [e.type, e.regions])).toEqual([['incident.opened', ['US-1']]]);
    // EU-1 lists it with nothing new: remembered, no event.
    expect(listed!.events).toEqual([]);
    expect(listed!.changes).toHaveLength(1);
    expect(listed!.item).toMatchObject({ listedIn: ['EU-1', 'US-1'], regions: ['EU-1', 'US-1'], fingerprint: opened!.item!.fingerprint });
    // Known in both regions now: nothing to write.
    expect(again!.changes).toEqual([]);
    expect(identified!.events.map((e) => [e.type, e.source, e.regions])).toEqual([
      ['incident.updated', 'auth0-status-eu-1', ['EU-1', 'US-1']],
    ]);
  });

  it('announces each update once across the regions, the second region finding it known', () => {
    const steps = run([
      { ctx: ctx(US_1, '2026-04-22T19:56:00Z'), items: [incident([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T19:56:00Z'), items: [incident([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T20:02:00Z'), items: [incident([IDENTIFIED, INVESTIGATING])] },
      { ctx: ctx(US_1, '2026-04-22T20:02:00Z'), items: [incident([IDENTIFIED, INVESTIGATING])] },
      { ctx: ctx(US_1, '2026-04-22T20:15:00Z'), items: [incident([RESOLVED, IDENTIFIED, INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T20:15:00Z'), items: [incident([RESOLVED, IDENTIFIED, INVESTIGATING])] },
    ]);
    const events = steps.flatMap((step) => step.events);
    expect(events.map((e) => [e.type, e.regions])).toEqual([
      ['incident.opened', ['US-1']],
      ['incident.updated', ['EU-1', 'US-1']],
      ['incident.resolved', ['EU-1', 'US-1']],
    ]);
    expect(new Set(events.map(threadKeyOf))).toEqual(new Set([`${SCOPE}#rb4z1181bd4z`]));
  });

  it('keeps the regions an incident names, whichever regions’ feeds list it', () => {
    const named = (updates: ItemUpdate[]) => incident(updates, { regions: ['US-5'] });
    const [, , identified] = run([
      { ctx: ctx(US_1, '2026-04-22T19:56:00Z'), items: [named([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T19:57:00Z'), items: [named([INVESTIGATING])] },
      { ctx: ctx(US_1, '2026-04-22T20:02:00Z'), items: [named([IDENTIFIED, INVESTIGATING])] },
    ]);
    expect(identified!.events.map((e) => e.regions)).toEqual([['US-5']]);
    expect(identified!.item).toMatchObject({ regions: ['US-5'], listedIn: ['EU-1', 'US-1'] });
  });

  it('takes nothing from a region whose feed serves an older copy than the one processed, until it lists a current one', () => {
    const [, stale, current] = run([
      { ctx: ctx(US_1, '2026-04-22T20:02:00Z'), items: [incident([IDENTIFIED, INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T20:02:30Z'), items: [incident([INVESTIGATING])] },
      { ctx: ctx(EU_1, '2026-04-22T20:03:30Z'), items: [incident([IDENTIFIED, INVESTIGATING])] },
    ]);
    expect(stale!.changes).toEqual([]);
    expect(current!.events).toEqual([]);
    expect(current!.item?.listedIn).toEqual(['EU-1', 'US-1']);
  });

  it('reports a single-region source as before: no scope, the named regions else its own', () => {
    const [opened] = run([{ ctx: ctx(US_1, '2026-04-22T19:56:00Z', 'own'), items: [incident([INVESTIGATING])] }]);
    expect(opened!.events[0]).toMatchObject({ source: 'auth0-status-us-1', regions: ['US-1'] });
    expect(opened!.events[0]).not.toHaveProperty('scope');
    expect(opened!.item).toMatchObject({ regions: ['US-1'], listedIn: ['US-1'] });
  });
});

describe('the thread of an incident seen through several region sources', () => {
  const event = (over: Partial<WatcherEvent>): WatcherEvent => ({
    schemaVersion: 1,
    id: 'e',
    type: 'incident.updated',
    source: 'auth0-status-us-1',
    sourceType: 'auth0-status',
    vendor: 'Auth0',
    itemId: 'rb4z1181bd4z',
    title: 'Elevated Errors on Public Cloud Environments',
    url: 'https://status.auth0.com/incidents/rb4z1181bd4z',
    severity: 'critical',
    occurredAt: '2026-04-22T20:01:00.000Z',
    detectedAt: '2026-04-22T20:02:00.000Z',
    summary: 'Identified',
    ...over,
  });

  it('is the scope’s item, whichever source saw each event; a source’s own items and health keep their threads', () => {
    const us = event({ scope: SCOPE });
    const eu = event({ scope: SCOPE, source: 'auth0-status-eu-1', id: 'f' });
    expect(threadKeyOf(us)).toBe(threadKeyOf(eu));
    expect(threadKeyOf(us)).toBe('@status.auth0.com#rb4z1181bd4z');
    expect(threadKeyOf(event({}))).toBe('auth0-status-us-1#rb4z1181bd4z');
    expect(threadKeyOf(event({ type: 'source.failing', itemId: 'auth0-status-us-1' }))).toBe('auth0-status-us-1#auth0-status-us-1');
  });

  it('chains one region’s new event after the other region’s last', () => {
    const previous = { id: 'opened-by-us-1', detectedAt: '2026-04-22T19:56:00.000Z' };
    const chained = chainEvents(previous, [event({ scope: SCOPE, source: 'auth0-status-eu-1' })]);
    expect(chained.events[0]!.previous).toEqual(previous);
  });
});
