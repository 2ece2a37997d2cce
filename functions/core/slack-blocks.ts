// Slack rendering: Block Kit blocks built within every limit Slack enforces (it rejects a whole message otherwise),
// and the pieces roots and replies share: the notification text and the source footer (pure).
import { describeEventType, type EventType } from './event-types.js';
import type { Severity } from './model.js';
import type { SlackMessage } from './ports.js';
import { inline, linkableUrl, slackLink } from './slack-escape.js';
import { isWatcherHealth, watcherHeadline } from './watcher-health-text.js';

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

/** `verbatim: true`: Slack must not auto-link URLs or parse mentions in text we already escaped. */
type Mrkdwn = { readonly type: 'mrkdwn'; readonly text: string; readonly verbatim: true };
export type HeaderBlock = { readonly type: 'header'; readonly text: { readonly type: 'plain_text'; readonly text: string; readonly emoji: true } };
export type SectionBlock = { readonly type: 'section'; readonly text?: Mrkdwn; readonly fields?: readonly Mrkdwn[] };
export type ContextBlock = { readonly type: 'context'; readonly elements: readonly Mrkdwn[] };
export type Block = HeaderBlock | SectionBlock | ContextBlock;

/** Shown in place of an update text that is empty. */
export const NO_TEXT = '_(no text)_';

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
export function fitWithReadMore(head: string, body: string, max: number, url: string): string {
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

/** A header: our `prefix` and the escaped title, cut to Slack's 150 characters with an ellipsis. */
export function header(prefix: string, escapedTitle: string): HeaderBlock {
  const title = escapedTitle || '(untitled)';
  const full = prefix + title;
  const text =
    full.length <= SLACK_HEADER_MAX_CHARS
      ? full
      : prefix + cutEscaped(title, SLACK_HEADER_MAX_CHARS - prefix.length - 1) + '…';
  return { type: 'header', text: { type: 'plain_text', text: capped(text, SLACK_HEADER_MAX_CHARS), emoji: true } };
}

/** A mrkdwn section of already escaped text, never empty, capped at Slack's 3,000 characters. */
export function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: capped(text || ' ', SLACK_SECTION_TEXT_MAX_CHARS), verbatim: true } };
}

/** A section of `*Name*\nvalue` fields; `value` is mrkdwn already escaped. */
export function fields(entries: ReadonlyArray<readonly [name: string, value: string]>): SectionBlock {
  return {
    type: 'section',
    fields: entries.slice(0, SLACK_MAX_FIELDS).map(([name, value]) => ({
      type: 'mrkdwn',
      text: capped(`*${name}*\n${value || '—'}`, SLACK_FIELD_MAX_CHARS),
      verbatim: true,
    })),
  };
}

/** A context block of the non-empty texts, at most Slack's 10 elements. */
export function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .filter((text) => text !== '')
      .slice(0, SLACK_CONTEXT_MAX_ELEMENTS)
      .map((text) => ({ type: 'mrkdwn', text: capped(text, SLACK_SECTION_TEXT_MAX_CHARS), verbatim: true })),
  };
}

/** The message: its notification text capped, at most Slack's 50 blocks. */
export function message(fallback: string, blocks: readonly Block[]): SlackMessage {
  return { text: capped(fallback, SLACK_TEXT_MAX_CHARS), blocks: blocks.slice(0, SLACK_MAX_BLOCKS) };
}

/** The vendor as the header and notification name it: escaped, at most 40 characters. */
export function vendorName(vendor: string): string {
  return inline(vendor, 40) || 'Vendor';
}

/** `[CRITICAL] Auth0 incident resolved: <title>` and a short line of the latest text: what notifications show. */
export function fallbackText(severity: Severity, vendor: string, type: EventType, title: string, detail: string): string {
  // The watcher's own health names the watcher, not the vendor: `[MAJOR] Watcher cannot read GitHub status (3 failures)`.
  const what = isWatcherHealth(type)
    ? inline(watcherHeadline(title), 300)
    : `${vendorName(vendor)} ${describeEventType(type)}: ${inline(title, 300) || '(untitled)'}`;
  const headline = `[${severity.toUpperCase()}] ${what}`;
  const line = inline(detail, 300);
  return line === '' ? headline : `${headline}\n${line}`;
}

/** `Source: <id> · <url|View on host>`: where the item comes from and the way to the vendor's page. */
export function footer(source: string, url: string): ContextBlock {
  const href = linkableUrl(url);
  const link = href === undefined ? '' : ` · ${slackLink(url, `View on ${new URL(url.trim()).hostname}`)}`;
  return context(`Source: ${inline(source, 100)}${link}`);
}
