// Renders events as Slack Block Kit messages: the root of an item's thread (updated in place), its replies, and
// standalone posts for incoming webhooks. This is what the Slack notifier imports; each job lives in its own module:
// escaping (slack-escape.ts), blocks within Slack's limits (slack-blocks.ts), the root's state (slack-thread-state.ts),
// the root and standalone layouts (slack-root.ts) and replies (slack-reply.ts).
export {
  SLACK_CONTEXT_MAX_ELEMENTS,
  SLACK_FIELD_MAX_CHARS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_FIELDS,
  SLACK_SECTION_TEXT_MAX_CHARS,
  SLACK_TEXT_MAX_CHARS,
} from './slack-blocks.js';
export { SLACK_LINK_URL_MAX_CHARS, escapeSlackText, slackLink } from './slack-escape.js';
export { renderReply } from './slack-reply.js';
export { SLACK_PACKAGES_SHOWN_MAX, renderRoot, renderStandalone } from './slack-root.js';
export { threadStateFrom, type ThreadState } from './slack-thread-state.js';
