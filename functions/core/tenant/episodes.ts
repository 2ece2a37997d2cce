// Rate limits, extensibility failures and security signals: logs of one item (a rate-limit bucket, an action, a
// security log type) grouped into episodes. An episode starts with a log when none is open, is announced once its
// window has passed (with the count so far), and ends after a quiet period; a rate limit's end is announced as recovered.
import { plural } from '../text/words.js';
import { formatUtc } from '../text/time.js';
import { FIELD_CHARS, logClient, logText, type TenantLogKind, type TenantLogRecord } from './log-fields.js';
import { MAX_KEYS, MINUTE_MS, keepNewest, minuteIso, tenantEvent, type EpisodeState, type Run } from './state.js';

type EpisodeKind = EpisodeState['kind'];

const SECURITY_WHAT: Readonly<Record<string, string>> = {
  limit_wc: 'IP addresses blocked after too many failed logins to one account',
  limit_mu: 'IP addresses blocked after too many attempts on many accounts',
  limit_sul: 'users blocked after too many logins from one IP',
  pwd_leak: 'logins attempted with breached passwords',
  signup_pwd_leak: 'signups attempted with breached passwords',
  reset_pwd_leak: 'password resets attempted with breached passwords',
};

function timing(run: Run, kind: EpisodeKind): { window: number; quiet: number; minCount: number } {
  const s = run.ctx.settings;
  if (kind === 'rate') return { window: s.rateLimits.windowMinutes, quiet: s.rateLimits.quietMinutes, minCount: 1 };
  if (kind === 'extensibility') return { window: s.extensibility.windowMinutes, quiet: s.extensibility.windowMinutes, minCount: 1 };
  return { window: s.security.windowMinutes, quiet: s.security.windowMinutes, minCount: s.security.minCount };
}

/** The item a log belongs to, and what it says about it; undefined for a log of another kind. */
function episodeOf(log: TenantLogRecord, kind: TenantLogKind): { key: string; fields: Partial<EpisodeState> } | undefined {
  const type = log.type;
  if (kind === 'rate') {
    const bucket = logText(log, 'details.limit.bucket', FIELD_CHARS.id);
    const path = logText(log, 'details.request.path', FIELD_CHARS.path) ?? logText(log, 'details.path', FIELD_CHARS.path);
    return { key: `rate:${bucket ?? path ?? 'unknown'}`, fields: { bucket, path, ...logClient(log) } };
  }
  if (kind === 'extensibility') {
    const action = logText(log, 'details.action_name', FIELD_CHARS.name) ?? logText(log, 'details.action_id', FIELD_CHARS.id);
    const flow = logText(log, 'details.flow_name', FIELD_CHARS.name) ?? logText(log, 'details.flow_id', FIELD_CHARS.id);
    const client = logClient(log);
    const subject = action ?? flow;
    const message =
      logText(log, 'details.action_error.message', FIELD_CHARS.path) ??
      logText(log, 'details.error.message', FIELD_CHARS.path) ??
      logText(log, 'description', FIELD_CHARS.path);
    return { key: `extensibility:${type}:${subject ?? client.clientId ?? 'tenant'}`, fields: { subject, message, ...client } };
  }
  if (kind === 'security') return { key: `security:${type}`, fields: {} };
  return undefined;
}

/**
 * Counts one log into its item's episode, ending the item's previous episode first when it has been quiet long enough.
 * False when an ahead (real-time) run defers the log: the quiet before it, or older logs of its episode, are not read
 * yet, so only the poll can tell whether it continues an episode or starts one.
 */
export function countEpisodeLog(run: Run, log: TenantLogRecord, kind: TenantLogKind, at: number): boolean {
  const found = episodeOf(log, kind);
  if (found === undefined) return true;
  const episodeKind = kind as EpisodeKind;
  const episodes = run.state.episodes;
  const open = episodes[found.key];
  const quietMs = timing(run, open?.kind ?? episodeKind).quiet * MINUTE_MS;
  if (run.ahead && (run.state.through === undefined || (open === undefined ? at - run.state.through : at - open.last) >= quietMs)) return false;
  if (open !== undefined && at - open.last >= quietMs) endEpisode(run, found.key, open);
  const episode = episodes[found.key];
  if (episode === undefined) {
    const fields = Object.fromEntries(Object.entries(found.fields).filter(([, value]) => value !== undefined));
    episodes[found.key] = { kind: episodeKind, start: at, last: at, count: 1, logType: log.type, ...fields };
  } else {
    episode.last = Math.max(episode.last, at);
    // A log older than the episode's first (the real-time path saw later ones first) starts it, until it is announced:
    // the announcement's id carries the start.
    if (at < episode.start && episode.announced === undefined) episode.start = at;
    episode.count += 1;
    if (episode.logType !== log.type) episode.logType = undefined;
  }
  const current = episodes[found.key];
  if (current !== undefined && log.type === 'api_limit') current.limited = true;
  keepNewest(episodes, MAX_KEYS.episodes, (value) => value.last);
  return true;
}

/**
 * At `clock`: announces episodes whose window has passed, ends those quiet for long enough (in key order). An ahead run
 * only announces, and only episodes whose start lies within the horizon (no older log can move it any more).
 */
