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

/** How the logs of one call were read. */
export interface DetectOptions {
  /**
   * The poll's page: every log up to this time (ms) has now been read in log_id order, including those of the page the
   * real-time path classified before (which the caller leaves out of `logs`). Defaults to the newest time in `logs`.
   * With no logs, a call given `through` only settles there; without it, it is the tick.
   */
  readonly through?: number;
  /**
   * The real-time path: the logs lie ahead of the horizon and older ones may still come. What they show is announced
   * at once where it cannot change with older logs (an episode or spike whose start lies within the horizon); nothing
   * is ended, forgotten or pruned; a log whose meaning depends on logs not seen yet is deferred (`deferred`).
   */
  readonly ahead?: boolean;
}

/**
 * Classifies `logs` (one page, in log_id order; `[]` for the tick) into events, given the state the previous call
 * returned (undefined on the first). Re-running the same page from the same state yields the same events (ids from
 * the source, the item and the episode's first minute). Logs with an unreadable date or of a type no detector reads
 * are left to the archive.
 *
 * Between pages the detectors judge quiet periods at the horizon (`through`): the newest log time the poll has read,
 * so a backlog read late is judged by its own times and logs the real-time path saw ahead of the poll end nothing
 * early; the tick judges by `now` (an episode whose last log is older than its quiet period ends there).
 * Real-time calls (`ahead`) may come before the poll reads older logs; the detectors take logs in either order: an
 * older log joins the open episode (moving its start back while unannounced) and counts into its own minute.
 */
export function detectTenantLogs(
  state: TenantDetectorState | undefined,
  logs: readonly TenantLogRecord[],
  ctx: TenantDetectorContext,
  options: DetectOptions = {},
): { readonly state: TenantDetectorState; readonly events: WatcherEvent[]; readonly deferred: readonly string[] } {
  const previous = state ?? emptyTenantDetectorState();
  const ahead = options.ahead === true;
  const run: Run = {
    ctx,
    ahead,
    deferred: [],
    // A working copy: the caller's state is never changed.
    state: structuredClone({
      clock: previous.clock,
      // State written before the horizon was kept: the clock was the horizon then.
      through: previous.through ?? previous.clock,
      since: previous.since,
      episodes: previous.episodes,
      deprecations: previous.deprecations,
      logins: previous.logins,
    }) as Run['state'],
    events: [],
  };
  const pending: PendingDeprecations = new Map();
  let newest: number | undefined;
  for (const log of logs) {
    if (typeof log !== 'object' || log === null || typeof log.type !== 'string') continue;
    const at = logTime(log);
    if (at === undefined) continue;
    const kind = kindOfLogType(log.type);
    if (ahead && kind === undefined) continue;
    let counted = true;
    if (kind === 'deprecation') countDeprecationLog(run, pending, log, at);
    else if (kind === 'login-failure') counted = countLoginFailure(run, log, at);
    else if (kind !== undefined) counted = countEpisodeLog(run, log, kind, at);
    if (!counted) {
      run.deferred.push(log.log_id);
      continue;
    }
    newest = Math.max(newest ?? at, at);
    run.state.clock = Math.max(run.state.clock ?? at, at);
    run.state.since = Math.min(run.state.since ?? at, at);
  }
  const tick = logs.length === 0 && options.through === undefined && !ahead;
  let clock: number | undefined;
  if (tick) {
    clock = Math.max(run.state.clock ?? ctx.now.getTime(), ctx.now.getTime());
    run.state.through = Math.max(run.state.through ?? clock, clock);
  } else if (ahead) {
    clock = run.state.clock;
  } else {
    const read = options.through ?? newest;
    if (read !== undefined) run.state.through = Math.max(run.state.through ?? read, read);
    clock = run.state.through;
  }
  if (clock !== undefined) {
    settleDeprecations(run, pending, clock);
    settleEpisodes(run, clock);
    settleLoginFailures(run, clock);
  }
  const next: TenantDetectorState = {
    v: 1,
    ...(run.state.clock !== undefined && { clock: run.state.clock }),
    ...(run.state.through !== undefined && { through: run.state.through }),
    ...(run.state.since !== undefined && { since: run.state.since }),
    episodes: run.state.episodes,
    deprecations: run.state.deprecations,
    logins: run.state.logins,
  };
  return { state: next, events: run.events, deferred: run.deferred };
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
