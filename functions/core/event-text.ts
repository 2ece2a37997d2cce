// Renders a WatcherEvent for people: the email subject and plain-text body the SNS publisher sends (pure, no I/O).
import { ATTENTION_CHANGE_TYPES, type AffectedPackage, type EventType, type WatcherEvent } from './model.js';

/** SNS rejects an email `Subject` of 100 characters or more, so a subject has at most this many. */
export const SUBJECT_MAX_CHARS = 99;

/** Upper bound of a rendered email body in UTF-8 bytes (200 KB), leaving room for the JSON copy under SNS's 256 KB. */
export const EMAIL_BODY_MAX_BYTES = 200 * 1024;

/** Appended to any vendor text cut short; the link leads to the full text. */
export const TRUNCATION_MARK = '… (truncated, see link)';

/** What happened, in words, per event type: "Auth0 <phrase>: <title>". */
const PHRASES: Readonly<Record<EventType, string>> = {
  'incident.opened': 'incident opened',
  'incident.updated': 'incident updated',
  'incident.resolved': 'incident resolved',
  'incident.rca_published': 'root-cause analysis published',
  'maintenance.scheduled': 'maintenance scheduled',
  'maintenance.started': 'maintenance started',
  'maintenance.updated': 'maintenance updated',
  'maintenance.completed': 'maintenance completed',
  'changelog.published': 'change-log entry',
  'advisory.published': 'security advisory',
  'advisory.updated': 'security advisory updated',
  'advisory.withdrawn': 'security advisory withdrawn',
  'source.failing': 'source failing',
  'source.recovered': 'source recovered',
};

/** The status shown when the vendor gave none: what the event type itself implies. */
export const IMPLIED_STATUS: Readonly<Record<EventType, string>> = {
  'incident.opened': 'open',
  'incident.updated': 'open, updated',
  'incident.resolved': 'resolved',
  'incident.rca_published': 'resolved, root-cause analysis published',
  'maintenance.scheduled': 'scheduled',
  'maintenance.started': 'in progress',
  'maintenance.updated': 'updated',
  'maintenance.completed': 'completed',
  'changelog.published': 'published',
  'advisory.published': 'published',
  'advisory.updated': 'updated',
  'advisory.withdrawn': 'withdrawn',
  'source.failing': 'failing',
  'source.recovered': 'recovered',
};

/** The human phrase for an event type, e.g. "incident resolved" or "change-log entry". */
export function describeEventType(type: EventType): string {
  return PHRASES[type];
}

/**
 * The email subject: `[SEVERITY] <vendor> <phrase>: <title>`, printable ASCII only, one line,
 * at most {@link SUBJECT_MAX_CHARS} characters (the title is shortened with "..." to fit).
 *
 * SNS documents subjects as "no line breaks or control characters, less than 100 characters"; it has also
 * documented them as ASCII and replaces non-ASCII subjects in some integrations, so typographic characters
 * are transliterated (’ → ', — → -, é → e) and anything else becomes "?".
 */
export function renderSubject(event: WatcherEvent): string {
  const vendor = truncateChars(toSubjectAscii(event.vendor), 30) || 'Vendor';
  const prefix = `[${event.severity.toUpperCase()}] ${vendor} ${PHRASES[event.type]}: `;
  const title = toSubjectAscii(event.title) || '(untitled)';
  return prefix + truncateChars(title, SUBJECT_MAX_CHARS - prefix.length, '...');
}

/**
 * The plain-text email body: a headline, `Status:`/`Severity:`/`Regions:`/`When:`/`Source:` lines, the latest
 * update (or the summary), change type and affected packages where present, the link, and a footer naming the
 * event id. Vendor text is reduced to single lines and indented, so it cannot pose as one of these lines.
 * The body stays within `maxBytes` UTF-8 bytes, cutting the update text or summary first.
 */
export function renderEmailText(event: WatcherEvent, options: { readonly maxBytes?: number } = {}): string {
  const maxBytes = options.maxBytes ?? EMAIL_BODY_MAX_BYTES;
  const longText = event.update ? event.update.text : event.summary;
  const full = composeEmail(event, cleanLine(longText));
  if (utf8Bytes(full) <= maxBytes) return full;

  // Give the long text whatever the rest of the body leaves, then shave until wrapping overhead fits too.
  const withoutText = utf8Bytes(composeEmail(event, ''));
  let budget = maxBytes - withoutText - 256;
  for (let attempt = 0; attempt < 8 && budget > 0; attempt += 1) {
    const body = composeEmail(event, truncateToBytes(cleanLine(longText), budget));
    if (utf8Bytes(body) <= maxBytes) return body;
    budget = Math.floor(budget * 0.9);
  }
  // Only reachable when the fixed fields alone are huge: cut the body itself.
  return truncateToBytes(composeEmail(event, TRUNCATION_MARK), maxBytes);
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, ending in {@link TRUNCATION_MARK}; never splits a character and
 * prefers a word boundary. Text that fits is returned unchanged; a budget smaller than the mark yields the mark alone.
 */
export function truncateToBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const room = maxBytes - utf8Bytes(TRUNCATION_MARK);
  if (room <= 0) return TRUNCATION_MARK;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Bytes(char);
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  let cut = text.slice(0, end);
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace > 0 && end - lastSpace < 40) cut = cut.slice(0, lastSpace);
  return cut.trimEnd() + TRUNCATION_MARK;
}

