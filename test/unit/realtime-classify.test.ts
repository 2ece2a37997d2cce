// The real-time path of a tenant-log source (functions/stream/classify-realtime.ts) with the poll, on in-memory ports:
// logs seen by both paths yield their events once, whichever comes first; what the real-time path leaves, the poll
// classifies once. Also the order tolerance of the detectors it relies on, and the `partnerEventSource` config key.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { DEFAULT_TENANT_DETECTOR_SETTINGS, detectTenantLogs, type TenantDetectorState } from '../../functions/core/tenant/index.js';
import { makeClassifyRealtime, type RealtimeSettings } from '../../functions/stream/classify-realtime.js';
import { makePollStream, type StreamSourceState } from '../../functions/stream/poll-stream.js';
import type { TenantLog } from '../../functions/stream/ports.js';
import { sampleLogs, tenantLog } from '../support/auth0-management-server.js';
import { configErrorOf } from '../support/config-error.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { inMemoryArchive, inMemoryTenant, TENANT_LOGS_SOURCE } from '../support/in-memory-tenant-logs.js';
import { Crash } from '../support/simulated-crash.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-11-02T09:00:00Z');
const MINUTE = 60_000;
const CONFIG = TENANT_LOGS_SOURCE;
const PARTNER = 'aws.partner/auth0.com/acme-prod-5f0c3a2e-8d1b-4c7e-9a55-0b6f2d1e7c90/auth0.logs';

/** `n` api_limit logs (the reconstructed sample), one a minute from `start`. */
function rateLimits(start: number, n: number, seq0 = 100): TenantLog[] {
  const template = sampleLogs('api_limit')[0]!;
  return Array.from({ length: n }, (_, i) => tenantLog(template, new Date(start + i * MINUTE), seq0 + i));
}

function bed(settings: Partial<RealtimeSettings> = {}) {
  const tenant = inMemoryTenant();
  const archive = inMemoryArchive();
  const state = inMemoryStateStore();
  const clock = { at: T0 };
  const published: WatcherEvent[] = [];
  let crashNextPublish = false;
  const publisher = {
    publish: async (event: WatcherEvent) => {
      if (crashNextPublish) {
        crashNextPublish = false;
        throw new Crash('before publish');
      }
      published.push(event);
    },
  };
  const common = { store: state.store, publisher, clock: { now: () => new Date(clock.at) }, logger: quiet };
  const poll = makePollStream({ ...common, archive: archive.archive, readerFor: () => tenant.reader, secrets: { resolve: async () => 's' } });
  const realtime = makeClassifyRealtime({ ...common, settings });
  const stored = () => state.records.get(`${CONFIG.id}|`)?.value as StreamSourceState | undefined;
  return {
    tenant,
    archive,
    state,
    clock,
    published,
    stored,
    crashNextPublish: () => void (crashNextPublish = true),
    poll: () => poll(CONFIG),
    realtime: (logs: readonly TenantLog[]) => realtime(CONFIG, logs),
    /** A tenant with one old log, read once (the silent first run). */
    async baselined() {
      tenant.append(...rateLimits(T0 - 60 * MINUTE, 1, 1).map((log) => ({ ...log, type: 's' })));
      await poll(CONFIG);
    },
    /**
     * Baselined, then seven api_limit logs a minute apart from T0 + 1 min, of which the poll read the first three at
     * T0 + 3.5 min (too early to announce); the clock is then at T0 + 8 min. Returns the seven logs.
     */
    async primed(): Promise<TenantLog[]> {
      await this.baselined();
      const logs = rateLimits(T0 + MINUTE, 7);
      tenant.append(...logs.slice(0, 3));
      clock.at = T0 + 3.5 * MINUTE;
      await poll(CONFIG);
      tenant.append(...logs.slice(3));
      clock.at = T0 + 8 * MINUTE;
      return logs;
    },
  };
}

const typesOf = (events: readonly WatcherEvent[]) => events.map((e) => e.type);

