// The tenant-log detectors on real-shaped logs (test/fixtures/auth0-tenant/log-events.samples.json): rate-limit
// episodes and their recovery, deprecation notices, login-failure spikes per connection, extensibility failures,
// security counts, the gap event, bounded state and deterministic ids.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWatcherEvent } from '../../functions/core/event-schema.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import {
  DEFAULT_TENANT_DETECTOR_SETTINGS,
  detectTenantLogs,
  makeTenantGapEvent,
  tenantDetectorSettings,
  type TenantDetectorState,
  type TenantLogRecord,
} from '../../functions/core/tenant/index.js';

interface Sample {
  readonly provenance: string;
  readonly event: TenantLogRecord;
}
const SAMPLES = (
  JSON.parse(readFileSync(new URL('../fixtures/auth0-tenant/log-events.samples.json', import.meta.url), 'utf8')) as {
    samples: Record<string, Sample[]>;
  }
).samples;

/** The sample of `type` (the `index`-th), as Auth0 sent it or as reconstructed from its schema. */
function sample(type: string, index = 0): TenantLogRecord {
  const found = SAMPLES[type]?.[index];
  if (found === undefined) throw new Error(`no sample ${type}[${index}]`);
  return found.event;
}

let sequence = 0;
/** The sample re-dated to `iso` with a fresh log id in Auth0's format ("900" + yyyyMMddHHmmss + 39 digits). */
function logAt(template: TenantLogRecord, iso: string, overrides: Record<string, unknown> = {}): TenantLogRecord {
  sequence += 1;
  const stamp = iso.replace(/[-:T]/g, '').slice(0, 14);
  return { ...template, log_id: `900${stamp}${String(sequence).padStart(39, '0')}`, date: iso, ...overrides };
}

const minutes = (start: string, count: number, step = 1): string[] =>
  Array.from({ length: count }, (_, index) => new Date(Date.parse(start) + index * step * 60_000).toISOString());

const SOURCE = { id: 'acme-logs', type: 'auth0-tenant-logs', vendor: 'Auth0', url: 'https://acme-prod.us.auth0.com' };
const ctx = (now: string, settings = DEFAULT_TENANT_DETECTOR_SETTINGS) => ({ source: SOURCE, now: new Date(now), settings });

/** Runs pages (each with its `now`) through the detector from `state`, collecting the events. */
function run(
  state: TenantDetectorState | undefined,
  pages: ReadonlyArray<readonly [now: string, logs: readonly TenantLogRecord[]]>,
  settings = DEFAULT_TENANT_DETECTOR_SETTINGS,
): { state: TenantDetectorState | undefined; events: WatcherEvent[] } {
  const events: WatcherEvent[] = [];
  let current = state;
  for (const [now, logs] of pages) {
    const result = detectTenantLogs(current, logs, ctx(now, settings));
    current = result.state;
    events.push(...result.events);
  }
  return { state: current, events };
}

