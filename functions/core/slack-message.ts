// Renders events as Slack Block Kit messages: the root of an item's thread (updated in place), its replies, and
// standalone posts for incoming webhooks. Pure: vendor text is escaped here and every Slack limit is kept here.
import { IMPLIED_STATUS, cleanLine, describeEventType, formatUtc } from './event-text.js';
import {
  ATTENTION_CHANGE_TYPES,
  SEVERITIES,
  type AffectedPackage,
  type ChangeType,
  type EventType,
  type ItemUpdate,
  type Severity,
  type WatcherEvent,
} from './model.js';
import type { SlackMessage } from './ports.js';

/** Slack accepts at most this many blocks in one message. */
export const SLACK_MAX_BLOCKS = 50;
/** Slack rejects a section `text` longer than this. */
export const SLACK_SECTION_TEXT_MAX_CHARS = 3000;
/** Slack rejects a section field longer than this. */
export const SLACK_FIELD_MAX_CHARS = 2000;
/** Slack accepts at most this many fields in one section. */
export const SLACK_MAX_FIELDS = 10;
/** Slack rejects a header text longer than this. */
export const SLACK_HEADER_MAX_CHARS = 150;
/** Slack truncates a message's top-level `text` beyond this. */
export const SLACK_TEXT_MAX_CHARS = 40_000;
/** Slack accepts at most this many elements in one context block. */
export const SLACK_CONTEXT_MAX_ELEMENTS = 10;
/** Our own cap, not Slack's: a longer URL is left unlinked so that a link can never crowd out the text it ends. */
export const SLACK_LINK_URL_MAX_CHARS = 1000;
/** At most this many affected packages are listed; the rest are counted ("and N more"). */
export const SLACK_PACKAGES_SHOWN_MAX = 25;

/** Events group into families by their type prefix; each family has its own root layout. */
type FamilyOf<T> = T extends `${infer F}.${string}` ? F : never;
export type EventFamily = FamilyOf<EventType>;

/** What the root message of an item's thread shows: every event of the item folded in by {@link threadStateFrom}. */
export interface ThreadState {
  readonly family: EventFamily;
  readonly source: string;
  readonly sourceType: string;
  readonly vendor: string;
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  /** Only ever raised. */
  readonly severity: Severity;
  readonly status?: string;
  readonly regions?: readonly string[];
  /** Affected components or products (third-party pages). */
  readonly components?: readonly string[];
  /** The earliest event time seen (normally the first event's). */
  readonly openedAt: string;
  /** The latest event time seen. */
  readonly lastUpdateAt: string;
  readonly lastUpdate?: ItemUpdate;
  /** Type of the latest event: gives the status when the vendor gave none, and the fallback text's phrase. */
  readonly lastEventType: EventType;
  /** Summary of the latest event: the body of roots without an update (change log, advisories, sources). */
  readonly summary: string;
  readonly changeType?: ChangeType;
  readonly packages?: readonly AffectedPackage[];
  readonly rcaPublished?: boolean;
}

/** `verbatim: true`: Slack must not auto-link URLs or parse mentions in text we already escaped. */
type Mrkdwn = { readonly type: 'mrkdwn'; readonly text: string; readonly verbatim: true };
type HeaderBlock = { readonly type: 'header'; readonly text: { readonly type: 'plain_text'; readonly text: string; readonly emoji: true } };
type SectionBlock = { readonly type: 'section'; readonly text?: Mrkdwn; readonly fields?: readonly Mrkdwn[] };
type ContextBlock = { readonly type: 'context'; readonly elements: readonly Mrkdwn[] };
type Block = HeaderBlock | SectionBlock | ContextBlock;

// ---------------------------------------------------------------- escaping

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_BREAK = /\r\n?|[\u0085\u2028\u2029]/g;
// C0 controls but the newline, DEL, C1, and the invisible zero-width/bidi marks that can hide or reorder text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
const BROADCAST_MENTION = /@(?=channel|here|everyone)/gi;

/**
 * Makes untrusted vendor text inert in Slack mrkdwn: `&`, `<`, `>` become entities (so `<!channel>`, `<@U…>` and
 * `<http://…|label>` show as text), bare `@channel`/`@here`/`@everyone` get a word joiner after the `@`, and
 * control characters other than the newline are removed. Apply it to vendor strings only, exactly once.
 */
