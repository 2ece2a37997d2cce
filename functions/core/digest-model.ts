// The digest's model: a period's events and the state of things now, sorted, deduplicated and grouped once, so that
// rendering only decides how many entries to show. Where an event goes is the event-type table's digest section
// (pure, no I/O, no clock).
import { threadKeyOf } from './event-chain.js';
import {
  DIGEST_ACTIVITIES,
  EVENT_TYPE_FACTS,
  EVENT_TYPES,
  type DigestActivity,
  type DigestSection,
  type EventFamily,
} from './event-types.js';
import { ATTENTION_CHANGE_TYPES, SEVERITIES, type EventType, type Severity, type WatcherEvent } from './model.js';
import { prepareTenantDigest, type TenantArchiveSummary, type TenantDeprecation, type TenantDigest } from './digest-tenant.js';
import type { DigestEndsOfLife } from './digest-eol.js';
import type { SubscriptionHealth } from './subscription-health.js';
import { cleanLine } from './text/clean-line.js';
import { elapsed, parseTime } from './text/time.js';
import { compareText, plural } from './text/words.js';

export interface DigestOpenItem {
  readonly source: string;
  /** The item's scope, when sources share their items (see `WatcherEvent.scope`): it is keyed, like its events, by it. */
  readonly scope?: string;
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly kind: 'incident' | 'maintenance';
  readonly status?: string;
  readonly severity: Severity;
  readonly regions: readonly string[];
  readonly openedAt: string;
  /** Maintenance: its scheduled window, ISO 8601, where the source gives it. */
  readonly scheduledFor?: string;
  readonly scheduledUntil?: string;
}

export interface DigestRcaOwed {
  readonly source: string;
  /** As in {@link DigestOpenItem}. */
  readonly scope?: string;
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly resolvedAt: string;
}

export interface DigestSourceHealth {
  readonly id: string;
  readonly name?: string;
  readonly type: string;
  readonly url: string;
  readonly lastSuccessAt?: string;
  /**
   * How often the source is polled, minutes. With it, a source whose last successful poll is older than three
   * intervals plus an hour (an unchanged poll records its success at most hourly) is reported as silent: its polls
   * stopped without failing, for example because its schedule was removed.
   */
  readonly everyMinutes?: number;
  readonly consecutiveFailures: number;
  readonly failingSince?: string;
  readonly lastError?: { readonly at: string; readonly reason: string };
}

export interface DigestInput {
  readonly frequency: 'daily' | 'weekly';
  /** Period start, ISO 8601 (inclusive). */
  readonly from: string;
  /** Period end, ISO 8601 (exclusive). */
  readonly to: string;
  readonly generatedAt: string;
  /** IANA zone the reader lives in, for the headline dates (times in the body stay UTC). */
  readonly timeZone: string;
  /**
   * The events this digest took, each once: those detected in [from, to), and those first logged in it after an
   * earlier digest had covered their detection time (held up behind a failed publish, or a clock that stepped back).
   */
  readonly events: readonly WatcherEvent[];
  /** Incidents and maintenance open now. */
  readonly openItems: readonly DigestOpenItem[];
  /** Resolved incidents without a root-cause analysis yet. */
  readonly rcaOwed: readonly DigestRcaOwed[];
  /** Every configured source. */
  readonly sources: readonly DigestSourceHealth[];
  /**
   * The email subscriptions of the watcher's topics compared with the config; undefined where there are none to check
   * (locally), and then the digest says nothing about them.
   */
  readonly subscriptions?: SubscriptionHealth;
  /** The tenant-log archives' size and oldest day, one per `auth0-tenant-logs` source; shown under YOUR TENANT when given. */
  readonly tenantArchive?: readonly TenantArchiveSummary[];
  /**
   * The deprecation notices still active on the `auth0-tenant-logs` sources (within `silenceDays` of their last notice),
   * whenever they were announced; listed under YOUR TENANT. Without it, the period's announcements alone are listed.
   */
  readonly tenantDeprecations?: readonly TenantDeprecation[];
  /**
   * The ends of life in the next 90 days (and those given in words) on Auth0's Deprecations and Migrations page, from
   * the `auth0-deprecations` sources' state; listed under ENDS OF LIFE. Absent without such a source.
   */
  readonly endsOfLife?: DigestEndsOfLife;
}

