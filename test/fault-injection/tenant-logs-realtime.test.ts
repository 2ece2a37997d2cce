// Fault injection on the two paths of a tenant-log source: seeded timelines of a tenant's logs, read every five minutes
// by the poll while the real-time path gets EventBridge-like batches (random subsets of the logs, some delivered twice,
// out of order, some before the poll and some after it), with the process dying at step boundaries of either path (a
// crashed batch is delivered again later, as SQS does). After the runs settle, each event was published once, each
// (item, type, change) once, and the events are those of the same timeline read by the poll alone.
import { describe, expect, it } from 'vitest';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger, StateStore } from '../../functions/core/ports.js';
import type { Auth0TenantLogsSourceConfig } from '../../functions/sources/auth0-tenant-logs/config-schema.js';
import { makeClassifyRealtime } from '../../functions/stream/classify-realtime.js';
import { makePollStream } from '../../functions/stream/poll-stream.js';
import type { TenantLog, TenantLogReader } from '../../functions/stream/ports.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { inMemoryArchive, inMemoryTenant, TENANT_LOGS_SOURCE } from '../support/in-memory-tenant-logs.js';
import { seededRandom } from '../support/seeded-random.js';
import { Crash } from '../support/simulated-crash.js';
import { recordFigures } from './figures.js';
import { logsOfTick, T0, TICK } from './tenant-logs-timeline.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const TIMELINE_TICKS = 36;
const SETTLE_TICKS = 12;
const TIMELINES = 8;
const CRASHES_PER_TIMELINE = 8;
const CONFIG: Auth0TenantLogsSourceConfig = { ...TENANT_LOGS_SOURCE, maxPagesPerRun: 3 };

/**
 * Where a process may die without a publish being repeated: reading a page, writing the record (before or after),
 * just before a publish, just after an ack. (A death between a publish and its ack repeats that publish; consumers
 * deduplicate on the event id. tenant-logs-crashes.test.ts covers those.)
 */
const SITES = [
  ['page', 'before'],
  ['page', 'after'],
  ['putSource', 'before'],
  ['putSource', 'after'],
  ['publish', 'before'],
  ['ackOutbox', 'after'],
] as const;
type Site = (typeof SITES)[number][0];

class FaultPlan {
  readonly calls = new Map<Site, number>();
  fired = 0;
  armed = true;
  constructor(private readonly points: ReadonlyArray<{ site: Site; when: 'before' | 'after'; nth: number }>) {}

  instrument<T extends object>(target: T): T {
    const check = (site: Site, when: 'before' | 'after') => {
      if (!this.armed) return;
      const n = this.calls.get(site) ?? 0;
      if (this.points.some((p) => p.site === site && p.when === when && p.nth === n)) {
        this.fired += 1;
        throw new Crash(`${when} ${site} #${n}`);
      }
    };
    return new Proxy(target, {
      get: (object, key) => {
        const original = (object as Record<string | symbol, unknown>)[key];
        if (typeof original !== 'function') return original;
        if (!SITES.some(([site]) => site === key)) return original.bind(object);
        const site = key as Site;
        return async (...args: unknown[]) => {
          this.calls.set(site, (this.calls.get(site) ?? 0) + 1);
          check(site, 'before');
          const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(object, args);
          check(site, 'after');
          return result;
        };
      },
    });
  }
}

interface TimelineResult {
  readonly published: readonly WatcherEvent[];
  /** Events the real-time path published (the others the poll did). */
  readonly byRealtime: number;
  readonly crashes: number;
  readonly batches: number;
  readonly logsArchived: Map<string, number>;
  readonly written: number;
}

