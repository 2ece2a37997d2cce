// Slack rendering: the root message of an item's thread (its current state, updated in place) and, in the same layout,
// the standalone post of one event for incoming webhooks; one layout per event family (pure).
import { EVENT_TYPE_FACTS } from './event-types.js';
import { ATTENTION_CHANGE_TYPES, type AffectedPackage, type Severity, type WatcherEvent } from './model.js';
import type { SlackMessage } from './ports.js';
import {
  NO_TEXT,
  SLACK_SECTION_TEXT_MAX_CHARS,
  context,
  fallbackText,
  fields,
  fitWithReadMore,
  footer,
  header,
  message,
  section,
  vendorName,
  type Block,
  type SectionBlock,
} from './slack-blocks.js';
import { escapeSlackText, inline, linkableUrl, prose, slackLink, slackTime } from './slack-escape.js';
import { threadStateFrom, type ThreadState } from './slack-thread-state.js';
import { eventFactLines } from './fact-lines.js';
import { cleanLine } from './text/clean-line.js';
import { elapsed, formatWindow, lastedText } from './text/time.js';
import { watcherHeadline } from './watcher-health-text.js';
import { capitalize } from './text/words.js';

/** At most this many affected packages are listed; the rest are counted ("and N more"). */
export const SLACK_PACKAGES_SHOWN_MAX = 25;

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = { critical: '🔴', major: '🟠', minor: '🟡', info: '🔵' };
const DONE_STATUSES = new Set(['resolved', 'completed', 'postmortem']);

/** The root message of an item's thread: the item's current state, posted once and then updated in place. */
export function renderRoot(state: ThreadState): SlackMessage {
  return renderState(state, 'thread');
}

/** One self-contained message for an event (incoming-webhook mode, no threads): the root layout of this event alone. */
export function renderStandalone(event: WatcherEvent): SlackMessage {
  return renderState(threadStateFrom(undefined, event), 'standalone');
}

type Mode = 'thread' | 'standalone';

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
    case 'tenant':
    case 'synthetic':
    case 'allowlist':
    case 'deprecation':
      blocks = tenantBlocks(state);
      break;
  }
  blocks.push(footer(state.source, state.url));
  const detail = state.lastUpdate ? `${state.lastUpdate.label}: ${state.lastUpdate.text}` : state.summary;
  return message(fallbackText(state.severity, state.vendor, state.lastEventType, state.title, detail), blocks);
}

/** Resolved or completed: the vendor's status says so, or, when it gave none, the latest event type does. */
function isDone(state: ThreadState): boolean {
  if (state.status !== undefined && state.status.trim() !== '') return DONE_STATUSES.has(state.status.trim().toLowerCase());
  return EVENT_TYPE_FACTS[state.lastEventType].endsItem;
}

/**
 * The vendor's status made readable (`in_progress` → `In progress`), or what the latest event type implies; a resolved
 * incident also says how long it lasted (`Resolved after 2 h 14 min`).
 */
function statusText(state: ThreadState): string {
  const vendorStatus = cleanLine((state.status ?? '').replace(/_/g, ' '), 100);
  const status = escapeSlackText(capitalize(vendorStatus || EVENT_TYPE_FACTS[state.lastEventType].impliedStatus));
  // A thread that only ever saw the resolution knows no start: it says no duration rather than "less than 1 min".
  const known = state.resolvedAt !== undefined && (elapsed(state.openedAt, state.resolvedAt) ?? 0) > 0;
  const lasted = state.family === 'incident' && isDone(state) && known ? lastedText(state.openedAt, state.resolvedAt) : undefined;
  if (lasted === undefined) return status;
  return status === 'Resolved' ? `Resolved after ${lasted}` : `${status} (resolved after ${lasted})`;
}

function regionsText(regions: readonly string[] | undefined): string {
  const names = (regions ?? []).map((region) => cleanLine(region, 60)).filter((region) => region !== '');
  if (names.length === 0) return 'None named';
  const shown = escapeSlackText(names.slice(0, 20).join(', '));
  return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
}

