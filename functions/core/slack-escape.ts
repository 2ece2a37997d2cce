// Slack rendering, first step: untrusted vendor text made inert in Slack mrkdwn (entities, broken mass mentions, safe
// links), on top of the text-safety toolkit's cleaning (pure).
import { cleanLine, withoutControls, withoutLoneSurrogates } from './text/clean-line.js';
import { formatUtc, parseTime } from './text/time.js';

/** Our own cap, not Slack's: a longer URL is left unlinked so that a link can never crowd out the text it ends. */
export const SLACK_LINK_URL_MAX_CHARS = 1000;

const LINE_BREAK = /\r\n?|[\u0085\u2028\u2029]/g;
const BROADCAST_MENTION = /@(?=channel|here|everyone)/gi;

/**
 * Makes untrusted vendor text inert in Slack mrkdwn: `&`, `<`, `>` become entities (so `<!channel>`, `<@U…>` and
 * `<http://…|label>` show as text), bare `@channel`/`@here`/`@everyone` get a word joiner after the `@`, and
 * control characters other than the newline are removed. Apply it to vendor strings only, exactly once.
 */
export function escapeSlackText(text: string): string {
  return withoutControls(withoutLoneSurrogates(text).replace(LINE_BREAK, '\n').replace(/\t/g, ' '), { keepNewline: true })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(BROADCAST_MENTION, '@\u2060');
}

/** An http(s) URL made safe inside `<…|…>`, or undefined when it is not one (or longer than we link). */
export function linkableUrl(url: string): string | undefined {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const safe = withoutLoneSurrogates(trimmed)
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
export function inline(text: string | undefined, maxChars: number): string {
  return escapeSlackText(cleanLine(text ?? '', maxChars));
}

/** Vendor prose as escaped mrkdwn, keeping its line breaks but no runs of blank lines. */
export function prose(text: string): string {
  return escapeSlackText(text)
    .replace(/[ ]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A time each reader sees in their own zone: Slack's date formatting, `<!date^1796558700^{date_short_pretty} {time}|
 * 2026-12-06 12:05 UTC>` (the Unix time in whole seconds, the tokens, and the UTC text as the fallback Slack shows where
 * it cannot format the date). An unreadable stamp is vendor text: it is shown escaped, without a date token.
 */
export function slackTime(iso: string): string {
  const ms = parseTime(iso);
  const text = escapeSlackText(formatUtc(iso));
  if (ms === undefined) return text;
  // The fallback is our own `YYYY-MM-DD HH:MM UTC`: it holds no `|` or `>` that would end the token early.
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${text}>`;
}