/** One timeline; `realtime` false reads it with the poll alone and no crashes (the reference). */
async function runTimeline(seed: number, realtime: boolean): Promise<TimelineResult> {
  const next = seededRandom(seed);
  const pick = seededRandom(seed * 7919);
  const points = realtime
    ? Array.from({ length: CRASHES_PER_TIMELINE }, () => {
        const [site, when] = SITES[Math.floor(pick() * SITES.length)]!;
        return { site, when, nth: 1 + Math.floor(pick() * (site === 'page' ? 60 : site === 'putSource' ? 150 : 20)) };
      })
    : [];
  const plan = new FaultPlan(points);
  const tenant = inMemoryTenant();
  const archive = inMemoryArchive();
  const { store } = inMemoryStateStore();
  let now = T0;
  const published: WatcherEvent[] = [];
  let inRealtime = false;
  let byRealtime = 0;
  const deps = {
    store: plan.instrument<StateStore>(store),
    publisher: plan.instrument({
      publish: async (event: WatcherEvent) => {
        published.push(event);
        if (inRealtime) byRealtime += 1;
      },
    }),
    clock: { now: () => new Date(now) },
    logger: quiet,
  };
  const poll = makePollStream({ ...deps, archive: archive.archive, readerFor: () => plan.instrument<TenantLogReader>(tenant.reader), secrets: { resolve: async () => 's' } });
  const classify = makeClassifyRealtime(deps);
  let crashes = 0;
  let batches = 0;
  const attempt = async (run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      return true;
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
      crashes += 1;
      return false;
    }
  };

  tenant.append(...logsOfTick(0, next));
  plan.armed = false;
  await poll(CONFIG);
  let written = 0;
  // Batches SQS still holds: a crashed one comes back at the next tick.
  let queued: TenantLog[][] = [];
  let previous: TenantLog[] = [];
  for (let tick = 1; tick <= TIMELINE_TICKS + SETTLE_TICKS; tick += 1) {
    now = T0 + tick * TICK;
    const logs = tick <= TIMELINE_TICKS ? logsOfTick(tick, next) : [];
    tenant.append(...logs);
    written += logs.length;
    plan.armed = tick <= TIMELINE_TICKS;
    if (!realtime) {
      await poll(CONFIG);
      continue;
    }
    // This tick's deliveries: most of its logs, some of the previous tick's again, shuffled, in one to three batches.
    const delivered = [...logs.filter(() => pick() < 0.8), ...previous.filter(() => pick() < 0.1)];
    for (let i = delivered.length - 1; i > 0; i -= 1) {
      const j = Math.floor(pick() * (i + 1));
      [delivered[i], delivered[j]] = [delivered[j]!, delivered[i]!];
    }
    const parts = 1 + Math.floor(pick() * 3);
    const size = Math.ceil(delivered.length / parts);
    for (let i = 0; i < delivered.length; i += size) queued.push(delivered.slice(i, i + size));
    previous = logs;
    const pollAt = Math.floor(pick() * (queued.length + 1));
    const waiting = queued;
    queued = [];
    for (let index = 0; index <= waiting.length; index += 1) {
      if (index === pollAt) await attempt(() => poll(CONFIG));
      const batch = waiting[index];
      if (batch === undefined) continue;
      batches += 1;
      inRealtime = true;
      const done = await attempt(() => classify(CONFIG, batch));
      inRealtime = false;
      if (!done) queued.push(batch);
    }
  }
  return { published, byRealtime, crashes, batches, logsArchived: archive.counts(), written };
}

const keyOf = (event: WatcherEvent) => `${event.itemId}|${event.type}|${event.id}`;

describe('tenant-log real-time and poll paths under crashes', () => {
  it('the stream and poll paths deduplicated: each event once, the same events as the poll alone, every log archived once', async () => {
    let crashes = 0;
    let batches = 0;
    let events = 0;
    let logs = 0;
    let byRealtime = 0;
    for (let seed = 1; seed <= TIMELINES; seed += 1) {
      const reference = await runTimeline(seed, false);
      const both = await runTimeline(seed, true);
      const ids = both.published.map((event) => event.id);
      // No event published twice, no (item, type, change) twice.
      expect(new Set(ids).size).toBe(ids.length);
      const changes = both.published.map((event) => `${event.itemId}|${event.type}|${event.id}`);
      expect(new Set(changes).size).toBe(changes.length);
      // The same events as the poll alone, ids included.
      expect(both.published.map(keyOf).sort()).toEqual(reference.published.map(keyOf).sort());
      expect(reference.published.length).toBeGreaterThanOrEqual(4);
      // The poll archived every log exactly once whatever the real-time path did.
      expect(both.logsArchived.size).toBe(both.written);
      expect([...both.logsArchived.values()].every((n) => n === 1)).toBe(true);
      byRealtime += both.byRealtime;
      crashes += both.crashes;
      batches += both.batches;
      events += reference.published.length;
      logs += both.written;
    }
    expect(crashes).toBeGreaterThan(TIMELINES);
    // The real-time path did classify and announce (not only leave everything to the poll).
    expect(byRealtime).toBeGreaterThan(0);
    await recordFigures('tenant-logs-realtime', {
      timelines: TIMELINES,
      realtimeBatches: batches,
      crashedRuns: crashes,
      logs,
      eventsExpected: events,
      eventsPublishedByTheRealtimePath: byRealtime,
      eventsPublishedTwice: 0,
      eventsLost: 0,
      eventsInvented: 0,
    });
  });
});
