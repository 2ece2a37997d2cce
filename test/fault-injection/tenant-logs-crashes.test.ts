// Fault injection on the tenant-log stream: seeded timelines of a tenant's logs (logins, failed logins, a rate-limit
// burst, deprecation notices, a login-failure spike), read every five minutes by the stream use case, with the process
// dying at every step boundary (reading a page, the archive write, the source record write, publishing, the ack). After
// the runs settle, the archive read back from disk holds every log id exactly once, and the events published are
// exactly those of the same timeline read without crashes: none lost, none invented.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeLocalLogArchive } from '../../functions/adapters/local-log-archive.js';
import type { Logger, StateStore } from '../../functions/core/ports.js';
import type { Auth0TenantLogsSourceConfig } from '../../functions/sources/auth0-tenant-logs/config-schema.js';
import { makePollStream } from '../../functions/stream/poll-stream.js';
import type { LogArchive, TenantLog, TenantLogReader } from '../../functions/stream/ports.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { inMemoryTenant, TENANT_LOGS_SOURCE } from '../support/in-memory-tenant-logs.js';
import { recordFigures } from './figures.js';
import { seededRandom } from '../support/seeded-random.js';
import { logsOfTick, T0, TICK } from './tenant-logs-timeline.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const TIMELINE_TICKS = 36;
const SETTLE_TICKS = 12;
const TIMELINES = 12;
const CRASHES_PER_TIMELINE = 6;
// Few pages a run, so that runs stop with a backlog and crashes fall between pages of one run too.
const CONFIG: Auth0TenantLogsSourceConfig = { ...TENANT_LOGS_SOURCE, maxPagesPerRun: 3 };

class Crash extends Error {
  override readonly name = 'Crash';
}

/** Each step boundary: a port method, just before or just after its call. */
const SITES = ['page', 'putPage', 'putSource', 'publish', 'ackOutbox'] as const;
type Site = (typeof SITES)[number];
interface CrashPoint {
  readonly site: Site;
  readonly when: 'before' | 'after';
  /** Crash at the n-th call of this site in the timeline. */
  readonly nth: number;
}

class FaultPlan {
  readonly calls = new Map<Site, number>();
  readonly fired: CrashPoint[] = [];
  armed = true;
  constructor(private readonly points: readonly CrashPoint[]) {}

  private check(site: Site, when: 'before' | 'after'): void {
    if (!this.armed) return;
    const n = this.calls.get(site) ?? 0;
    const point = this.points.find((p) => p.site === site && p.when === when && p.nth === n);
    if (!point || this.fired.includes(point)) return;
    this.fired.push(point);
    throw new Crash(`${when} ${site} #${n}`);
  }

  instrument<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (object, key) => {
        const original = (object as Record<string | symbol, unknown>)[key];
        if (typeof original !== 'function') return original;
        if (!(SITES as readonly string[]).includes(String(key))) return original.bind(object);
        const site = key as Site;
        return async (...args: unknown[]) => {
          this.calls.set(site, (this.calls.get(site) ?? 0) + 1);
          this.check(site, 'before');
          const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(object, args);
          this.check(site, 'after');
          return result;
        };
      },
    });
  }
}