// ---------------------------------------------------------------------------------------------------------------
// What the renderer receives: prepared once; composing then only decides how many entries to show.

export interface OpenEntry {
  readonly item: DigestOpenItem;
  readonly regions: readonly string[];
  readonly activity: string;
}

export interface RegionGroup {
  readonly label: string;
  readonly entries: readonly OpenEntry[];
}

export interface ResolvedEntry {
  readonly event: WatcherEvent;
  readonly openedAt?: string;
  readonly activity: string;
}

export interface ItemActivity {
  readonly key: string;
  /** The item's events of the period, oldest first. */
  readonly events: readonly WatcherEvent[];
  readonly latest: WatcherEvent;
}

export interface SourceEntry {
  readonly source: DigestSourceHealth;
  readonly state: 'failing' | 'silent' | 'never-polled' | 'ok';
}

export interface PreparedDigest {
  readonly input: DigestInput;
  readonly quiet: boolean;
  readonly counts: Partial<Record<EventType, number>>;
  readonly openIncidentCount: number;
  readonly openIncidentGroups: readonly RegionGroup[];
  readonly openMaintenance: readonly OpenEntry[];
  readonly resolved: readonly ResolvedEntry[];
  readonly completedMaintenance: readonly ResolvedEntry[];
  readonly rcaOwed: readonly DigestRcaOwed[];
  readonly rcaPublished: readonly WatcherEvent[];
  readonly changesNeedingAttention: readonly WatcherEvent[];
  readonly otherChanges: readonly WatcherEvent[];
  readonly advisories: readonly ItemActivity[];
  readonly otherUpdates: readonly ItemActivity[];
  readonly sources: readonly SourceEntry[];
  readonly sourceEvents: readonly WatcherEvent[];
  readonly incidentsOpened: number;
  readonly incidentUpdates: number;
  readonly maintenanceEvents: number;
  /** YOUR TENANT: the period's tenant-log events, grouped, and the archives. */
  readonly tenant: TenantDigest;
}

const NO_REGION = 'No region named';

const sectionOf = (event: WatcherEvent): DigestSection => EVENT_TYPE_FACTS[event.type].digest.section;
const activityOf = (event: WatcherEvent): DigestActivity | undefined => EVENT_TYPE_FACTS[event.type].digest.activity;
const familyOfEvent = (event: WatcherEvent): EventFamily => EVENT_TYPE_FACTS[event.type].family;
/** Incidents and maintenance: items with a life of their own (opened, updated, concluded), unlike a change-log entry. */
const LIFECYCLE_FAMILIES: ReadonlySet<EventFamily> = new Set(['incident', 'maintenance']);
const hasLifecycle = (event: WatcherEvent): boolean => LIFECYCLE_FAMILIES.has(familyOfEvent(event));
/** Events of the family that did `activity` to their item. */
const did = (events: readonly WatcherEvent[], family: EventFamily, activity: DigestActivity): WatcherEvent[] =>
  events.filter((event) => familyOfEvent(event) === family && activityOf(event) === activity);