export function escapeSlackText(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(LINE_BREAK, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(BROADCAST_MENTION, '@\u2060');
}

/** An http(s) URL made safe inside `<…|…>`, or undefined when it is not one (or longer than we link). */
function linkableUrl(url: string): string | undefined {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const safe = trimmed
    .replace(LONE_SURROGATE, '\uFFFD')
    // eslint-disable-next-line no-control-regex
    .replace(/[\s|<>\u0000-\u001F\u007F-\u009F]/g, (char) => encodeURIComponent(char))
    // Slack decodes entities in a link's URL as in any text, so a literal `&` is sent as `&amp;`.
    .replace(/&/g, '&amp;');
  return safe.length <= SLACK_LINK_URL_MAX_CHARS ? safe : undefined;
}

/**
 * `<url|label>` for an http(s) URL, with `|`, `<`, `>` and white space in the URL percent-encoded and the label
 * escaped and stripped of `|`; for any other URL (or one over {@link SLACK_LINK_URL_MAX_CHARS}) the escaped label alone.
 */
export function slackLink(url: string, label: string): string {
  const text = escapeSlackText(cleanLine(label)).replace(/\|/g, '');
  const href = linkableUrl(url);
  if (href === undefined) return text;
  return text === '' ? `<${href}>` : `<${href}|${text}>`;
}

/** A vendor string as one escaped line, capped at `maxChars` characters before escaping. */
function inline(text: string | undefined, maxChars: number): string {
  return escapeSlackText(cleanLine(text ?? '', maxChars));
}

/** Vendor prose as escaped mrkdwn, keeping its line breaks but no runs of blank lines. */
function prose(text: string): string {
  return escapeSlackText(text)
    .replace(/[ ]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A time as the email shows it (`2026-04-22 20:14 UTC`); an unreadable stamp is vendor text, so it is escaped. */
function time(iso: string): string {
  return escapeSlackText(formatUtc(iso));
}

// ---------------------------------------------------------------- limits

/**
 * Cuts escaped text to at most `room` UTF-16 units without splitting a character or an entity, preferring a word
 * boundary near the end.
 */
function cutEscaped(text: string, room: number): string {
  if (text.length <= room) return text;
  if (room <= 0) return '';
  let end = 0;
  for (const char of text) {
    if (end + char.length > room) break;
    end += char.length;
  }
  // Every `&` in escaped text starts an entity, so a trailing `&` without its `;` is a cut one.
  let cut = text.slice(0, end).replace(/&[a-z]*$/, '');
  const lastSpace = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
  if (lastSpace > 0 && cut.length - lastSpace < 40) cut = cut.slice(0, lastSpace);
  return cut.trimEnd();
}

/**
 * `head` (our markup) followed by `body` (escaped vendor text) in at most `max` characters; a cut body ends in
 * `… <url|read more>`, the link counted in `max`.
 */
function fitWithReadMore(head: string, body: string, max: number, url: string): string {
  if (head.length + body.length <= max) return head + body;
  const link = slackLink(url, 'read more');
  const suffix = link.startsWith('<') ? `… ${link}` : '…';
  const room = max - head.length - suffix.length;
  if (room > 0) return head + cutEscaped(body, room) + suffix;
  return cutEscaped(head + body, max - 1) + '…';
}

/** Hard cap for text built within limits by construction: a guard, not a layout. */
function capped(text: string, max: number): string {
  return text.length <= max ? text : cutEscaped(text, max - 1) + '…';
}

function header(prefix: string, escapedTitle: string): HeaderBlock {
  const title = escapedTitle || '(untitled)';
  const full = prefix + title;
  const text =
    full.length <= SLACK_HEADER_MAX_CHARS
      ? full
      : prefix + cutEscaped(title, SLACK_HEADER_MAX_CHARS - prefix.length - 1) + '…';
  return { type: 'header', text: { type: 'plain_text', text: capped(text, SLACK_HEADER_MAX_CHARS), emoji: true } };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: capped(text || ' ', SLACK_SECTION_TEXT_MAX_CHARS), verbatim: true } };
}

/** A section of `*Name*\nvalue` fields; `value` is mrkdwn already escaped. */
function fields(entries: ReadonlyArray<readonly [name: string, value: string]>): SectionBlock {
  return {
    type: 'section',
    fields: entries.slice(0, SLACK_MAX_FIELDS).map(([name, value]) => ({
      type: 'mrkdwn',
      text: capped(`*${name}*\n${value || '—'}`, SLACK_FIELD_MAX_CHARS),
      verbatim: true,
    })),
  };
}

function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .filter((text) => text !== '')
      .slice(0, SLACK_CONTEXT_MAX_ELEMENTS)
      .map((text) => ({ type: 'mrkdwn', text: capped(text, SLACK_SECTION_TEXT_MAX_CHARS), verbatim: true })),
  };
}

