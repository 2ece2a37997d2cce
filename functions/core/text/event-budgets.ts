// The text-safety toolkit applied to events: the byte budgets of an event's vendor texts, kept when the event is made
// so that no item outgrows DynamoDB's 400 KB or an event SNS's 256 KB (pure).
import type { AffectedPackage, ItemUpdate, TenantEventFacts, WatcherEvent } from '../model.js';
import { truncateToBytes, utf8Bytes } from './truncate.js';

/**
 * Byte budgets (UTF-8) for the vendor texts of one event, applied when it is made: an event is stored in its item's
 * outbox (a DynamoDB item holds at most 400 KB) and published to SNS (256 KB a message, its JSON and an email copy).
 * Vendor pages link the full text. With every field at its budget an event carries about 77 KB of text (JSON escaping
 * aside); a typical one stays under 20 KB. The SNS publisher's own shrinking stays the last resort, never the first.
 */
export const EVENT_BUDGETS = {
  titleBytes: 1024,
  /** Summaries are already shortened to 500 characters where they are written; this is the guard. */
  summaryBytes: 2048,
  updateTextBytes: 16 * 1024,
  updateLabelBytes: 100,
  /** An incident event's `earlierUpdates`: a compact list for emails, newest first; the vendor page has them all. */
  maxEarlierUpdates: 10,
  earlierUpdateTextBytes: 400,
  /** A longer link is not cut (a cut link is a wrong link): the source URL stands in for it. */
  urlBytes: 2048,
  maxComponents: 50,
  componentBytes: 200,
  maxPackages: 50,
  packageFieldBytes: 200,
  /** Regions feed SNS filter policies, so an over-long one is left out rather than cut into a value no policy names. */
  maxRegions: 50,
  regionBytes: 100,
  /** Each string of a tenant-log event's `tenant` field (client, path, connection, feature, …). */
  tenantFieldBytes: 300,
} as const;

/**
 * The events one item yields in one poll, as JSON, together stay within this: they are written into the item's outbox
 * in one write, next to its tracked state (a few KB), and events left over from a poll whose publishing failed may
 * still be there. See {@link fitItemEvents}.
 */
export const ITEM_EVENTS_MAX_BYTES = 128 * 1024;

/** Update texts are not cut below this to fit {@link ITEM_EVENTS_MAX_BYTES}. */
const MIN_UPDATE_TEXT_BYTES = 1024;

/** A title within {@link EVENT_BUDGETS}: what events and the tracked state both carry. */
export function boundedTitle(title: string): string {
  return truncateToBytes(title, EVENT_BUDGETS.titleBytes);
}

/** A link within {@link EVENT_BUDGETS}, else `fallback` (the source URL). */
export function boundedUrl(url: string, fallback: string): string {
  return utf8Bytes(url) <= EVENT_BUDGETS.urlBytes ? url : fallback;
}

/** Regions within {@link EVENT_BUDGETS}: over-long ones left out, at most `maxRegions`. */
export function boundedRegions(regions: readonly string[]): string[] {
  return regions.filter((region) => utf8Bytes(region) <= EVENT_BUDGETS.regionBytes).slice(0, EVENT_BUDGETS.maxRegions);
}

/**
 * The event with each vendor text cut to its budget in {@link EVENT_BUDGETS}, its link replaced by `sourceUrl` when
 * too long; id, type, source and item id untouched.
 */
export function withinEventBudgets(event: WatcherEvent, sourceUrl: string): WatcherEvent {
  const b = EVENT_BUDGETS;
  const cut = (text: string, max: number) => truncateToBytes(text, max);
  const shaped: Record<string, unknown> = {
    ...event,
    title: boundedTitle(event.title),
    url: boundedUrl(event.url, sourceUrl),
    summary: cut(event.summary, b.summaryBytes),
  };
  if (event.update) shaped['update'] = boundedUpdate(event.update, b.updateTextBytes);
  if (event.earlierUpdates) shaped['earlierUpdates'] = boundedEarlierUpdates(event.earlierUpdates);
  if (event.regions) shaped['regions'] = boundedRegions(event.regions);
  if (event.components) {
    shaped['components'] = event.components.slice(0, b.maxComponents).map((name) => cut(name, b.componentBytes));
  }
  if (event.packages) {
    shaped['packages'] = event.packages.slice(0, b.maxPackages).map(
      (pkg): AffectedPackage => ({
        ecosystem: cut(pkg.ecosystem, b.packageFieldBytes),
        name: cut(pkg.name, b.packageFieldBytes),
        ...(pkg.vulnerableRange !== undefined && { vulnerableRange: cut(pkg.vulnerableRange, b.packageFieldBytes) }),
        ...(pkg.firstPatchedVersion !== undefined && { firstPatchedVersion: cut(pkg.firstPatchedVersion, b.packageFieldBytes) }),
      }),
    );
  }
  if (event.tenant) shaped['tenant'] = boundedTenantFacts(event.tenant);
  const field = (text: string) => truncateToBytes(text, EVENT_BUDGETS.tenantFieldBytes);
  if (event.check !== undefined) shaped['check'] = field(event.check);
  if (event.action !== undefined) shaped['action'] = cut(event.action, b.summaryBytes);
  if (event.synthetic?.cause !== undefined) shaped['synthetic'] = { ...event.synthetic, cause: field(event.synthetic.cause) };
  if (event.allowlist) {
    const cidrs = (list: readonly string[]) => list.slice(0, MAX_ALLOWLIST_CIDRS).map((cidr) => truncateToBytes(cidr, 64));
    shaped['allowlist'] = {
      ...event.allowlist,
      region: field(event.allowlist.region),
      added: cidrs(event.allowlist.added),
      removed: cidrs(event.allowlist.removed),
      ...(event.allowlist.changelog && { changelog: event.allowlist.changelog.slice(0, 10).map((line) => cut(line, 500)) }),
    };
  }
  return shaped as unknown as WatcherEvent;
}