/** Sorts, deduplicates and groups a period's events and the state of things now, every list on stable keys. */
export function prepareDigest(input: DigestInput): PreparedDigest {
  const events = dedupeById([...input.events].sort(byEventTime));
  const counts: Partial<Record<EventType, number>> = {};
  for (const type of EVENT_TYPES) {
    const count = events.filter((event) => event.type === type).length;
    if (count > 0) counts[type] = count;
  }
  const inSection = (section: DigestSection): WatcherEvent[] => events.filter((event) => sectionOf(event) === section);

  const activity = groupByItem(events.filter(hasLifecycle));
  const openKeys = new Set(input.openItems.map((item) => itemKey(item)));
  const concluded = new Set<string>();

  const concluding = inSection('resolved');
  const resolved = lastPerItem(concluding.filter((event) => familyOfEvent(event) !== 'maintenance')).map((event) => {
    const key = itemKey(event);
    concluded.add(key);
    const itemEvents = activity.get(key)?.events ?? [];
    const opened = itemEvents.find((candidate) => activityOf(candidate) === 'opened');
    return { event, openedAt: opened?.occurredAt, activity: activityPhrase(itemEvents, activityOf(event)) };
  });
  const completedMaintenance = lastPerItem(concluding.filter((event) => familyOfEvent(event) === 'maintenance')).map(
    (event) => {
      const key = itemKey(event);
      concluded.add(key);
      return { event, activity: activityPhrase(activity.get(key)?.events ?? [], activityOf(event)) };
    },
  );

  const openEntries = [...input.openItems].sort(byOpenItem).map((item) => ({
    item,
    regions: cleanRegions(item.regions),
    activity: activityPhrase(activity.get(itemKey(item))?.events ?? []),
  }));
  const openIncidents = openEntries.filter((entry) => entry.item.kind === 'incident');

  const rcaPublished = inSection('rca');
  const rcaPublishedKeys = new Set(rcaPublished.map((event) => itemKey(event)));
  // An RCA that arrived in this period is no longer owed, whatever the caller's snapshot says.
  const rcaOwed = input.rcaOwed
    .filter((item) => !rcaPublishedKeys.has(itemKey(item)))
    .sort(
      (a, b) =>
        compareTimes(a.resolvedAt, b.resolvedAt) ||
        compareText(itemKey(a), itemKey(b)),
    );

  const changes = inSection('change-log');
  const attentionRank = (event: WatcherEvent): number =>
    event.changeType === undefined ? -1 : ATTENTION_CHANGE_TYPES.indexOf(event.changeType);
  const changesNeedingAttention = changes
    .filter((event) => attentionRank(event) >= 0)
    .sort((a, b) => attentionRank(a) - attentionRank(b) || byEventTime(a, b));
  const otherChanges = changes.filter((event) => attentionRank(event) < 0);

  const advisories = [...groupByItem(inSection('advisories')).values()].sort(
    (a, b) => severityRank(a.latest.severity) - severityRank(b.latest.severity) || byActivity(a, b),
  );

  const otherUpdates = [...activity.values()]
    .filter((item) => !openKeys.has(item.key) && !concluded.has(item.key))
    .filter((item) => item.events.some((event) => sectionOf(event) === 'updates'))
    .sort(byActivity);

  const sourceOrder = { failing: 0, silent: 1, 'never-polled': 2, ok: 3 } as const;
  const sources = input.sources
    .map((source): SourceEntry => ({ source, state: sourceState(source, input.generatedAt) }))
    .sort((a, b) => sourceOrder[a.state] - sourceOrder[b.state] || compareText(a.source.id, b.source.id));

  return {
    input,
    quiet: events.length === 0,
    counts,
    openIncidentCount: openIncidents.length,
    openIncidentGroups: groupByRegion(openIncidents),
    openMaintenance: openEntries.filter((entry) => entry.item.kind === 'maintenance'),
    resolved,
    completedMaintenance,
    rcaOwed,
    rcaPublished,
    changesNeedingAttention,
    otherChanges,
    advisories,
    otherUpdates,
    sources,
    sourceEvents: inSection('health'),
    incidentsOpened: new Set(did(events, 'incident', 'opened').map((event) => itemKey(event))).size,
    incidentUpdates: did(events, 'incident', 'update').length,
    maintenanceEvents: events.filter((event) => familyOfEvent(event) === 'maintenance').length,
    tenant: prepareTenantDigest(events, input.tenantArchive, input.tenantDeprecations),
  };
}

/** A success is recorded at most hourly when nothing changes, so silence counts only beyond that. */
const SUCCESS_RECORD_MINUTES = 60;

function sourceState(source: DigestSourceHealth, generatedAt: string): SourceEntry['state'] {
  if (source.consecutiveFailures > 0) return 'failing';
  if (source.lastSuccessAt === undefined) return 'never-polled';
  const since = elapsed(source.lastSuccessAt, generatedAt);
  if (source.everyMinutes !== undefined && since !== undefined) {
    if (since > (3 * source.everyMinutes + SUCCESS_RECORD_MINUTES) * 60_000) return 'silent';
  }
  return 'ok';
}