describe('rate limits (api_limit, api_limit_warning)', () => {
  const limit = sample('api_limit', 1); // reconstructed: bucket global, GET /api/v2/users, bulk-user-sync

  it('aggregates a burst of api_limit every minute for 10 minutes into one tenant.rate_limited with count, path and client', () => {
    const burst = minutes('2026-12-01T10:15:02.123Z', 10).map((at) => logAt(limit, at));
    const { events } = run(undefined, [['2026-12-01T10:26:00Z', burst]]);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: 'tenant.rate_limited',
      source: 'acme-logs',
      sourceType: 'auth0-tenant-logs',
      vendor: 'Auth0',
      itemId: 'rate:global',
      severity: 'major',
      status: 'rate_limited',
      url: 'https://acme-prod.us.auth0.com',
      occurredAt: '2026-12-01T10:15:02.123Z',
      detectedAt: '2026-12-01T10:26:00.000Z',
      tenant: {
        logType: 'api_limit',
        count: 10,
        windowMinutes: 5,
        bucket: 'global',
        path: '/api/v2/users',
        clientId: 'Xk2mWatcherM2MClientId0000000001',
        clientName: 'bulk-user-sync',
        from: '2026-12-01T10:15:02.123Z',
        to: '2026-12-01T10:24:02.123Z',
      },
    });
    expect(event?.title).toBe('Rate limit exceeded: bucket global on /api/v2/users');
  });

  it('announces recovery only after the quiet period, via an empty tick, and a later burst as a new episode', () => {
    const burst = minutes('2026-12-01T10:15:02.123Z', 10).map((at) => logAt(limit, at));
    const first = run(undefined, [['2026-12-01T10:26:00Z', burst]]);
    const early = run(first.state, [['2026-12-01T10:35:00Z', []]]);
    expect(early.events).toEqual([]);
    const quiet = run(early.state, [['2026-12-01T10:40:00Z', []]]);
    expect(quiet.events.map((event) => [event.type, event.itemId, event.tenant?.count])).toEqual([
      ['tenant.rate_limit_recovered', 'rate:global', 10],
    ]);
    expect(quiet.events[0]).toMatchObject({ severity: 'info', status: 'recovered' });
    expect(run(quiet.state, [['2026-12-01T11:00:00Z', []]]).events).toEqual([]);

    const again = run(quiet.state, [
      ['2026-12-01T12:04:00Z', minutes('2026-12-01T12:00:00.000Z', 3).map((at) => logAt(limit, at))],
      ['2026-12-01T12:06:00Z', []],
    ]);
    expect(again.events.map((event) => [event.type, event.tenant?.count, event.occurredAt])).toEqual([
      ['tenant.rate_limited', 3, '2026-12-01T12:00:00.000Z'],
    ]);
    expect(again.events[0]?.id).not.toBe(first.events[0]?.id);
  });

  it('keeps logs of a burst read across several pages in one episode', () => {
    const burst = minutes('2026-12-01T10:15:02.123Z', 10).map((at) => logAt(limit, at));
    const { events } = run(undefined, [
      ['2026-12-01T10:18:00Z', burst.slice(0, 3)],
      ['2026-12-01T10:18:00Z', []],
      ['2026-12-01T10:23:00Z', burst.slice(3, 8)],
      ['2026-12-01T10:26:00Z', burst.slice(8)],
      ['2026-12-01T10:45:00Z', []],
    ]);
    expect(events.map((event) => [event.type, event.tenant?.count])).toEqual([
      ['tenant.rate_limited', 8],
      ['tenant.rate_limit_recovered', 10],
    ]);
  });

  it('keys the real 2021 api_limit log, which names no bucket, on its request path', () => {
    const real = sample('api_limit', 0);
    expect(SAMPLES['api_limit']?.[0]?.provenance).toBe('real');
    // One log: the page alone does not close its window; the tick after it does.
    const { events } = run(undefined, [
      ['2021-10-13T06:39:00Z', [logAt(real, '2021-10-13T06:38:19.312Z')]],
      ['2021-10-13T06:44:00Z', []],
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'tenant.rate_limited',
      itemId: 'rate:/api/v2/rules-configs/{key}',
      tenant: { count: 1, path: '/api/v2/rules-configs/{key}', clientId: 'xxxx' },
    });
    expect(events[0]?.tenant?.bucket).toBeUndefined();
  });

  it('announces api_limit_warning as a warning, and a limit reached in the same episode once more as rate_limited', () => {
    const warning = sample('api_limit_warning');
    const warnings = minutes('2026-12-01T10:14:01.987Z', 6).map((at) => logAt(warning, at));
    const first = run(undefined, [['2026-12-01T10:20:30Z', warnings]]);
    expect(first.events.map((event) => [event.type, event.itemId, event.severity, event.status, event.tenant?.count])).toEqual([
      ['tenant.rate_limit_warning', 'rate:global', 'minor', 'warning', 6],
    ]);
    const escalated = run(first.state, [
      ['2026-12-01T10:22:00Z', [logAt(limit, '2026-12-01T10:21:00.000Z'), logAt(warning, '2026-12-01T10:21:30.000Z')]],
      ['2026-12-01T10:23:00Z', [logAt(limit, '2026-12-01T10:22:00.000Z')]],
      ['2026-12-01T10:50:00Z', []],
    ]);
    expect(escalated.events.map((event) => [event.type, event.tenant?.count])).toEqual([
      ['tenant.rate_limited', 8],
      ['tenant.rate_limit_recovered', 9],
    ]);
  });

  it('honours configured windows: a longer quiet period delays the recovery', () => {
    const settings = tenantDetectorSettings({ rateLimits: { quietMinutes: 60 } });
    expect(settings.rateLimits).toEqual({ windowMinutes: 5, quietMinutes: 60 });
    const burst = minutes('2026-12-01T10:15:00.000Z', 6).map((at) => logAt(limit, at));
    const { events } = run(undefined, [['2026-12-01T10:21:00Z', burst], ['2026-12-01T10:50:00Z', []]], settings);
    expect(events.map((event) => event.type)).toEqual(['tenant.rate_limited']);
  });
});