function message(fallback: string, blocks: readonly Block[]): SlackMessage {
  return { text: capped(fallback, SLACK_TEXT_MAX_CHARS), blocks: blocks.slice(0, SLACK_MAX_BLOCKS) };
}

// ---------------------------------------------------------------- thread state

const familyOf = (type: EventType): EventFamily => type.slice(0, type.indexOf('.')) as EventFamily;

function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** True when `a` is a readable time strictly before readable `b`; unreadable stamps never count as earlier. */
function isBefore(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

/**
 * Folds one event into the state shown by its item's root message. The newest event (by `occurredAt`) sets the
 * title, link, status, regions and latest update; an older event arriving late only raises severity and marks a
 * published root-cause analysis, so a redelivered update cannot turn a resolved root back to open.
 * Severity only rises; `openedAt` is the earliest time seen, `lastUpdateAt` the latest.
 */
export function threadStateFrom(previous: ThreadState | undefined, event: WatcherEvent): ThreadState {
  const rcaPublished = event.type === 'incident.rca_published' || previous?.rcaPublished === true || undefined;
  if (previous === undefined) {
    return compact({
      ...newestFrom(event, undefined),
      severity: event.severity,
      openedAt: event.occurredAt,
      rcaPublished,
    });
  }
  const base: ThreadState = {
    ...previous,
    severity: maxSeverity(previous.severity, event.severity),
    openedAt: isBefore(event.occurredAt, previous.openedAt) ? event.occurredAt : previous.openedAt,
    rcaPublished,
  };
  // An event older than the latest one shown only raises what `base` raised.
  if (isBefore(event.occurredAt, previous.lastUpdateAt)) return compact(base);
  return compact({ ...base, ...newestFrom(event, previous) });
}

/** What the newest event of an item sets; an optional field it lacks keeps its value in `previous`. */
function newestFrom(event: WatcherEvent, previous: ThreadState | undefined) {
  return {
    family: familyOf(event.type),
    source: event.source,
    sourceType: event.sourceType,
    vendor: event.vendor,
    itemId: event.itemId,
    title: event.title,
    url: event.url,
    status: event.status ?? previous?.status,
    regions: event.regions ?? previous?.regions,
    components: event.components ?? previous?.components,
    lastUpdateAt: event.occurredAt,
    lastUpdate: event.update ?? previous?.lastUpdate,
    lastEventType: event.type,
    summary: event.summary,
    changeType: event.changeType ?? previous?.changeType,
    packages: event.packages ?? previous?.packages,
  };
}

/** Drops undefined optionals so a stored state stays tidy. */
function compact(state: ThreadState): ThreadState {
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined)) as unknown as ThreadState;
}

// ---------------------------------------------------------------- rendering

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = { critical: '🔴', major: '🟠', minor: '🟡', info: '🔵' };
const DONE_STATUSES = new Set(['resolved', 'completed', 'postmortem']);
const DONE_TYPES: ReadonlySet<EventType> = new Set(['incident.resolved', 'incident.rca_published', 'maintenance.completed']);
/** Shown in place of an update text that is empty. */
const NO_TEXT = '_(no text)_';

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Resolved or completed: the vendor's status says so, or, when it gave none, the latest event type does. */
function isDone(state: ThreadState): boolean {
  if (state.status !== undefined && state.status.trim() !== '') return DONE_STATUSES.has(state.status.trim().toLowerCase());
  return DONE_TYPES.has(state.lastEventType);
}

/** The vendor's status made readable (`in_progress` → `In progress`), or what the latest event type implies. */
function statusText(state: ThreadState): string {
  const vendorStatus = cleanLine((state.status ?? '').replace(/_/g, ' '), 100);
  return escapeSlackText(capitalize(vendorStatus || IMPLIED_STATUS[state.lastEventType]));
}

function regionsText(regions: readonly string[] | undefined): string {
  const names = (regions ?? []).map((region) => cleanLine(region, 60)).filter((region) => region !== '');
  if (names.length === 0) return 'None named';
  const shown = escapeSlackText(names.slice(0, 20).join(', '));
  return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
}

function vendorName(vendor: string): string {
  return inline(vendor, 40) || 'Vendor';
}

