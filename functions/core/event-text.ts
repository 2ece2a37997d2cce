// Renders a WatcherEvent for people: the email subject and plain-text body the SNS publisher sends (pure, no I/O).
import { EVENT_TYPE_FACTS } from './event-types.js';
import { ATTENTION_CHANGE_TYPES, type AffectedPackage, type WatcherEvent } from './model.js';
import { eventFactLines } from './fact-lines.js';
import { cleanLine } from './text/clean-line.js';
import { SUBJECT_MAX_CHARS, toSubjectAscii } from './text/subject.js';
import { formatTime, formatWindow, lastedText } from './text/time.js';
import { TRUNCATION_MARK, truncateChars, truncateToBytes, utf8Bytes } from './text/truncate.js';
import { listWithMore } from './text/words.js';
import { wrap, wrapKeepingMark } from './text/wrap.js';
import { isWatcherHealth, watcherHeadline } from './watcher-health-text.js';

/** Upper bound of a rendered email body in UTF-8 bytes (200 KB), leaving room for the JSON copy under SNS's 256 KB. */
export const EMAIL_BODY_MAX_BYTES = 200 * 1024;

/** Each earlier update in an email shows at most this many characters of its text (its first lines). */
export const EARLIER_UPDATE_CHARS = 280;

export interface EmailTextOptions {
  /** Upper bound of the body in UTF-8 bytes; default {@link EMAIL_BODY_MAX_BYTES}. */
  readonly maxBytes?: number;
  /** IANA zone the times are shown in, with its abbreviation or offset (the config's `timeZone`); default UTC. */
  readonly timeZone?: string;
}

/**
 * The email subject: `[SEVERITY] <vendor> <phrase>: <title>`, printable ASCII only (see `toSubjectAscii`), one line,
 * at most {@link SUBJECT_MAX_CHARS} characters (the title is shortened with "..." to fit). The watcher's own health
 * reads as the watcher's: `[MAJOR] Watcher cannot read GitHub status (3 failures)`.
 */
export function renderSubject(event: WatcherEvent): string {
  const severity = `[${event.severity.toUpperCase()}] `;
  if (isWatcherHealth(event.type)) {
    return severity + truncateChars(watcherHeadline(toSubjectAscii(event.title)), SUBJECT_MAX_CHARS - severity.length, '...');
  }
  const vendor = truncateChars(toSubjectAscii(event.vendor), 30) || 'Vendor';
  const prefix = `${severity}${vendor} ${EVENT_TYPE_FACTS[event.type].phrase}: `;
  const title = toSubjectAscii(event.title) || '(untitled)';
  return prefix + truncateChars(title, SUBJECT_MAX_CHARS - prefix.length, '...');
}

/**
 * The plain-text email body: a headline, `Status:`/`Severity:`/`Regions:`/`When:`/`Source:` lines (a resolution
 * also says how long the incident lasted), the latest update (or the summary), the incident's earlier updates newest
 * first, change type and affected packages where present, the link, and a footer naming the event id. Times are in
 * `timeZone` with its abbreviation or offset. Vendor text is reduced to single lines and indented, so it cannot pose
 * as one of these lines. The body stays within `maxBytes` UTF-8 bytes, cutting the update text or summary first.
 */
export function renderEmailText(event: WatcherEvent, options: EmailTextOptions = {}): string {
  const maxBytes = options.maxBytes ?? EMAIL_BODY_MAX_BYTES;
  const zone = options.timeZone;
  const longText = event.update ? event.update.text : event.summary;
  const full = composeEmail(event, cleanLine(longText), zone);
  if (utf8Bytes(full) <= maxBytes) return full;

  // Give the long text whatever the rest of the body leaves, then shave until wrapping overhead fits too.
  const withoutText = utf8Bytes(composeEmail(event, '', zone));
  let budget = maxBytes - withoutText - 256;
  for (let attempt = 0; attempt < 8 && budget > 0; attempt += 1) {
    const body = composeEmail(event, truncateToBytes(cleanLine(longText), budget), zone);
    if (utf8Bytes(body) <= maxBytes) return body;
    budget = Math.floor(budget * 0.9);
  }
  // Only reachable when the fixed fields alone are huge: cut the body itself.
  return truncateToBytes(composeEmail(event, TRUNCATION_MARK, zone), maxBytes);
}

