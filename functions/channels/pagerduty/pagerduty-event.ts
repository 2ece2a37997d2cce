// Plug-in 'pagerduty': a watcher event as a PagerDuty Events API v2 event (pure). One alert per incident, filed under
// one `dedup_key`: every event of the incident triggers it again (PagerDuty adds it to the open alert), the one that
// ends the item resolves it.
import { renderSubject } from '../../core/event-text.js';
import type { Severity, WatcherEvent } from '../../core/model.js';
import { cleanLine } from '../../core/text/clean-line.js';
import { listWithMore } from '../../core/text/words.js';
import { alertDetailsOf, alertKeyOf, alertLinkOf, closesAlert } from '../paging-alert.js';

/** PagerDuty's limits: `dedup_key` 255 characters, `summary` 1024. */
export const PAGERDUTY_DEDUP_KEY_MAX = 255;
export const PAGERDUTY_SUMMARY_MAX = 1024;

/** The watcher's severities as PagerDuty's (critical, error, warning, info). */
export const PAGERDUTY_SEVERITY: { readonly [S in Severity]: 'critical' | 'error' | 'warning' | 'info' } = {
  critical: 'critical',
  major: 'error',
  minor: 'warning',
  info: 'info',
};

/** An Events API v2 event without its routing key (the client adds it). */
export type PagerDutyEvent =
  | {
      readonly event_action: 'trigger';
      readonly dedup_key: string;
      readonly payload: {
        readonly summary: string;
        readonly source: string;
        readonly severity: (typeof PAGERDUTY_SEVERITY)[Severity];
        readonly timestamp: string;
        readonly component?: string;
        readonly group: string;
        readonly class: string;
        readonly custom_details: Readonly<Record<string, string>>;
      };
      readonly links: ReadonlyArray<{ readonly href: string; readonly text: string }>;
      readonly client: string;
    }
  | { readonly event_action: 'resolve'; readonly dedup_key: string };

/** The dedup key of the event's incident. */
export function pagerDutyDedupKeyOf(event: WatcherEvent): string {
  return alertKeyOf(event, PAGERDUTY_DEDUP_KEY_MAX);
}

/**
 * The Events API event for `event`: `resolve` when it ends its item, else `trigger` with a payload whose summary is the
 * email subject (printable ASCII, one line), whose severity is mapped, and whose vendor text is cleaned and bounded.
 */
export function toPagerDutyEvent(event: WatcherEvent): PagerDutyEvent {
  const dedupKey = pagerDutyDedupKeyOf(event);
  if (closesAlert(event)) return { event_action: 'resolve', dedup_key: dedupKey };
  const vendor = cleanLine(event.vendor, 60) || 'Vendor';
  const regions = (event.regions ?? []).map((region) => cleanLine(region, 20)).filter(Boolean);
  const components = (event.components ?? []).map((component) => cleanLine(component, 60)).filter(Boolean);
  const link = alertLinkOf(event);
  return {
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: renderSubject(event).slice(0, PAGERDUTY_SUMMARY_MAX),
      source: cleanLine(event.source, 100) || 'auth0-ops-watcher',
      severity: PAGERDUTY_SEVERITY[event.severity],
      timestamp: validTime(event.occurredAt) ?? validTime(event.detectedAt) ?? new Date(0).toISOString(),
      ...(components.length > 0 && { component: cleanLine(listWithMore(components, 5), 255) }),
      group: regions.length > 0 ? cleanLine(`${vendor} ${listWithMore(regions, 5)}`, 255) : vendor,
      class: event.type,
      custom_details: Object.fromEntries(alertDetailsOf(event, 1_000)),
    },
    links: link ? [{ href: link, text: `${vendor} page for this ${event.type.split('.')[0]}` }] : [],
    client: 'Auth0 Ops Watcher',
  };
}

/** The time as ISO 8601 when it is one (PagerDuty refuses a timestamp it cannot read). */
function validTime(iso: string): string | undefined {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}
