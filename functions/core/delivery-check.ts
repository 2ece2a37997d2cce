// The test events (pure): clearly marked schema-version-1 events. The post-deploy check's: as few as it takes for every
// route to be sent one its rules accept (`npm start -- check-deploy` publishes them through the deployed topic). The
// local test's: one event every output is sent (`npm start -- test`). And the event that closes a test alert again.
import { eventId } from './event-factory.js';
import { EVENT_TYPE_FACTS } from './event-types.js';
import { EVENT_TYPES, SEVERITIES, type EventType, type Severity, type WatcherEvent } from './model.js';
import { routeMatches, severitiesFrom, type RouteRules } from './routing.js';

/** The title of every test event, so that nobody takes one for news. */
export const DELIVERY_CHECK_TITLE = 'Delivery check: this is a test, not an incident';

/** A configured source as the test events may name it. */
export interface DeliveryCheckSource {
  readonly id: string;
  readonly type: string;
  readonly vendor: string;
}

/** A route to reach: its id and the rules that decide which events it takes (locally and as an SNS filter policy). */
export interface DeliveryCheckRoute {
  readonly id: string;
  readonly rules: RouteRules;
}

/** One test event and the routes it was built to reach (every one of them accepts it). */
export interface DeliveryCheckEvent {
  readonly event: WatcherEvent;
  readonly routeIds: readonly string[];
}

/** Who the event is about when neither a configured source nor the rules name a vendor. */
const FALLBACK_VENDOR = 'auth0-ops-watcher';
const FALLBACK_SOURCE_TYPE = 'delivery-check';

interface Candidate {
  readonly type: EventType;
  readonly severity: Severity;
  readonly source: DeliveryCheckSource;
  readonly vendor: string;
}

/**
 * Test events for `routes`: each route is accepted by (`routeMatches`, and so by its SNS filter policy) the event listed
 * with it, and one event serves every route that accepts it. Built greedily: for the first route not yet covered, of
 * all the events its rules accept, the one the most uncovered routes accept too (ties: the first by event type in the
 * event table's order, then the least severity, then configuration order). Events name no region, which every region
 * rule lets through. Ids are fresh for each `runId`; the item id is `delivery-check-<runId>`.
 */
export function deliveryCheckEvents(
  routes: readonly DeliveryCheckRoute[],
  sources: readonly DeliveryCheckSource[],
  run: { readonly runId: string; readonly now: Date },
): DeliveryCheckEvent[] {
  const result: DeliveryCheckEvent[] = [];
  let uncovered = [...routes];
  while (uncovered.length > 0) {
    const route = uncovered[0]!;
    const others = uncovered.slice(1);
    let best: { event: WatcherEvent; covers: DeliveryCheckRoute[] } | undefined;
    const id = eventId(FALLBACK_SOURCE_TYPE, itemIdOf(run.runId), String(result.length));
    for (const candidate of candidatesFor(route.rules, others, sources)) {
      const event = buildEvent(candidate, run, id);
      const covers = uncovered.filter((r) => routeMatches(r.rules, event));
      // The route the event is built for always accepts it: every candidate is drawn from its rules.
      if (best === undefined || covers.length > best.covers.length) best = { event, covers };
      if (best.covers.length === uncovered.length) break;
    }
    // Only a route whose rules accept no event at all leaves no candidate; the config schema refuses such rules.
    if (best === undefined || !best.covers.includes(route)) {
      throw new Error(`route ${route.id}: its rules accept no event, so no test event can reach it`);
    }
    result.push({ event: best.event, routeIds: best.covers.map((r) => r.id) });
    uncovered = uncovered.filter((r) => !best.covers.includes(r));
  }
  return result;
}

/**
 * Every event shape `rules` accept: types in the event table's order, severities from the least the rules take up,
 * sources and vendors the rules name (else the configured ones, then those other routes name).
 */
function* candidatesFor(
  rules: RouteRules,
  others: readonly DeliveryCheckRoute[],
  sources: readonly DeliveryCheckSource[],
): Generator<Candidate> {
  const types = EVENT_TYPES.filter(
    (type) => !rules.types || rules.types.some((pattern) => (pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type)),
  );
  const severities = [...(rules.minSeverity ? severitiesFrom(rules.minSeverity) : SEVERITIES)].reverse();
  const known = new Map(sources.map((source) => [source.id, source]));
  const sourceIds = rules.sources ?? unique([...sources.map((s) => s.id), ...others.flatMap((r) => r.rules.sources ?? [])]);
  const candidateSources = sourceIds.map(
    (id) => known.get(id) ?? { id, type: FALLBACK_SOURCE_TYPE, vendor: FALLBACK_VENDOR },
  );
  for (const type of types) {
    for (const severity of severities) {
      for (const source of candidateSources) {
        const vendors = rules.vendors ?? unique([source.vendor, ...others.flatMap((r) => r.rules.vendors ?? [])]);
        for (const vendor of vendors) yield { type, severity, source, vendor };
      }
    }
  }
}

