// Plug-in 'opsgenie': a watcher event as Opsgenie Alert API requests (pure). One alert per incident under one alias:
// created by the incident's first event, a note per update, closed by the event that ends the item.
import { renderEmailText, renderSubject } from '../../core/event-text.js';
import type { Severity, WatcherEvent } from '../../core/model.js';
import { cleanLine } from '../../core/text/clean-line.js';
import { formatUtc } from '../../core/text/time.js';
import { truncateChars } from '../../core/text/truncate.js';
import { alertDetailsOf, alertKeyOf, alertLinkOf, alertTextOf } from '../paging-alert.js';

/** The Alert API's documented limits. */
export const OPSGENIE_LIMITS = {
  alias: 512,
  message: 130,
  description: 15_000,
  source: 100,
  entity: 512,
  tags: 20,
  tagChars: 50,
  /** Keys and values of `details` together. */
  detailsChars: 8_000,
  note: 25_000,
} as const;

/** The watcher's severities as Opsgenie priorities (P1 critical … P5 informational; P4 is not used). */
export const OPSGENIE_PRIORITY: { readonly [S in Severity]: 'P1' | 'P2' | 'P3' | 'P5' } = {
  critical: 'P1',
  major: 'P2',
  minor: 'P3',
  info: 'P5',
};

const SOURCE = 'Auth0 Ops Watcher';
/** Update text quoted in a note; the alert's link leads to the rest. */
const NOTE_TEXT_CHARS = 4_000;

/** `POST /v2/alerts`. */
export interface OpsgenieCreateAlert {
  readonly message: string;
  readonly alias: string;
  readonly description: string;
  readonly priority: (typeof OPSGENIE_PRIORITY)[Severity];
  readonly source: string;
  readonly entity: string;
  readonly tags: readonly string[];
  readonly details: Readonly<Record<string, string>>;
}

/** `POST /v2/alerts/{alias}/notes` and `…/close`: a note, and who sends it. */
export interface OpsgenieNote {
  readonly note: string;
  readonly source: string;
}

/** The alias of the event's incident. */
export function opsgenieAliasOf(event: WatcherEvent): string {
  return alertKeyOf(event, OPSGENIE_LIMITS.alias);
}

/** The note's last line: the watcher event it came from, so that an operator can find the event in the event log. */
export function noteMarkerOf(event: WatcherEvent): string {
  return `[watcher event ${cleanLine(event.id, 300)}]`;
}

/**
 * The alert for `event`: the email subject as its message, the email text as its description (bounded), the severity
 * as its priority, and the event's fields as tags and details (vendor text cleaned, every field within its limit).
 */
export function toOpsgenieAlert(event: WatcherEvent): OpsgenieCreateAlert {
  const vendor = cleanLine(event.vendor, 60) || 'Vendor';
  const tags = [
    'auth0-ops-watcher',
    event.type.split('.')[0]!,
    `severity:${event.severity}`,
    vendor,
    ...(event.regions ?? []),
  ].map((tag) => cleanLine(tag.replace(/,/g, ' '), OPSGENIE_LIMITS.tagChars)).filter(Boolean);
  return {
    message: truncateChars(renderSubject(event), OPSGENIE_LIMITS.message, '...'),
    alias: opsgenieAliasOf(event),
    description: renderEmailText(event, { maxBytes: OPSGENIE_LIMITS.description }),
    priority: OPSGENIE_PRIORITY[event.severity],
    source: SOURCE,
    entity: cleanLine(`${vendor} ${(event.regions ?? []).join(' ')}`, 200),
    tags: [...new Set(tags)].slice(0, OPSGENIE_LIMITS.tags),
    details: boundedDetails(event),
  };
}

/**
 * The note an update adds (or a resolution closes with): what happened, the vendor's words, the link, and the event's
 * marker on the last line.
 */
export function toOpsgenieNote(event: WatcherEvent): OpsgenieNote {
  const label = event.update ? `${cleanLine(event.update.label, 60) || 'Update'} (${formatUtc(event.update.at)})` : formatUtc(event.occurredAt);
  const lines = [renderSubject(event), `${label}: ${alertTextOf(event, NOTE_TEXT_CHARS)}`, alertLinkOf(event) ?? '', noteMarkerOf(event)];
  return { note: truncateChars(lines.filter(Boolean).join('\n'), OPSGENIE_LIMITS.note), source: SOURCE };
}

/** The event's details while keys and values together stay within Opsgenie's limit; later ones are left out. */
function boundedDetails(event: WatcherEvent): Record<string, string> {
  const details: Record<string, string> = {};
  let used = 0;
  for (const [label, value] of alertDetailsOf(event, 1_000)) {
    if (used + label.length + value.length > OPSGENIE_LIMITS.detailsChars) continue;
    details[label] = value;
    used += label.length + value.length;
  }
  return details;
}