function composeEmail(event: WatcherEvent, longText: string): string {
  const vendor = cleanLine(event.vendor, 100) || 'Vendor';
  const headline = `${vendor} ${PHRASES[event.type]}: ${cleanLine(event.title, 500) || '(untitled)'}`;
  const regions = (event.regions ?? []).map((region) => cleanLine(region, 60)).filter((region) => region !== '');
  const lines: string[] = [
    ...wrap(headline, ''),
    '',
    `Status: ${cleanLine(event.status ?? '', 200) || IMPLIED_STATUS[event.type]}`,
    `Severity: ${event.severity}`,
    `Regions: ${regions.length === 0 ? 'none named' : listWithMore(regions, 20)}`,
    ...(event.components?.length
      ? [`Components: ${listWithMore(event.components.map((c) => cleanLine(c, 100)).filter(Boolean), 20)}`]
      : []),
    `When: ${formatUtc(event.occurredAt)}`,
    `Detected: ${formatUtc(event.detectedAt)}`,
    `Source: ${cleanLine(event.source, 200)} (${vendor})`,
  ];
  if (event.changeType) {
    const attention = ATTENTION_CHANGE_TYPES.includes(event.changeType) ? ' (needs attention)' : '';
    lines.push(`Change type: ${event.changeType}${attention}`);
  }
  lines.push('');
  if (event.update) {
    const label = cleanLine(event.update.label, 100) || 'Update';
    lines.push(`Latest update (${label}, ${formatUtc(event.update.at)}):`);
  } else {
    lines.push('Summary:');
  }
  lines.push(...wrapKeepingMark(longText || '(no text)', '  '));
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

function describePackage(pkg: AffectedPackage): string {
  const name = `${cleanLine(pkg.name, 200)} (${cleanLine(pkg.ecosystem, 50)})`;
  const range = pkg.vulnerableRange ? `vulnerable ${cleanLine(pkg.vulnerableRange, 200)}` : 'vulnerable range not given';
  const patched = pkg.firstPatchedVersion
    ? `first patched ${cleanLine(pkg.firstPatchedVersion, 100)}`
    : 'no patched version yet';
  return `${name}: ${range}; ${patched}`;
}

function listWithMore(values: readonly string[], max: number): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}

const TWO = (n: number): string => String(n).padStart(2, '0');

/** `2026-04-22T20:14:05Z` → `2026-04-22 20:14 UTC`; an unreadable stamp is shown as given. */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return cleanLine(iso, 100) || 'unknown';
  return (
    `${date.getUTCFullYear()}-${TWO(date.getUTCMonth() + 1)}-${TWO(date.getUTCDate())} ` +
    `${TWO(date.getUTCHours())}:${TWO(date.getUTCMinutes())} UTC`
  );
}

/** Words wrapped at 76 columns for plain-text mail; a token too long for a line is split so no line nears 998 bytes. */
export function wrap(text: string, indent: string, nextIndent: string = indent): string[] {
  const width = 76;
  const lines: string[] = [];
  let line = indent;
  let lineHasWord = false;
  for (const rawWord of text.split(' ')) {
    if (rawWord === '') continue;
    for (const word of chunk(rawWord, 400)) {
      if (lineHasWord && line.length + 1 + word.length > width) {
        lines.push(line);
        line = nextIndent + word;
      } else {
        line += (lineHasWord ? ' ' : '') + word;
      }
      lineHasWord = true;
    }
  }
  lines.push(line);
  return lines;
}

/** Like {@link wrap}, but never splits {@link TRUNCATION_MARK} across lines. */
function wrapKeepingMark(text: string, indent: string): string[] {
  if (!text.endsWith(TRUNCATION_MARK)) return wrap(text, indent);
  const lines = wrap(text.slice(0, -TRUNCATION_MARK.length), indent);
  const last = lines.length - 1;
  const lastLine = lines[last] ?? indent;
  if (lastLine.trim() !== '' && lastLine.length + TRUNCATION_MARK.length <= 76) lines[last] = lastLine + TRUNCATION_MARK;
  else lines.push(indent + TRUNCATION_MARK);
  return lines;
}

function chunk(word: string, size: number): string[] {
  if (word.length <= size) return [word];
  const parts: string[] = [];
  for (let i = 0; i < word.length; i += size) parts.push(word.slice(i, i + size));
  return parts;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_LIKE_SPACE = /[\s\u0085\u2028\u2029]+/g;
// C0/C1 controls, DEL, and the invisible bidi/format marks that can reorder or hide text.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** Untrusted vendor text as one clean line: white space folded, controls removed, optionally capped in characters. */
export function cleanLine(text: string, maxChars?: number): string {
  const line = text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(LINE_LIKE_SPACE, ' ')
    .replace(CONTROL, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return maxChars === undefined ? line : truncateChars(line, maxChars, '…');
}

const ASCII_LOOKALIKES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u201A\u201B\u2032\u00B4]/g, "'"],
  [/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u2022\u00B7]/g, '*'],
  [/\u00D7/g, 'x'],
  [/\u2192/g, '->'],
  [/\u00A0|[\u2000-\u200A\u202F\u205F\u3000]/g, ' '],
];

/** Printable ASCII for the subject: typographic characters transliterated, accents dropped, the rest "?". */
export function toSubjectAscii(text: string): string {
  let ascii = cleanLine(text);
  for (const [pattern, replacement] of ASCII_LOOKALIKES) ascii = ascii.replace(pattern, replacement);
  return ascii
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7E]+/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** At most `max` characters (code points), ending in `ellipsis` when cut, preferring a word boundary. */
export function truncateChars(text: string, max: number, ellipsis = ''): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const room = Math.max(0, max - Array.from(ellipsis).length);
  let cut = chars.slice(0, room).join('');
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace > room * 0.6) cut = cut.slice(0, lastSpace);
  return cut.trimEnd() + ellipsis;
}

/** UTF-8 length without allocating (a lone surrogate counts as the 3-byte replacement character). */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