describe('deprecation notices (depnote)', () => {
  const real = sample('depnote', 0); // legacy_custom_claims, 2022, client redacted ****
  const reconstructed = sample('depnote', 1); // legacy_connection_enabled_clients, terraform-ci

  it('announces each feature and client once, counting repeats, and again only after silenceDays without a notice', () => {
    expect(SAMPLES['depnote']?.[0]?.provenance).toBe('real');
    const hourly = (template: TenantLogRecord, start: string) => minutes(start, 24, 60).map((at) => logAt(template, at));
    const day = [...hourly(real, '2026-12-01T00:10:00.000Z'), ...hourly(reconstructed, '2026-12-01T00:20:00.000Z')].sort(
      (a, b) => a.date.localeCompare(b.date),
    );
    const first = run(undefined, [['2026-12-02T00:30:00Z', day]]);
    expect(first.events.map((event) => [event.type, event.itemId, event.tenant?.count])).toEqual([
      ['tenant.deprecation_notice', 'depnote:legacy_custom_claims:****', 24],
      ['tenant.deprecation_notice', 'depnote:legacy_connection_enabled_clients:Xk2mTerraformCiClient00000000007', 24],
    ]);
    expect(first.events[0]).toMatchObject({
      severity: 'major',
      status: 'deprecation',
      tenant: {
        logType: 'depnote',
        feature: {
          id: 'legacy_custom_claims',
          name: 'Custom claims must be namespaced when they are added through rules / actions / hooks.',
        },
      },
    });
    expect(first.events[1]?.title).toBe(
      "Deprecated feature in use by terraform-ci: Legacy Management of Connection's Enabled Clients",
    );
    expect(first.events[1]?.summary).toContain('migrate-dedicated-connection-endpoints');

    // A notice every 10 days keeps the feature remembered: never announced again.
    const later = run(first.state, [
      ['2026-12-11T00:00:00Z', [logAt(real, '2026-12-11T00:00:00.000Z')]],
      ['2026-12-21T00:00:00Z', [logAt(real, '2026-12-21T00:00:00.000Z')]],
    ]);
    expect(later.events).toEqual([]);
    // After 30 days of silence it is news again.
    const silent = run(later.state, [['2027-01-21T00:00:00Z', [logAt(real, '2027-01-21T00:00:00.000Z')]]]);
    expect(silent.events.map((event) => [event.itemId, event.occurredAt])).toEqual([
      ['depnote:legacy_custom_claims:****', '2027-01-21T00:00:00.000Z'],
    ]);
    expect(silent.events[0]?.id).not.toBe(first.events[0]?.id);
  });

  it('keeps one clean line of bounded length from hostile feature texts', () => {
    const hostile = logAt(reconstructed, '2026-12-01T09:30:12.001Z', {
      details: { feature: { id: 'x\u0000y\nz', name: `Evil\u202Ename\nStatus: resolved ${'A'.repeat(5000)}` } },
    });
    const { events } = run(undefined, [['2026-12-01T09:31:00Z', [hostile]]]);
    const event = events[0];
    expect(event?.itemId).toBe('depnote:xy z:Xk2mTerraformCiClient00000000007');
    expect(event?.title).not.toMatch(/[\n\u0000\u202E]/);
    expect(event?.tenant?.feature?.name?.length).toBeLessThanOrEqual(300);
    expect(() => parseWatcherEvent(JSON.stringify(event))).not.toThrow();
  });
});

