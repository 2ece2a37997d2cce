// Fault injection across the whole pipeline: crashes at every step boundary of polls, Slack deliveries and digests,
// over randomized runs of a realistic sequence, against real local DynamoDB, SNS and Slack servers. After the runs
// settle, every expected event is in Slack exactly once and in exactly one digest, and no event is invented.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoDigestStore } from '../../functions/adapters/dynamo-digest-store.js';
import { readEventLog } from '../../functions/adapters/dynamo-event-log-table.js';
import { makeDynamoSlackStore } from '../../functions/channels/slack/dynamo-slack-thread-store.js';
import { ensureTable, makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeSlackWebApi } from '../../functions/channels/slack/slack-web-api.js';
import { makeSnsClient, makeSnsPublisher } from '../../functions/adapters/sns-publisher.js';
import { digestSchema, parseConfig, type SourceConfig } from '../../functions/config/config.js';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeRunDigest, type DigestMessage } from '../../functions/digest/run-digest.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { makeSlackDelivery } from '../../functions/channels/slack/slack-delivery.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';
import { recordFigures } from './figures.js';
import { withItemScopes } from '../../functions/sources/registry.js';
import { seededRandom } from '../support/seeded-random.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const T0 = Date.parse('2026-10-06T10:00:00Z');
const MINUTE = 60_000;
/** Randomized runs; more follow (up to MAX_RUNS) until every boundary has crashed at least once. */
const RUNS = 12;
const MAX_RUNS = 30;
const CRASHES_PER_RUN = 3;
/** Each snapshot is served for 8 minutes: two crashed polls (each holds the source for 3 minutes) still leave it read. */
const WINDOW = 8;
const TIMELINE_TICKS = 6 * WINDOW;
const SETTLE_TICKS = 12;

class Crash extends Error {
  override readonly name = 'Crash';
}

/** Each step boundary: a port method of a component, just before or just after its call. */
const BOUNDARIES = {
  poll: ['fetch', 'putSource', 'listItems', 'putItem', 'claimOutbox', 'logEvent', 'publish', 'ackOutbox'],
  slack: ['claimDelivery', 'getThread', 'claimThreadRoot', 'postMessage', 'saveThread', 'updateMessage', 'completeDelivery'],
  digest: ['getWatermark', 'putWatermark', 'closePeriod', 'publishDigest'],
} as const;
type Component = keyof typeof BOUNDARIES;
interface CrashPoint {
  readonly component: Component;
  readonly site: string;
  readonly when: 'before' | 'after';
  /** Crash at the n-th call of this site in the run. */
  readonly nth: number;
}
const ALL_BOUNDARIES: Array<Omit<CrashPoint, 'nth'>> = (Object.keys(BOUNDARIES) as Component[]).flatMap((component) =>
  BOUNDARIES[component].flatMap((site) => (['before', 'after'] as const).map((when) => ({ component, site, when }))),
);

/** Counts calls per site, and throws Crash at the planned points. */
class FaultPlan {
  readonly calls = new Map<string, number>();
  readonly fired: CrashPoint[] = [];
  tick = 0;
  private readonly pollCrashTicks: number[] = [];
  constructor(private readonly points: readonly CrashPoint[]) {}

  check(component: Component, site: string, when: 'before' | 'after'): void {
    const key = `${component}.${site}`;
    const n = this.calls.get(key) ?? 0;
    const point = this.points.find((p) => p.component === component && p.site === site && p.when === when && p.nth === n);
    if (!point || this.fired.includes(point)) return;
    // Poll crashes are spaced (after the crashed run's lease) and at most two fall in any window, so every snapshot
    // is still read at least once: a crash may delay what the watcher sees, not make it see a different history.
    if (component === 'poll') {
      const recent = this.pollCrashTicks.filter((t) => t > this.tick - WINDOW);
      if (recent.some((t) => this.tick - t < 3) || recent.length >= 2) return;
      this.pollCrashTicks.push(this.tick);
    }
    this.fired.push(point);
    throw new Crash(`${when} ${key} #${n}`);
  }

  /** Wraps the methods of a port so each call counts and may crash just before or just after it. */
  instrument<T extends object>(component: Component, target: T, rename: Record<string, string> = {}): T {
    return new Proxy(target, {
      get: (object, key) => {
        const original = (object as Record<string | symbol, unknown>)[key];
        if (typeof original !== 'function') return original;
        const site = rename[String(key)] ?? String(key);
        if (!(BOUNDARIES[component] as readonly string[]).includes(site)) return original.bind(object);
        return async (...args: unknown[]) => {
          const countKey = `${component}.${site}`;
          this.calls.set(countKey, (this.calls.get(countKey) ?? 0) + 1);
          this.check(component, site, 'before');
          const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(object, args);
          this.check(component, site, 'after');
          return result;
        };
      },
    });
  }
}

