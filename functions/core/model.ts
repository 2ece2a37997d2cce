// The domain model shared by sources, diffing, events and rendering: plain data, no I/O.
import type { EventType } from './event-types.js';

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The more severe of two severities (`a` may be unknown yet). */
export function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  if (!a) return b;
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/** Auth0 change-log entry types, as used by the change log itself. */
export const CHANGE_TYPES = [
  'added',
  'updated',
  'fixed',
  'changed',
  'deprecated',
  'upcoming-deprecation',
  'removed',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Change types operators must not miss (there is no "breaking" flag in the change log). */
export const ATTENTION_CHANGE_TYPES: readonly ChangeType[] = [
  'deprecated',
  'upcoming-deprecation',
  'removed',
  'changed',
];

/** One dated entry of an incident's or maintenance's update history. */
export interface ItemUpdate {
  /** The vendor's label: Investigating, Identified, Monitoring, Update, Resolved, Postmortem, Scheduled, In progress, Verifying, Completed. */
  readonly label: string;
  /** ISO 8601, UTC. */
  readonly at: string;
  /** Plain text, markup removed, white space folded. */
  readonly text: string;
}

export interface IncidentItem {
  readonly kind: 'incident' | 'maintenance';
  /** Stable key: the id in the `/incidents/<id>` link. */
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  /** The entry's own updated/pubDate stamp, ISO 8601. */
  readonly updatedAt?: string;
  /** Update history, newest first, as the feeds list it. */
  readonly updates: readonly ItemUpdate[];
  /** When the incident began, ISO 8601, where the format says so; else its earliest update's time is its start. */
  readonly startedAt?: string;
  /** Regions named by the incident (e.g. "US-1"); empty when it names none. */
  readonly regions: readonly string[];
  /** The vendor's own impact rating, where the format has one (Statuspage, Google); decides the severity. */
  readonly impact?: Severity;
  /** Affected components or products, where the format names them ("Git Operations", "Identity Platform"). */
  readonly components?: readonly string[];
  /** Maintenance: when the work is scheduled to start, ISO 8601, where the source gives its window. */
  readonly scheduledFor?: string;
  /** Maintenance: when the work is scheduled to end, ISO 8601, where the source gives its window. */
  readonly scheduledUntil?: string;
}

export interface ChangelogItem {
  readonly kind: 'changelog';
  /** The entry's `<guid>` (its per-entry URL). */
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly publishedAt?: string;
  readonly changeType: ChangeType;
  /** How the change type was found: the feed said so, or it was classified from the text. */
  readonly changeTypeFrom: 'feed' | 'classified';
  /** Plain-text description. */
  readonly text: string;
}

export interface AffectedPackage {
  readonly ecosystem: string;
  readonly name: string;
  readonly vulnerableRange?: string;
  readonly firstPatchedVersion?: string;
}

export interface AdvisoryItem {
  readonly kind: 'advisory';
  /** GHSA id or CVE id (a link for a source that names advisories by URL). */
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly publishedAt?: string;
  readonly updatedAt?: string;
  readonly withdrawnAt?: string;
  /** Vendor severity as published: low, medium, high, critical, or unknown. */
  readonly vendorSeverity: 'low' | 'medium' | 'high' | 'critical' | 'unknown';
  readonly cveId?: string;
  readonly packages: readonly AffectedPackage[];
  readonly text: string;
}

export type Item = IncidentItem | ChangelogItem | AdvisoryItem;
export type ItemKind = Item['kind'];

/**
 * A pure parse either yields items or says why it could not read the document. Never an empty list for "could not read".
 * `skipped` names entries left out because they could not be read on their own (no identity to key them on), each
 * with its position or title and the reason; the rest of the document is read.
 */
export type ParseResult =
  | {
      readonly ok: true;
      readonly items: readonly Item[];
      readonly skipped?: readonly string[];
      /** Who the items are about as the document names itself (a status page's own name), for a source whose config names no vendor: the events carry it instead of the module's `vendorOf`. */
      readonly vendor?: string;
    }
  | { readonly ok: false; readonly reason: string };

// Event types and what is known about each live in one table (event-types.ts); the model names them from there.
export { EVENT_TYPES, type EventType } from './event-types.js';

/**
 * What a tenant-log event (`tenant.*`) counted: strings from the tenant's logs, cleaned and bounded when the event is
 * made. `count` is the number of logs the event stands for (0 for `tenant.logs_gap`: the missing logs are unknown).
 */
export interface TenantEventFacts {
  /** The log type code counted (`api_limit`, `depnote`, `f`, …); absent when several were. */
  readonly logType?: string;
  readonly count: number;
  /** The detector's window, minutes. */
  readonly windowMinutes?: number;
  readonly clientId?: string;
  readonly clientName?: string;
  /** The request path a rate limit was hit on (`/api/v2/users`). */
  readonly path?: string;
  /** The rate-limit bucket (`global`, `per_ip_oauth_token`). */
  readonly bucket?: string;
  readonly connection?: string;
  /** The connection's strategy; for a social connection the provider (`google-oauth2`). */
  readonly strategy?: string;
  /** The deprecated feature a `depnote` names. */
  readonly feature?: { readonly id: string; readonly name?: string };
  /** Login failures: the tenant's own recent rate for a window of the same length. */
  readonly baseline?: number;
  /** First and last log of the episode (a gap: the missing span), ISO 8601. */
  readonly from?: string;
  readonly to?: string;
}

/** A synthetic login's outcome (`synthetic.*`). */
export interface SyntheticEventFacts {
  readonly outcome: 'failing' | 'slow' | 'misconfigured' | 'ok';
  /** The latest probe's duration, ms. */
  readonly latencyMs?: number;
  /** The configured latency threshold, ms. */
  readonly thresholdMs?: number;
  /** Probes in a row with this outcome. */
  readonly consecutive?: number;
  /** Why it failed or is misconfigured, in words (the token endpoint's error code and description, cleaned). */
  readonly cause?: string;
  readonly httpStatus?: number;
}

/** A change of Auth0's published outbound IP addresses for one region (`allowlist.changed`). */
export interface AllowlistEventFacts {
  /** The region's key in the list (`US`, `EU`, `AU`, `CA`, `JP`, `UK`). */
  readonly region: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Auth0's own changelog lines about the change. */
  readonly changelog?: readonly string[];
  /** When the change takes effect, where the changelog says (ISO 8601). */
  readonly effectiveFrom?: string;
}

/** A deprecation's dates (`deprecation.*`), `YYYY-MM-DD`. */
export interface DeprecationEventFacts {
  readonly deprecatedOn?: string;
  readonly endOfLife?: string;
  /** Whole days from detection to the end of life. */
  readonly daysLeft?: number;
}

/** Names one event: enough to find it in the event log (its id, and its detection time, which keys the log). */
export interface EventLink {
  readonly id: string;
  /** The linked event's `detectedAt`, ISO 8601. */
  readonly detectedAt: string;
}

/** Schema version 1 of the event published for every change (documented in the README). */
export interface WatcherEvent {
  readonly schemaVersion: 1;
  /** Stable and unique for this change: consumers deduplicate on it. */
  readonly id: string;
  readonly type: EventType;
  /** The configured source id: the source that saw the change. */
  readonly source: string;
  /**
   * Where the item is tracked when several sources read it (the regional feeds of one Auth0 status page: `@<host>`);
   * absent when the item is its source's own. One item, one scope: the same change has the same id and the same thread
   * whichever of the scope's sources saw it.
   */
  readonly scope?: string;
  /** The source's type (auth0-status, auth0-changelog, github-advisories, statuspage, …). */
  readonly sourceType: string;
  /** Who the item is about, for people ("Auth0"). */
  readonly vendor: string;
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  readonly severity: Severity;
  /** When the change happened at the vendor, ISO 8601. */
  readonly occurredAt: string;
  /** When the watcher saw it, ISO 8601. */
  readonly detectedAt: string;
  /** One or two sentences of plain text. */
  readonly summary: string;
  readonly status?: string;
  readonly regions?: readonly string[];
  readonly changeType?: ChangeType;
  readonly packages?: readonly AffectedPackage[];
  /** The update this event is about, for incident and maintenance events. */
  readonly update?: ItemUpdate;
  /**
   * Incident events: the incident's updates before {@link update}, newest first, as many as fit a compact list (at most
   * `EVENT_BUDGETS.maxEarlierUpdates`, each text cut to `earlierUpdateTextBytes`); absent when there were none.
   */
  readonly earlierUpdates?: readonly ItemUpdate[];
  /**
   * Incident events: when the incident began, ISO 8601 (the start its vendor states, else its earliest update's time:
   * the `occurredAt` of its `incident.opened`). A resolution's duration is counted from it.
   */
  readonly startedAt?: string;
  /** Affected components or products, where the source names them. */
  readonly components?: readonly string[];
  /** Maintenance events: when the work is scheduled to start, ISO 8601, where the source gives its window. */
  readonly scheduledFor?: string;
  /** Maintenance events: when the work is scheduled to end, ISO 8601, where the source gives its window. */
  readonly scheduledUntil?: string;
  /** Tenant-log events (`tenant.*`): what the detector counted. */
  readonly tenant?: TenantEventFacts;
  /** Tenant checks (`tenant.check_*`): which check (`email-provider`, `log-stream`, …). */
  readonly check?: string;
  /** What to do about it, in words (tenant checks, misconfigured probes). */
  readonly action?: string;
  /** Synthetic login events (`synthetic.*`). */
  readonly synthetic?: SyntheticEventFacts;
  /** IP allow-list changes (`allowlist.changed`). */
  readonly allowlist?: AllowlistEventFacts;
  /** Deprecations (`deprecation.*`). */
  readonly deprecation?: DeprecationEventFacts;
  /**
   * The event announced just before this one about the same thread (same `scope`, else `source`, and `itemId`; a source's
   * `source.failing`/`source.recovered` events form their own thread). Absent on a thread's first event and on events
   * from before this field existed. Consumers that must keep a thread in order (the Slack notifier) wait for it;
   * it is not part of the event's identity, so the id does not depend on it.
   */
  readonly previous?: EventLink;
}
