// The post-deploy check's test events: each route gets one its rules (and so its SNS filter policy) accept, in as few
// events as the routes allow.
import { describe, expect, it } from 'vitest';
import { DELIVERY_CHECK_TITLE, deliveryCheckEvents, type DeliveryCheckRoute, type DeliveryCheckSource } from '../../functions/core/delivery-check.js';
import { parseWatcherEvent } from '../../functions/core/event-schema.js';
import { EVENT_TYPES, SEVERITIES, type WatcherEvent } from '../../functions/core/model.js';
import { filterPolicyFor, routeMatches, type RouteRules } from '../../functions/core/routing.js';
import { filterPolicyAdmits, type RecordedAttribute } from '../support/sns-test-server.js';

const SOURCES: readonly DeliveryCheckSource[] = [
  { id: 'auth0-status-us-1', type: 'auth0-status', vendor: 'Auth0' },
  { id: 'auth0-changelog', type: 'auth0-changelog', vendor: 'Auth0' },
  { id: 'auth0-advisories', type: 'github-advisories', vendor: 'Auth0' },
  { id: 'github', type: 'statuspage', vendor: 'GitHub' },
];
const RUN = { runId: 'r1a2b3c4d5e6', now: new Date('2026-12-01T09:00:00.000Z') };

/** The message attributes the SNS publisher sets on an event (functions/adapters/sns-publisher.ts). */
function attributesOf(event: WatcherEvent): Record<string, RecordedAttribute> {
  return {
    type: { dataType: 'String', value: event.type },
    source: { dataType: 'String', value: event.source },
    severity: { dataType: 'String', value: event.severity },
    vendor: { dataType: 'String', value: event.vendor },
    ...(event.regions?.length ? { region: { dataType: 'String.Array', value: JSON.stringify(event.regions) } } : {}),
  };
}

/** A small seeded generator, so the rule shapes are many but the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const TYPE_PATTERNS = [...EVENT_TYPES, 'incident.*', 'maintenance.*', 'advisory.*', 'source.*', 'changelog.*'];
const SOURCE_IDS = [...SOURCES.map((s) => s.id), 'not-configured'];
const REGIONS = ['US-1', 'US-3', 'EU-1', 'AU-1'];
const VENDORS = ['Auth0', 'GitHub', 'Google Workspace'];

/** Rule shapes of every kind the config allows: each key absent or a non-empty pick, within SNS's 150 combinations. */
function ruleShapes(count: number, seed: number): RouteRules[] {
  const next = random(seed);
  const pick = (values: readonly string[]): string[] | undefined => {
    if (next() < 0.4) return undefined;
    const chosen = values.filter(() => next() < 0.3);
    return chosen.length > 0 ? chosen : [values[Math.floor(next() * values.length)]!];
  };
  const shapes: RouteRules[] = [];
  while (shapes.length < count) {
    const rules: RouteRules = {
      ...(pick(SOURCE_IDS) && { sources: pick(SOURCE_IDS) }),
      ...(pick(TYPE_PATTERNS) && { types: pick(TYPE_PATTERNS) }),
      ...(next() < 0.6 && { minSeverity: SEVERITIES[Math.floor(next() * SEVERITIES.length)]! }),
      ...(pick(REGIONS) && { regions: pick(REGIONS) }),
      ...(pick(VENDORS) && { vendors: pick(VENDORS) }),
    };
    try {
      filterPolicyFor(rules);
    } catch {
      continue; // beyond SNS's limits: the config refuses such rules at synth
    }
    shapes.push(rules);
  }
  return shapes;
}

/** Each route with the event listed for it. */
function eventsByRoute(built: ReturnType<typeof deliveryCheckEvents>): Map<string, WatcherEvent[]> {
  const byRoute = new Map<string, WatcherEvent[]>();
  for (const { event, routeIds } of built) for (const id of routeIds) byRoute.set(id, [...(byRoute.get(id) ?? []), event]);
  return byRoute;
}

