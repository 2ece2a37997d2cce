// Slack threads heal, against dynalite and the Slack test server: a root deleted by a person gets a fresh root, a root
// that failed to update is refreshed later, and a delivery that died mid-post is taken over within seconds of its
// heartbeats stopping (not five minutes later) and adopted rather than posted again. Through the delivery use case, the
// AWS notifier (makeQueueNotifier), the local poller with a Slack output, and the real CLI.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoSlackStore, type SlackStateStore } from '../../functions/channels/slack/dynamo-slack-thread-store.js';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeSlackWebApi } from '../../functions/channels/slack/slack-web-api.js';
import type { SlackOutputConfig, SourceConfig } from '../../functions/config/config.js';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import { chainEvents } from '../../functions/core/event-chain.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { makeSlackDelivery, type SlackDeliverySettings } from '../../functions/channels/slack/slack-delivery.js';
import { makeQueueNotifier } from '../../functions/channels/slack/slack-notifier.js';
import { makeSlackPublisher, refreshSlackRoots } from '../../functions/channels/slack/slack-delivery.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { runCliProcess } from '../support/run-cli.js';
import { sampleEvent } from '../support/sample-event.js';
import { Crash, crashingBeforeFirstCall } from '../support/simulated-crash.js';
import { startSlackTestServer, type RecordedMessage, type SlackFault, type SlackTestServer } from '../support/slack-test-server.js';

const TABLE = 'watcher-slack-healing';
const MINUTE = 60_000;
const T0 = Date.parse('2026-10-06T10:00:00Z');
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');

type Step = 'opened' | 'identified' | 'resolved' | 'rca';

/** An incident's events as the poller announces them, chained, detected one minute apart from `at`. */
function incident(itemId: string, at: number): Record<Step, WatcherEvent> {
  const steps: Array<[Step, WatcherEvent['type'], string, string]> = [
    ['opened', 'incident.opened', 'Investigating', 'investigating'],
    ['identified', 'incident.updated', 'Identified', 'identified'],
    ['resolved', 'incident.resolved', 'Resolved', 'resolved'],
    ['rca', 'incident.rca_published', 'Postmortem', 'postmortem'],
  ];
  const events: Partial<Record<Step, WatcherEvent>> = {};
  let last;
  for (const [index, [step, type, label, status]] of steps.entries()) {
    const occurredAt = new Date(at + index * MINUTE - 30_000).toISOString();
    const event = sampleEvent({
      id: `${itemId}-${step}`,
      type,
      itemId,
      url: `https://status.auth0.com/incidents/${itemId}`,
      title: `Elevated Errors (${itemId})`,
      status,
      occurredAt,
      detectedAt: new Date(at + index * MINUTE).toISOString(),
      update: { label, at: occurredAt, text: `${label} text.` },
    });
    const chained = chainEvents(last, [event]);
    events[step] = chained.events[0]!;
    last = chained.last;
  }
  return events as Record<Step, WatcherEvent>;
}

const eventIdOf = (m: RecordedMessage) => String(m.metadata?.event_payload['event_id'] ?? '');
/** The status a root message shows ("Investigating", "Resolved", "Postmortem"), read from its Status field. */
function statusOf(m: RecordedMessage | undefined): string | undefined {
  for (const block of (m?.blocks ?? []) as Array<{ fields?: Array<{ text?: string }> }>) {
    const field = block.fields?.find((f) => f.text?.startsWith('*Status*\n'));
    if (field) return field.text!.slice('*Status*\n'.length);
  }
  return undefined;
}
/** Resolved, with how long the incident lasted when the root knows when it opened. */
const showsResolved = (m: RecordedMessage | undefined) => /^Resolved( after \d+ min)?$/.test(statusOf(m) ?? '');

