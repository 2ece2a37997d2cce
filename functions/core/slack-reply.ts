// Slack rendering: a reply in an item's thread, one per event after the first, led by the table's words for the
// milestone or the vendor's label for an ordinary update (pure).
import { EVENT_TYPE_FACTS } from './event-types.js';
import type { WatcherEvent } from './model.js';
import type { SlackMessage } from './ports.js';
import { NO_TEXT, SLACK_SECTION_TEXT_MAX_CHARS, fallbackText, fitWithReadMore, footer, message, section, type Block } from './slack-blocks.js';
import { escapeSlackText, inline, prose, slackTime } from './slack-escape.js';
import { elapsed, formatWindow, lastedText } from './text/time.js';

/**
 * A reply in an item's thread: `*<label>* · <time>`, the update text (or summary), and the link. A resolution says
 * how long the incident lasted (`*✅ Resolved after 2 h 14 min*`), from its start (the event's `startedAt`, else
 * `openedAt`: when the thread opened).
 */
export function renderReply(event: WatcherEvent, thread: { readonly openedAt?: string } = {}): SlackMessage {
  const window = formatWindow(event.scheduledFor, event.scheduledUntil);
  const at = event.update?.at ?? event.occurredAt;
  const start = event.startedAt ?? thread.openedAt;
  // A start no earlier than the resolution is no start known (a thread that opened with the resolution itself).
  const known = start !== undefined && (elapsed(start, at) ?? 0) > 0;
  const lasted = event.type === 'incident.resolved' && known ? lastedText(start, at) : undefined;
  const head =
    `*${replyLabel(event)}${lasted === undefined ? '' : ` after ${lasted}`}* · ${slackTime(at)}\n` +
    (window !== undefined ? `Scheduled: ${escapeSlackText(window)}\n` : '');
  const body = prose(event.update?.text ?? event.summary) || NO_TEXT;
  const blocks: Block[] = [
    section(fitWithReadMore(head, body, SLACK_SECTION_TEXT_MAX_CHARS, event.url)),
    footer(event.source, event.url),
  ];
  const detail = event.update ? `${event.update.label}: ${event.update.text}` : event.summary;
  return message(fallbackText(event.severity, event.vendor, event.type, event.title, detail), blocks);
}

/** What a reply leads with: the table's words for the event type, or the vendor's label where the table says so. */
function replyLabel(event: WatcherEvent): string {
  const facts = EVENT_TYPE_FACTS[event.type];
  return (facts.replyUsesVendorLabel && inline(event.update?.label, 100)) || facts.replyLabel;
}