export function settleEpisodes(run: Run, clock: number): void {
  for (const key of Object.keys(run.state.episodes).sort()) {
    const episode = run.state.episodes[key];
    if (episode === undefined) continue;
    const { window, quiet } = timing(run, episode.kind);
    if (run.ahead) {
      const settled = run.state.through !== undefined && episode.start <= run.state.through;
      if (settled && clock - episode.start >= window * MINUTE_MS) announce(run, key, episode);
    } else if (clock - episode.last >= quiet * MINUTE_MS) endEpisode(run, key, episode);
    else if (clock - episode.start >= window * MINUTE_MS) announce(run, key, episode);
  }
}

function endEpisode(run: Run, key: string, episode: EpisodeState): void {
  announce(run, key, episode);
  if (episode.kind === 'rate' && episode.announced !== undefined) {
    run.events.push(
      tenantEvent(run.ctx, 'tenant.rate_limit_recovered', {
        itemId: key,
        changeKey: `recovered:${minuteIso(episode.start)}`,
        occurredAt: episode.start,
        title: `Rate limit recovered: ${rateSubject(episode)}`,
        summary:
          `No rate-limit log for ${run.ctx.settings.rateLimits.quietMinutes} min. The episode had ` +
          `${plural(episode.count, 'log')} from ${formatUtc(new Date(episode.start).toISOString())} ` +
          `to ${formatUtc(new Date(episode.last).toISOString())}.`,
        facts: facts(run, episode),
      }),
    );
  }
  delete run.state.episodes[key];
}

/** Announces what the episode has not announced yet: its start, or a warning turned into a rate limit. */
function announce(run: Run, key: string, episode: EpisodeState): void {
  const { minCount } = timing(run, episode.kind);
  if (episode.count < minCount) return;
  if (episode.kind === 'rate') {
    const level = episode.limited ? 'limited' : 'warning';
    if (episode.announced === level || episode.announced === 'limited') return;
    episode.announced = level;
    const type = level === 'limited' ? 'tenant.rate_limited' : 'tenant.rate_limit_warning';
    const client = clientText(episode);
    run.events.push(
      tenantEvent(run.ctx, type, {
        itemId: key,
        changeKey: `${level}:${minuteIso(episode.start)}`,
        occurredAt: episode.start,
        title: `${level === 'limited' ? 'Rate limit exceeded' : 'Rate limit nearly reached'}: ${rateSubject(episode)}`,
        summary:
          `${plural(episode.count, 'rate-limit log')} since ${formatUtc(new Date(episode.start).toISOString())}` +
          `${client === '' ? '' : ` from ${client}`}. Auth0 repeats them every minute while the limit is exceeded; ` +
          'Management API calls from Actions or Rules are a usual cause.',
        facts: facts(run, episode),
      }),
    );
    return;
  }
  if (episode.announced !== undefined) return;
  episode.announced = 'yes';
  const since = formatUtc(new Date(episode.start).toISOString());
  if (episode.kind === 'extensibility') {
    const what = episode.logType === 'flows_execution_failed' ? 'Flow' : 'Action';
    const client = clientText(episode);
    run.events.push(
      tenantEvent(run.ctx, 'tenant.extensibility_failed', {
        itemId: key,
        changeKey: `failing:${minuteIso(episode.start)}`,
        occurredAt: episode.start,
        title: `${what} failing: ${episode.subject ?? (client || 'the tenant')}`,
        summary:
          `${plural(episode.count, 'failed execution')} since ${since}${client === '' ? '' : ` (${client})`}` +
          `${episode.message === undefined ? '.' : `; first error: ${episode.message}`}`,
        facts: facts(run, episode),
      }),
    );
    return;
  }
  const type = key.slice('security:'.length);
  run.events.push(
    tenantEvent(run.ctx, 'tenant.security_signal', {
      itemId: key,
      changeKey: `signal:${minuteIso(episode.start)}`,
      occurredAt: episode.start,
      title: `Attack protection: ${SECURITY_WHAT[type] ?? type} (${type})`,
      summary: `${plural(episode.count, `${type} log`)} since ${since}, counted over ${run.ctx.settings.security.windowMinutes} min.`,
      facts: facts(run, episode),
    }),
  );
}

function rateSubject(episode: EpisodeState): string {
  if (episode.bucket !== undefined) return `bucket ${episode.bucket}${episode.path === undefined ? '' : ` on ${episode.path}`}`;
  return episode.path ?? 'unknown path';
}

function clientText(episode: EpisodeState): string {
  if (episode.clientName !== undefined && episode.clientId !== undefined) return `${episode.clientName} (${episode.clientId})`;
  return episode.clientName ?? episode.clientId ?? '';
}

function facts(run: Run, episode: EpisodeState) {
  return {
    logType: episode.logType,
    count: episode.count,
    windowMinutes: timing(run, episode.kind).window,
    clientId: episode.clientId,
    clientName: episode.clientName,
    path: episode.path,
    bucket: episode.bucket,
    from: new Date(episode.start).toISOString(),
    to: new Date(episode.last).toISOString(),
  };
}
