// The periodic digest email: one plain-text summary of a period's events, what is open now, owed root-cause
// analyses and source health, for people who read it instead of every single event (pure, no I/O, no clock).
import {
  IMPLIED_STATUS,
  SUBJECT_MAX_CHARS,
  cleanLine,
  describeEventType,
  formatUtc,
  toSubjectAscii,
  truncateChars,
  truncateToBytes,
  utf8Bytes,
  wrap,
} from './event-text.js';
import { threadKeyOf } from './event-chain.js';
import {
  ATTENTION_CHANGE_TYPES,
  EVENT_TYPES,
  SEVERITIES,
  type AffectedPackage,
  type EventType,
  type Severity,
  type WatcherEvent,
} from './model.js';
import {
  renderSubscriptionHealth,
  subscriptionSubjectParts,
  subscriptionSummary,
  type SubscriptionHealth,
} from './subscription-health.js';

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
}

export interface Digest {
  /** Under 100 characters, one line, printable ASCII (SNS email subject rules). */
  readonly subject: string;
  /** Plain text, at most `maxBytes` UTF-8 bytes. */
  readonly text: string;
  /** Events per type in the period (types without events are absent). */
  readonly counts: Readonly<Partial<Record<EventType, number>>>;
  /** No events in the period. */
  readonly quiet: boolean;
}

/** Default size of a digest body in UTF-8 bytes: under SNS's 256 KB message limit with headroom. */
export const DIGEST_MAX_BYTES = 240_000;

/**
 * Entries shown per list, tried in order until the text fits: long periods are summarised ("…and N more"),
 * never cut inside an entry. Sources are listed in full until the entry caps alone cannot make the text fit.
 */
const CAP_STEPS: ReadonlyArray<{ readonly entries: number; readonly sources: number }> = [
  ...[30, 20, 15, 10, 6, 3, 1, 0].map((entries) => ({ entries, sources: Number.POSITIVE_INFINITY })),
  { entries: 0, sources: 20 },
  { entries: 0, sources: 5 },
  { entries: 0, sources: 0 },
];

const PACKAGES_PER_ADVISORY = 8;
const TITLE_CHARS = 200;
const URL_CHARS = 900;
const EXCERPT_CHARS = 200;
const REASON_CHARS = 300;
const NO_REGION = 'No region named';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Renders the digest of one period: subject, plain-text body and per-type counts. The body stays within
 * `maxBytes` UTF-8 bytes (default {@link DIGEST_MAX_BYTES}) by showing fewer entries per list, step by step.
 * Same input, same output: every list is sorted on stable keys (time, then id).
 */
export function renderDigest(input: DigestInput, options: { readonly maxBytes?: number } = {}): Digest {
  const maxBytes = options.maxBytes ?? DIGEST_MAX_BYTES;
  const digest = prepare(input);
  let text = '';
  for (const caps of CAP_STEPS) {
    text = compose(digest, caps);
    if (utf8Bytes(text) <= maxBytes) break;
  }
  if (utf8Bytes(text) > maxBytes) text = shortenByParagraphs(text, maxBytes);
  return { subject: renderDigestSubject(digest), text, counts: digest.counts, quiet: digest.quiet };
}

// ---------------------------------------------------------------------------------------------------------------
// Preparing: sort, deduplicate and group once; composing then only decides how many entries to show.

interface OpenEntry {
  readonly item: DigestOpenItem;
  readonly regions: readonly string[];
  readonly activity: string;
}

interface RegionGroup {
  readonly label: string;
  readonly entries: readonly OpenEntry[];
}

interface ResolvedEntry {
  readonly event: WatcherEvent;
  readonly openedAt?: string;
  readonly activity: string;
}

interface ItemActivity {
  readonly key: string;
  /** The item's events of the period, oldest first. */
  readonly events: readonly WatcherEvent[];
  readonly latest: WatcherEvent;
}

interface SourceEntry {
  readonly source: DigestSourceHealth;
  readonly state: 'failing' | 'silent' | 'never-polled' | 'ok';
}

interface Prepared {
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
}