interface TimelineResult {
  readonly archivedCounts: Map<string, number>;
  readonly publishedIds: readonly string[];
  readonly fired: readonly CrashPoint[];
  readonly crashedRuns: number;
  /** Every log the tenant wrote after the first (silent) run. */
  readonly written: TenantLog[];
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** One timeline read by the stream use case, crashing at `points`; then settle runs without crashes. */
async function runTimeline(seed: number, points: readonly CrashPoint[]): Promise<TimelineResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tenant-logs-crashes-'));
  dirs.push(dir);
  const next = seededRandom(seed);
  const plan = new FaultPlan(points);
  const tenant = inMemoryTenant();
  const archive = makeLocalLogArchive(dir);
  const { store } = inMemoryStateStore();
  let now = T0;
  const publishedIds: string[] = [];
  const poll = makePollStream({
    store: plan.instrument<StateStore>(store),
    archive: plan.instrument<LogArchive>(archive),
    readerFor: () => plan.instrument<TenantLogReader>(tenant.reader),
    publisher: plan.instrument({ publish: async (event: { id: string }) => void publishedIds.push(event.id) }),
    secrets: { resolve: async () => 'secret' },
    clock: { now: () => new Date(now) },
    logger: quiet,
  });
  // A tenant with history; the first run (not crashed: a crash there only moves the silent start) begins after it.
  tenant.append(...logsOfTick(0, next));
  plan.armed = false;
  await poll(CONFIG);
  plan.armed = true;
  const written: TenantLog[] = [];
  let crashedRuns = 0;
  for (let tick = 1; tick <= TIMELINE_TICKS + SETTLE_TICKS; tick += 1) {
    now = T0 + tick * TICK;
    if (tick <= TIMELINE_TICKS) {
      const logs = logsOfTick(tick, next);
      tenant.append(...logs);
      written.push(...logs);
    }
    plan.armed = tick <= TIMELINE_TICKS;
    try {
      await poll(CONFIG);
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
      crashedRuns += 1;
    }
  }
  const archivedCounts = new Map<string, number>();
  for (const log of await archive.readAll('acme.us.auth0.com')) archivedCounts.set(log.log_id, (archivedCounts.get(log.log_id) ?? 0) + 1);
  return { archivedCounts, publishedIds, fired: plan.fired, crashedRuns, written };
}

describe('tenant-log stream under crashes at every step boundary', () => {
  it('archives every log id exactly once and publishes every event of the crash-free reading, none invented', async () => {
    const fired = new Set<string>();
    let crashedRuns = 0;
    let logs = 0;
    let events = 0;
    let republished = 0;
    for (let seed = 1; seed <= TIMELINES; seed += 1) {
      const reference = await runTimeline(seed, []);
      const pick = seededRandom(seed * 7919);
      const points: CrashPoint[] = Array.from({ length: CRASHES_PER_TIMELINE }, () => ({
        site: SITES[Math.floor(pick() * SITES.length)]!,
        when: pick() < 0.5 ? 'before' : 'after',
        nth: Math.floor(pick() * 40),
      }));
      // Every boundary crashes in some timeline: the first timelines take them in turn.
      const turn = (seed - 1) * 2;
      for (const offset of [0, 1]) {
        const index = (turn + offset) % (SITES.length * 2);
        const site = SITES[index >> 1]!;
        // Events are few (a handful per timeline): their boundaries crash among the first calls.
        const calls = site === 'publish' || site === 'ackOutbox' ? 3 : 10;
        points.push({ site, when: index % 2 === 0 ? 'before' : 'after', nth: 1 + Math.floor(pick() * calls) });
      }
      const crashed = await runTimeline(seed, points);

      // The archive, read back from disk: every log written after the silent start, each exactly once, nothing else.
      expect(reference.archivedCounts.size).toBe(reference.written.length);
      expect(crashed.archivedCounts.size).toBe(crashed.written.length);
      expect(new Set(crashed.archivedCounts.keys())).toEqual(new Set(crashed.written.map((log) => log.log_id)));
      expect([...crashed.archivedCounts.values()].every((n) => n === 1)).toBe(true);
      // Events: the same set as the crash-free reading; a publish repeated only where a crash fell before its ack.
      const expected = [...new Set(reference.publishedIds)].sort();
      expect(expected.length).toBeGreaterThanOrEqual(4);
      expect([...new Set(crashed.publishedIds)].sort()).toEqual(expected);
      republished += crashed.publishedIds.length - new Set(crashed.publishedIds).size;

      for (const point of crashed.fired) fired.add(`${point.when} ${point.site}`);
      crashedRuns += crashed.crashedRuns;
      logs += crashed.written.length;
      events += expected.length;
    }
    expect([...fired].sort()).toEqual(SITES.flatMap((site) => [`after ${site}`, `before ${site}`]).sort());
    await recordFigures('tenant-logs-crashes', {
      timelines: TIMELINES,
      runsPerTimeline: 1 + TIMELINE_TICKS + SETTLE_TICKS,
      crashedRuns,
      boundariesCrashed: fired.size,
      logsArchived: logs,
      logsArchivedTwice: 0,
      eventsExpected: events,
      eventsLost: 0,
      eventsInvented: 0,
      publishesRepeatedAfterCrashBeforeAck: republished,
    });
  });
});
