// Renders a WatcherEvent as the message a Teams Workflows webhook posts: one Adaptive Card (version 1.4) with a
// headline naming the severity, the event's facts, its summary and latest update, and a button to the vendor's page
// (pure). Vendor text is made inert in the Markdown subset cards render and bounded so the message stays under Teams'
// size limit.
import { EVENT_TYPE_FACTS } from '../../core/event-types.js';
import { eventFactLines } from '../../core/fact-lines.js';
import { ATTENTION_CHANGE_TYPES, type Severity, type WatcherEvent } from '../../core/model.js';
import { cleanLine } from '../../core/text/clean-line.js';
import { formatUtc, formatWindow } from '../../core/text/time.js';
import { TRUNCATION_MARK, truncateToBytes, utf8Bytes } from '../../core/text/truncate.js';
import { listWithMore } from '../../core/text/words.js';

/**
 * Upper bound of the whole request body in UTF-8 bytes: Teams refuses a message over about 28 KB (card and envelope),
 * and the flow adds its own wrapping, so the card keeps a margin under it.
 */
export const TEAMS_MESSAGE_MAX_BYTES = 24 * 1024;

/** What cards of this version render everywhere Teams runs (desktop, web, mobile). */
export const ADAPTIVE_CARD_VERSION = '1.4';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A card element or action, as Teams reads its JSON. */
type CardElement = Readonly<Record<string, unknown>>;

/** The body a Workflows webhook takes: a message with one Adaptive Card attachment. */
export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    { readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; readonly contentUrl: null; readonly content: CardElement },
  ];
}

/** Caps before the byte budget: one line each, so a card reads at a glance. */
const MAX_CHARS = { title: 300, vendor: 60, fact: 500, region: 60, component: 100, label: 100 } as const;
/** The longest link a button carries; a longer one is left out rather than cut (a cut link is a wrong link). */
const LINK_MAX_CHARS = 2000;
/** Long texts start from these and are cut further when the card would outgrow the limit. */
const SUMMARY_MAX_BYTES = 2_000;
const UPDATE_MAX_BYTES = 12_000;

const HEADLINE_COLOR: Readonly<Record<Severity, string>> = { critical: 'Attention', major: 'Warning', minor: 'Accent', info: 'Default' };

/** The Workflows message for `event`, within `maxBytes` of JSON (default {@link TEAMS_MESSAGE_MAX_BYTES}). */
export function renderTeamsMessage(event: WatcherEvent, options: { readonly maxBytes?: number } = {}): TeamsMessage {
  const maxBytes = options.maxBytes ?? TEAMS_MESSAGE_MAX_BYTES;
  let budgets = { summary: SUMMARY_MAX_BYTES, update: UPDATE_MAX_BYTES };
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const message = envelope(card(event, budgets));
    const overflow = bytesOf(message) - maxBytes;
    if (overflow <= 0) return message;
    // The update text gives way first, then the summary; escaping may grow what is left, hence the margin.
    const cut = overflow + 512;
    budgets =
      budgets.update > 0
        ? { ...budgets, update: Math.max(0, budgets.update - cut) }
        : { ...budgets, summary: Math.max(200, budgets.summary - cut) };
  }
  // Only reachable when the facts alone are huge: the card keeps its headline, the first facts and the button.
  return envelope(card(event, { summary: 200, update: 0 }, 5));
}

/** Vendor text as one line that renders as itself in an Adaptive Card TextBlock or Fact (see {@link escapeCardMarkdown}). */
export function cardText(text: string | undefined, maxChars?: number): string {
  return escapeCardMarkdown(cleanLine(text ?? '', maxChars));
}

/**
 * Makes one line of text inert in the Markdown subset Adaptive Cards render in Teams (bold, italic, lists, links):
 * CommonMark backslash escapes for the characters that start emphasis, links, code and mentions (`* _ [ ] ( ) ` ~ < > &`
 * and the backslash itself), and for a list or heading marker at the start of the line, so that `[text](url)` cannot
 * disguise a link and `**` cannot shout. A bare URL stays visible as what it is. Teams' desktop and web clients hide the
 * escapes; older mobile clients may show some of them, which costs looks, never safety.
 */
