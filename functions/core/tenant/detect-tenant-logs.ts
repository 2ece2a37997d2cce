// The tenant-log detectors: one page of the tenant's logs (in log_id order) and the remembered state in, the new state
// and the events out (pure: the clock is the logs' own dates, and `now` only for a tick). Called once per archived
// page and once more with no logs at the end of a run (the tick), so that quiet periods end episodes.
import type { WatcherEvent } from '../model.js';
import { formatUtc } from '../text/time.js';
import { settleDeprecations, countDeprecationLog, type PendingDeprecations } from './deprecations.js';
import { countEpisodeLog, settleEpisodes } from './episodes.js';
import { kindOfLogType, logTime, type TenantLogRecord } from './log-fields.js';
import { countLoginFailure, settleLoginFailures } from './login-failures.js';
import { DAY_MS, tenantEvent, type Run, type TenantDetectorContext, type TenantDetectorState } from './state.js';

/** The state before any log: what a source record without detector state starts from. */
export function emptyTenantDetectorState(): TenantDetectorState {
  return { v: 1, episodes: {}, deprecations: {}, logins: {} };
}

/**
 * Classifies `logs` (one page, in log_id order; `[]` for the tick) into events, given the state the previous call
 * returned (undefined on the first). Re-running the same page from the same state yields the same events (ids from
 * the source, the item and the episode's first minute). Logs with an unreadable date or of a type no detector reads
 * are left to the archive.
 *
 * Between pages the detectors' clock is the newest log date seen, so a backlog read late is judged by its own times;
 * the tick judges by `now` (an episode whose last log is older than its quiet period ends there).
 */
export function detectTenantLogs(
  state: TenantDetectorState | undefined,
  logs: readonly TenantLogRecord[],
  ctx: TenantDetectorContext,
): { readonly state: TenantDetectorState; readonly events: WatcherEvent[] } {
  const previous = state ?? emptyTenantDetectorState();
  const run: Run = {
    ctx,
    // A working copy: the caller's state is never changed.
    state: structuredClone({
      clock: previous.clock,
      since: previous.since,
      episodes: previous.episodes,
      deprecations: previous.deprecations,
      logins: previous.logins,
    }) as Run['state'],
    events: [],
  };
  const pending: PendingDeprecations = new Map();
  for (const log of logs) {
    if (typeof log !== 'object' || log === null || typeof log.type !== 'string') continue;
    const at = logTime(log);
    if (at === undefined) continue;
    run.state.clock = Math.max(run.state.clock ?? at, at);
    run.state.since = Math.min(run.state.since ?? at, at);
    const kind = kindOfLogType(log.type);
    if (kind === 'deprecation') countDeprecationLog(run, pending, log, at);
    else if (kind === 'login-failure') countLoginFailure(run, log, at);
    else if (kind !== undefined) countEpisodeLog(run, log, kind, at);
  }
  const clock = logs.length === 0 ? Math.max(run.state.clock ?? ctx.now.getTime(), ctx.now.getTime()) : run.state.clock;
  if (clock !== undefined) {
    settleDeprecations(run, pending, clock);
    settleEpisodes(run, clock);
    settleLoginFailures(run, clock);
  }
  const next: TenantDetectorState = {
    v: 1,
    ...(run.state.clock !== undefined && { clock: run.state.clock }),
    ...(run.state.since !== undefined && { since: run.state.since }),
    episodes: run.state.episodes,
    deprecations: run.state.deprecations,
    logins: run.state.logins,
  };
  return { state: next, events: run.events };
}

/**
 * The one `tenant.logs_gap` event for logs lost to retention: the stored checkpoint's log date (`from`) is older than
 * the tenant keeps logs, so nothing between `from` and `to` (now − retention) can be read any more.
 */
export function makeTenantGapEvent(ctx: Pick<TenantDetectorContext, 'source' | 'now'>, from: string, to: string): WatcherEvent {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const days = Number.isNaN(fromMs) || Number.isNaN(toMs) ? undefined : Math.max(0, (toMs - fromMs) / DAY_MS);
  const span = days === undefined ? '' : ` (about ${days < 1 ? 'less than a day' : `${Math.round(days)} days`})`;
  return tenantEvent(ctx, 'tenant.logs_gap', {
    itemId: `gap:${from}`,
    changeKey: `gap:${from}`,
    occurredAt: Number.isNaN(fromMs) ? ctx.now.getTime() : fromMs,
    title: `Tenant logs lost from ${formatUtc(from)} to ${formatUtc(to)}`,
    summary:
      `The watcher last read this tenant's logs at ${formatUtc(from)}, longer ago than the tenant keeps them: ` +
      `logs from then until ${formatUtc(to)}${span} are gone and are neither archived nor checked. ` +
      'Reading continues from the oldest log the tenant still holds.',
    facts: {
      count: 0,
      from: Number.isNaN(fromMs) ? undefined : new Date(fromMs).toISOString(),
      to: Number.isNaN(toMs) ? undefined : new Date(toMs).toISOString(),
    },
  });
}
