// Failed logins per connection against the tenant's own recent baseline: a spike is at least `minFailures` failures in
// the window and at least `factor` times the connection's rate over the previous `baselineHours`, scaled to the window.
// A baseline needs an hour of history (before that the detector learns, silently); a spike is announced once and ends
// when the window holds fewer than `minFailures` again. A social connection is named by its provider.
import { formatUtc } from '../text/time.js';
import { plural } from '../text/words.js';
import { FIELD_CHARS, logText, socialProvider, type TenantLogRecord } from './log-fields.js';
import { HOUR_MS, MAX_KEYS, MINUTE_MS, keepNewest, minuteIso, tenantEvent, type LoginState, type Run } from './state.js';

/** Minutes of history a baseline needs before spikes are judged. */
const LEARNING_MINUTES = 60;
/** Failures of a log naming no connection are counted under this name. */
const NO_CONNECTION = '(none)';

function add(buckets: Array<[number, number]>, slot: number): void {
  const last = buckets[buckets.length - 1];
  if (last !== undefined && last[0] === slot) last[1] += 1;
  else if (last === undefined || last[0] < slot) buckets.push([slot, 1]);
  else {
    // Logs come in log_id order, which can disagree with their dates by a little: count into the right slot.
    const found = buckets.find(([at]) => at === slot);
    if (found !== undefined) found[1] += 1;
    else {
      buckets.push([slot, 1]);
      buckets.sort((a, b) => a[0] - b[0]);
    }
  }
}

function windowCount(state: LoginState, minute: number, windowMinutes: number): number {
  return state.m.reduce((sum, [at, count]) => (at > minute - windowMinutes && at <= minute ? sum + count : sum), 0);
}

/** Failures per window length over the baseline hours before the window's first hour; undefined while learning. */
function baselineFor(run: Run, state: LoginState, minute: number): number | undefined {
  const { windowMinutes, baselineHours } = run.ctx.settings.loginFailures;
  const firstHour = Math.floor((minute - windowMinutes + 1) / 60);
  const sinceMinute = Math.floor((run.state.since ?? minute * MINUTE_MS) / MINUTE_MS);
  const span = Math.min(baselineHours * 60, firstHour * 60 - sinceMinute);
  if (span < LEARNING_MINUTES) return undefined;
  const failures = state.h.reduce((sum, [hour, count]) => (hour >= firstHour - baselineHours && hour < firstHour ? sum + count : sum), 0);
  return (failures / span) * windowMinutes;
}

/**
 * Counts one failed login into its connection's minute and hour. False when an ahead (real-time) run defers it: a window
 * before it reaches back past the horizon, so the poll counts it with the logs before it.
 */
export function countLoginFailure(run: Run, log: TenantLogRecord, at: number): boolean {
  const { windowMinutes, baselineHours, minFailures, factor } = run.ctx.settings.loginFailures;
  const through = run.state.through;
  if (run.ahead && (through === undefined || at - through >= windowMinutes * MINUTE_MS)) return false;
  const connection = logText(log, 'connection', FIELD_CHARS.name) ?? NO_CONNECTION;
  const logins = run.state.logins;
  const state: LoginState = logins[connection] ?? { m: [], h: [], last: at };
  logins[connection] = state;
  state.strategy = logText(log, 'strategy', FIELD_CHARS.type) ?? state.strategy;
  state.last = Math.max(state.last, at);
  const minute = Math.floor(at / MINUTE_MS);
  add(state.m, minute);
  add(state.h, Math.floor(at / HOUR_MS));
  // Pruned from this log's time, or from the horizon for a log ahead of it: the poll still counts older logs in there.
  const pruneAt = run.ahead && through !== undefined ? Math.min(at, through) : at;
  const pruneMinute = Math.floor(pruneAt / MINUTE_MS);
  state.m = state.m.filter(([slot]) => slot > pruneMinute - windowMinutes);
  state.h = state.h.filter(([hour]) => hour >= Math.floor(pruneAt / HOUR_MS) - baselineHours - 1);

  const count = windowCount(state, minute, windowMinutes);
  if (state.spike !== undefined) {
    state.spike.peak = Math.max(state.spike.peak, count);
    if (state.spike.logType !== log.type) state.spike.logType = undefined;
  } else if (count >= minFailures) {
    const baseline = baselineFor(run, state, minute);
    if (baseline !== undefined && count >= factor * baseline) {
      const first = state.m.find(([slot]) => slot > minute - windowMinutes)?.[0] ?? minute;
      state.spike = { start: first * MINUTE_MS, peak: count, baseline, announced: false, logType: log.type };
    }
  }
  keepNewest(logins, MAX_KEYS.logins, (value) => value.last);
  return true;
}

/**
 * At `clock`: announces new spikes, ends those whose window has calmed, forgets connections without failures. An ahead
 * run only announces, and only spikes whose start lies within the horizon.
 */
export function settleLoginFailures(run: Run, clock: number): void {
  const { windowMinutes, minFailures } = run.ctx.settings.loginFailures;
  const minute = Math.floor(clock / MINUTE_MS);
  for (const connection of Object.keys(run.state.logins).sort()) {
    const state = run.state.logins[connection];
    if (state === undefined) continue;
    const spike = state.spike;
    if (spike !== undefined && !spike.announced && (!run.ahead || (run.state.through !== undefined && spike.start <= run.state.through))) {
      spike.announced = true;
      run.events.push(spikeEvent(run, connection, state, spike));
    }
    if (run.ahead) continue;
    state.m = state.m.filter(([slot]) => slot > minute - windowMinutes);
    if (spike !== undefined && windowCount(state, minute, windowMinutes) < minFailures) state.spike = undefined;
    if (state.m.length === 0 && state.h.every(([hour]) => hour < Math.floor(clock / HOUR_MS) - run.ctx.settings.loginFailures.baselineHours - 1)) {
      delete run.state.logins[connection];
    }
  }
}

function spikeEvent(run: Run, connection: string, state: LoginState, spike: NonNullable<LoginState['spike']>) {
  const { windowMinutes } = run.ctx.settings.loginFailures;
  const provider = connection === NO_CONNECTION ? undefined : socialProvider(connection, state.strategy);
  const named = connection === NO_CONNECTION ? 'logins naming no connection' : connection;
  const baseline = Math.round(spike.baseline * 10) / 10;
  return tenantEvent(run.ctx, 'tenant.login_failures_spike', {
    itemId: `login-failures:${connection}`,
    changeKey: `spike:${minuteIso(spike.start)}`,
    occurredAt: spike.start,
    title: `Login failures spike on ${named}${provider === undefined ? '' : ` (${provider})`}`,
    summary:
      `${plural(spike.peak, 'failed login')} in ${windowMinutes} min on ${named} since ` +
      `${formatUtc(new Date(spike.start).toISOString())}, against a usual ${baseline} per ${windowMinutes} min` +
      `${provider === undefined ? '.' : `. A social connection: check ${provider}'s status and the connection's credentials.`}`,
    facts: {
      logType: spike.logType,
      count: spike.peak,
      windowMinutes,
      connection: connection === NO_CONNECTION ? undefined : connection,
      strategy: provider === undefined ? state.strategy : (state.strategy ?? connection),
      baseline,
      from: new Date(spike.start).toISOString(),
      to: new Date(state.last).toISOString(),
    },
  });
}