describe('Slack threads heal', () => {
  let dynamo: RunningDynamo;
  let slack: SlackTestServer;
  let store: SlackStateStore;
  let channels = 0;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    slack = await startSlackTestServer();
    store = makeDynamoSlackStore({ client: dynamo.client, tableName: TABLE });
  }, 60_000);

  afterAll(async () => {
    await slack?.close();
    await dynamo?.stop();
  });

  /** A channel of its own for each test: nothing of another test is in it. */
  function newChannel(): string {
    const channel = `C0HEAL${++channels}`;
    slack.addChannel(channel);
    return channel;
  }

  /** The delivery use case on a channel, with the test's clock and Slack's backoff in milliseconds. */
  function delivery(
    channel: string,
    now: () => number,
    options: { store?: SlackStateStore; settings?: Partial<SlackDeliverySettings>; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    return makeSlackDelivery({
      destination: { mode: 'bot', channel, api: makeSlackWebApi({ token: slack.token, apiBaseUrl: slack.apiBaseUrl, minRetryDelayMs: 5, retries: 1 }) },
      rules: {},
      store: options.store ?? store,
      clock: { now: () => new Date(now()) },
      logger: quiet,
      settings: options.settings,
      sleep: options.sleep ?? (async () => undefined),
    });
  }

  /**
   * The AWS notifier (makeQueueNotifier) for `channel` at the time `now` says, with the incident's events already in the
   * event log, and the SQS record SNS would deliver for an event, sent at that time.
   */
  async function awsNotifier(channel: string, events: Record<Step, WatcherEvent>, now: () => number) {
    const log = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    for (const event of Object.values(events)) await log.logEvent(event);
    const notify = makeQueueNotifier({
      route: { type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel, apiBaseUrl: slack.apiBaseUrl, rules: { types: ['incident.*'] } },
      client: dynamo.client,
      tableName: TABLE,
      secrets: { resolve: async () => slack.token },
      clock: { now: () => new Date(now()) },
      logger: quiet,
      settings: { predecessorWaitMs: 100 },
      adapterOptions: { retries: 1, minRetryDelayMs: 5 },
      sleep: async () => undefined,
    });
    const record = (event: WatcherEvent) => ({ messageId: `m-${event.id}`, body: JSON.stringify(event), attributes: { SentTimestamp: String(now()) } });
    return { notify, record };
  }

  /** The tests' store, whose first call of `method` never happens: the process dies just before that write. */
  const crashingBefore = (method: keyof SlackStateStore): SlackStateStore => crashingBeforeFirstCall(store, method);

  /** The item's messages in the channel: top-level ones, and how often each event id appears anywhere. */
  function itemMessages(channel: string, itemId: string) {
    const mine = slack.messages(channel).filter((m) => eventIdOf(m).startsWith(`${itemId}-`));
    const roots = mine.filter((m) => m.threadTs === undefined);
    const perEvent = new Map<string, number>();
    for (const m of mine) perEvent.set(eventIdOf(m), (perEvent.get(eventIdOf(m)) ?? 0) + 1);
    return { mine, roots, perEvent, replies: (root: RecordedMessage) => slack.replies(channel, root.ts).map(eventIdOf) };
  }

  describe('a thread root deleted by a person', () => {
    it('posts a fresh root carrying the next event when its reply answers thread_not_found, and puts later replies there', async () => {
      const channel = newChannel();
      const clock = T0;
      const deliver = delivery(channel, () => clock);
      const e = incident('deleted00001', T0);
      expect(await deliver(e.opened)).toBe('posted');
      expect(await deliver(e.identified)).toBe('posted');
      const [deletedRoot] = itemMessages(channel, 'deleted00001').roots;
      slack.deleteMessage(channel, deletedRoot!.ts);

      expect(await deliver(e.resolved)).toBe('posted');
      expect(await deliver(e.rca)).toBe('posted');
      expect(await deliver(e.resolved)).toBe('duplicate');

      const m = itemMessages(channel, 'deleted00001');
      expect(m.roots.map(eventIdOf)).toEqual(['deleted00001-resolved']);
      expect(statusOf(m.roots[0])).toBe('Postmortem (resolved after 2 min)');
      expect(JSON.stringify(m.roots[0]!.blocks)).toContain('Root-cause analysis published');
      expect(m.replies(m.roots[0]!)).toEqual(['deleted00001-rca']);
      expect([...m.perEvent.values()].every((n) => n === 1)).toBe(true);
      const thread = await store.getThread(channel, `${e.opened.source}#deleted00001`);
      expect(thread).toMatchObject({ rootTs: m.roots[0]!.ts, rootEventId: 'deleted00001-resolved' });
    });

    it.each(['message_not_found', 'cant_update_message'])(
      'posts a fresh root showing the current status when chat.update answers %s, without posting the reply twice',
      async (code) => {
        const channel = newChannel();
        const deliver = delivery(channel, () => T0);
        const e = incident('updgone00001', T0);
        expect(await deliver(e.opened)).toBe('posted');
        const [oldRoot] = itemMessages(channel, 'updgone00001').roots;
        slack.failNext('chat.update', 1, { kind: 'slack', error: code });

        expect(await deliver(e.resolved)).toBe('posted');
        expect(await deliver(e.rca)).toBe('posted');
        expect(await deliver(e.resolved)).toBe('duplicate');

        const m = itemMessages(channel, 'updgone00001');
        const fresh = m.roots.find((r) => r.ts !== oldRoot!.ts);
        expect(statusOf(fresh)).toBe('Postmortem (resolved after 2 min)');
        expect(m.replies(oldRoot!)).toEqual(['updgone00001-resolved']);
        expect(m.replies(fresh!)).toEqual(['updgone00001-rca']);
        // The resolution's reply went out once; the fresh root is the item's status card, tagged with it.
        expect(slack.messages(channel).filter((x) => eventIdOf(x) === 'updgone00001-resolved' && x.threadTs !== undefined)).toHaveLength(1);
      },
    );

    it('adopts its fresh root after a crash between posting it and remembering it, posting nothing twice', async () => {
      const channel = newChannel();
      let clock = T0;
      const e = incident('deleted00002', T0);
      expect(await delivery(channel, () => clock)(e.opened)).toBe('posted');
      slack.deleteMessage(channel, itemMessages(channel, 'deleted00002').roots[0]!.ts);

      await expect(delivery(channel, () => clock, { store: crashingBefore('saveThread') })(e.identified)).rejects.toBeInstanceOf(Crash);
      clock += MINUTE;
      expect(await delivery(channel, () => clock)(e.identified)).toBe('recovered');
      expect(await delivery(channel, () => clock)(e.resolved)).toBe('posted');

      const m = itemMessages(channel, 'deleted00002');
      expect(m.roots.map(eventIdOf)).toEqual(['deleted00002-identified']);
      expect(m.replies(m.roots[0]!)).toEqual(['deleted00002-resolved']);
      expect(showsResolved(m.roots[0])).toBe(true);
    });

    it('delivers the resolution on AWS on its first receive when the root was deleted, not failing on every redrive', async () => {
      const channel = newChannel();
      const e = incident('deleted00003', Date.now() - 10 * MINUTE);
      const { notify, record } = await awsNotifier(channel, e, () => Date.now());
      expect((await notify([record(e.opened), record(e.identified)])).batchItemFailures).toEqual([]);
      slack.deleteMessage(channel, itemMessages(channel, 'deleted00003').roots[0]!.ts);

      expect((await notify([record(e.resolved)])).batchItemFailures).toEqual([]);
      const m = itemMessages(channel, 'deleted00003');
      expect(m.roots.map(eventIdOf)).toEqual(['deleted00003-resolved']);
      expect(showsResolved(m.roots[0])).toBe(true);
    });

    describe('through the real CLI', () => {
      let feeds: FeedServer;
      let dir: string;

      beforeAll(async () => {
        feeds = await startFeedServer();
        dir = await mkdtemp(join(tmpdir(), 'watcher-heal-'));
      });
      afterAll(async () => {
        await feeds?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      });

      it('keeps a source flowing after a root was deleted: the update gets a fresh root and the new incident its own, each event once', async () => {
        const channel = newChannel();
        const configPath = join(dir, 'config.json');
        const jsonl = join(dir, 'events.jsonl');
        await writeFile(
          configPath,
          JSON.stringify({
            stateDir: 'state',
            sources: [{ id: 'status-us-5', type: 'auth0-status', url: feeds.url('/heal'), region: 'US-5' }],
            outputs: [
              { type: 'jsonl', path: jsonl },
              { type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel, apiBaseUrl: slack.apiBaseUrl, rules: { types: ['incident.*'] } },
            ],
          }),
        );
        const poll = async (name: string, now: string) => {
          feeds.setRoute('/heal', { body: fixture(name), contentType: 'application/atom+xml' });
          return runCliProcess(['--config', configPath, '--now', now], { SLACK_BOT_TOKEN: slack.token });
        };
        const rootOf = (itemId: string) =>
          slack.messages(channel).filter((m) => m.threadTs === undefined && JSON.stringify(m.blocks).includes(`/incidents/${itemId}`));

        expect((await poll('seq-01-baseline.atom', '2026-10-06T10:15:00Z')).code).toBe(0);
        const [deleted] = rootOf('s6nmyrpsnbmj');
        slack.deleteMessage(channel, deleted!.ts);

        const second = await poll('seq-02-update.atom', '2026-10-06T10:50:00Z');
        expect(second.stderr).toBe('');
        expect(second.code).toBe(0);
        const third = await poll('seq-02-update.atom', '2026-10-06T10:51:00Z');
        expect(third.code).toBe(0);

        const fresh = rootOf('s6nmyrpsnbmj');
        expect(fresh).toHaveLength(1);
        expect(JSON.stringify(fresh[0]!.blocks)).toContain('Monitoring');
        expect(rootOf('n3wincid3nt1')).toHaveLength(1);
        const ids = (await readFile(jsonl, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as WatcherEvent).id);
        expect(ids.length).toBe(new Set(ids).size);
        const posted = slack.messages(channel).map(eventIdOf);
        expect(posted.length).toBe(new Set(posted).size);
      }, 60_000);
    });
  });

  describe('a root that failed to update', () => {
    const faults: Array<[string, SlackFault, number]> = [
      ['HTTP 500 on every attempt', { kind: 'http', status: 500 }, 2],
      ['a 429 asking for 60 s', { kind: 'ratelimit', retryAfterSec: 60 }, 1],
    ];

    it.each(faults)('refreshes it after %s on the next delivery to another thread, showing the resolution', async (_name, fault, n) => {
      const channel = newChannel();
      let clock = T0;
      const deliver = delivery(channel, () => clock);
      const e = incident('stale0000001', T0);
      expect(await deliver(e.opened)).toBe('posted');
      slack.failNext('chat.update', n, fault);

      const started = Date.now();
      expect(await deliver(e.resolved)).toBe('posted');
      expect(Date.now() - started).toBeLessThan(2_000); // marked stale and moved on: no 60-second wait
      const root = () => itemMessages(channel, 'stale0000001').roots[0];
      expect(statusOf(root())).toBe('Investigating');

      clock += MINUTE;
      expect(await deliver(incident('other0000001', clock).opened)).toBe('posted');
      expect(statusOf(root())).toBe('Resolved after 2 min');
      expect(await store.staleRoots(channel)).toEqual([]);
      expect((await store.getThread(channel, `${e.opened.source}#stale0000001`))?.rootStale).toBeUndefined();
    });

    it('refreshes it at the end of a local run that delivered nothing, and keeps it listed while Slack still fails', async () => {
      const channel = newChannel();
      const e = incident('stale0000002', T0);
      const deliver = delivery(channel, () => T0);
      expect(await deliver(e.opened)).toBe('posted');
      slack.failNext('chat.update', 2, { kind: 'http', status: 503 });
      expect(await deliver(e.resolved)).toBe('posted');

      const route: SlackOutputConfig = { type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel, apiBaseUrl: slack.apiBaseUrl, rules: {} };
      const deps = {
        store,
        secrets: { resolve: async () => slack.token },
        clock: { now: () => new Date(T0 + MINUTE) },
        logger: quiet,
        adapterOptions: { retries: 0, minRetryDelayMs: 5 },
      };
      slack.failNext('chat.update', 1, { kind: 'http', status: 503 });
      expect(await refreshSlackRoots(route, 'incidents', deps)).toEqual({ refreshed: 0, forgotten: 0, left: 1 });
      expect(showsResolved(itemMessages(channel, 'stale0000002').roots[0])).toBe(false);

      expect(await refreshSlackRoots(route, 'incidents', deps)).toEqual({ refreshed: 1, forgotten: 0, left: 0 });
      expect(showsResolved(itemMessages(channel, 'stale0000002').roots[0])).toBe(true);
      expect(await refreshSlackRoots(route, 'incidents', deps)).toEqual({ refreshed: 0, forgotten: 0, left: 0 });
    });

    it('refreshes it at the next notifier invocation on AWS, even one that only sees a repeated event', async () => {
      const channel = newChannel();
      let clock = Date.now();
      const e = incident('stale0000003', clock - 10 * MINUTE);
      const { notify, record } = await awsNotifier(channel, e, () => clock);
      expect((await notify([record(e.opened)])).batchItemFailures).toEqual([]);
      slack.failNext('chat.update', 4, { kind: 'http', status: 500 }); // both root updates of the batch
      expect((await notify([record(e.identified), record(e.resolved)])).batchItemFailures).toEqual([]);
      expect(showsResolved(itemMessages(channel, 'stale0000003').roots[0])).toBe(false);

      clock += 2 * MINUTE;
      expect((await notify([record(e.resolved)])).batchItemFailures).toEqual([]); // SNS delivered it again
      expect(showsResolved(itemMessages(channel, 'stale0000003').roots[0])).toBe(true);
    });

    it('forgets a stale root that was deleted meanwhile, and the item’s next event posts a fresh root showing everything', async () => {
      const channel = newChannel();
      let clock = T0;
      const deliver = delivery(channel, () => clock);
      const e = incident('stale0000004', T0);
      expect(await deliver(e.opened)).toBe('posted');
      slack.failNext('chat.update', 2, { kind: 'http', status: 500 });
      expect(await deliver(e.resolved)).toBe('posted');
      slack.deleteMessage(channel, itemMessages(channel, 'stale0000004').roots[0]!.ts);

      clock += MINUTE;
      expect(await deliver(incident('other0000004', clock).opened)).toBe('posted'); // the refresh finds the root gone
      expect(await deliver(e.rca)).toBe('posted');
      const m = itemMessages(channel, 'stale0000004');
      expect(m.roots.map(eventIdOf)).toEqual(['stale0000004-rca']);
      expect(statusOf(m.roots[0])).toBe('Postmortem (resolved after 2 min)');
      expect(JSON.stringify(m.roots[0]!.blocks)).toContain('Root-cause analysis published');
      expect(await store.staleRoots(channel)).toEqual([]);
    });
  });

  describe('a crash during a Slack post', () => {
    it('posts another incident one minute later at once, and adopts the dead attempt’s message instead of posting it again', async () => {
      const channel = newChannel();
      let clock = T0;
      const first = incident('crashed00001', T0);
      // The attempt posts the root, then dies before remembering it: a fresh delivery claim and root claim are left.
      await expect(delivery(channel, () => clock, { store: crashingBefore('saveThread') })(first.opened)).rejects.toBeInstanceOf(Crash);

      clock += MINUTE;
      expect(await delivery(channel, () => clock)(incident('newoutage001', clock).opened)).toBe('posted');
      expect(await delivery(channel, () => clock)(first.opened)).toBe('recovered');

      expect(itemMessages(channel, 'newoutage001').roots).toHaveLength(1);
      const m = itemMessages(channel, 'crashed00001');
      expect(m.mine.map(eventIdOf)).toEqual(['crashed00001-opened']);
      expect(await store.isDelivered(channel, first.opened.id)).toBe(true);
    });

    it.each([1, 6])(
      'adopts the root of an attempt that died after posting it when the item’s next event comes %i minutes later',
      async (minutes) => {
        const channel = newChannel();
        let clock = T0;
        const e = incident(`adopt${minutes}`.padEnd(12, '0'), T0);
        await expect(delivery(channel, () => clock, { store: crashingBefore('saveThread') })(e.opened)).rejects.toBeInstanceOf(Crash);

        clock += minutes * MINUTE;
        expect(await delivery(channel, () => clock)(e.identified)).toBe('posted');
        clock += MINUTE;
        expect(await delivery(channel, () => clock)(e.opened)).toBe('recovered');

        const m = itemMessages(channel, e.opened.itemId);
        expect(m.roots.map(eventIdOf)).toEqual([e.opened.id]);
        expect(m.replies(m.roots[0]!)).toEqual([e.identified.id]);
        expect([...m.perEvent.values()]).toEqual([1, 1]);
        expect(JSON.stringify(m.roots[0]!.blocks)).toContain('Identified');
      },
    );

    it('delivers a new outage from a local poll one minute after a crash mid-post, behind the adopted event', async () => {
      const channel = newChannel();
      const feeds = await startFeedServer();
      try {
        let clock = Date.parse('2026-10-06T10:15:00Z');
        const config: SourceConfig = { id: 'status-crash', type: 'auth0-status', url: feeds.url('/crash'), region: 'US-5' };
        const route: SlackOutputConfig = { type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel, apiBaseUrl: slack.apiBaseUrl, rules: { types: ['incident.*'] } };
        const poll = (slackStore: SlackStateStore) =>
          makePollSource({
            store: makeDynamoStateStore({ client: dynamo.client, tableName: TABLE }),
            fetcher: makeHttpFetcher({ timeoutMs: 2_000 }),
            publisher: makeSlackPublisher(route, 'incidents', {
              store: slackStore,
              secrets: { resolve: async () => slack.token },
              clock: { now: () => new Date(clock) },
              logger: quiet,
              adapterOptions: { retries: 1, minRetryDelayMs: 5 },
            }),
            secrets: makeSecretResolver({ env: {} }),
            clock: { now: () => new Date(clock) },
            logger: quiet,
          })(config);
        const rootOf = (itemId: string) =>
          slack.messages(channel).filter((m) => m.threadTs === undefined && JSON.stringify(m.blocks).includes(`/incidents/${itemId}`));

        // The first poll's Slack post reaches the channel, then the delivery dies before it is recorded.
        feeds.setRoute('/crash', { body: fixture('seq-01-baseline.atom'), contentType: 'application/atom+xml' });
        expect((await poll(crashingBefore('completeDelivery'))).outcome).toBe('failed');
        expect(rootOf('s6nmyrpsnbmj')).toHaveLength(1);

        // One minute later a new outage is in the feed.
        clock += MINUTE;
        feeds.setRoute('/crash', { body: fixture('seq-02-update.atom'), contentType: 'application/atom+xml' });
        const next = await poll(store);
        expect(next.reason).toBeUndefined();
        expect(rootOf('n3wincid3nt1')).toHaveLength(1);
        expect(rootOf('s6nmyrpsnbmj')).toHaveLength(1);
        const posted = slack.messages(channel).map(eventIdOf);
        expect(posted.length).toBe(new Set(posted).size);
      } finally {
        await feeds.close();
      }
    });

    it('never takes over a live attempt: a slow post keeps its claim alive, and the event and the item’s next one post once', async () => {
      const channel = newChannel();
      // Real time here: heartbeats every 100 ms, an attempt silent for 1.5 s is dead, and Slack takes 3 s to post.
      const settings = { heartbeatMs: 100, claimGraceMs: 1_500, rootWaitMs: 5_000 };
      const real = () => Date.now();
      const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
      const e = incident('liveslow0001', Date.now());
      slack.failNext('chat.postMessage', 1, { kind: 'slow', ms: 3_000 });

      const slow = delivery(channel, real, { settings, sleep: wait })(e.opened);
      await wait(2_000); // longer than the grace: only its heartbeats say it is alive
      const again = await delivery(channel, real, { settings, sleep: wait })(e.opened).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(again).toBeInstanceOf(SlackError);
      expect((again as SlackError).code).toBe('delivery_in_progress');
      // The item's next event waits for the live attempt's root instead of starting a second thread.
      const next = delivery(channel, real, { settings, sleep: wait })(e.identified);

      expect(await slow).toBe('posted');
      expect(await next).toBe('posted');
      const m = itemMessages(channel, 'liveslow0001');
      expect(m.roots.map(eventIdOf)).toEqual([e.opened.id]);
      expect(m.replies(m.roots[0]!)).toEqual([e.identified.id]);
    });
  });
});
