// The probe use case with in-memory ports and a probe plug-in of the test's own: state judged run to run, events
// chained and published from the outbox, failures counted toward source.failing with the state kept.
import { describe, expect, it } from 'vitest';
import { ProbeError, PublishError } from '../../functions/core/errors.js';
import { makeEvent } from '../../functions/core/event-factory.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Fetcher, Logger } from '../../functions/core/ports.js';
import { makeRunProbe, type ProbeSourceState } from '../../functions/probe/run-probe.js';
import type { ProbeContext, ProbeSourceModule, ProbeState, SourceConfigBase } from '../../functions/sources/source.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-12-01T09:00:00Z');
const MINUTE = 60_000;
const noFetcher: Fetcher = { fetch: async () => Promise.reject(new Error('no fetcher in this test')) };

interface CounterConfig extends SourceConfigBase {
  readonly type: 'test-counter';
  readonly token: string;
}
const CONFIG: CounterConfig = { id: 'counter', type: 'test-counter', url: 'https://probe.example/check', token: 'env:PROBE_TOKEN' };

/**
 * A probe that reads a number each run (from `reading()`) and announces `tenant.check_failed` when it turns odd and
 * `tenant.check_passed` when it turns even again; the first run is a silent baseline. It throws when `reading()` does.
 */
function counterProbe(reading: () => number, seen: Array<{ previous: ProbeState | undefined; ctx: ProbeContext }>) {
  const module: ProbeSourceModule<CounterConfig> = {
    type: 'test-counter',
    kind: 'probe',
    configSchema: () => {
      throw new Error('not used');
    },
    defaultEveryMinutes: 1,
    vendor: 'Auth0',
    secretRefsOf: (config) => [{ field: 'token', ref: config.token as never }],
    async run(_config, previous, ctx) {
      seen.push({ previous, ctx });
      const value = reading();
      const odd = value % 2 === 1;
      const wasOdd = previous?.['odd'] === true;
      const events: WatcherEvent[] = [];
      if (previous !== undefined && odd !== wasOdd) {
        events.push(
          makeEvent(ctx.source, odd ? 'tenant.check_failed' : 'tenant.check_passed', `${odd ? 'failed' : 'passed'}:${value}`, ctx.now, {
            itemId: 'parity',
            title: `Parity is ${odd ? 'odd' : 'even'}`,
            url: ctx.source.url,
            severity: odd ? 'major' : 'info',
            occurredAt: ctx.now.toISOString(),
            summary: `Read ${value}.`,
            check: 'parity',
          }),
        );
      }
      return { state: { odd, value }, events, measurements: { value } };
    },
  };
  return module;
}

function bed(readings: Array<number | Error>) {
  const state = inMemoryStateStore();
  const clock = { at: T0 };
  const published: WatcherEvent[] = [];
  const seen: Array<{ previous: ProbeState | undefined; ctx: ProbeContext }> = [];
  let failPublish = false;
  let next = 0;
  const module = counterProbe(() => {
    const value = readings[Math.min(next++, readings.length - 1)]!;
    if (value instanceof Error) throw value;
    return value;
  }, seen);
  const run = makeRunProbe({
    store: state.store,
    publisher: {
      publish: async (event) => {
        if (failPublish) throw new PublishError(event.id, 'SNS refused');
        published.push(event);
      },
    },
    secrets: { resolve: async (ref) => `secret-of-${ref}` },
    clock: { now: () => new Date(clock.at) },
    logger: quiet,
    fetcher: noFetcher,
    moduleFor: () => module as unknown as ProbeSourceModule<SourceConfigBase>,
    settings: { failureThreshold: 2 },
  });
  const stored = () => state.records.get(`${CONFIG.id}|`)?.value as ProbeSourceState | undefined;
  const tick = async () => {
    const result = await run(CONFIG);
    clock.at += MINUTE;
    return result;
  };
  return { state, published, seen, stored, tick, failPublishing: (on: boolean) => void (failPublish = on) };
}