function composeEmail(event: WatcherEvent, longText: string, zone: string | undefined): string {
  const vendor = cleanLine(event.vendor, 100) || 'Vendor';
  const facts = EVENT_TYPE_FACTS[event.type];
  const title = cleanLine(event.title, 500) || '(untitled)';
  const headline = isWatcherHealth(event.type) ? watcherHeadline(title) : `${vendor} ${facts.phrase}: ${title}`;
  const regions = (event.regions ?? []).map((region) => cleanLine(region, 60)).filter((region) => region !== '');
  const lines: string[] = [
    ...wrap(headline, ''),
    '',
    `Status: ${cleanLine(event.status ?? '', 200) || facts.impliedStatus}`,
    `Severity: ${event.severity}`,
    `Regions: ${regions.length === 0 ? 'none named' : listWithMore(regions, 20)}`,
    ...(event.components?.length
      ? [`Components: ${listWithMore(event.components.map((c) => cleanLine(c, 100)).filter(Boolean), 20)}`]
      : []),
    // A maintenance's "When" is its window (when the work happens); the notice's own time follows as "Posted".
    ...whenLines(event, zone),
    ...lastedLines(event, zone),
    `Detected: ${formatTime(event.detectedAt, zone)}`,
    `Source: ${cleanLine(event.source, 200)} (${vendor})`,
    // Tenant-log, probe and allow-list events: what was counted or checked (each value one cleaned line).
    ...eventFactLines(event, zone).map(([name, value]) => `${name}: ${value}`),
  ];
  if (event.changeType) {
    const attention = ATTENTION_CHANGE_TYPES.includes(event.changeType) ? ' (needs attention)' : '';
    lines.push(`Change type: ${event.changeType}${attention}`);
  }
  lines.push('');
  if (event.update) {
    const label = cleanLine(event.update.label, 100) || 'Update';
    lines.push(`Latest update (${label}, ${formatTime(event.update.at, zone)}):`);
  } else {
    lines.push('Summary:');
  }
  lines.push(...wrapKeepingMark(longText || '(no text)', '  '));
  lines.push(...earlierUpdateLines(event, zone));
  if (event.packages && event.packages.length > 0) {
    lines.push('', 'Affected packages:');
    const shown = event.packages.slice(0, 50);
    for (const pkg of shown) lines.push(...wrap(describePackage(pkg), '  - ', '    '));
    if (event.packages.length > shown.length) lines.push(`  … and ${event.packages.length - shown.length} more, see link`);
  }
  lines.push(
    '',
    `Link: ${cleanLine(event.url, 900)}`,
    '',
    // "-- " is the plain-text signature separator mail clients recognise.
    '-- ',
    'Sent by auth0-ops-watcher.',
    `Event id: ${cleanLine(event.id, 500)} (${event.type})`,
  );
  return lines.join('\n') + '\n';
}

function whenLines(event: WatcherEvent, zone: string | undefined): string[] {
  const window = formatWindow(event.scheduledFor, event.scheduledUntil, zone);
  if (window === undefined) return [`When: ${formatTime(event.occurredAt, zone)}`];
  return [`When: ${window} (scheduled)`, `Posted: ${formatTime(event.occurredAt, zone)}`];
}

/**
 * A resolution: `Resolved after 2 h 14 min (began …)`, counted from the incident's start (`startedAt`, the
 * `occurredAt` of its `incident.opened`) to the resolving update; nothing when the event does not say when it began.
 */
function lastedLines(event: WatcherEvent, zone: string | undefined): string[] {
  if (event.type !== 'incident.resolved' || event.startedAt === undefined) return [];
  const lasted = lastedText(event.startedAt, event.update?.at ?? event.occurredAt);
  return lasted === undefined ? [] : [`Resolved after ${lasted} (began ${formatTime(event.startedAt, zone)})`];
}

/**
 * The incident's earlier updates, newest first, compactly: `- <label>, <time>:` and the first
 * {@link EARLIER_UPDATE_CHARS} characters of its text (the event carries at most `EVENT_BUDGETS.maxEarlierUpdates`).
 */
function earlierUpdateLines(event: WatcherEvent, zone: string | undefined): string[] {
  const updates = event.earlierUpdates ?? [];
  if (updates.length === 0) return [];
  const lines = ['', 'Earlier updates (newest first):'];
  for (const update of updates) {
    const label = cleanLine(update.label, 100) || 'Update';
    lines.push(`  - ${label}, ${formatTime(update.at, zone)}:`);
    lines.push(...wrapKeepingMark(cleanLine(update.text, EARLIER_UPDATE_CHARS) || '(no text)', '    '));
  }
  return lines;
}

function describePackage(pkg: AffectedPackage): string {
  const name = `${cleanLine(pkg.name, 200)} (${cleanLine(pkg.ecosystem, 50)})`;
  const range = pkg.vulnerableRange ? `vulnerable ${cleanLine(pkg.vulnerableRange, 200)}` : 'vulnerable range not given';
  const patched = pkg.firstPatchedVersion
    ? `first patched ${cleanLine(pkg.firstPatchedVersion, 100)}`
    : 'no patched version yet';
  return `${name}: ${range}; ${patched}`;
}