function itemIdOf(runId: string): string {
  return `delivery-check-${runId}`;
}

function buildEvent(candidate: Candidate, run: { readonly runId: string; readonly now: Date }, id: string): WatcherEvent {
  const itemId = itemIdOf(run.runId);
  const at = run.now.toISOString();
  const summary =
    `A test event sent by "npm start -- check-deploy" (run ${run.runId}) to check that this route receives events ` +
    'after a deployment. Nothing happened at any vendor; there is nothing to do.';
  const withUpdate = candidate.type.startsWith('incident.') || candidate.type.startsWith('maintenance.');
  return {
    schemaVersion: 1,
    id,
    type: candidate.type,
    source: candidate.source.id,
    sourceType: candidate.source.type,
    vendor: candidate.vendor,
    itemId,
    title: DELIVERY_CHECK_TITLE,
    // No vendor page: a source's own URL may carry a private-cloud token.
    url: '',
    severity: candidate.severity,
    occurredAt: at,
    detectedAt: at,
    summary,
    status: 'test',
    ...(withUpdate && { update: { label: 'Delivery check', at, text: summary } }),
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The title of the event `npm start -- test` sends, so that nobody takes it for news. */
export const TEST_EVENT_TITLE = '[TEST] auth0-ops-watcher test event — no action needed';

/** Who `npm start -- test`'s event is from: the watcher itself. */
export const TEST_EVENT_SOURCE = 'auth0-ops-watcher';

/**
 * The one event `npm start -- test` sends to every output: an `incident.opened` (every renderer and channel handles
 * incidents) of severity `info`, about item `test-<runId>`, so each run has its own id and thread and no receiver's
 * deduplication takes it for an earlier run's. It names no region and no vendor page.
 */
export function testEvent(run: { readonly runId: string; readonly now: Date }): WatcherEvent {
  const itemId = `test-${run.runId}`;
  const at = run.now.toISOString();
  const summary =
    `[TEST] A test event sent by "npm start -- test" (run ${run.runId}) to check that this output receives the ` +
    "watcher's events. Nothing happened at any vendor; no action needed.";
  return {
    schemaVersion: 1,
    id: eventId(TEST_EVENT_SOURCE, itemId, 'test'),
    type: 'incident.opened',
    source: TEST_EVENT_SOURCE,
    sourceType: 'test',
    vendor: FALLBACK_VENDOR,
    itemId,
    title: TEST_EVENT_TITLE,
    url: '',
    severity: 'info',
    occurredAt: at,
    detectedAt: at,
    summary,
    status: 'test',
    update: { label: 'Test', at, text: summary },
  };
}

/**
 * The event that ends `event`'s item (an `incident.opened` test event: its `incident.resolved`), for a paging channel,
 * which keeps an alert open until then: same source, vendor and item (so the same alert key), the family's first type
 * that ends an item, `previous` naming `event`. Undefined when `event` ends its item already or its family has no
 * such type (change log, advisories, allow-list, deprecations: nothing to close).
 */
export function closingEventOf(event: WatcherEvent, now: Date): WatcherEvent | undefined {
  if (EVENT_TYPE_FACTS[event.type].endsItem) return undefined;
  const family = EVENT_TYPE_FACTS[event.type].family;
  const type = EVENT_TYPES.find((candidate) => EVENT_TYPE_FACTS[candidate].family === family && EVENT_TYPE_FACTS[candidate].endsItem);
  if (type === undefined) return undefined;
  const at = now.toISOString();
  const summary = `${event.title.startsWith('[TEST]') ? '' : '[TEST] '}Closes the test alert of event ${event.id}: there is nothing to do.`;
  const { update: _update, ...rest } = event;
  return {
    ...rest,
    id: eventId(event.scope ?? event.source, event.itemId, `closed:${event.id}`),
    type,
    occurredAt: at,
    detectedAt: at,
    summary,
    status: 'test, closed',
    previous: { id: event.id, detectedAt: event.detectedAt },
    ...((family === 'incident' || family === 'maintenance') && { update: { label: 'Closed', at, text: summary } }),
  };
}
