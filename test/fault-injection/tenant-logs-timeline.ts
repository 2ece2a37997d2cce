// The tenant-log timeline the fault-injection suites share: what a tenant writes each five-minute tick (logins, failed
// logins, a rate-limit burst, deprecation notices, a failing Action, a login-failure spike), drawn from a seeded PRNG
// over the real and reconstructed sample logs.
import type { TenantLog } from '../../functions/stream/ports.js';
import { sampleLogs, tenantLog } from '../support/auth0-management-server.js';

export const T0 = Date.parse('2026-11-02T09:00:00Z');
export const MINUTE = 60_000;
export const TICK = 5 * MINUTE;

/** The logs the tenant writes during tick `tick` (the five minutes before it), the same for every timeline of a seed. */
export function logsOfTick(tick: number, next: () => number): TenantLog[] {
  const templates = {
    s: sampleLogs('s')[0]!,
    f: sampleLogs('f')[0]!,
    limit: sampleLogs('api_limit')[0]!,
    depnote: sampleLogs('depnote')[0]!,
    actions: sampleLogs('actions_execution_failed')[0]!,
  };
  const start = T0 + (tick - 1) * TICK;
  const logs: TenantLog[] = [];
  const add = (template: TenantLog, at: number) => logs.push(tenantLog(template, new Date(at), tick * 1000 + logs.length));
  const logins = Math.floor(next() * 160);
  for (let i = 0; i < logins; i += 1) add(next() < 0.9 ? templates.s : templates.f, start + Math.floor((i * TICK) / Math.max(logins, 1)));
  // A rate-limit burst: one api_limit a minute for 25 minutes.
  if (tick >= 6 && tick < 11) for (let m = 0; m < 5; m += 1) add(templates.limit, start + m * MINUTE + 30_000);
  // The same deprecation notice twice (one event), an Action failing for a while, a spike of failed logins.
  if (tick === 4 || tick === 20) add(templates.depnote, start + 90_000);
  if (tick >= 14 && tick < 16) for (let m = 0; m < 5; m += 1) add(templates.actions, start + m * MINUTE + 10_000);
  if (tick === 26) for (let i = 0; i < 60; i += 1) add(templates.f, start + 2 * MINUTE + i * 1000);
  return logs.sort((a, b) => (a.log_id < b.log_id ? -1 : 1));
}
