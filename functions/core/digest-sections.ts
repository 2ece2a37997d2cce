// The digest's sections, one renderer per section and entry: open incidents by region, resolved, root-cause
// analyses, change log, advisories, other updates and watcher health; vendor text cleaned and wrapped for plain-text
// mail by the text-safety toolkit (pure).
import {
  activityPhrase,
  cleanRegions,
  type DigestOpenItem,
  type DigestRcaOwed,
  type ItemActivity,
  type OpenEntry,
  type PreparedDigest,
  type ResolvedEntry,
  type SourceEntry,
} from './digest-model.js';
import { EVENT_TYPE_FACTS, describeEventType, type DigestActivity } from './event-types.js';
import { ATTENTION_CHANGE_TYPES, type AffectedPackage, type WatcherEvent } from './model.js';
import { renderSubscriptionHealth } from './subscription-health.js';
import { cleanLine } from './text/clean-line.js';
import { elapsed, formatDuration, formatTime, formatWindow, parseTime } from './text/time.js';
import { watcherHeadline } from './watcher-health-text.js';
import { capitalize, plural } from './text/words.js';
import { wrap } from './text/wrap.js';

const PACKAGES_PER_ADVISORY = 8;
const TITLE_CHARS = 200;
const URL_CHARS = 900;
const EXCERPT_CHARS = 200;
const REASON_CHARS = 300;
const DAY_MS = 24 * 60 * 60_000;

/** Renders a list's entries, at most `cap` of them, then "…and N more (`more`)". */
export type ListRenderer = <T>(items: readonly T[], render: (item: T) => string[], more: string, cap?: number) => string[];

/** OPEN INCIDENTS NOW: open incidents per region, then maintenance scheduled or in progress. */
export function openSection(digest: PreparedDigest, list: ListRenderer): string[] {
  const { input } = digest;
  const zone = input.timeZone;
  const lines = [`OPEN INCIDENTS NOW (${digest.openIncidentCount})`];
  if (digest.openIncidentCount === 0) lines.push(`  None open at ${formatTime(input.generatedAt, zone)}.`);
  for (const group of digest.openIncidentGroups) {
    lines.push(`Region: ${group.label} (${group.entries.length})`);
    const render = (entry: OpenEntry): string[] => openEntry(entry, group.label, input.generatedAt, zone);
    lines.push(...list(group.entries, render, 'see the status page'));
  }
  if (digest.openMaintenance.length > 0) {
    lines.push(`Maintenance scheduled or in progress (${digest.openMaintenance.length}):`);
    const render = (entry: OpenEntry): string[] => openEntry(entry, undefined, input.generatedAt, zone);
    lines.push(...list(digest.openMaintenance, render, 'see the status page'));
  }
  return lines;
}

