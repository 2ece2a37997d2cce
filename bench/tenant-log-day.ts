// One day of a busy tenant's logs, real-shaped: every log is a copy of a sample event from
// test/fixtures/auth0-tenant/log-events.samples.json (Auth0's own log shapes) with its own log id, date, user and IP,
// in a mix of logins, token exchanges and Management API reads, with the anomalies the detectors look for: rate-limit
// bursts, deprecation notices, failing Actions, attack-protection signals and one spike of failed logins on a social
// connection. Seeded, so every run of the bench reads the same day.
import { sampleLogs, tenantLog } from '../test/support/auth0-management-server.js';
import type { TenantLog } from '../functions/stream/ports.js';
import { seededRandom } from '../test/support/seeded-random.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The share of each log type in the steady traffic (sums to 1). */
export const STEADY_MIX: Readonly<Record<string, number>> = {
  s: 0.5,
  seccft: 0.15,
  sapi: 0.05,
  mgmt_api_read: 0.08,
  f: 0.07,
  fp: 0.05,
  fu: 0.03,
  sepft: 0.03,
  fepft: 0.01,
  feacft: 0.005,
  gd_tenant_update: 0.005,
  fn: 0.005,
  appi: 0.005,
  gd_send_sms_failure: 0.005,
  gd_otp_rate_limit_exceed: 0.005,
  limit_wc: 0.0005,
  limit_mu: 0.0005,
};

export const seeded = seededRandom;

export interface TenantLogDay {
  /** In log_id order. */
  readonly logs: TenantLog[];
  /** Logs of each type. */
  readonly types: Readonly<Record<string, number>>;
  /** The anomalies planted in the day, for the printed figures. */
  readonly planted: readonly string[];
}

/**
 * `count` logs spread over the day that starts at `start` (UTC), in log_id order. The steady traffic follows
 * `STEADY_MIX`; on top of it, two rate-limit bursts (one `api_limit` a minute for 20 minutes, Auth0's repetition while
 * a limit is exceeded), a 30-minute `api_limit_warning` run, one deprecation notice every hour for one feature, an Action
 * failing for 10 minutes, and 80 failed logins in 5 minutes on `google-oauth2`.
 */
export function tenantLogDay(start: Date, count: number, seed = 15): TenantLogDay {
  const next = seeded(seed);
  const templates = new Map<string, TenantLog>();
  const template = (type: string) => {
    let found = templates.get(type);
    if (!found) templates.set(type, (found = sampleLogs(type)[0]!));
    return found;
  };
  const cumulative = Object.entries(STEADY_MIX).reduce<Array<[string, number]>>((acc, [type, share]) => {
    acc.push([type, (acc.at(-1)?.[1] ?? 0) + share]);
    return acc;
  }, []);
  const pick = () => {
    const r = next() * cumulative.at(-1)![1];
    return cumulative.find(([, upTo]) => r < upTo)![0];
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  const vary = (log: TenantLog): TenantLog => ({
    ...log,
    ...(typeof log.user_id === 'string' && log.user_id !== '' && { user_id: `auth0|${hex(24)}` }),
    ...(typeof log.user_name === 'string' && log.user_name !== '' && { user_name: `user${Math.floor(next() * 1e6)}@example.com` }),
    ...(typeof log.ip === 'string' && { ip: `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}` }),
  });

  const t0 = start.getTime();
  const timed: Array<{ at: number; log: TenantLog }> = [];
  const add = (log: TenantLog, at: number) => timed.push({ at, log });
  const planted: string[] = [];
  const burst = (type: string, from: number, minutes: number, extra: Partial<TenantLog> = {}) => {
    for (let m = 0; m < minutes; m += 1) add({ ...template(type), ...extra }, from + m * MINUTE + 15_000);
  };
  burst('api_limit', t0 + 3 * 60 * MINUTE, 20);
  burst('api_limit', t0 + 15 * 60 * MINUTE, 20);
  planted.push('2 rate-limit bursts of 20 minutes');
  burst('api_limit_warning', t0 + 9 * 60 * MINUTE, 30);
  planted.push('1 rate-limit warning run of 30 minutes');
  for (let h = 0; h < 24; h += 1) add(template('depnote'), t0 + h * 60 * MINUTE + 7 * MINUTE);
  planted.push('a deprecation notice every hour (one feature)');
  for (let m = 0; m < 10; m += 1) add(template('actions_execution_failed'), t0 + 11 * 60 * MINUTE + m * MINUTE);
  planted.push('an Action failing for 10 minutes');
  const social = { connection: 'google-oauth2', strategy: 'google-oauth2', strategy_type: 'social' };
  for (let i = 0; i < 80; i += 1) add(vary({ ...template('f'), ...social }), t0 + 20 * 60 * MINUTE + Math.floor((i * 5 * MINUTE) / 80));
  planted.push('80 failed logins in 5 minutes on google-oauth2');

  const steady = count - timed.length;
  for (let i = 0; i < steady; i += 1) add(vary(template(pick())), t0 + Math.floor(((i + next()) * DAY) / steady));
  timed.sort((a, b) => a.at - b.at);
  const types: Record<string, number> = {};
  const logs = timed.map(({ at, log }, seq) => {
    types[log.type] = (types[log.type] ?? 0) + 1;
    return tenantLog(log, new Date(at), seq);
  });
  return { logs, types, planted };
}