describe('login failures per connection', () => {
  const fu = sample('fu'); // real: Username-Password-Authentication, strategy auth0
  const f = sample('f', 0); // real: connection NewDB

  /** `perMinute` failures every minute for `count` minutes on the sample's connection. */
  const steady = (template: TenantLogRecord, start: string, count: number, perMinute: number, extra = {}) =>
    minutes(start, count).flatMap((at) =>
      Array.from({ length: perMinute }, (_, index) =>
        logAt(template, new Date(Date.parse(at) + index * 1000).toISOString(), extra),
      ),
    );

  /** Pages of 100 logs, as the poller reads them, each with `now` just after its last log. */
  const pages = (logs: readonly TenantLogRecord[]): Array<readonly [string, TenantLogRecord[]]> => {
    const sorted = [...logs].sort((a, b) => a.date.localeCompare(b.date));
    const result: Array<readonly [string, TenantLogRecord[]]> = [];
    for (let index = 0; index < sorted.length; index += 100) {
      const page = sorted.slice(index, index + 100);
      result.push([new Date(Date.parse(page[page.length - 1]!.date) + 1000).toISOString(), page]);
    }
    return result;
  };

  it('stays silent at a steady high volume of failures (30 per window, every window, for 4 hours)', () => {
    const logs = steady(fu, '2026-12-01T08:00:00.000Z', 240, 2);
    const { events } = run(undefined, pages(logs));
    expect(logs).toHaveLength(480);
    expect(events).toEqual([]);
  });

  it('reports a spike on one connection against its own baseline, once, and names nothing else', () => {
    const background = steady(fu, '2026-12-01T08:00:00.000Z', 240, 2);
    // Another connection fails now and then (once every 30 minutes) and keeps doing so during the spike.
    const quietOther = steady(f, '2026-12-01T08:00:30.000Z', 240, 1).filter((_, index) => index % 30 === 0);
    const burst = steady(fu, '2026-12-01T11:00:00.000Z', 10, 20);
    const { events, state } = run(undefined, pages([...background, ...quietOther, ...burst]));
    expect(events.map((event) => [event.type, event.itemId])).toEqual([
      ['tenant.login_failures_spike', 'login-failures:Username-Password-Authentication'],
    ]);
    const [spike] = events;
    expect(spike).toMatchObject({ severity: 'critical', status: 'spike', tenant: { connection: 'Username-Password-Authentication', windowMinutes: 15 } });
    expect(spike?.tenant?.count).toBeGreaterThanOrEqual(5 * 30);
    expect(spike?.tenant?.baseline).toBeCloseTo(30, 0);
    expect(spike?.title).toBe('Login failures spike on Username-Password-Authentication');
    // The spike calms down and, later, a new one is a new event.
    const calm = run(state, [['2026-12-01T11:40:00Z', []]]);
    expect(calm.events).toEqual([]);
  });

  it('names the provider of a social connection in the title', () => {
    const google = { connection: 'google-oauth2', strategy: 'google-oauth2', connection_id: 'con_google' };
    const background = steady(fu, '2026-12-01T08:00:00.000Z', 120, 1);
    const burst = steady(f, '2026-12-01T10:30:00.000Z', 5, 8, google);
    const { events } = run(undefined, pages([...background, ...burst]));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'tenant.login_failures_spike',
      itemId: 'login-failures:google-oauth2',
      title: 'Login failures spike on google-oauth2 (Google)',
      tenant: { connection: 'google-oauth2', strategy: 'google-oauth2', baseline: 0, count: 40 },
    });
    expect(events[0]?.summary).toContain("check Google's status");
  });

  it('learns silently for the first hour of history: a burst then is no spike', () => {
    const burst = steady(fu, '2026-12-01T08:10:00.000Z', 5, 10);
    expect(run(undefined, pages(burst)).events).toEqual([]);
  });
});