describe('deliveryCheckEvents', () => {
  it('builds for every one of many rule shapes an event the route accepts, locally and through its SNS filter policy', () => {
    const shapes = ruleShapes(600, 7);
    const refused = shapes.filter((rules) => {
      const [built, ...extra] = deliveryCheckEvents([{ id: 'route', rules }], SOURCES, RUN);
      if (!built || extra.length > 0) return true;
      const { event } = built;
      return !routeMatches(rules, event) || !filterPolicyAdmits(filterPolicyFor(rules), attributesOf(event));
    });
    expect(refused).toEqual([]);
  });

  it('covers every route of many random configurations exactly once, each with an event it accepts, in no more events than routes', () => {
    const next = random(11);
    const shapes = ruleShapes(800, 13);
    for (let config = 0; config < 150; config += 1) {
      const routes: DeliveryCheckRoute[] = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, index) => ({
        id: `route-${index}`,
        rules: shapes[Math.floor(next() * shapes.length)]!,
      }));
      const built = deliveryCheckEvents(routes, SOURCES, RUN);
      const byRoute = eventsByRoute(built);
      expect(built.length).toBeLessThanOrEqual(routes.length);
      for (const route of routes) {
        const events = byRoute.get(route.id) ?? [];
        expect(events, route.id).toHaveLength(1);
        expect(routeMatches(route.rules, events[0]!)).toBe(true);
        expect(filterPolicyAdmits(filterPolicyFor(route.rules), attributesOf(events[0]!))).toBe(true);
      }
    }
  });

  it('sends one event when it satisfies every route: region rules and a route taking everything share it', () => {
    const built = deliveryCheckEvents(
      [
        { id: 'incidents-us', rules: { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] } },
        { id: 'incidents-eu', rules: { types: ['incident.*'], regions: ['EU-1'] } },
        { id: 'everything', rules: {} },
      ],
      SOURCES,
      RUN,
    );
    expect(built.map(({ event, routeIds }) => [event.type, event.severity, event.regions, routeIds])).toEqual([
      ['incident.opened', 'critical', undefined, ['incidents-us', 'incidents-eu', 'everything']],
    ]);
  });

  it('sends a second event only for a route the first cannot reach', () => {
    const built = deliveryCheckEvents(
      [
        { id: 'incidents', rules: { types: ['incident.*'], minSeverity: 'critical' } },
        { id: 'platform', rules: { types: ['changelog.published', 'advisory.*'] } },
        { id: 'github', rules: { vendors: ['GitHub'] } },
      ],
      SOURCES,
      RUN,
    );
    expect(built.map(({ event, routeIds }) => [event.type, event.vendor, routeIds])).toEqual([
      ['incident.opened', 'GitHub', ['incidents', 'github']],
      ['changelog.published', 'Auth0', ['platform']],
    ]);
  });

  it('marks each event as a test, with a fresh id per run, the item delivery-check-<run id> and a valid schema-version-1 shape', () => {
    const routes = [
      { id: 'incidents', rules: { types: ['incident.*'] } },
      { id: 'advisories', rules: { types: ['advisory.published'], sources: ['auth0-advisories'] } },
    ];
    const built = deliveryCheckEvents(routes, SOURCES, RUN);
    const again = deliveryCheckEvents(routes, SOURCES, { ...RUN, runId: 'f0e1d2c3b4a5' });
    for (const { event } of built) {
      expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
      expect(event).toMatchObject({
        title: DELIVERY_CHECK_TITLE,
        itemId: 'delivery-check-r1a2b3c4d5e6',
        status: 'test',
        occurredAt: '2026-12-01T09:00:00.000Z',
        detectedAt: '2026-12-01T09:00:00.000Z',
        url: '',
      });
      expect(event.summary).toContain('Nothing happened');
    }
    expect(built[1]!.event).toMatchObject({ source: 'auth0-advisories', sourceType: 'github-advisories', type: 'advisory.published' });
    const ids = [...built, ...again].map(({ event }) => event.id);
    expect(new Set(ids).size).toBe(4);
  });
});
