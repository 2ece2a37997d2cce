// Slack rendering of the status board (pure): one line per row, 🟢/🟠/🔴 at a glance, the row's name, a short state and
// links to the open items' threads, in Block Kit within Slack's limits (50 blocks, 3,000 characters per section).
import type { SlackMessage } from './ports.js';
import { context, header, message, section, SLACK_MAX_BLOCKS, SLACK_SECTION_TEXT_MAX_CHARS, type Block } from './slack-blocks.js';
import { openItems, orderedRows, rowLight, type BoardLight, type BoardRow, type BoardRowSeed, type BoardState } from './slack-board.js';
import { inline, slackLink, slackTime } from './slack-escape.js';

export const BOARD_EMOJI: Readonly<Record<BoardLight, string>> = { green: '🟢', amber: '🟠', red: '🔴' };

/** What a green row says, by kind. */
const GREEN_STATE: Readonly<Record<BoardRow['kind'], string>> = {
  auth0: 'operational, nothing open',
  dependency: 'operational, nothing open',
  synthetic: 'logging in',
  checks: 'all checks passing',
  watcher: 'reading every source',
};

/** Open items linked on a row's line; the rest are counted. */
const LINKED_ITEMS_PER_ROW = 3;
/** A row's line is cut to this many characters (a section holds several lines). */
const MAX_LINE_CHARS = 900;

/**
 * A permalink to a message, built rather than asked for (no chat.getPermalink call per row): Slack's documented
 * `https://slack.com/archives/<channel>/p<ts without its dot>` form, which opens the message (a thread's root opens the
 * thread) in whichever workspace the reader is signed in to.
 */
export function slackPermalink(channel: string, ts: string): string {
  return `https://slack.com/archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
}

/** One row's line: `🔴 *Auth0 US-1* · critical, investigating: <link|title> · +1 more`. */
export function boardLine(row: BoardRow, channel: string): string {
  const light = rowLight(row);
  const name = `${BOARD_EMOJI[light]} *${inline(row.name, 60) || '(unnamed)'}*`;
  const open = openItems(row);
  if (open.length === 0) return `${name} · ${GREEN_STATE[row.kind]}`;
  const [, worst] = open[0]!;
  const links = open.slice(0, LINKED_ITEMS_PER_ROW).map(([, item]) => {
    const title = inline(item.title, 80) || '(untitled)';
    return item.threadTs === undefined ? title : slackLink(slackPermalink(channel, item.threadTs), item.title.slice(0, 80) || '(untitled)');
  });
  const more = open.length > LINKED_ITEMS_PER_ROW ? ` · +${open.length - LINKED_ITEMS_PER_ROW} more` : '';
  const line = `${name} · ${inline(worst.state, 80)}: ${links.join(' · ')}${more}`;
  return line.length <= MAX_LINE_CHARS ? line : `${name} · ${inline(worst.state, 80)}: ${open.length} open`;
}

/**
 * The board as a message: a header, the rows' lines packed into sections (the configured `seeds` included from the
 * start, green until something is heard), and when it last changed.
 */
export function renderBoard(state: BoardState, channel: string, seeds: readonly BoardRowSeed[] = []): SlackMessage {
  const rows = orderedRows(state, seeds);
  const lights = rows.map(rowLight);
  const count = (light: BoardLight) => lights.filter((l) => l === light).length;
  const worst: BoardLight = count('red') > 0 ? 'red' : count('amber') > 0 ? 'amber' : 'green';
  const summary = `${count('red')} red, ${count('amber')} amber, ${count('green')} green`;

  const sections: string[] = [];
  let current = '';
  let shown = 0;
  // Header, the closing context and a possible "more rows" note take three blocks.
  const maxSections = SLACK_MAX_BLOCKS - 3;
  for (const row of rows) {
    const line = boardLine(row, channel);
    if (current !== '' && current.length + 1 + line.length > SLACK_SECTION_TEXT_MAX_CHARS) {
      if (sections.length + 1 >= maxSections) break;
      sections.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
    shown += 1;
  }
  if (current !== '') sections.push(current);

  const blocks: Block[] = [header(`${BOARD_EMOJI[worst]} `, 'Status board')];
  if (rows.length === 0) blocks.push(section('_Nothing heard yet: rows appear as the watcher reports on each source._'));
  for (const text of sections) blocks.push(section(text));
  if (shown < rows.length) blocks.push(context(`…and ${rows.length - shown} more rows not shown`));
  blocks.push(
    context(
      state.updatedAt === undefined ? 'Updated as the watcher reports' : `Updated ${slackTime(state.updatedAt)}`,
      '🟢 nothing open · 🟠 minor or major open, degraded · 🔴 critical open, failing',
    ),
  );
  return message(`Status board: ${summary}`, blocks);
}