/** `[CRITICAL] Auth0 incident resolved: <title>` and a short line of the latest text: what notifications show. */
function fallbackText(severity: Severity, vendor: string, type: EventType, title: string, detail: string): string {
  const headline = `[${severity.toUpperCase()}] ${vendorName(vendor)} ${describeEventType(type)}: ${inline(title, 300) || '(untitled)'}`;
  const line = inline(detail, 300);
  return line === '' ? headline : `${headline}\n${line}`;
}

/** `Source: <id> · <url|View on host>`: where the item comes from and the way to the vendor's page. */
function footer(source: string, url: string): ContextBlock {
  const href = linkableUrl(url);
  const link = href === undefined ? '' : ` · ${slackLink(url, `View on ${new URL(url.trim()).hostname}`)}`;
  return context(`Source: ${inline(source, 100)}${link}`);
}

/** `*<label>* · <time>` and the update text (or the summary), cut to a section with a read-more link. */
function latestSection(state: ThreadState): SectionBlock {
  if (state.lastUpdate === undefined) {
    return section(fitWithReadMore('', prose(state.summary) || NO_TEXT, SLACK_SECTION_TEXT_MAX_CHARS, state.url));
  }
  const { label, at, text } = state.lastUpdate;
  const head = `*${inline(label, 100) || 'Update'}* · ${time(at)}\n`;
  return section(fitWithReadMore(head, prose(text) || NO_TEXT, SLACK_SECTION_TEXT_MAX_CHARS, state.url));
}

function summarySection(state: ThreadState): SectionBlock {
  return section(fitWithReadMore('', prose(state.summary) || NO_TEXT, SLACK_SECTION_TEXT_MAX_CHARS, state.url));
}

type Mode = 'thread' | 'standalone';

function incidentBlocks(state: ThreadState, mode: Mode): Block[] {
  const emoji = isDone(state) ? '✅' : SEVERITY_EMOJI[state.severity];
  const blocks: Block[] = [
    header(`${emoji} ${vendorName(state.vendor)}: `, inline(state.title, 300)),
    fields([
      ['Status', statusText(state)],
      ['Severity', capitalize(state.severity)],
      // Third-party pages name components rather than regions.
      state.components?.length && !state.regions?.length
        ? ['Components', regionsText(state.components)]
        : ['Regions', regionsText(state.regions)],
      ['Last update', time(state.lastUpdateAt)],
      ['Opened', time(state.openedAt)],
    ]),
    latestSection(state),
  ];
  if (state.rcaPublished) {
    // Without a thread (webhook mode) the analysis is the update shown above, not a reply to look for.
    blocks.push(context(mode === 'thread' ? '📝 Root-cause analysis published (see thread)' : '📝 Root-cause analysis published'));
  }
  return blocks;
}

function changelogBlocks(state: ThreadState): Block[] {
  const changeType = state.changeType === undefined ? 'Not given' : inline(state.changeType, 40);
  const attention = state.changeType !== undefined && ATTENTION_CHANGE_TYPES.includes(state.changeType);
  return [
    header(`📣 ${vendorName(state.vendor)} change log: `, inline(state.title, 300)),
    fields([
      ['Change type', attention ? `⚠️ ${changeType}` : changeType],
      ['Published', time(state.openedAt)],
    ]),
    summarySection(state),
  ];
}

const CVE_ID = /\bCVE-\d{4}-\d{4,}\b/i;

function advisoryBlocks(state: ThreadState): Block[] {
  const entries: Array<readonly [string, string]> = [
    ['Severity', capitalize(state.severity)],
    ['Status', statusText(state)],
  ];
  // The item id is the GHSA or CVE id for GitHub advisories, a link for bulletins (the link is shown below).
  if (linkableUrl(state.itemId) === undefined) entries.push(['Advisory', inline(state.itemId, 100)]);
  const cve = [state.title, state.summary].map((text) => CVE_ID.exec(text)?.[0]).find((id) => id !== undefined);
  if (cve !== undefined && cve.toUpperCase() !== state.itemId.toUpperCase()) entries.push(['CVE', inline(cve.toUpperCase(), 40)]);
  entries.push(['Published', time(state.openedAt)]);
  if (state.lastUpdateAt !== state.openedAt) entries.push(['Last update', time(state.lastUpdateAt)]);

  const blocks: Block[] = [
    header('🛡️ Security advisory: ', inline(state.title, 300)),
    fields(entries),
    summarySection(state),
  ];
  if (state.packages !== undefined && state.packages.length > 0) blocks.push(section(packagesText(state.packages, state.url)));
  return blocks;
}