function prepare(input: DigestInput): Prepared {
  const events = dedupeById([...input.events].sort(byEventTime));
  const counts: Partial<Record<EventType, number>> = {};
  for (const type of EVENT_TYPES) {
    const count = events.filter((event) => event.type === type).length;
    if (count > 0) counts[type] = count;
  }

  const activity = groupByItem(events.filter((event) => isIncidentType(event.type) || isMaintenanceType(event.type)));
  const openKeys = new Set(input.openItems.map((item) => itemKey(item)));
  const concluded = new Set<string>();

  const resolved = lastPerItem(events.filter((event) => event.type === 'incident.resolved')).map((event) => {
    const key = itemKey(event);
    concluded.add(key);
    const itemEvents = activity.get(key)?.events ?? [];
    const opened = itemEvents.find((candidate) => candidate.type === 'incident.opened');
    return { event, openedAt: opened?.occurredAt, activity: activityPhrase(itemEvents, ['incident.resolved']) };
  });
  const completedMaintenance = lastPerItem(events.filter((event) => event.type === 'maintenance.completed')).map(
    (event) => {
      const key = itemKey(event);
      concluded.add(key);
      return { event, activity: activityPhrase(activity.get(key)?.events ?? [], ['maintenance.completed']) };
    },
  );

  const openEntries = [...input.openItems].sort(byOpenItem).map((item) => ({
    item,
    regions: cleanRegions(item.regions),
    activity: activityPhrase(activity.get(itemKey(item))?.events ?? [], []),
  }));
  const openIncidents = openEntries.filter((entry) => entry.item.kind === 'incident');

  const rcaPublished = events.filter((event) => event.type === 'incident.rca_published');
  const rcaPublishedKeys = new Set(rcaPublished.map((event) => itemKey(event)));
  // An RCA that arrived in this period is no longer owed, whatever the caller's snapshot says.
  const rcaOwed = input.rcaOwed
    .filter((item) => !rcaPublishedKeys.has(itemKey(item)))
    .sort(
      (a, b) =>
        compareTimes(a.resolvedAt, b.resolvedAt) ||
        compareText(itemKey(a), itemKey(b)),
    );

  const changes = events.filter((event) => event.type === 'changelog.published');
  const attentionRank = (event: WatcherEvent): number =>
    event.changeType === undefined ? -1 : ATTENTION_CHANGE_TYPES.indexOf(event.changeType);
  const changesNeedingAttention = changes
    .filter((event) => attentionRank(event) >= 0)
    .sort((a, b) => attentionRank(a) - attentionRank(b) || byEventTime(a, b));
  const otherChanges = changes.filter((event) => attentionRank(event) < 0);

  const advisories = [...groupByItem(events.filter((event) => event.type.startsWith('advisory.'))).values()].sort(
    (a, b) => severityRank(a.latest.severity) - severityRank(b.latest.severity) || byActivity(a, b),
  );

  const otherUpdateTypes: readonly EventType[] = [
    'incident.opened',
    'incident.updated',
    'maintenance.scheduled',
    'maintenance.started',
    'maintenance.updated',
  ];
  const otherUpdates = [...activity.values()]
    .filter((item) => !openKeys.has(item.key) && !concluded.has(item.key))
    .filter((item) => item.events.some((event) => otherUpdateTypes.includes(event.type)))
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
    sourceEvents: events.filter((event) => event.type.startsWith('source.')),
    incidentsOpened: new Set(
      events.filter((event) => event.type === 'incident.opened').map((event) => itemKey(event)),
    ).size,
    incidentUpdates: counts['incident.updated'] ?? 0,
    maintenanceEvents: events.filter((event) => isMaintenanceType(event.type)).length,
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

/** What an item did in the period, e.g. "opened, 3 updates, resolved". */
function activityPhrase(events: readonly WatcherEvent[], omit: readonly EventType[]): string {
  const count = (...types: EventType[]): number =>
    events.filter((event) => types.includes(event.type) && !omit.includes(event.type)).length;
  const parts: string[] = [];
  if (count('incident.opened') > 0) parts.push('opened');
  if (count('maintenance.scheduled') > 0) parts.push('scheduled');
  if (count('maintenance.started') > 0) parts.push('started');
  const updates = count('incident.updated', 'maintenance.updated');
  if (updates > 0) parts.push(plural(updates, 'update'));
  if (count('incident.resolved') > 0) parts.push('resolved');
  if (count('maintenance.completed') > 0) parts.push('completed');
  if (count('incident.rca_published') > 0) parts.push('root-cause analysis published');
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// Composing the text.

interface Caps {
  readonly entries: number;
  readonly sources: number;
}

function compose(digest: Prepared, caps: Caps): string {
  const { input } = digest;
  const shortened = { any: false };
  const list = <T>(items: readonly T[], render: (item: T) => string[], more: string, cap = caps.entries): string[] => {
    const shown = items.slice(0, cap).flatMap(render);
    if (items.length <= cap) return shown;
    shortened.any = true;
    return [...shown, `  …and ${items.length - cap} more (${more})`];
  };

  const lines: string[] = [...headline(digest), ''];
  if (digest.quiet) {
    const period = `between ${formatUtc(input.from)} and ${formatUtc(input.to)}`;
    lines.push(...wrap(`All quiet: no new incidents, change-log entries or advisories ${period}.`, ''));
    lines.push(...caution(digest));
    lines.push(...subscriptionAlert(digest));
    if (input.openItems.length > 0) lines.push('', ...openSection(digest, list));
    if (digest.rcaOwed.length > 0) lines.push('', ...rcaSection(digest, list, { published: false }));
  } else {
    lines.push(...overview(digest));
    lines.push(...subscriptionAlert(digest));
    lines.push('', ...openSection(digest, list));
    lines.push('', ...resolvedSection(digest, list));
    lines.push('', ...rcaSection(digest, list, { published: true }));
    lines.push('', ...changeLogSection(digest, list));
    lines.push('', ...advisorySection(digest, list));
    if (digest.otherUpdates.length > 0) {
      lines.push('', `OTHER UPDATES (${digest.otherUpdates.length})`);
      lines.push(...list(digest.otherUpdates, otherUpdateEntry, 'see the status page'));
    }
  }
  lines.push('', ...healthSection(digest, list, caps.sources));
  lines.push(
    '',
    // "-- " is the plain-text signature separator mail clients recognise.
    '-- ',
    ...wrap(
      `Covers events detected from ${formatUtc(input.from)} to ${formatUtc(input.to)}; ` +
        'the next digest starts where this one ends. ' +
        `Open items, owed root-cause analyses and ${input.subscriptions ? 'source and subscription' : 'source'} health ` +
        `are as of ${formatUtc(input.generatedAt)}. ` +
        'All times are UTC.',
      '',
    ),
  );
  if (shortened.any) {
    lines.push(...wrap('Long lists are shortened to fit one email; each entry links to the full record.', ''));
  }
  lines.push('Sent by auth0-ops-watcher.');
  return lines.join('\n') + '\n';
}

type ListRenderer = <T>(items: readonly T[], render: (item: T) => string[], more: string, cap?: number) => string[];

function headline(digest: Prepared): string[] {
  const { input } = digest;
  const zone = usableTimeZone(input.timeZone);
  const end = periodEndInstant(input);
  const day =
    end === undefined
      ? 'unknown date'
      : formatInZone(end, zone, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  const when = input.frequency === 'weekly' ? `week ending ${day}` : day;
  return [
    ...wrap(`Auth0 ops digest — ${when} (${input.frequency})`, ''),
    `Period: from ${formatUtc(input.from)} to ${formatUtc(input.to)}`,
  ];
}

function overview(digest: Prepared): string[] {
  const parts: string[] = [];
  const resolvedCount = digest.resolved.length;
  if (digest.incidentsOpened > 0) parts.push(`${plural(digest.incidentsOpened, 'incident')} opened`);
  if (resolvedCount > 0) {
    parts.push(`${digest.incidentsOpened > 0 ? resolvedCount : plural(resolvedCount, 'incident')} resolved`);
  }
  if (digest.incidentUpdates > 0) parts.push(plural(digest.incidentUpdates, 'incident update'));
  if (digest.rcaPublished.length > 0) parts.push(`${plural(digest.rcaPublished.length, 'RCA')} published`);
  const changes = digest.changesNeedingAttention.length + digest.otherChanges.length;
  if (changes > 0) {
    const attention = digest.changesNeedingAttention.length;
    const needing = attention > 0 ? ` (${needAttention(attention)})` : '';
    parts.push(`${plural(changes, 'change-log entry', 'change-log entries')}${needing}`);
  }
  if (digest.advisories.length > 0) parts.push(plural(digest.advisories.length, 'advisory', 'advisories'));
  if (digest.maintenanceEvents > 0) parts.push(plural(digest.maintenanceEvents, 'maintenance update'));
  if (parts.length === 0 && digest.sourceEvents.length > 0) {
    parts.push(plural(digest.sourceEvents.length, 'watcher health change'));
  }
  const now: string[] = [
    plural(digest.openIncidentCount, 'incident'),
    ...(digest.openMaintenance.length > 0 ? [`${digest.openMaintenance.length} maintenance`] : []),
  ];
  const owed = digest.rcaOwed.length > 0 ? `; ${plural(digest.rcaOwed.length, 'RCA')} owed` : '';
  return [
    ...wrap(`In this period: ${parts.join(', ')}; ${healthSummary(digest)}.`, ''),
    ...wrap(`Now: ${now.join(' and ')} open${owed}.`, ''),
  ];
}

/** "3 sources: 2 OK, 1 failing". */
function sourceTally(digest: Prepared): string {
  const tally = (state: SourceEntry['state']): number => digest.sources.filter((entry) => entry.state === state).length;
  const parts = [`${tally('ok')} OK`];
  if (tally('failing') > 0) parts.push(`${tally('failing')} failing`);
  if (tally('silent') > 0) parts.push(`${tally('silent')} silent`);
  if (tally('never-polled') > 0) parts.push(`${tally('never-polled')} not polled yet`);
  return `${plural(digest.sources.length, 'source')}: ${parts.join(', ')}`;
}

function healthSummary(digest: Prepared): string {
  const failing = digest.sources.filter((entry) => entry.state === 'failing').length;
  const neverPolled = digest.sources.filter((entry) => entry.state === 'never-polled').length;
  const silent = digest.sources.filter((entry) => entry.state === 'silent').length;
  const problems: string[] = [];
  if (failing > 0) problems.push(`${plural(failing, 'source')} failing`);
  if (silent > 0) problems.push(`${plural(silent, 'source')} silent`);
  if (neverPolled > 0) problems.push(`${plural(neverPolled, 'source')} not yet polled`);
  if (problems.length > 0) return problems.join(', ');
  if (digest.sources.length === 0) return 'no sources configured';
  return digest.sources.length === 1 ? 'the 1 source is OK' : `all ${digest.sources.length} sources OK`;
}

/** Email subscriptions that receive nothing, or could not be checked: said at the top, so nobody misses them. */
function subscriptionAlert(digest: Prepared): string[] {
  const summary = digest.input.subscriptions && subscriptionSummary(digest.input.subscriptions);
  return summary === undefined ? [] : wrap(summary, '');
}

/** In a quiet digest: silence from a blind source means nothing, so say so. */
function caution(digest: Prepared): string[] {
  const blind = digest.sources.filter((entry) => entry.state !== 'ok');
  if (blind.length === 0) return [];
  const names = blind.map((entry) => cleanLine(entry.source.id, 60)).join(', ');
  const one = blind.length === 1;
  return wrap(
    `Caution: ${one ? 'this source was' : 'these sources were'} not read successfully at the end of the period, ` +
      `so silence from ${one ? 'it' : 'them'} proves nothing: ${names}. See WATCHER HEALTH.`,
    '',
  );
}

function openSection(digest: Prepared, list: ListRenderer): string[] {
  const { input } = digest;
  const lines = [`OPEN INCIDENTS NOW (${digest.openIncidentCount})`];
  if (digest.openIncidentCount === 0) lines.push(`  None open at ${formatUtc(input.generatedAt)}.`);
  for (const group of digest.openIncidentGroups) {
    lines.push(`Region: ${group.label} (${group.entries.length})`);
    const render = (entry: OpenEntry): string[] => openEntry(entry, group.label, input.generatedAt);
    lines.push(...list(group.entries, render, 'see the status page'));
  }
  if (digest.openMaintenance.length > 0) {
    lines.push(`Maintenance scheduled or in progress (${digest.openMaintenance.length}):`);
    const render = (entry: OpenEntry): string[] => openEntry(entry, undefined, input.generatedAt);
    lines.push(...list(digest.openMaintenance, render, 'see the status page'));
  }
  return lines;
}

function openEntry(entry: OpenEntry, underRegion: string | undefined, generatedAt: string): string[] {
  const { item } = entry;
  const status = cleanLine(item.status ?? '', 60) || (item.kind === 'incident' ? 'open' : 'scheduled');
  const details = [`Status: ${status}`, openAge(item, generatedAt)];
  const otherRegions = entry.regions.filter((region) => region !== underRegion);
  if (otherRegions.length > 0) {
    details.push(`${underRegion === undefined ? 'regions' : 'also'} ${otherRegions.join(', ')}`);
  }
  if (entry.activity !== '') details.push(`this period: ${entry.activity}`);
  return [
    ...wrap(`[${item.severity.toUpperCase()}] ${cleanTitle(item.title)}`, '  - ', '    '),
    ...wrap(details.join('; '), '    '),
    ...link(item.url),
  ];
}

/** "open for 3 h 12 min (since …)" for an incident; maintenance may lie ahead: "starts … (in 2 days)". */
function openAge(item: DigestOpenItem, generatedAt: string): string {
  const opened = formatUtc(item.openedAt);
  const start = parseTime(item.openedAt);
  const now = parseTime(generatedAt);
  if (start === undefined || now === undefined) return `since ${opened}`;
  if (item.kind === 'incident') return `open for ${formatDuration(now - start)} (since ${opened})`;
  return start > now
    ? `starts ${opened} (in ${formatDuration(start - now)})`
    : `since ${opened} (${formatDuration(now - start)} ago)`;
}

function resolvedSection(digest: Prepared, list: ListRenderer): string[] {
  const lines = [`RESOLVED IN THIS PERIOD (${digest.resolved.length})`];
  if (digest.resolved.length === 0) lines.push('  No incident was resolved.');
  lines.push(...list(digest.resolved, resolvedEntry, 'see the status page'));
  if (digest.completedMaintenance.length > 0) {
    lines.push(`Maintenance completed (${digest.completedMaintenance.length}):`);
    lines.push(...list(digest.completedMaintenance, resolvedEntry, 'see the status page'));
  }
  return lines;
}

function resolvedEntry(entry: ResolvedEntry): string[] {
  const { event } = entry;
  const verb = event.type === 'maintenance.completed' ? 'Completed' : 'Resolved';
  const open = entry.openedAt === undefined ? undefined : elapsed(entry.openedAt, event.occurredAt);
  const after = open === undefined ? '' : ` after ${formatDuration(open)}`;
  const details = [`${verb} ${formatUtc(event.occurredAt)}${after}`];
  if (entry.activity !== '') details.push(`this period: ${entry.activity}`);
  return [
    ...wrap(headlineOf(event), '  - ', '    '),
    ...wrap(details.join('; '), '    '),
    ...link(event.url),
  ];
}

function rcaSection(digest: Prepared, list: ListRenderer, show: { readonly published: boolean }): string[] {
  const { generatedAt } = digest.input;
  const lines = ['ROOT-CAUSE ANALYSES', `Still owed (${digest.rcaOwed.length}):`];
  if (digest.rcaOwed.length === 0) lines.push('  None.');
  lines.push(...list(digest.rcaOwed, (item) => rcaOwedEntry(item, generatedAt), 'see the status page'));
  if (!show.published) return lines;
  lines.push(`Published in this period (${digest.rcaPublished.length}):`);
  if (digest.rcaPublished.length === 0) lines.push('  None.');
  lines.push(...list(digest.rcaPublished, rcaPublishedEntry, 'see the status page'));
  return lines;
}

function rcaOwedEntry(item: DigestRcaOwed, generatedAt: string): string[] {
  const since = elapsed(item.resolvedAt, generatedAt);
  const ago =
    since === undefined
      ? ''
      : ` ${since >= DAY_MS ? plural(Math.floor(since / DAY_MS), 'day') : formatDuration(since)} ago`;
  return [
    ...wrap(cleanTitle(item.title), '  - ', '    '),
    ...wrap(`Resolved${ago} (${formatUtc(item.resolvedAt)}), no root-cause analysis yet`, '    '),
    ...link(item.url),
  ];
}

function rcaPublishedEntry(event: WatcherEvent): string[] {
  const excerpt = cleanLine(event.update?.text ?? event.summary, EXCERPT_CHARS) || '(no text)';
  return [
    ...wrap(headlineOf(event), '  - ', '    '),
    // Detection time, not occurredAt: a rewritten update keeps its old date although the RCA is new.
    ...wrap(`Published (detected ${formatUtc(event.detectedAt)}): "${excerpt}"`, '    '),
    ...link(event.url),
  ];
}

function changeLogSection(digest: Prepared, list: ListRenderer): string[] {
  const attention = digest.changesNeedingAttention;
  const total = attention.length + digest.otherChanges.length;
  const needing = attention.length > 0 ? `, ${needAttention(attention.length)}` : '';
  const lines = [`CHANGE LOG (${plural(total, 'entry', 'entries')}${needing})`];
  if (total === 0) lines.push('  No new entries.');
  if (attention.length > 0) {
    lines.push(`  (! needs attention: ${ATTENTION_CHANGE_TYPES.join(', ')})`);
    lines.push(...list(attention, changeEntry, 'see the change log'));
  }
  lines.push(...list(digest.otherChanges, changeEntry, 'see the change log'));
  return lines;
}

function changeEntry(event: WatcherEvent): string[] {
  const attention = event.changeType !== undefined && ATTENTION_CHANGE_TYPES.includes(event.changeType);
  return [
    ...wrap(`[${event.changeType ?? 'entry'}] ${cleanTitle(event.title)}`, attention ? '  ! ' : '  - ', '    '),
    `    ${formatUtc(event.occurredAt).slice(0, 10)}`,
    ...link(event.url),
  ];
}

function advisorySection(digest: Prepared, list: ListRenderer): string[] {
  const lines = [`SECURITY ADVISORIES (${digest.advisories.length})`];
  if (digest.advisories.length === 0) lines.push('  No new or changed advisories.');
  lines.push(...list(digest.advisories, advisoryEntry, 'see GitHub advisories'));
  return lines;
}

function advisoryEntry(advisory: ItemActivity): string[] {
  const { latest } = advisory;
  const withdrawn = advisory.events.some((event) => event.type === 'advisory.withdrawn');
  const what = withdrawn
    ? 'WITHDRAWN'
    : [
        ...(advisory.events.some((event) => event.type === 'advisory.published') ? ['new'] : []),
        ...(advisory.events.some((event) => event.type === 'advisory.updated') ? ['updated'] : []),
      ].join(', ');
  const id = cleanLine(latest.itemId, 80);
  const title = cleanTitle(latest.title);
  const named = title.includes(id) ? title : `${id}: ${title}`;
  const packages = latest.packages ?? [];
  const lines = wrap(`[${latest.severity.toUpperCase()}] ${named} (${what})`, '  - ', '    ');
  for (const pkg of packages.slice(0, PACKAGES_PER_ADVISORY)) {
    lines.push(...wrap(describePackage(pkg), '    ', '      '));
  }
  if (packages.length > PACKAGES_PER_ADVISORY) {
    lines.push(`    (+${packages.length - PACKAGES_PER_ADVISORY} more packages, see link)`);
  }
  if (packages.length === 0) lines.push('    no affected packages listed');
  return [...lines, ...link(latest.url)];
}

function describePackage(pkg: AffectedPackage): string {
  const range = pkg.vulnerableRange
    ? `vulnerable ${cleanLine(pkg.vulnerableRange, 200)}`
    : 'vulnerable range not given';
  const fix = pkg.firstPatchedVersion ? `fixed in ${cleanLine(pkg.firstPatchedVersion, 100)}` : 'no fix yet';
  return `${cleanLine(pkg.name, 200)} (${cleanLine(pkg.ecosystem, 50)}): ${range}, ${fix}`;
}

function otherUpdateEntry(item: ItemActivity): string[] {
  const { latest } = item;
  const status = cleanLine(latest.status ?? latest.update?.label ?? '', 60) || IMPLIED_STATUS[latest.type];
  const summary = `${activityPhrase(item.events, [])}; latest: ${status}, ${formatUtc(latest.occurredAt)}`;
  return [...wrap(`${headlineOf(latest)}: ${summary}`, '  - ', '    '), ...link(latest.url)];
}

function healthSection(digest: Prepared, list: ListRenderer, sourceCap: number): string[] {
  const { input } = digest;
  const lines = [`WATCHER HEALTH (${plural(digest.sources.length, 'source')}, as of ${formatUtc(input.generatedAt)})`];
  if (digest.sources.length === 0) lines.push('  No sources are configured.');
  else lines.push(`  Checked: ${sourceTally(digest)}.`);
  const render = (entry: SourceEntry): string[] => sourceEntry(entry, input.generatedAt);
  lines.push(...list(digest.sources, render, 'sources not listed', sourceCap));
  if (digest.sourceEvents.length > 0) {
    lines.push(`Health changes in this period (${digest.sourceEvents.length}):`);
    lines.push(...list(digest.sourceEvents, sourceEventEntry, 'see the watcher logs'));
  }
  if (input.subscriptions) lines.push(...renderSubscriptionHealth(input.subscriptions));
  return lines;
}

function sourceEntry(entry: SourceEntry, generatedAt: string): string[] {
  const { source } = entry;
  const id = cleanLine(source.id, 80);
  const name = cleanLine(source.name ?? '', 80);
  const label = `${id} (${[...(name !== '' && name !== id ? [name] : []), cleanLine(source.type, 40)].join(', ')})`;
  const state =
    entry.state === 'failing'
      ? `FAILING${source.failingSince ? ` since ${formatUtc(source.failingSince)}` : ''} ` +
        `(${plural(source.consecutiveFailures, 'consecutive failure')})`
      : entry.state === 'silent'
        ? 'SILENT (no successful poll for longer than three intervals; is its schedule running?)'
        : entry.state === 'never-polled'
          ? 'NOT POLLED YET'
          : 'OK';
  const lines = wrap(`${label}: ${state}`, '  - ', '    ');
  if (entry.state === 'failing' && source.lastError) {
    const reason = cleanLine(source.lastError.reason, REASON_CHARS) || 'no reason given';
    lines.push(...wrap(`last error ${formatUtc(source.lastError.at)}: ${reason}`, '    '));
  }
  if (source.lastSuccessAt === undefined) {
    lines.push('    never polled successfully');
  } else {
    const since = elapsed(source.lastSuccessAt, generatedAt);
    const ago = since === undefined ? '' : ` (${formatDuration(since)} ago)`;
    lines.push(`    last successful poll: ${formatUtc(source.lastSuccessAt)}${ago}`);
  }
  return lines;
}

function sourceEventEntry(event: WatcherEvent): string[] {
  const what = `${formatUtc(event.occurredAt)} ${describeEventType(event.type)}: ${cleanTitle(event.title)}`;
  return wrap(what, '  - ', '    ');
}

/** "[CRITICAL] Title (US-1)": severity, the cleaned title and the regions it names. */
function headlineOf(event: WatcherEvent): string {
  return `[${event.severity.toUpperCase()}] ${cleanTitle(event.title)}${regionSuffix(event.regions)}`;
}

function needAttention(count: number): string {
  return `${count} ${count === 1 ? 'needs' : 'need'} attention`;
}

function link(url: string): string[] {
  const clean = cleanLine(url, URL_CHARS);
  return clean === '' ? [] : wrap(clean, '    ');
}

function cleanTitle(title: string): string {
  return cleanLine(title, TITLE_CHARS) || '(untitled)';
}

function cleanRegions(regions: readonly string[]): string[] {
  const clean = regions.map((region) => cleanLine(region, 40)).filter((region) => region !== '');
  return [...new Set(clean)].sort(compareText);
}

function regionSuffix(regions: readonly string[] | undefined): string {
  const clean = cleanRegions(regions ?? []);
  return clean.length === 0 ? '' : ` (${clean.join(', ')})`;
}

/** Last resort for a very small `maxBytes`: whole paragraphs from the top, then a note; never a cut inside one. */
function shortenByParagraphs(text: string, maxBytes: number): string {
  const note = '\n(This digest was shortened to fit the size limit.)\nSent by auth0-ops-watcher.\n';
  const budget = maxBytes - utf8Bytes(note);
  let kept = '';
  for (const paragraph of text.split('\n\n')) {
    const next = kept === '' ? paragraph : `${kept}\n\n${paragraph}`;
    if (utf8Bytes(next) > budget) break;
    kept = next;
  }
  return kept === '' ? truncateToBytes(text, maxBytes) : `${kept}\n${note}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Subject.

function renderDigestSubject(digest: Prepared): string {
  const { input } = digest;
  const zone = usableTimeZone(input.timeZone);
  const end = periodEndInstant(input);
  const short = (instant: number): string => formatInZone(instant, zone, { month: 'short', day: 'numeric' });
  let when = end === undefined ? 'digest' : short(end);
  const start = parseTime(input.from);
  if (input.frequency === 'weekly' && end !== undefined && start !== undefined) {
    const from = short(start);
    const [fromMonth, fromDay] = from.split(' ');
    const [toMonth, toDay] = when.split(' ');
    when =
      fromMonth === toMonth && fromDay !== undefined && toDay !== undefined
        ? `${from}-${toDay}`
        : `${from}-${when}`;
  }
  const prefix = `[Auth0 ${input.frequency === 'weekly' ? 'weekly ' : ''}digest] ${when}: `;

  const failing = digest.sources.filter((entry) => entry.state === 'failing').length;
  const silent = digest.sources.filter((entry) => entry.state === 'silent').length;
  const parts: string[] = [];
  const open = digest.openIncidentCount;
  if (open > 0) parts.push(`${open} open ${open === 1 ? 'incident' : 'incidents'}`);
  if (failing > 0) parts.push(failing === 1 ? 'source failing' : `${failing} sources failing`);
  if (silent > 0) parts.push(silent === 1 ? 'source silent' : `${silent} sources silent`);
  if (input.subscriptions) parts.push(...subscriptionSubjectParts(input.subscriptions));
  if (digest.resolved.length > 0) parts.push(`${digest.resolved.length} resolved`);
  if (digest.rcaOwed.length > 0) parts.push(`${digest.rcaOwed.length} RCA owed`);
  if (digest.rcaPublished.length > 0) parts.push(`${digest.rcaPublished.length} RCA published`);
  const attention = digest.changesNeedingAttention.length;
  const changes = attention + digest.otherChanges.length;
  if (attention > 0) parts.push(`${attention} ${attention === 1 ? 'change needs' : 'changes need'} attention`);
  else if (changes > 0) parts.push(plural(changes, 'change-log entry', 'change-log entries'));
  if (digest.advisories.length > 0) parts.push(plural(digest.advisories.length, 'advisory', 'advisories'));
  if (digest.openMaintenance.length > 0) parts.push(`${digest.openMaintenance.length} maintenance open`);

  if (digest.quiet) parts.unshift(failing > 0 ? 'no new events' : 'all quiet');
  else if (parts.length === 0) {
    const itemEvents = countAll(digest.counts) - digest.sourceEvents.length;
    const sourceEvents = digest.sourceEvents.length;
    parts.push(itemEvents > 0 ? plural(itemEvents, 'update') : plural(sourceEvents, 'watcher health change'));
  }

  // Whole parts in priority order while they fit, then "...": a count is never cut in half.
  let subject = toSubjectAscii(prefix).trimEnd();
  for (const [index, part] of parts.entries()) {
    const next = `${subject}${index === 0 ? ' ' : ', '}${part}`;
    if (next.length > SUBJECT_MAX_CHARS - (index < parts.length - 1 ? 5 : 0)) {
      subject = `${subject}${index === 0 ? ' ' : ', '}...`;
      break;
    }
    subject = next;
  }
  return truncateChars(subject, SUBJECT_MAX_CHARS, '...');
}

function countAll(counts: Partial<Record<EventType, number>>): number {
  return Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Time, ordering and words.

function parseTime(iso: string): number | undefined {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : time;
}

function elapsed(fromIso: string, toIso: string): number | undefined {
  const from = parseTime(fromIso);
  const to = parseTime(toIso);
  return from === undefined || to === undefined ? undefined : Math.max(0, to - from);
}

/** The last instant of the period (its end is exclusive), which names the day a midnight-aligned period covers. */
function periodEndInstant(input: DigestInput): number | undefined {
  const to = parseTime(input.to);
  if (to !== undefined) return to - 1;
  return parseTime(input.generatedAt);
}

/** "3 h 12 min", "45 min", "2 days 4 h". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE_MS);
  if (minutes < 1) return 'less than 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  if (hours < 24) return restMinutes === 0 ? `${hours} h` : `${hours} h ${restMinutes} min`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${restHours} h`;
}

/** A zone Intl accepts; an unknown one falls back to UTC rather than failing the whole digest. */
function usableTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

function formatInZone(instant: number, timeZone: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat('en-US', { ...options, timeZone }).format(new Date(instant));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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

function isIncidentType(type: EventType): boolean {
  return type.startsWith('incident.');
}

function isMaintenanceType(type: EventType): boolean {
  return type.startsWith('maintenance.');
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