export function escapeCardMarkdown(line: string): string {
  return line
    .replace(/[\\`*_[\]()~<>&]/g, (char) => `\\${char}`)
    .replace(/^(\s*)([-+#>])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

function envelope(content: CardElement): TeamsMessage {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }] };
}

function card(event: WatcherEvent, budgets: { summary: number; update: number }, maxFacts?: number): CardElement {
  const type = EVENT_TYPE_FACTS[event.type];
  const vendor = cardText(event.vendor, MAX_CHARS.vendor) || 'Vendor';
  const headline = `[${event.severity.toUpperCase()}] ${vendor} ${type.phrase}: ${cardText(event.title, MAX_CHARS.title) || '(untitled)'}`;
  const facts = factsOf(event).slice(0, maxFacts);
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: headline,
      size: 'Medium',
      weight: 'Bolder',
      wrap: true,
      color: type.endsItem ? 'Good' : HEADLINE_COLOR[event.severity],
    },
    { type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) },
  ];
  const summary = longText(event.summary, budgets.summary);
  if (summary !== '') body.push({ type: 'TextBlock', text: summary, wrap: true, spacing: 'Medium' });
  if (event.update) {
    const label = cardText(event.update.label, MAX_CHARS.label) || 'Update';
    body.push({ type: 'TextBlock', text: `${label} · ${cardText(formatUtc(event.update.at))}`, weight: 'Bolder', wrap: true, spacing: 'Medium' });
    body.push({ type: 'TextBlock', text: longText(event.update.text, budgets.update) || '(no text)', wrap: true, spacing: 'Small' });
  }
  body.push({
    type: 'TextBlock',
    text: `auth0-ops-watcher · ${cardText(event.type)} · event ${cardText(event.id, 200)}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
    spacing: 'Medium',
  });
  const link = openableUrl(event.url);
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    msteams: { width: 'Full' },
    body,
    ...(link && { actions: [{ type: 'Action.OpenUrl', title: `View on ${link.host}`, url: link.href }] }),
  };
}

/** The facts shown in the card's FactSet: our own labels, escaped vendor values. */
function factsOf(event: WatcherEvent): Array<readonly [string, string]> {
  const type = EVENT_TYPE_FACTS[event.type];
  const regions = (event.regions ?? []).map((region) => cardText(region, MAX_CHARS.region)).filter((region) => region !== '');
  const components = (event.components ?? []).map((c) => cardText(c, MAX_CHARS.component)).filter((c) => c !== '');
  const window = formatWindow(event.scheduledFor, event.scheduledUntil);
  const facts: Array<readonly [string, string]> = [
    ['Status', cardText(event.status, MAX_CHARS.fact) || cardText(type.impliedStatus)],
    ['Severity', event.severity],
    ['Regions', regions.length === 0 ? 'none named' : listWithMore(regions, 20)],
  ];
  if (components.length > 0) facts.push(['Components', listWithMore(components, 20)]);
  if (window !== undefined) facts.push(['Scheduled', cardText(window)]);
  facts.push(['When', cardText(formatUtc(event.occurredAt))]);
  facts.push(['Source', `${cardText(event.source, MAX_CHARS.fact)} (${cardText(event.vendor, MAX_CHARS.vendor) || 'Vendor'})`]);
  if (event.changeType) {
    const attention = ATTENTION_CHANGE_TYPES.includes(event.changeType) ? ' (needs attention)' : '';
    facts.push(['Change type', `${cardText(event.changeType)}${attention}`]);
  }
  // Tenant-log, probe, allow-list and deprecation facts: already one cleaned line each, escaped here for the card.
  for (const [name, value] of eventFactLines(event)) facts.push([name, escapeCardMarkdown(cleanLine(value, MAX_CHARS.fact))]);
  return facts;
}

/** A long vendor text as one escaped line within `maxBytes` (before escaping), ending in the truncation mark when cut. */
function longText(text: string, maxBytes: number): string {
  const line = cleanLine(text);
  if (line === '') return '';
  return escapeCardMarkdown(maxBytes <= 0 ? TRUNCATION_MARK : truncateToBytes(line, maxBytes));
}

/** The event's link when it is an http(s) URL a button can open; undefined otherwise (the card goes without one). */
function openableUrl(url: string): URL | undefined {
  if (url.length > LINK_MAX_CHARS) return undefined;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function bytesOf(message: TeamsMessage): number {
  return utf8Bytes(JSON.stringify(message));
}
