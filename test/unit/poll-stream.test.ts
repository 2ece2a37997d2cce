// The stream use case with in-memory ports: a tenant's logs with checkpoint semantics, an archive, the state store.
import { describe, expect, it } from 'vitest';
import { ManagementApiError } from '../../functions/core/errors.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import type { Auth0TenantLogsSourceConfig } from '../../functions/sources/auth0-tenant-logs/config-schema.js';
import { makePollStream, type StreamSourceState } from '../../functions/stream/poll-stream.js';
import type { ArchiveKey, TenantLog } from '../../functions/stream/ports.js';
import { sampleLogs, tenantLog } from '../support/auth0-management-server.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { inMemoryArchive, inMemoryTenant, TENANT_LOGS_SOURCE } from '../support/in-memory-tenant-logs.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-11-02T09:00:00Z');
const MINUTE = 60_000;
const DAY = 86_400_000;
const CONFIG = TENANT_LOGS_SOURCE;

/** `n` real-shaped successful logins, one a second from `start`. */
function logins(start: number, n: number, seq0 = 0): TenantLog[] {
  const [template] = sampleLogs('s');
  return Array.from({ length: n }, (_, i) => tenantLog(template!, new Date(start + i * 1000), seq0 + i));
}

function bed(config: Partial<Auth0TenantLogsSourceConfig> = {}) {
  const tenant = inMemoryTenant();
  const archive = inMemoryArchive();
  const state = inMemoryStateStore();
  const clock = { at: T0 };
  const published: WatcherEvent[] = [];
  const secretsAsked: string[] = [];
  const source = { ...CONFIG, ...config };
  const checkpointAtPut: Array<{ key: ArchiveKey; checkpoint: string | undefined }> = [];
  const stored = () => state.records.get(`${source.id}|`)?.value as StreamSourceState | undefined;
  const poll = makePollStream({
    store: state.store,
    archive: {
      ...archive.archive,
      putPage: async (key, logs) => {
        checkpointAtPut.push({ key, checkpoint: stored()?.stream?.checkpoint });
        await archive.archive.putPage(key, logs);
      },
    },
    readerFor: (_config, secret) => {
      secretsAsked.push(secret);
      return tenant.reader;
    },
    publisher: { publish: async (event) => void published.push(event) },
    secrets: { resolve: async (ref) => `secret-of-${ref}` },
    clock: { now: () => new Date(clock.at) },
    logger: quiet,
  });
  return { tenant, archive, state, clock, published, secretsAsked, checkpointAtPut, stored, run: () => poll(source) };
}