/**
 * CIDRs an allow-list event lists per direction: a region's whole list is about a hundred addresses, and an event must
 * stay far below SNS's 256 KB; a larger change is said in the event's summary by its counts.
 */
const MAX_ALLOWLIST_CIDRS = 500;

/** A tenant-log event's facts with each string cut to {@link EVENT_BUDGETS}' `tenantFieldBytes`. */
function boundedTenantFacts(facts: TenantEventFacts): TenantEventFacts {
  const cut = (text: string | undefined) => (text === undefined ? undefined : truncateToBytes(text, EVENT_BUDGETS.tenantFieldBytes));
  const shaped: Record<string, unknown> = {
    ...facts,
    logType: cut(facts.logType),
    clientId: cut(facts.clientId),
    clientName: cut(facts.clientName),
    path: cut(facts.path),
    bucket: cut(facts.bucket),
    connection: cut(facts.connection),
    strategy: cut(facts.strategy),
    feature: facts.feature && { id: cut(facts.feature.id) ?? '', name: cut(facts.feature.name) },
  };
  return JSON.parse(JSON.stringify(shaped)) as TenantEventFacts;
}

function boundedUpdate(update: ItemUpdate, textBytes: number): ItemUpdate {
  return {
    label: truncateToBytes(update.label, EVENT_BUDGETS.updateLabelBytes),
    at: update.at,
    text: truncateToBytes(update.text, textBytes),
  };
}

/** An incident's earlier updates within {@link EVENT_BUDGETS}: the newest `maxEarlierUpdates`, each text cut short. */
export function boundedEarlierUpdates(updates: readonly ItemUpdate[]): ItemUpdate[] {
  return updates.slice(0, EVENT_BUDGETS.maxEarlierUpdates).map((update) => boundedUpdate(update, EVENT_BUDGETS.earlierUpdateTextBytes));
}

const jsonBytes = (event: WatcherEvent): number => utf8Bytes(JSON.stringify(event));

/**
 * The events of one item in one poll within `maxBytes` of JSON together: when they exceed it (many updates at once,
 * each long), their earlier-update lists are left out, then their update texts are cut further, evenly, down to {@link MIN_UPDATE_TEXT_BYTES} each. Only an
 * implausible number of events can still exceed it; the poller then reports that item's write as failed.
 */
export function fitItemEvents(events: readonly WatcherEvent[], maxBytes: number = ITEM_EVENTS_MAX_BYTES): WatcherEvent[] {
  let total = events.reduce((sum, event) => sum + jsonBytes(event), 0);
  if (total <= maxBytes) return [...events];
  // The earlier updates are a convenience of the emails (the vendor page lists them all): they go first.
  const stripped = events.map(({ earlierUpdates: _earlier, ...event }) => event as WatcherEvent);
  let shaped = stripped;
  total = shaped.reduce((sum, event) => sum + jsonBytes(event), 0);
  for (let textBytes = EVENT_BUDGETS.updateTextBytes; total > maxBytes && textBytes > MIN_UPDATE_TEXT_BYTES; ) {
    textBytes = Math.max(MIN_UPDATE_TEXT_BYTES, Math.floor(textBytes / 2));
    shaped = stripped.map((event) => (event.update ? { ...event, update: boundedUpdate(event.update, textBytes) } : event));
    total = shaped.reduce((sum, event) => sum + jsonBytes(event), 0);
  }
  return shaped;
}