describe('probe use case', () => {
  it('passes the plug-in its previous state and resolved secrets, and stores what it returns; the first run is silent', async () => {
    const t = bed([2, 2]);
    const first = await t.tick();
    expect(first.outcome).toBe('unchanged');
    expect(first.measurements).toEqual({ value: 2 });
    expect(t.seen[0]!.previous).toBeUndefined();
    expect(t.seen[0]!.ctx.secrets).toEqual({ token: 'secret-of-env:PROBE_TOKEN' });
    expect(t.stored()?.probe).toEqual({ odd: false, value: 2 });
    await t.tick();
    expect(t.seen[1]!.previous).toEqual({ odd: false, value: 2 });
    expect(t.published).toEqual([]);
  });

  it('publishes each transition once and chains a thread’s events with previous', async () => {
    const t = bed([2, 3, 3, 4]);
    for (let i = 0; i < 4; i++) await t.tick();
    expect(t.published.map((e) => e.type)).toEqual(['tenant.check_failed', 'tenant.check_passed']);
    expect(t.published[0]!.check).toBe('parity');
    expect(t.published[1]!.previous).toEqual({ id: t.published[0]!.id, detectedAt: t.published[0]!.detectedAt });
    expect(t.stored()?.threads?.['parity']?.id).toBe(t.published[1]!.id);
  });

  it('counts a failed check toward source.failing, keeps the probe state, and recovers on the next good run', async () => {
    const t = bed([3, new ProbeError('https://probe.example/check', 'HTTP 503'), new ProbeError('https://probe.example/check', 'HTTP 503'), 3]);
    await t.tick();
    const failed = await t.tick();
    expect(failed).toMatchObject({ outcome: 'failed', reason: 'HTTP 503', url: 'https://probe.example/check' });
    expect(t.stored()?.probe).toEqual({ odd: true, value: 3 });
    expect(t.published).toEqual([]);
    await t.tick();
    expect(t.published.map((e) => e.type)).toEqual(['source.failing']);
    expect(t.published[0]!.summary).toContain('HTTP 503');
    const back = await t.tick();
    expect(back.outcome).toBe('unchanged');
    expect(t.published.map((e) => e.type)).toEqual(['source.failing', 'source.recovered']);
    // The check's own state survived the failures: still odd, so no parity event on recovery.
    expect(t.stored()?.probe).toEqual({ odd: true, value: 3 });
  });

  it('throws an error that is not a failure to read (a defect) without writing anything', async () => {
    const t = bed([2, new TypeError('bug in the probe')]);
    await t.tick();
    const before = t.state.records.get(`${CONFIG.id}|`)?.version;
    await expect(t.tick()).rejects.toThrow('bug in the probe');
    expect(t.state.records.get(`${CONFIG.id}|`)?.version).toBe(before);
  });

  it('keeps an event it could not publish in the outbox and publishes it once on the next run', async () => {
    const t = bed([2, 3, 3, 3]);
    await t.tick();
    t.failPublishing(true);
    const result = await t.tick();
    expect(result.outcome).toBe('failed');
    expect(t.published).toEqual([]);
    t.failPublishing(false);
    // The next run's check finds nothing new (still odd); the outbox's event goes out, once.
    await t.tick();
    await t.tick();
    expect(t.published.map((e) => e.type)).toEqual(['tenant.check_failed']);
  });

  it('gives way when another run wrote the record since it read it: busy, nothing published', async () => {
    const t = bed([2, 3]);
    await t.tick();
    const { store } = t.state;
    const racing = makeRunProbe({
      store: {
        ...store,
        getSource: async (id) => {
          const record = await store.getSource(id);
          // Another run writes between this run's read and its write.
          await store.putSource(id, { ...(record!.value as ProbeSourceState) }, { expectedVersion: record!.version });
          return record;
        },
      },
      publisher: { publish: async (event) => void t.published.push(event) },
      secrets: { resolve: async () => 'x' },
      clock: { now: () => new Date(T0 + 5 * MINUTE) },
      logger: quiet,
      fetcher: noFetcher,
      moduleFor: () => counterProbe(() => 3, []) as unknown as ProbeSourceModule<SourceConfigBase>,
    });
    const result = await racing(CONFIG);
    expect(result.outcome).toBe('busy');
    expect(t.published).toEqual([]);
  });
});