describe('extensibility failures and security signals', () => {
  it('counts failed Actions per action into one tenant.extensibility_failed naming the action and its error', () => {
    const failed = sample('actions_execution_failed');
    const logs = minutes('2026-12-01T11:00:00.999Z', 4, 3).map((at) => logAt(failed, at));
    const { events } = run(undefined, [['2026-12-01T11:10:00Z', logs], ['2026-12-01T11:20:00Z', []]]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'tenant.extensibility_failed',
      itemId: 'extensibility:actions_execution_failed:enrich-profile-from-crm',
      severity: 'major',
      status: 'failing',
      title: 'Action failing: enrich-profile-from-crm',
      tenant: { logType: 'actions_execution_failed', count: 4, clientName: 'Storefront', windowMinutes: 15 },
    });
    expect(events[0]?.summary).toContain('Action exceeded the 20 second execution limit');
  });

  it('counts attack-protection logs per type over the window', () => {
    const wc = sample('limit_wc', 1);
    const mu = sample('limit_mu');
    const leak = { ...sample('limit_wc', 1), type: 'pwd_leak', description: 'Breached password' };
    const logs = [
      logAt(mu, '2026-12-01T03:00:00.555Z'),
      logAt(wc, '2026-12-01T03:15:00.556Z'),
      logAt(wc, '2026-12-01T03:20:00.556Z'),
      logAt(leak, '2026-12-01T03:25:00.000Z'),
      logAt(sample('s'), '2026-12-01T03:26:00.000Z'),
    ];
    const first = run(undefined, [['2026-12-01T03:30:00Z', logs]]);
    expect(first.events).toEqual([]);
    const { events } = run(first.state, [['2026-12-01T04:30:00Z', []]]);
    expect(events.map((event) => [event.type, event.itemId, event.tenant?.count, event.severity])).toEqual([
      ['tenant.security_signal', 'security:limit_mu', 1, 'minor'],
      ['tenant.security_signal', 'security:limit_wc', 2, 'minor'],
      ['tenant.security_signal', 'security:pwd_leak', 1, 'minor'],
    ]);
    expect(events[1]?.title).toBe('Attack protection: IP addresses blocked after too many failed logins to one account (limit_wc)');
  });

  it('leaves logs no detector reads, and logs with an unreadable date, to the archive', () => {
    const real = ['s', 'sapi', 'mgmt_api_read', 'gd_tenant_update', 'seccft'].map((type) => sample(type));
    const unreadable = logAt(sample('api_limit', 1), 'not a date');
    const { events, state } = run(undefined, [['2026-12-01T12:00:00Z', [...real, { ...unreadable, date: 'not a date' }]], ['2026-12-02T12:00:00Z', []]]);
    expect(events).toEqual([]);
    expect(state).toMatchObject({ episodes: {}, deprecations: {}, logins: {} });
  });
});

describe('the gap event', () => {
  it('names the missing span between the checkpoint and the retention limit', () => {
    const event = makeTenantGapEvent(
      { source: SOURCE, now: new Date('2026-12-31T10:00:00Z') },
      '2026-11-20T08:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
    );
    expect(event).toMatchObject({
      type: 'tenant.logs_gap',
      itemId: 'gap:2026-11-20T08:00:00.000Z',
      severity: 'major',
      status: 'gap',
      occurredAt: '2026-11-20T08:00:00.000Z',
      tenant: { count: 0, from: '2026-11-20T08:00:00.000Z', to: '2026-12-01T10:00:00.000Z' },
    });
    expect(event.title).toBe('Tenant logs lost from 2026-11-20 08:00 UTC to 2026-12-01 10:00 UTC');
    expect(event.summary).toContain('about 11 days');
    expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
    const again = makeTenantGapEvent({ source: SOURCE, now: new Date('2026-12-31T10:05:00Z') }, '2026-11-20T08:00:00.000Z', '2026-12-01T10:05:00.000Z');
    expect(again.id).toBe(event.id);
  });
});

