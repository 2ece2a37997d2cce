// The tenant-log detectors' state (plain JSON, bounded, stored on the source record) and what each detector shares:
// the run's context, its clock and the events it emits.
import { makeEvent, type EventSourceInfo } from '../event-factory.js';
import { EVENT_TYPE_FACTS } from '../event-types.js';
import type { EventType, Severity, TenantEventFacts, WatcherEvent } from '../model.js';
import type { TenantDetectorSettings } from './settings.js';

/** An open episode of rate limits, extensibility failures or security signals for one item (times in ms). */
export interface EpisodeState {
  kind: 'rate' | 'extensibility' | 'security';
  /** First and last log of the episode. */
  start: number;
  last: number;
  count: number;
  /** Rate limits: an `api_limit` was seen (else only warnings). */
  limited?: boolean;
  /** What has been announced: `warning` or `limited` for rate limits, `yes` for the others. */
  announced?: 'warning' | 'limited' | 'yes';
  logType?: string;
  clientId?: string;
  clientName?: string;
  path?: string;
  bucket?: string;
  /** Extensibility: the action or flow, and the first error message. */
  subject?: string;
  message?: string;
}

/**
 * When a deprecation notice for one feature and client (keyed `depnote:<feature id>:<client id or "tenant">`) was last
 * announced and last seen (ms); the feature's and client's names and the notices seen since the announcement, where
 * known (state written before they were kept has only the times).
 */
export interface DeprecationState {
  announced: number;
  last: number;
  count?: number;
  name?: string;
  clientName?: string;
}

/** Failed logins on one connection: per-minute counts of the last window, per-hour counts of the baseline, a spike. */
export interface LoginState {
  /** `[minute since the epoch, failures]`, oldest first, within the window. */
  m: Array<[number, number]>;
  /** `[hour since the epoch, failures]`, oldest first, within the baseline. */
  h: Array<[number, number]>;
  strategy?: string;
  /** Newest failure, ms. */
  last: number;
  spike?: { start: number; peak: number; baseline: number; announced: boolean; logType?: string };
}

/** The detectors' state: plain JSON, at most a few tens of KB whatever the logs. */
export interface TenantDetectorState {
  readonly v: 1;
  /** The newest log time seen (ms), by either path. */
  readonly clock?: number;
  /**
   * The horizon (ms): every log up to this time has been classified, because the poll read it in log_id order (or a
   * tick found nothing newer). Quiet periods are judged against it, never against logs the real-time path saw ahead
   * of it. Absent in state written before it was kept: the clock stands in for it.
   */
  readonly through?: number;
  /** The first log time seen (ms): login baselines learn from there. */
  readonly since?: number;
  readonly episodes: Readonly<Record<string, EpisodeState>>;
  readonly deprecations: Readonly<Record<string, DeprecationState>>;
  readonly logins: Readonly<Record<string, LoginState>>;
}

/** At most this many keys per detector; the least recently active goes first. */
export const MAX_KEYS = { episodes: 50, deprecations: 100, logins: 30 } as const;

export interface TenantDetectorContext {
  /** The source as events name it (see `DiffContext.source`). */
  readonly source: EventSourceInfo;
  readonly now: Date;
  readonly settings: TenantDetectorSettings;
}

/** A detector run's mutable working copy of the state, and the events it has emitted so far. */
export interface Run {
  readonly ctx: TenantDetectorContext;
  /**
   * The logs lie ahead of the horizon (the real-time path): older logs may still come. Such a run announces what its
   * logs show but ends, forgets and prunes nothing, and defers a log whose meaning depends on logs not seen yet.
   */
  readonly ahead: boolean;
  /** Log ids of an ahead run left unclassified for the poll, which reads them in order. */
  readonly deferred: string[];
  readonly state: {
    clock?: number;
    through?: number;
    since?: number;
    episodes: Record<string, EpisodeState>;
    deprecations: Record<string, DeprecationState>;
    logins: Record<string, LoginState>;
  };
  readonly events: WatcherEvent[];
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The severities of the event-type table's `tenant` rows. */
/** The tenant-log detectors' event types (the tenant checks' `tenant.check_*` are the checks probe's). */
type TenantLogEventType = Exclude<Extract<EventType, `tenant.${string}`>, `tenant.check_${string}`>;

const SEVERITY: Readonly<Record<TenantLogEventType, Severity>> = {
  'tenant.rate_limited': 'major',
  'tenant.rate_limit_warning': 'minor',
  'tenant.rate_limit_recovered': 'info',
  'tenant.deprecation_notice': 'major',
  'tenant.login_failures_spike': 'critical',
  'tenant.extensibility_failed': 'major',
  'tenant.security_signal': 'minor',
  'tenant.logs_gap': 'major',
};

/** `2026-12-01T10:15:00.000Z`: the minute an episode starts, which goes into its events' ids. */
export function minuteIso(ms: number): string {
  return new Date(Math.floor(ms / MINUTE_MS) * MINUTE_MS).toISOString();
}

/** One `tenant.*` event: id from the source, the item and `changeKey`; `occurredAt` the episode's first log. */
export function tenantEvent(
  ctx: Pick<TenantDetectorContext, 'source' | 'now'>,
  type: keyof typeof SEVERITY,
  spec: {
    readonly itemId: string;
    readonly changeKey: string;
    readonly occurredAt: number;
    readonly title: string;
    readonly summary: string;
    readonly facts: TenantEventFacts;
  },
): WatcherEvent {
  const facts = Object.fromEntries(Object.entries(spec.facts).filter(([, value]) => value !== undefined)) as TenantEventFacts;
  return makeEvent(ctx.source, type, spec.changeKey, ctx.now, {
    itemId: spec.itemId,
    title: spec.title,
    url: ctx.source.url,
    severity: SEVERITY[type],
    occurredAt: new Date(spec.occurredAt).toISOString(),
    summary: spec.summary,
    status: EVENT_TYPE_FACTS[type].impliedStatus,
    tenant: facts,
  });
}

/** Deletes the least recently active keys beyond `max`. */
export function keepNewest<T>(map: Record<string, T>, max: number, lastOf: (value: T) => number): void {
  const keys = Object.keys(map);
  if (keys.length <= max) return;
  keys.sort((a, b) => lastOf(map[a] as T) - lastOf(map[b] as T) || (a < b ? -1 : 1));
  for (const key of keys.slice(0, keys.length - max)) delete map[key];
}