function packageLine(pkg: AffectedPackage): string {
  const range = inline(pkg.vulnerableRange, 120);
  const fixed = inline(pkg.firstPatchedVersion, 60);
  return (
    `• ${inline(pkg.ecosystem, 30)} ${inline(pkg.name, 120) || '(unnamed)'}: ` +
    `${range === '' ? 'vulnerable range not given' : `vulnerable ${range}`}, ${fixed === '' ? 'no fix yet' : `fixed in ${fixed}`}`
  );
}

/** `*Affected packages*` and one line per package, as many as fit one section, then "and N more". */
function packagesText(packages: readonly AffectedPackage[], url: string): string {
  const head = '*Affected packages*';
  const lines: string[] = [];
  let length = head.length;
  const moreLine = (count: number): string => {
    const link = slackLink(url, 'see the advisory');
    return `…and ${count} more${link.startsWith('<') ? `, ${link}` : ''}`;
  };
  // Keep room for the longest "and N more" line whenever a package could still be left out.
  const reserve = moreLine(packages.length).length + 1;
  for (const pkg of packages.slice(0, SLACK_PACKAGES_SHOWN_MAX)) {
    const line = packageLine(pkg);
    if (length + 1 + line.length + reserve > SLACK_SECTION_TEXT_MAX_CHARS) break;
    lines.push(line);
    length += 1 + line.length;
  }
  const rest = packages.length - lines.length;
  return [head, ...lines, ...(rest > 0 ? [moreLine(rest)] : [])].join('\n');
}

function sourceBlocks(state: ThreadState): Block[] {
  const recovered = state.lastEventType === 'source.recovered';
  return [header(`${recovered ? '✅' : '⚠️'} Watcher: `, inline(state.title, 300)), summarySection(state)];
}

function renderState(state: ThreadState, mode: Mode): SlackMessage {
  let blocks: Block[];
  switch (state.family) {
    case 'incident':
    case 'maintenance':
      blocks = incidentBlocks(state, mode);
      break;
    case 'changelog':
      blocks = changelogBlocks(state);
      break;
    case 'advisory':
      blocks = advisoryBlocks(state);
      break;
    case 'source':
      blocks = sourceBlocks(state);
      break;
  }
  blocks.push(footer(state.source, state.url));
  const detail = state.lastUpdate ? `${state.lastUpdate.label}: ${state.lastUpdate.text}` : state.summary;
  return message(fallbackText(state.severity, state.vendor, state.lastEventType, state.title, detail), blocks);
}

/** The root message of an item's thread: the item's current state, posted once and then updated in place. */
export function renderRoot(state: ThreadState): SlackMessage {
  return renderState(state, 'thread');
}

/** What a reply leads with: our words for the milestones, the vendor's label for ordinary incident updates. */
function replyLabel(event: WatcherEvent): string {
  switch (event.type) {
    case 'incident.resolved':
      return '✅ Resolved';
    case 'incident.rca_published':
      return '📝 Root-cause analysis published';
    case 'incident.opened':
    case 'incident.updated':
      return inline(event.update?.label, 100) || capitalize(describeEventType(event.type));
    case 'maintenance.completed':
      return '✅ Maintenance completed';
    case 'source.failing':
      return '⚠️ Source failing';
    case 'source.recovered':
      return '✅ Recovered';
    default:
      return capitalize(describeEventType(event.type));
  }
}

/** A reply in an item's thread: `*<label>* · <time>`, the update text (or summary), and the link. */
export function renderReply(event: WatcherEvent): SlackMessage {
  const head = `*${replyLabel(event)}* · ${time(event.update?.at ?? event.occurredAt)}\n`;
  const body = prose(event.update?.text ?? event.summary) || NO_TEXT;
  const blocks: Block[] = [
    section(fitWithReadMore(head, body, SLACK_SECTION_TEXT_MAX_CHARS, event.url)),
    footer(event.source, event.url),
  ];
  const detail = event.update ? `${event.update.label}: ${event.update.text}` : event.summary;
  return message(fallbackText(event.severity, event.vendor, event.type, event.title, detail), blocks);
}

/** One self-contained message for an event (incoming-webhook mode, no threads): the root layout of this event alone. */
export function renderStandalone(event: WatcherEvent): SlackMessage {
  return renderState(threadStateFrom(undefined, event), 'standalone');
}