/** `*<label>* · <time>` and the update text (or the summary), cut to a section with a read-more link. */
function latestSection(state: ThreadState): SectionBlock {
  if (state.lastUpdate === undefined) return summarySection(state);
  const { label, at, text } = state.lastUpdate;
  const head = `*${inline(label, 100) || 'Update'}* · ${slackTime(at)}\n`;
  return section(fitWithReadMore(head, prose(text) || NO_TEXT, SLACK_SECTION_TEXT_MAX_CHARS, state.url));
}

function summarySection(state: ThreadState): SectionBlock {
  return section(fitWithReadMore('', prose(state.summary) || NO_TEXT, SLACK_SECTION_TEXT_MAX_CHARS, state.url));
}

function incidentBlocks(state: ThreadState, mode: Mode): Block[] {
  const emoji = isDone(state) ? '✅' : SEVERITY_EMOJI[state.severity];
  // A maintenance's window is when the work happens: shown first, ahead of when notices were posted.
  const window = formatWindow(state.scheduledFor, state.scheduledUntil);
  const blocks: Block[] = [
    header(`${emoji} ${vendorName(state.vendor)}: `, inline(state.title, 300)),
    fields([
      ['Status', statusText(state)],
      ['Severity', capitalize(state.severity)],
      // Third-party pages name components rather than regions.
      state.components?.length && !state.regions?.length
        ? ['Components', regionsText(state.components)]
        : ['Regions', regionsText(state.regions)],
      ...(window !== undefined ? [['Scheduled', escapeSlackText(window)] as const] : []),
      ['Last update', slackTime(state.lastUpdateAt)],
      ['Opened', slackTime(state.openedAt)],
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
      ['Published', slackTime(state.openedAt)],
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
  // The item id is the GHSA or CVE id for GitHub advisories; an id that is a link is shown below instead.
  if (linkableUrl(state.itemId) === undefined) entries.push(['Advisory', inline(state.itemId, 100)]);
  const cve = [state.title, state.summary].map((text) => CVE_ID.exec(text)?.[0]).find((id) => id !== undefined);
  if (cve !== undefined && cve.toUpperCase() !== state.itemId.toUpperCase()) entries.push(['CVE', inline(cve.toUpperCase(), 40)]);
  entries.push(['Published', slackTime(state.openedAt)]);
  if (state.lastUpdateAt !== state.openedAt) entries.push(['Last update', slackTime(state.lastUpdateAt)]);

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
  const recovered = EVENT_TYPE_FACTS[state.lastEventType].endsItem;
  // The title names the watcher ("Watcher cannot read GitHub status (3 failures)"): it is not the vendor's outage.
  return [header(`${recovered ? '✅' : '⚠️'} `, inline(watcherHeadline(state.title), 300)), summarySection(state)];
}

/** Slack shows at most ten fields in a section: Status and Severity, then this many facts. */
const MAX_FACT_FIELDS = 8;

/**
 * A tenant-log, tenant-check, synthetic-login, allow-list or deprecation event: what was counted or checked (client,
 * path, connection, feature, latency, CIDRs, dates) as fields, then the summary.
 */
function tenantBlocks(state: ThreadState): Block[] {
  const ended = EVENT_TYPE_FACTS[state.lastEventType].endsItem;
  const emoji = ended ? '✅' : SEVERITY_EMOJI[state.severity];
  const facts = eventFactLines(state)
    .slice(0, MAX_FACT_FIELDS)
    .map(([name, value]) => [name, escapeSlackText(value)] as const);
  const about = state.family === 'tenant' || state.family === 'synthetic' ? ' tenant' : '';
  return [
    header(`${emoji} ${vendorName(state.vendor)}${about}: `, inline(state.title, 300)),
    fields([['Status', statusText(state)], ['Severity', capitalize(state.severity)], ...facts]),
    summarySection(state),
  ];
}