/** What the feeds serve at each minute of the timeline: an outage, a failing status page, an RCA, news. */
function snapshotsAt(tick: number) {
  const window = Math.floor(tick / WINDOW);
  const status = ['seq-01-baseline.atom', 'seq-02-update.atom', 'seq-03-resolved.atom', undefined, 'seq-03-resolved.atom', 'seq-04-rca-edit.atom'][window];
  return {
    status: status && fixture(`auth0-status/${status}`),
    changelog: fixture(`auth0-changelog/${window < 3 ? 'rss.xml' : 'rss-new-entry.xml'}`),
    advisories: fixture(`github-advisories/${window < 2 ? 'advisories.json' : 'advisories-updated.json'}`),
  };
}

interface RunResult {
  readonly snsEvents: WatcherEvent[];
  readonly slackEventIds: string[];
  readonly digests: DigestMessage[];
  readonly loggedEvents: WatcherEvent[];
  readonly fired: CrashPoint[];
  readonly calls: Map<string, number>;
  readonly snsFaults: number;
}

describe('fault injection over the whole pipeline', () => {
  let dynamo: RunningDynamo;
  let feeds: FeedServer;
  let sns: SnsTestServer;
  let slack: SlackTestServer;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start('fault-base');
    [feeds, sns, slack] = await Promise.all([startFeedServer(), startSnsTestServer(), startSlackTestServer()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([feeds?.close(), sns?.close(), slack?.close()]);
    await dynamo?.stop();
  });

  /** One run of the whole timeline with the given crash points (none: the reference run). */
  async function runPipeline(run: string, points: readonly CrashPoint[], snsFaultTick?: number): Promise<RunResult> {
    const plan = new FaultPlan(points);
    const tableName = `fault-${run}`;
    await ensureTable(dynamo.client, tableName);
    const channel = `C0${run.toUpperCase().replace(/[^A-Z0-9]/g, '')}RUN`;
    slack.addChannel(channel);
    const topicArn = sns.createTopic(`events-${run}`);
    let now = T0;
    const clock = { now: () => new Date(now) };

    const config = parseConfig(
      {
        // Two failed polls make a streak: a window of failures stays a streak even with two crashed polls in it.
        failureThreshold: 2,
        sources: [
          { id: 'status-us-5', type: 'auth0-status', url: feeds.url(`/${run}/status`), region: 'US-5', timeoutMs: 2_000 },
          { id: 'changelog', type: 'auth0-changelog', url: feeds.url(`/${run}/changelog`), timeoutMs: 2_000 },
          {
            id: 'advisories',
            type: 'github-advisories',
            url: feeds.url(`/${run}/advisories`),
            packages: [{ ecosystem: 'npm', name: 'jsonwebtoken' }],
            timeoutMs: 2_000,
          },
        ],
      },
      '/tmp',
    );
    const stateStore = makeDynamoStateStore({ client: dynamo.client, tableName });
    const poll = makePollSource({
      store: plan.instrument('poll', stateStore),
      fetcher: plan.instrument('poll', makeHttpFetcher({ timeoutMs: 2_000 })),
      publisher: plan.instrument('poll', makeSnsPublisher({ client: makeSnsClient({ endpoint: sns.endpoint }), topicArn })),
      secrets: makeSecretResolver({ env: {} }),
      clock,
      logger: quiet,
      settings: { failureThreshold: config.failureThreshold },
    });
    const deliver = makeSlackDelivery({
      destination: {
        mode: 'bot',
        channel,
        api: plan.instrument('slack', makeSlackWebApi({ token: slack.token, apiBaseUrl: slack.apiBaseUrl, minRetryDelayMs: 5 })),
      },
      rules: {},
      store: plan.instrument('slack', makeDynamoSlackStore({ client: dynamo.client, tableName })),
      clock,
      logger: quiet,
      sleep: async () => undefined,
    });
    const digests: DigestMessage[] = [];
    const runDigest = makeRunDigest({
      digestStore: plan.instrument('digest', makeDynamoDigestStore({ client: dynamo.client, tableName })),
      stateStore,
      publisher: plan.instrument('digest', { publish: async (d: DigestMessage) => void digests.push(d) }, { publish: 'publishDigest' }),
      clock,
      logger: quiet,
      sources: withItemScopes(config.sources),
      digest: digestSchema.parse({}),
      settings: { settleMs: MINUTE },
    });

    const serve = (tick: number) => {
      const snap = snapshotsAt(Math.min(tick, TIMELINE_TICKS - 1));
      if (snap.status) feeds.setRoute(`/${run}/status`, { body: snap.status, contentType: 'application/atom+xml' });
      else feeds.setRoute(`/${run}/status`, { status: 503, body: 'Service Unavailable', contentType: 'text/plain' });
      feeds.setRoute(`/${run}/changelog`, { body: snap.changelog, contentType: 'application/rss+xml' });
      feeds.setRoute(`/${run}/advisories`, { body: snap.advisories, contentType: 'application/json' });
    };
    /** Runs one invocation; false when it died (a crash) or failed as the Lambda would (a SlackError: to the DLQ). */
    const crashSafe = async (work: () => Promise<unknown>): Promise<boolean> => {
      try {
        await work();
        return true;
      } catch (error) {
        if (error instanceof Crash || error instanceof SlackError) return false;
        throw error;
      }
    };

    // SNS delivers every publish to the notifier; a notifier that dies sends the event to the dead-letter queue,
    // which is redriven later (as an operator would after the DLQ alarm).
    let delivered = 0;
    const deadLetters: WatcherEvent[] = [];
    const deliverNew = async () => {
      const published = sns.published(topicArn);
      for (; delivered < published.length; delivered += 1) {
        const event = JSON.parse(JSON.parse(published[delivered]!.message).default) as WatcherEvent;
        if (!(await crashSafe(() => deliver(event)))) deadLetters.push(event);
      }
    };
    const redrive = async () => {
      for (const event of deadLetters.splice(0)) {
        if (!(await crashSafe(() => deliver(event)))) deadLetters.push(event);
      }
    };
    let digestDue = false;
    const digestTick = async () => {
      if (await crashSafe(() => runDigest())) digestDue = false;
    };

    for (let tick = 0; tick < TIMELINE_TICKS + SETTLE_TICKS; tick += 1) {
      plan.tick = tick;
      now = T0 + tick * MINUTE;
      serve(tick);
      if (tick === snsFaultTick) sns.failNext(4, { status: 500, code: 'InternalError' });
      for (const source of config.sources) await crashSafe(() => poll(source));
      await deliverNew();
      if (tick % 5 === 4) await redrive();
      if (tick % 10 === 9) digestDue = true;
      if (digestDue) await digestTick();
    }
    // Settle: a last redrive and a last digest well after the end, both until they succeed.
    now += 30 * MINUTE;
    for (let attempt = 0; attempt < 5 && deadLetters.length > 0; attempt += 1) {
      now += 6 * MINUTE;
      await redrive();
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      now += 2 * MINUTE;
      if (await crashSafe(() => runDigest())) break;
    }
    const loggedEvents = (
      await readEventLog({ client: dynamo.client, tableName }, new Date(T0 - MINUTE).toISOString(), new Date(now).toISOString())
    ).map((logged) => logged.event);
    return {
      snsEvents: sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent),
      slackEventIds: slack
        .messages(channel)
        .map((m) => String(m.metadata?.event_payload['event_id'] ?? ''))
        .filter(Boolean),
      digests,
      loggedEvents,
      fired: plan.fired,
      calls: plan.calls,
      snsFaults: snsFaultTick === undefined ? 0 : 4,
    };
  }

  /** Item events are identified by id (a hash of the change); source health events by type (their id names the streak's start). */
  const identity = (e: WatcherEvent) => (e.type.startsWith('source.') ? e.type : e.id);

  it(
    `delivers every event to Slack exactly once and into exactly one digest over randomized runs crashing at every step boundary`,
    async () => {
      const reference = await runPipeline('ref', []);
      const expected = [...new Set(reference.snsEvents.map(identity))].sort();
      expect(expected.length).toBeGreaterThanOrEqual(10);
      expect(expected).toEqual(expect.arrayContaining(['source.failing', 'source.recovered']));
      expect(reference.fired).toEqual([]);

      const rand = seededRandom(20261126);
      const figures = { runs: 0, faultsInjected: 0, snsFaults: 0, expected: 0, delivered: 0, duplicated: 0, lost: 0, invented: 0, snsRepeats: 0, digestRepeats: 0, lateInDigest: 0, byBoundary: new Map<string, number>() };
      const keyOf = (b: Omit<CrashPoint, 'nth'>) => `${b.when} ${b.component}.${b.site}`;
      const notYetCrashed = new Map(ALL_BOUNDARIES.map((b) => [keyOf(b), b]));
      const at = (boundary: Omit<CrashPoint, 'nth'>): CrashPoint => {
        const calls = Math.max(1, reference.calls.get(`${boundary.component}.${boundary.site}`) ?? 1);
        return { ...boundary, nth: 1 + Math.floor(rand() * calls) };
      };
      for (let r = 0; r < MAX_RUNS && (r < RUNS || notYetCrashed.size > 0); r += 1) {
        // Boundaries not yet crashed come first, then random ones; each at a random occurrence of its call.
        const points: CrashPoint[] = [];
        const queue = [...notYetCrashed.values()];
        while (points.length < CRASHES_PER_RUN) {
          const boundary = queue.shift() ?? ALL_BOUNDARIES[Math.floor(rand() * ALL_BOUNDARIES.length)]!;
          if (points.some((p) => keyOf(p) === keyOf(boundary))) continue;
          points.push(at(boundary));
          // Outbox entries are claimed only when an earlier run died after writing them: arrange for one.
          if (boundary.site === 'claimOutbox') points.push(at({ component: 'poll', site: 'putItem', when: 'after' }));
        }
        const result = await runPipeline(`r${r}`, points, Math.floor(rand() * TIMELINE_TICKS));

        // Slack: each expected event exactly once, nothing else.
        const byId = new Map(result.snsEvents.map((e) => [e.id, e]));
        const slackIdentities = result.slackEventIds.map((id) => (byId.get(id) ? identity(byId.get(id)!) : `unknown:${id}`));
        const counts = new Map<string, number>();
        for (const key of slackIdentities) counts.set(key, (counts.get(key) ?? 0) + 1);
        const context = `run r${r}, crashes ${JSON.stringify(result.fired)}`;
        expect([...counts.keys()].sort(), context).toEqual(expected);
        expect([...counts.values()].every((n) => n === 1), context).toBe(true);

        // Digests: periods back to back; every logged event in exactly one distinct digest (late-logged ones included,
        // whatever their detection time); none invented.
        const distinct = [...new Map(result.digests.map((d) => [`${d.from}/${d.to}`, d])).values()];
        for (let i = 1; i < distinct.length; i += 1) expect(distinct[i]!.from, context).toBe(distinct[i - 1]!.to);
        for (const event of result.loggedEvents) {
          const holders = distinct.filter((d) => d.eventIds.includes(event.id));
          expect(holders.length, `${context}: ${event.type} ${event.itemId}`).toBe(1);
          // Logged only after a digest had taken its detection time (held up behind a crash or a failed publish).
          if (event.detectedAt < holders[0]!.from) figures.lateInDigest += 1;
        }
        const counted = distinct.reduce((sum, d) => sum + Object.values(d.counts).reduce((a, b) => a + b, 0), 0);
        expect(counted, context).toBe(result.loggedEvents.length);
        expect([...new Set(result.loggedEvents.map(identity))].sort(), context).toEqual(expected);

        figures.runs += 1;
        figures.faultsInjected += result.fired.length;
        figures.snsFaults += result.snsFaults;
        figures.expected += expected.length;
        figures.delivered += counts.size;
        figures.duplicated += [...counts.values()].reduce((sum, n) => sum + (n - 1), 0);
        figures.lost += expected.filter((key) => !counts.has(key)).length;
        figures.invented += [...counts.keys()].filter((key) => !expected.includes(key)).length;
        figures.snsRepeats += result.snsEvents.length - new Set(result.snsEvents.map((e) => e.id)).size;
        figures.digestRepeats += result.digests.length - distinct.length;
        for (const point of result.fired) {
          figures.byBoundary.set(keyOf(point), (figures.byBoundary.get(keyOf(point)) ?? 0) + 1);
          notYetCrashed.delete(keyOf(point));
        }
      }
      await recordFigures('pipeline-crashes', { ...figures, byBoundary: Object.fromEntries([...figures.byBoundary].sort()) });
      // Every boundary crashed at least once somewhere.
      expect(figures.byBoundary.size).toBe(ALL_BOUNDARIES.length);
      expect([figures.lost, figures.duplicated, figures.invented]).toEqual([0, 0, 0]);
    },
    240_000,
  );
});