function openEntry(entry: OpenEntry, underRegion: string | undefined, generatedAt: string, zone: string): string[] {
  const { item } = entry;
  const status = cleanLine(item.status ?? '', 60) || (item.kind === 'incident' ? 'open' : 'scheduled');
  const details = [`Status: ${status}`, openAge(item, generatedAt, zone)];
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

/**
 * "open for 3 h 12 min (since …)" for an incident; maintenance may lie ahead: "starts … (in 2 days)", or, where its
 * window is known, "scheduled 2026-12-10 02:00–04:00 UTC (starts in 2 days)".
 */
function openAge(item: DigestOpenItem, generatedAt: string, zone: string): string {
  const window = item.kind === 'maintenance' ? formatWindow(item.scheduledFor, item.scheduledUntil, zone) : undefined;
  if (window !== undefined) {
    const begins = item.scheduledFor === undefined ? undefined : parseTime(item.scheduledFor);
    const current = parseTime(generatedAt);
    const ahead = begins !== undefined && current !== undefined && begins > current;
    return `scheduled ${window}${ahead ? ` (starts in ${formatDuration(begins - current)})` : ''}`;
  }
  const opened = formatTime(item.openedAt, zone);
  const start = parseTime(item.openedAt);
  const now = parseTime(generatedAt);
  if (start === undefined || now === undefined) return `since ${opened}`;
  if (item.kind === 'incident') return `open for ${formatDuration(now - start)} (since ${opened})`;
  return start > now
    ? `starts ${opened} (in ${formatDuration(start - now)})`
    : `since ${opened} (${formatDuration(now - start)} ago)`;
}

/** RESOLVED IN THIS PERIOD: incidents resolved, then maintenance completed. */
export function resolvedSection(digest: PreparedDigest, list: ListRenderer): string[] {
  const zone = digest.input.timeZone;
  const render = (entry: ResolvedEntry): string[] => resolvedEntry(entry, zone);
  const lines = [`RESOLVED IN THIS PERIOD (${digest.resolved.length})`];
  if (digest.resolved.length === 0) lines.push('  No incident was resolved.');
  lines.push(...list(digest.resolved, render, 'see the status page'));
  if (digest.completedMaintenance.length > 0) {
    lines.push(`Maintenance completed (${digest.completedMaintenance.length}):`);
    lines.push(...list(digest.completedMaintenance, render, 'see the status page'));
  }
  return lines;
}

function resolvedEntry(entry: ResolvedEntry, zone: string): string[] {
  const { event } = entry;
  const verb = capitalize(EVENT_TYPE_FACTS[event.type].digest.activity ?? 'resolved');
  // From the item's first event in the log, else the start the resolution itself carries (an incident opened before
  // the log's retention, or before the watcher saw it).
  const openedAt = entry.openedAt ?? event.startedAt;
  const open = openedAt === undefined ? undefined : elapsed(openedAt, event.occurredAt);
  const after = open === undefined ? '' : ` after ${formatDuration(open)}`;
  const details = [`${verb} ${formatTime(event.occurredAt, zone)}${after}`];
  const window = formatWindow(event.scheduledFor, event.scheduledUntil, zone);
  if (window !== undefined) details.push(`scheduled ${window}`);
  if (entry.activity !== '') details.push(`this period: ${entry.activity}`);
  return [
    ...wrap(headlineOf(event), '  - ', '    '),
    ...wrap(details.join('; '), '    '),
    ...link(event.url),
  ];
}

/** ROOT-CAUSE ANALYSES: those still owed and, unless `show.published` is false, those published in the period. */
export function rcaSection(digest: PreparedDigest, list: ListRenderer, show: { readonly published: boolean }): string[] {
  const { generatedAt, timeZone: zone } = digest.input;
  const lines = ['ROOT-CAUSE ANALYSES', `Still owed (${digest.rcaOwed.length}):`];
  if (digest.rcaOwed.length === 0) lines.push('  None.');
  lines.push(...list(digest.rcaOwed, (item) => rcaOwedEntry(item, generatedAt, zone), 'see the status page'));
  if (!show.published) return lines;
  lines.push(`Published in this period (${digest.rcaPublished.length}):`);
  if (digest.rcaPublished.length === 0) lines.push('  None.');
  lines.push(...list(digest.rcaPublished, (event) => rcaPublishedEntry(event, zone), 'see the status page'));
  return lines;
}

function rcaOwedEntry(item: DigestRcaOwed, generatedAt: string, zone: string): string[] {
  const since = elapsed(item.resolvedAt, generatedAt);
  const ago =
    since === undefined
      ? ''
      : ` ${since >= DAY_MS ? plural(Math.floor(since / DAY_MS), 'day') : formatDuration(since)} ago`;
  return [
    ...wrap(cleanTitle(item.title), '  - ', '    '),
    ...wrap(`Resolved${ago} (${formatTime(item.resolvedAt, zone)}), no root-cause analysis yet`, '    '),
    ...link(item.url),
  ];
}

function rcaPublishedEntry(event: WatcherEvent, zone: string): string[] {
  const excerpt = cleanLine(event.update?.text ?? event.summary, EXCERPT_CHARS) || '(no text)';
  return [
    ...wrap(headlineOf(event), '  - ', '    '),
    // Detection time, not occurredAt: a rewritten update keeps its old date although the RCA is new.
    ...wrap(`Published (detected ${formatTime(event.detectedAt, zone)}): "${excerpt}"`, '    '),
    ...link(event.url),
  ];
}

/** CHANGE LOG: entries needing attention first (deprecations, removals, changes), then the others. */
export function changeLogSection(digest: PreparedDigest, list: ListRenderer): string[] {
  const attention = digest.changesNeedingAttention;
  const total = attention.length + digest.otherChanges.length;
  const needing = attention.length > 0 ? `, ${needAttention(attention.length)}` : '';
  const render = (event: WatcherEvent): string[] => changeEntry(event, digest.input.timeZone);
  const lines = [`CHANGE LOG (${plural(total, 'entry', 'entries')}${needing})`];
  if (total === 0) lines.push('  No new entries.');
  if (attention.length > 0) {
    lines.push(`  (! needs attention: ${ATTENTION_CHANGE_TYPES.join(', ')})`);
    lines.push(...list(attention, render, 'see the change log'));
  }
  lines.push(...list(digest.otherChanges, render, 'see the change log'));
  return lines;
}

function changeEntry(event: WatcherEvent, zone: string): string[] {
  const attention = event.changeType !== undefined && ATTENTION_CHANGE_TYPES.includes(event.changeType);
  return [
    // A change-log entry says its type; a deprecation on Auth0's docs page what happened ("end of life approaching").
    ...wrap(`[${event.changeType ?? (event.type.startsWith('deprecation.') ? describeEventType(event.type) : 'entry')}] ${cleanTitle(event.title)}`, attention ? '  ! ' : '  - ', '    '),
    `    ${formatTime(event.occurredAt, zone).slice(0, 10)}`,
    ...link(event.url),
  ];
}

/** SECURITY ADVISORIES: by severity, with affected packages and fixed versions. */
export function advisorySection(digest: PreparedDigest, list: ListRenderer): string[] {
  const lines = [`SECURITY ADVISORIES (${digest.advisories.length})`];
  if (digest.advisories.length === 0) lines.push('  No new or changed advisories.');
  lines.push(...list(digest.advisories, advisoryEntry, 'see GitHub advisories'));
  return lines;
}

function advisoryEntry(advisory: ItemActivity): string[] {
  const { latest } = advisory;
  const did = (activity: DigestActivity): boolean =>
    advisory.events.some((event) => EVENT_TYPE_FACTS[event.type].digest.activity === activity);
  const what = did('withdrawn')
    ? 'WITHDRAWN'
    : [...(did('new') ? ['new'] : []), ...(did('updated') ? ['updated'] : [])].join(', ');
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

/** An item of OTHER UPDATES: an incident or maintenance neither open now nor concluded in the period. */
export function otherUpdateEntry(item: ItemActivity, zone: string): string[] {
  const { latest } = item;
  const status = cleanLine(latest.status ?? latest.update?.label ?? '', 60) || EVENT_TYPE_FACTS[latest.type].impliedStatus;
  const summary = `${activityPhrase(item.events)}; latest: ${status}, ${formatTime(latest.occurredAt, zone)}`;
  return [...wrap(`${headlineOf(latest)}: ${summary}`, '  - ', '    '), ...link(latest.url)];
}

/** "3 sources: 2 OK, 1 failing". */
function sourceTally(digest: PreparedDigest): string {
  const tally = (state: SourceEntry['state']): number => digest.sources.filter((entry) => entry.state === state).length;
  const parts = [`${tally('ok')} OK`];
  if (tally('failing') > 0) parts.push(`${tally('failing')} failing`);
  if (tally('silent') > 0) parts.push(`${tally('silent')} silent`);
  if (tally('never-polled') > 0) parts.push(`${tally('never-polled')} not polled yet`);
  return `${plural(digest.sources.length, 'source')}: ${parts.join(', ')}`;
}

/** WATCHER HEALTH: each source's state (at most `sourceCap`), the period's health changes, and subscriptions. */
export function healthSection(digest: PreparedDigest, list: ListRenderer, sourceCap: number): string[] {
  const { input } = digest;
  const zone = input.timeZone;
  const lines = [`WATCHER HEALTH (${plural(digest.sources.length, 'source')}, as of ${formatTime(input.generatedAt, zone)})`];
  if (digest.sources.length === 0) lines.push('  No sources are configured.');
  else lines.push(`  Checked: ${sourceTally(digest)}.`);
  const render = (entry: SourceEntry): string[] => sourceEntry(entry, input.generatedAt, zone);
  lines.push(...list(digest.sources, render, 'sources not listed', sourceCap));
  if (digest.sourceEvents.length > 0) {
    lines.push(`Health changes in this period (${digest.sourceEvents.length}):`);
    lines.push(...list(digest.sourceEvents, (event) => sourceEventEntry(event, zone), 'see the watcher logs'));
  }
  if (input.subscriptions) lines.push(...renderSubscriptionHealth(input.subscriptions));
  return lines;
}

function sourceEntry(entry: SourceEntry, generatedAt: string, zone: string): string[] {
  const { source } = entry;
  const id = cleanLine(source.id, 80);
  const name = cleanLine(source.name ?? '', 80);
  const label = `${id} (${[...(name !== '' && name !== id ? [name] : []), cleanLine(source.type, 40)].join(', ')})`;
  const state =
    entry.state === 'failing'
      ? `FAILING${source.failingSince ? ` since ${formatTime(source.failingSince, zone)}` : ''} ` +
        `(${plural(source.consecutiveFailures, 'consecutive failure')})`
      : entry.state === 'silent'
        ? 'SILENT (no successful poll for longer than three intervals; is its schedule running?)'
        : entry.state === 'never-polled'
          ? 'NOT POLLED YET'
          : 'OK';
  const lines = wrap(`${label}: ${state}`, '  - ', '    ');
  if (entry.state === 'failing' && source.lastError) {
    const reason = cleanLine(source.lastError.reason, REASON_CHARS) || 'no reason given';
    lines.push(...wrap(`last error ${formatTime(source.lastError.at, zone)}: ${reason}`, '    '));
  }
  if (source.lastSuccessAt === undefined) {
    lines.push('    never polled successfully');
  } else {
    const since = elapsed(source.lastSuccessAt, generatedAt);
    const ago = since === undefined ? '' : ` (${formatDuration(since)} ago)`;
    lines.push(`    last successful poll: ${formatTime(source.lastSuccessAt, zone)}${ago}`);
  }
  return lines;
}

/** A health change as the watcher's: `<time> Watcher cannot read GitHub status (3 failures)`. */
function sourceEventEntry(event: WatcherEvent, zone: string): string[] {
  const what = `${formatTime(event.occurredAt, zone)} ${watcherHeadline(cleanTitle(event.title))}`;
  return wrap(what, '  - ', '    ');
}

/** "[CRITICAL] Title (US-1)": severity, the cleaned title and the regions it names. */
function headlineOf(event: WatcherEvent): string {
  return `[${event.severity.toUpperCase()}] ${cleanTitle(event.title)}${regionSuffix(event.regions)}`;
}

/** "1 needs attention", "2 need attention". */
export function needAttention(count: number): string {
  return `${count} ${count === 1 ? 'needs' : 'need'} attention`;
}

/** A URL on its own wrapped lines under an entry; nothing for an empty one. */
export function link(url: string): string[] {
  const clean = cleanLine(url, URL_CHARS);
  return clean === '' ? [] : wrap(clean, '    ');
}

/** A title as one clean line, "(untitled)" when nothing is left. */
export function cleanTitle(title: string): string {
  return cleanLine(title, TITLE_CHARS) || '(untitled)';
}

function regionSuffix(regions: readonly string[] | undefined): string {
  const clean = cleanRegions(regions ?? []);
  return clean.length === 0 ? '' : ` (${clean.join(', ')})`;
}