describe('real-time path with the poll (auth0-tenant-logs)', () => {
  it('real time then poll: the rate limit is announced by the real-time path, once, and the poll archives every log', async () => {
    const t = bed();
    const logs = await t.primed();
    // Delivered again, the logs the poll has read are passed over.
    const result = await t.realtime(logs);
    expect(result).toMatchObject({ classified: 4, leftToPoll: 0 });
    expect(typesOf(result.published)).toEqual(['tenant.rate_limited']);
    t.clock.at += MINUTE;
    const polled = await t.poll();
    expect(polled).toMatchObject({ archived: 4, outcome: 'changed' });
    expect(polled.published).toEqual([]);
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
    expect(t.archive.counts().size).toBe(7);
    expect(Object.values(t.stored()!.stream!.detectors!.episodes)[0]).toMatchObject({ count: 7, start: T0 + MINUTE });
  });

  it('poll then real time: logs at or before the checkpoint are not classified again', async () => {
    const t = bed();
    await t.baselined();
    const logs = rateLimits(T0 + MINUTE, 7);
    t.tenant.append(...logs);
    t.clock.at = T0 + 8 * MINUTE;
    expect(typesOf((await t.poll()).published)).toEqual(['tenant.rate_limited']);
    const late = await t.realtime(logs);
    expect(late).toMatchObject({ classified: 0, leftToPoll: 0, published: [] });
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
  });

  it('the same batch delivered twice (and duplicated within itself) yields its event once', async () => {
    const t = bed();
    const logs = await t.primed();
    const batch = [...logs, ...logs.slice(3, 5)].reverse();
    expect((await t.realtime(batch)).classified).toBe(4);
    expect(await t.realtime(batch)).toMatchObject({ classified: 0, leftToPoll: 0 });
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
    expect(t.stored()?.stream?.realtime).toEqual(logs.slice(3).map((log) => log.log_id));
  });

  it('while a poll run holds the source the real-time path leaves its logs, and the poll classifies them once', async () => {
    const t = bed();
    await t.baselined();
    const record = await t.state.store.getSource(CONFIG.id);
    const leaseUntil = new Date(T0 + 10 * MINUTE).toISOString();
    await t.state.store.putSource(CONFIG.id, { ...record!.value, leaseUntil }, { expectedVersion: record!.version });
    const logs = rateLimits(T0 + MINUTE, 7);
    t.tenant.append(...logs);
    t.clock.at = T0 + 8 * MINUTE;
    const left = await t.realtime(logs);
    expect(left).toMatchObject({ classified: 0, leftToPoll: 7, reason: 'a poll run holds the source' });
    expect(t.stored()?.stream?.realtime).toBeUndefined();
    t.clock.at = T0 + 11 * MINUTE;
    expect(typesOf((await t.poll()).published)).toEqual(['tenant.rate_limited']);
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
  });

  it('drops claims as the checkpoint passes them, keeping those after it', async () => {
    const t = bed();
    await t.baselined();
    const logs = rateLimits(T0 + MINUTE, 7);
    t.tenant.append(...logs.slice(0, 4));
    t.clock.at = T0 + 8 * MINUTE;
    await t.realtime(logs);
    expect(t.stored()?.stream?.realtime).toHaveLength(7);
    await t.poll();
    expect(t.stored()?.stream?.realtime).toEqual(logs.slice(4).map((log) => log.log_id));
    t.tenant.append(...logs.slice(4));
    await t.poll();
    expect(t.stored()?.stream?.realtime).toBeUndefined();
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
  });

  it('claims at most maxClaims: the excess is left to the poll, which classifies it once', async () => {
    const t = bed({ maxClaims: 3 });
    await t.baselined();
    const logs = rateLimits(T0 + MINUTE, 7);
    t.tenant.append(...logs);
    t.clock.at = T0 + 8 * MINUTE;
    const capped = await t.realtime(logs);
    expect(capped).toMatchObject({ classified: 3, leftToPoll: 4, reason: '3 claims outstanding' });
    expect(await t.realtime(logs)).toMatchObject({ classified: 0, leftToPoll: 4 });
    await t.poll();
    expect(t.stored()?.stream?.realtime).toBeUndefined();
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
    // The episode counts every log once: three from the real-time path, four from the poll.
    expect(Object.values(t.stored()!.stream!.detectors!.episodes)[0]?.count).toBe(7);
  });

  it('classifies nothing for a source that has no checkpoint yet (the first poll run is silent)', async () => {
    const t = bed();
    const result = await t.realtime(rateLimits(T0 + MINUTE, 7));
    expect(result).toMatchObject({ classified: 0, leftToPoll: 7, reason: 'the source has no checkpoint yet', published: [] });
    expect(t.stored()).toBeUndefined();
  });

  it('a crash after the commit, before publishing, is published once by the next run', async () => {
    const t = bed();
    const logs = await t.primed();
    t.crashNextPublish();
    await expect(t.realtime(logs)).rejects.toThrow(Crash);
    expect(t.published).toEqual([]);
    // Within the claim's lease nobody takes it; after it, the next run of either path publishes it.
    expect((await t.realtime([])).published).toEqual([]);
    t.clock.at += 3 * MINUTE;
    expect(typesOf((await t.realtime([])).published)).toEqual(['tenant.rate_limited']);
    expect((await t.poll()).published).toEqual([]);
    expect(typesOf(t.published)).toEqual(['tenant.rate_limited']);
    expect(logs).toHaveLength(7);
  });
});

