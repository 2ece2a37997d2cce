// Slack rendering: what the root message of an item's thread shows, folded from the item's events one by one, so that
// the root can be updated in place whatever order the events arrive in (pure).
import { EVENT_TYPE_FACTS, familyOf, type EventFamily, type EventType } from './event-types.js';
import {
  maxSeverity,
  type AffectedPackage,
  type ChangeType,
  type ItemUpdate,
  type Severity,
  type TenantEventFacts,
  type WatcherEvent,
} from './model.js';

/** What the root message of an item's thread shows: every event of the item folded in by {@link threadStateFrom}. */
export interface ThreadState {
  readonly family: EventFamily;
  readonly source: string;
  readonly sourceType: string;
  readonly vendor: string;
  readonly itemId: string;
  readonly title: string;
  readonly url: string;
  /** Only ever raised. */
  readonly severity: Severity;
  readonly status?: string;
  readonly regions?: readonly string[];
  /** Affected components or products (third-party pages). */
  readonly components?: readonly string[];
  /** Maintenance: its scheduled window, ISO 8601, where the source gives it. */
  readonly scheduledFor?: string;
  readonly scheduledUntil?: string;
  /** The earliest time seen: an incident's start (`startedAt`) or an event's time (normally the first event's). */
  readonly openedAt: string;
  /** Incidents: when the resolving update was posted (the latest `incident.resolved`'s time); the duration ends there. */
  readonly resolvedAt?: string;
  /** The latest event time seen. */
  readonly lastUpdateAt: string;
  readonly lastUpdate?: ItemUpdate;
  /** Type of the latest event: gives the status when the vendor gave none, and the fallback text's phrase. */
  readonly lastEventType: EventType;
  /** Summary of the latest event: the body of roots without an update (change log, advisories, sources). */
  readonly summary: string;
  readonly changeType?: ChangeType;
  readonly packages?: readonly AffectedPackage[];
  readonly rcaPublished?: boolean;
  /** Tenant-log events: what the latest one counted. */
  readonly tenant?: TenantEventFacts;
  /** Tenant checks, probes, allow-list changes and deprecations: the latest event's facts (see core/fact-lines.ts). */
  readonly check?: string;
  readonly action?: string;
  readonly synthetic?: WatcherEvent['synthetic'];
  readonly allowlist?: WatcherEvent['allowlist'];
  readonly deprecation?: WatcherEvent['deprecation'];
}

/** True when `a` is a readable time strictly before readable `b`; unreadable stamps never count as earlier. */
function isBefore(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

/**
 * Folds one event into the state shown by its item's root message. The newest event (by `occurredAt`) sets the
 * title, link, status, regions and latest update; an older event arriving late only raises severity and marks a
 * published root-cause analysis, so a redelivered update cannot turn a resolved root back to open.
 * Severity only rises; `openedAt` is the earliest time seen, `lastUpdateAt` the latest.
 */
export function threadStateFrom(previous: ThreadState | undefined, event: WatcherEvent): ThreadState {
  const rcaPublished = EVENT_TYPE_FACTS[event.type].publishesRca === true || previous?.rcaPublished === true || undefined;
  // An incident's event says when it began, which may be before the first event this thread saw.
  const opened = event.startedAt !== undefined && isBefore(event.startedAt, event.occurredAt) ? event.startedAt : event.occurredAt;
  const resolved = event.type === 'incident.resolved' ? (event.update?.at ?? event.occurredAt) : undefined;
  if (previous === undefined) {
    return compact({
      ...newestFrom(event, undefined),
      severity: event.severity,
      openedAt: opened,
      resolvedAt: resolved,
      rcaPublished,
    });
  }
  const base: ThreadState = {
    ...previous,
    severity: maxSeverity(previous.severity, event.severity),
    openedAt: isBefore(opened, previous.openedAt) ? opened : previous.openedAt,
    resolvedAt: resolved !== undefined && (previous.resolvedAt === undefined || isBefore(previous.resolvedAt, resolved)) ? resolved : previous.resolvedAt,
    rcaPublished,
  };
  // An event older than the latest one shown only raises what `base` raised.
  if (isBefore(event.occurredAt, previous.lastUpdateAt)) return compact(base);
  return compact({ ...base, ...newestFrom(event, previous) });
}

/** What the newest event of an item sets; an optional field it lacks keeps its value in `previous`. */
function newestFrom(event: WatcherEvent, previous: ThreadState | undefined) {
  return {
    family: familyOf(event.type),
    source: event.source,
    sourceType: event.sourceType,
    vendor: event.vendor,
    itemId: event.itemId,
    title: event.title,
    url: event.url,
    status: event.status ?? previous?.status,
    regions: event.regions ?? previous?.regions,
    components: event.components ?? previous?.components,
    scheduledFor: event.scheduledFor ?? previous?.scheduledFor,
    scheduledUntil: event.scheduledUntil ?? previous?.scheduledUntil,
    lastUpdateAt: event.occurredAt,
    lastUpdate: event.update ?? previous?.lastUpdate,
    lastEventType: event.type,
    summary: event.summary,
    changeType: event.changeType ?? previous?.changeType,
    packages: event.packages ?? previous?.packages,
    tenant: event.tenant ?? previous?.tenant,
    check: event.check ?? previous?.check,
    action: event.action ?? previous?.action,
    synthetic: event.synthetic ?? previous?.synthetic,
    allowlist: event.allowlist ?? previous?.allowlist,
    deprecation: event.deprecation ?? previous?.deprecation,
  };
}

/** Drops undefined optionals so a stored state stays tidy. */
function compact(state: ThreadState): ThreadState {
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined)) as unknown as ThreadState;
}