describe('stream use case (auth0-tenant-logs)', () => {
  it('first run starts after the newest existing log, silently: nothing archived, nothing published', async () => {
    const t = bed();
    t.tenant.append(...logins(T0 - 10 * MINUTE, 5));
    const newest = t.tenant.reader && (await t.tenant.reader.newestLogId());
    const result = await t.run();
    expect(result.published).toEqual([]);
    expect(t.archive.puts).toEqual([]);
    expect(t.stored()?.stream?.checkpoint).toBe(newest);
    // The only page read starts from the tenant's own newest log id, never an invented one.
    expect(t.tenant.pageReads).toEqual([newest]);
    expect(t.secretsAsked).toEqual(['secret-of-env:AUTH0_LOGS_CLIENT_SECRET']);
  });

  it('archives every page before the checkpoint moves past it, then reads on until an empty page', async () => {
    const t = bed();
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    const newLogs = logins(T0, 250, 1);
    t.tenant.append(...newLogs);
    t.clock.at += 5 * MINUTE;
    const result = await t.run();
    expect(result).toMatchObject({ outcome: 'changed', archived: 250, behind: false });
    expect(t.archive.puts.map((key) => key.firstLogId)).toEqual([newLogs[0]!.log_id, newLogs[100]!.log_id, newLogs[200]!.log_id]);
    // At each archive write the stored checkpoint was still the log before the page.
    expect(t.checkpointAtPut.map((put) => put.checkpoint)).toEqual([
      t.tenant.pageReads[1],
      newLogs[99]!.log_id,
      newLogs[199]!.log_id,
    ]);
    expect(t.archive.puts.every((key) => key.tenant === 'acme.us.auth0.com' && key.day === '2026-11-02')).toBe(true);
    expect(t.stored()?.stream?.checkpoint).toBe(newLogs[249]!.log_id);
    expect([...t.archive.counts().values()].every((n) => n === 1)).toBe(true);
    expect(t.archive.counts().size).toBe(250);
  });

  it('stops when the run\'s page budget is spent; the next run continues from the checkpoint', async () => {
    const t = bed({ maxPagesPerRun: 2 });
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    t.tenant.append(...logins(T0, 250, 1));
    t.clock.at += 5 * MINUTE;
    const first = await t.run();
    expect(first).toMatchObject({ archived: 200, behind: true, outcome: 'changed' });
    t.clock.at += 5 * MINUTE;
    const second = await t.run();
    expect(second).toMatchObject({ archived: 50, behind: false });
    expect(t.archive.counts().size).toBe(250);
    expect([...t.archive.counts().values()].every((n) => n === 1)).toBe(true);
  });

  it('announces one tenant.logs_gap when the logs since the last read are older than the retention, then reads on', async () => {
    const t = bed({ retentionDays: 10 });
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    t.clock.at += 12 * DAY;
    t.tenant.append(...logins(t.clock.at - DAY, 3, 1));
    const result = await t.run();
    const gaps = result.published.filter((e) => e.type === 'tenant.logs_gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.tenant).toMatchObject({ from: new Date(T0).toISOString(), to: new Date(t.clock.at - 10 * DAY).toISOString() });
    expect(result.archived).toBe(3);
    t.clock.at += 5 * MINUTE;
    const again = await t.run();
    expect(again.published.filter((e) => e.type === 'tenant.logs_gap')).toEqual([]);
  });

  it('a quiet tenant read regularly has no gap, however old its newest log', async () => {
    const t = bed({ retentionDays: 10 });
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    const published: WatcherEvent[] = [];
    for (let day = 1; day <= 25; day += 1) {
      t.clock.at = T0 + day * DAY;
      published.push(...(await t.run()).published);
    }
    expect(published).toEqual([]);
  });

  it('Management API failures count towards source.failing (naming the missing scope), change no checkpoint, and recover', async () => {
    const t = bed();
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    const checkpoint = t.stored()?.stream?.checkpoint;
    t.tenant.append(...logins(T0, 10, 1));
    const url = 'https://acme.us.auth0.com/api/v2/logs';
    t.tenant.failNext(3, new ManagementApiError(url, 'HTTP 403: Insufficient scope, expected any of: read:logs', { status: 403, missingScope: 'read:logs' }));
    const outcomes: string[] = [];
    const events: WatcherEvent[] = [];
    for (let i = 0; i < 3; i += 1) {
      t.clock.at += 5 * MINUTE;
      const result = await t.run();
      outcomes.push(result.outcome);
      events.push(...result.published);
    }
    expect(outcomes).toEqual(['failed', 'failed', 'failed']);
    expect(events.map((e) => e.type)).toEqual(['source.failing']);
    expect(events[0]!.summary).toContain('read:logs');
    expect(events[0]!.summary).toContain(url);
    expect(t.stored()?.stream?.checkpoint).toBe(checkpoint);
    expect(t.archive.puts).toEqual([]);
    t.clock.at += 5 * MINUTE;
    const recovered = await t.run();
    expect(recovered.published.map((e) => e.type)).toEqual(['source.recovered']);
    expect(recovered.archived).toBe(10);
  });

  it('a rate limit that outlasts the reader\'s budget stops the run early without failing it; the next run continues', async () => {
    const t = bed();
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    t.tenant.append(...logins(T0, 150, 1));
    t.clock.at += 5 * MINUTE;
    // The first page is read, the second is refused.
    const reader = t.tenant.reader;
    const page = reader.page.bind(reader);
    let calls = 0;
    reader.page = async (from, take) => {
      calls += 1;
      if (calls === 2) throw new ManagementApiError('https://acme.us.auth0.com/api/v2/logs', 'HTTP 429: Too Many Requests', { status: 429, rateLimited: true });
      return page(from, take);
    };
    const limited = await t.run();
    expect(limited).toMatchObject({ outcome: 'changed', archived: 100, behind: true });
    expect(t.stored()?.consecutiveFailures).toBe(0);
    t.clock.at += 5 * MINUTE;
    const next = await t.run();
    expect(next).toMatchObject({ archived: 50, behind: false });
    expect(t.archive.counts().size).toBe(150);
  });

  it('a burst of api_limit logs (one a minute) is one tenant.rate_limited event, and a quiet period one recovery', async () => {
    const t = bed();
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    const [limit] = sampleLogs('api_limit');
    t.tenant.append(...Array.from({ length: 12 }, (_, i) => tenantLog(limit!, new Date(T0 + i * MINUTE), 100 + i)));
    t.clock.at = T0 + 13 * MINUTE;
    const burst = await t.run();
    expect(burst.published.map((e) => e.type)).toEqual(['tenant.rate_limited']);
    t.clock.at += 5 * MINUTE;
    expect((await t.run()).published).toEqual([]);
    t.clock.at += 30 * MINUTE;
    const recovery = await t.run();
    expect(recovery.published.map((e) => e.type)).toEqual(['tenant.rate_limit_recovered']);
    // One thread: the recovery names the episode's event as its predecessor.
    expect(recovery.published[0]!.previous?.id).toBe(burst.published[0]!.id);
  });

  it('a run that finds another run holding the source reads nothing', async () => {
    const t = bed();
    t.tenant.append(...logins(T0 - MINUTE, 1));
    await t.run();
    const record = await t.state.store.getSource(CONFIG.id);
    await t.state.store.putSource(CONFIG.id, { ...record!.value, leaseUntil: new Date(T0 + 10 * MINUTE).toISOString() }, { expectedVersion: record!.version });
    t.tenant.append(...logins(T0, 5, 1));
    const result = await t.run();
    expect(result.outcome).toBe('busy');
    expect(t.archive.puts).toEqual([]);
  });
});