describe('tenant detectors taking logs out of order (ahead of the poll)', () => {
  const ctx = (now: number) => ({ source: { id: 'acme-logs', type: 'auth0-tenant-logs', vendor: 'Auth0', url: 'https://acme.us.auth0.com' }, now: new Date(now), settings: DEFAULT_TENANT_DETECTOR_SETTINGS });
  const baseline = (): TenantDetectorState => detectTenantLogs(undefined, [], ctx(T0)).state;

  it('announces a rate limit with the same id whether its later logs came first (real time) or in order (poll)', () => {
    const logs = rateLimits(T0 + MINUTE, 8);
    const inOrder = detectTenantLogs(baseline(), logs, ctx(T0 + 9 * MINUTE), { through: T0 + 9 * MINUTE });
    // The real-time path saw logs 3 to 8, then the poll read all eight (the first two for the first time).
    const ahead = detectTenantLogs(baseline(), logs.slice(2), ctx(T0 + 9 * MINUTE), { ahead: true });
    const polled = detectTenantLogs(ahead.state, logs.slice(0, 2), ctx(T0 + 9 * MINUTE), { through: T0 + 9 * MINUTE });
    // Its start (log 3) lay after the horizon: not announced ahead, since log 1 or 2 could still come and move it.
    expect(ahead.events).toEqual([]);
    expect(polled.events.map((e) => e.id)).toEqual(inOrder.events.map((e) => e.id));
    expect(Object.values(polled.state.episodes)[0]).toMatchObject({ start: T0 + MINUTE, count: 8 });
  });

  it('defers an ahead log after a quiet gap that the poll has not read through, and ends nothing ahead of the horizon', () => {
    const first = detectTenantLogs(baseline(), rateLimits(T0 + MINUTE, 2), ctx(T0 + 3 * MINUTE), { through: T0 + 3 * MINUTE });
    const later = rateLimits(T0 + 30 * MINUTE, 1, 900);
    const ahead = detectTenantLogs(first.state, later, ctx(T0 + 31 * MINUTE), { ahead: true });
    expect(ahead.deferred).toEqual([later[0]!.log_id]);
    expect(ahead.events).toEqual([]);
    expect(ahead.state.episodes).toEqual(first.state.episodes);
    // The poll reads it in order: the first episode ends (recovered) and a new one starts.
    const polled = detectTenantLogs(first.state, later, ctx(T0 + 31 * MINUTE), { through: T0 + 31 * MINUTE });
    expect(polled.events.map((e) => e.type)).toContain('tenant.rate_limit_recovered');
    expect(Object.values(polled.state.episodes)[0]).toMatchObject({ start: T0 + 30 * MINUTE, count: 1 });
  });

  it('keeps the failed-login minutes the poll still counts into when newer failures came first', () => {
    const failed = sampleLogs('f')[0]!;
    const failures = (start: number, n: number, seq0: number) =>
      Array.from({ length: n }, (_, i) => tenantLog(failed, new Date(start + i * 10_000), seq0 + i));
    const older = failures(T0 + MINUTE, 6, 10);
    const newer = failures(T0 + 10 * MINUTE, 6, 50);
    const inOrder = detectTenantLogs(baseline(), [...older, ...newer], ctx(T0 + 12 * MINUTE), { through: T0 + 12 * MINUTE });
    const ahead = detectTenantLogs(baseline(), newer, ctx(T0 + 12 * MINUTE), { ahead: true });
    const polled = detectTenantLogs(ahead.state, older, ctx(T0 + 12 * MINUTE), { through: T0 + 12 * MINUTE });
    const connection = Object.keys(inOrder.state.logins)[0]!;
    expect(polled.state.logins[connection]!.m).toEqual(inOrder.state.logins[connection]!.m);
    expect(polled.state.logins[connection]!.h).toEqual(inOrder.state.logins[connection]!.h);
  });
});

describe('the partnerEventSource config key', () => {
  const source = { id: 'acme-logs', type: 'auth0-tenant-logs', url: 'https://acme.us.auth0.com', clientId: 'abc', clientSecret: 'env:S' };

  it('accepts the name Auth0 gives the partner event source (the real captured one too)', () => {
    const real = 'aws.partner/auth0.com/thiscovery-2308531e-1ba0-4824-a5de-5fa1d5928ea4/auth0.logs';
    for (const partnerEventSource of [PARTNER, real]) {
      const config = parseConfig({ sources: [{ ...source, partnerEventSource }] }, '/');
      expect(config.sources[0]).toMatchObject({ partnerEventSource });
    }
  });

  it('refuses another shape, naming the source and the expected form', () => {
    const message = configErrorOf(() => parseConfig({ sources: [{ ...source, partnerEventSource: 'aws.partner/auth0.com/acme/auth0.logs' }] }, '/'));
    expect(message).toContain('partnerEventSource');
    expect(message).toContain('aws.partner/auth0.com/<tenant>-<uuid>/auth0.logs');
  });

  it('refuses one partner event source on two sources, naming the first', () => {
    const message = configErrorOf(() =>
      parseConfig(
        { sources: [{ ...source, partnerEventSource: PARTNER }, { ...source, id: 'acme-logs-2', partnerEventSource: PARTNER }] },
        '/',
      ),
    );
    expect(message).toContain('already the partner event source of source "acme-logs"');
  });
});