describe('state and determinism', () => {
  it('keeps the state under 100 KB over 10,000 logs of every kind and many distinct keys', () => {
    const templates = [
      sample('api_limit', 1),
      sample('api_limit_warning'),
      sample('depnote', 1),
      sample('fu'),
      sample('f', 0),
      sample('actions_execution_failed'),
      sample('limit_wc', 1),
      sample('s'),
    ];
    const logs = Array.from({ length: 10_000 }, (_, index) => {
      const template = templates[index % templates.length]!;
      const at = new Date(Date.parse('2026-12-01T00:00:00Z') + index * 15_000).toISOString();
      return logAt(template, at, {
        connection: `connection-${index % 211}-${'c'.repeat(80)}`,
        client_id: `client-${index % 307}`,
        details: {
          limit: { bucket: `bucket-${index % 97}` },
          request: { path: `/api/v2/${'p'.repeat(150)}/${index % 89}` },
          feature: { id: `feature-${index % 503}`, name: 'n'.repeat(400) },
          action_name: `action-${index % 71}`,
        },
      });
    });
    let state: TenantDetectorState | undefined;
    let events = 0;
    const started = performance.now();
    for (let index = 0; index < logs.length; index += 100) {
      const page = logs.slice(index, index + 100);
      const result = detectTenantLogs(state, page, ctx(page[page.length - 1]!.date));
      state = result.state;
      events += result.events.length;
    }
    const elapsedMs = performance.now() - started;
    const bytes = JSON.stringify(state).length;
    expect(events).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(100_000);
    expect(Object.keys(state!.episodes).length).toBeLessThanOrEqual(50);
    expect(Object.keys(state!.deprecations).length).toBeLessThanOrEqual(100);
    expect(Object.keys(state!.logins).length).toBeLessThanOrEqual(30);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    console.info(`tenant detectors: 10,000 logs in ${elapsedMs.toFixed(0)} ms, ${events} events, state ${bytes} bytes`);
  });

  it('yields the same events, ids included, when the same page is re-run from the same state, and never changes the given state', () => {
    const limit = sample('api_limit', 1);
    const page = [
      ...minutes('2026-12-01T10:15:02.123Z', 8).map((at) => logAt(limit, at)),
      logAt(sample('depnote', 1), '2026-12-01T10:20:00.000Z'),
      logAt(sample('actions_execution_failed'), '2026-12-01T10:21:00.000Z'),
      logAt(sample('s'), '2026-12-01T10:40:00.000Z'),
    ];
    const before = run(undefined, [['2026-12-01T10:10:00Z', [logAt(sample('fu'), '2026-12-01T10:00:00.000Z')]]]).state;
    const frozen = JSON.stringify(before);
    const first = detectTenantLogs(before, page, ctx('2026-12-01T10:40:00Z'));
    const second = detectTenantLogs(before, page, ctx('2026-12-01T10:40:00Z'));
    expect(JSON.stringify(before)).toBe(frozen);
    expect(first.events.map((event) => event.type)).toEqual([
      'tenant.deprecation_notice',
      'tenant.extensibility_failed',
      'tenant.rate_limited',
      'tenant.rate_limit_recovered',
    ]);
    expect(second.events).toEqual(first.events);
    expect(second.state).toEqual(first.state);
    // A re-run detected later (after a crash) keeps the ids: consumers deduplicate on them.
    const later = detectTenantLogs(before, page, ctx('2026-12-01T11:40:00Z'));
    expect(later.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
    for (const event of first.events) expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
  });
});