/** Open incidents per region, in name order, "No region named" last; an item naming two regions is under both. */
function groupByRegion(entries: readonly OpenEntry[]): RegionGroup[] {
  const groups = new Map<string, OpenEntry[]>();
  for (const entry of entries) {
    for (const region of entry.regions.length === 0 ? [NO_REGION] : entry.regions) {
      const group = groups.get(region) ?? [];
      group.push(entry);
      groups.set(region, group);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === NO_REGION ? 1 : 0) - (b === NO_REGION ? 1 : 0) || compareText(a, b))
    .map(([label, grouped]) => ({ label, entries: grouped }));
}

function groupByItem(events: readonly WatcherEvent[]): Map<string, ItemActivity> {
  const grouped = new Map<string, WatcherEvent[]>();
  for (const event of events) {
    const key = itemKey(event);
    const list = grouped.get(key) ?? [];
    list.push(event);
    grouped.set(key, list);
  }
  const result = new Map<string, ItemActivity>();
  for (const [key, list] of grouped) {
    const latest = list[list.length - 1];
    if (latest) result.set(key, { key, events: list, latest });
  }
  return result;
}

/** One event per item: the latest (events arrive sorted oldest first). */
function lastPerItem(events: readonly WatcherEvent[]): WatcherEvent[] {
  const latest = new Map<string, WatcherEvent>();
  for (const event of events) latest.set(itemKey(event), event);
  return [...latest.values()].sort(byEventTime);
}

/**
 * What an item did in the period, in the table's words and order, e.g. "opened, 3 updates, resolved"; `omit` is what
 * the entry already says (a resolved incident's "resolved").
 */
export function activityPhrase(events: readonly WatcherEvent[], omit?: DigestActivity): string {
  const parts: string[] = [];
  for (const activity of DIGEST_ACTIVITIES) {
    if (activity === omit) continue;
    const count = events.filter((event) => activityOf(event) === activity).length;
    if (count > 0) parts.push(activity === 'update' ? plural(count, 'update') : activity);
  }
  return parts.join(', ');
}

/** Region names cleaned, deduplicated and sorted. */
export function cleanRegions(regions: readonly string[]): string[] {
  const clean = regions.map((region) => cleanLine(region, 40)).filter((region) => region !== '');
  return [...new Set(clean)].sort(compareText);
}

/** The last instant of the period (its end is exclusive), which names the day a midnight-aligned period covers. */
export function periodEndInstant(input: DigestInput): number | undefined {
  const to = parseTime(input.to);
  if (to !== undefined) return to - 1;
  return parseTime(input.generatedAt);
}

// ---------------------------------------------------------------------------------------------------------------
// Ordering.

/** Parsed time first (unreadable stamps last), then the raw text so equal instants still order the same way. */
function compareTimes(a: string, b: string): number {
  const ta = parseTime(a) ?? Number.POSITIVE_INFINITY;
  const tb = parseTime(b) ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareText(a, b);
}

function byEventTime(a: WatcherEvent, b: WatcherEvent): number {
  return (
    compareTimes(a.occurredAt, b.occurredAt) || compareTimes(a.detectedAt, b.detectedAt) || compareText(a.id, b.id)
  );
}

function byActivity(a: ItemActivity, b: ItemActivity): number {
  return byEventTime(a.latest, b.latest) || compareText(a.key, b.key);
}

function byOpenItem(a: DigestOpenItem, b: DigestOpenItem): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    compareTimes(a.openedAt, b.openedAt) ||
    compareText(itemKey(a), itemKey(b))
  );
}

function severityRank(severity: Severity): number {
  const rank = SEVERITIES.indexOf(severity);
  return rank < 0 ? SEVERITIES.length : rank;
}

function dedupeById(events: readonly WatcherEvent[]): WatcherEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => (seen.has(event.id) ? false : (seen.add(event.id), true)));
}

/** An item's key, the same for its events and its tracked state: its thread (one per item of a scope, or of a source). */
function itemKey(item: Pick<WatcherEvent, 'source' | 'scope' | 'itemId'>): string {
  return threadKeyOf(item);
}
