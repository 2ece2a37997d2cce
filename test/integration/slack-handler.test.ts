// The Slack notifier Lambda as deployed (ROUTE, TABLE_NAME, batches from the route's SQS queue) against dynalite and a
// local Slack: one incident's thread in order through redelivered and reordered messages, a predecessor whose post
// fails, a predecessor that never arrives, Slack's refusals, and crashes after posting.
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoSlackStore, type SlackStateStore } from '../../functions/channels/slack/dynamo-slack-thread-store.js';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeSlackWebApi } from '../../functions/channels/slack/slack-web-api.js';
import { chainEvents } from '../../functions/core/event-chain.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { SecretError } from '../../functions/core/errors.js';
import type { Logger, SecretResolver } from '../../functions/core/ports.js';
import { makeSlackDelivery } from '../../functions/channels/slack/slack-delivery.js';
import { makeQueueNotifier } from '../../functions/channels/slack/slack-notifier.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { sampleEvent } from '../support/sample-event.js';
import { Crash, crashingBeforeFirstCall as crashingBefore } from '../support/simulated-crash.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';

const TABLE = 'watcher-slack-test';
const CHANNEL = 'C0INCIDENTS';
const MINUTE = 60_000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ROUTE = {
  type: 'slack',
  id: 'incidents',
  botToken: 'env:SLACK_BOT_TOKEN',
  channel: CHANNEL,
  rules: { types: ['incident.*'] },
} as const;

type Step = 'opened' | 'identified' | 'monitoring' | 'resolved' | 'rca';

/**
 * An incident's lifecycle as the poller announces it, each event found by its own poll and chained to the one before
 * it: opened, two updates, resolved, and the RCA, polls two minutes apart. Detection times end just before
 * `detectedBy` (recent, as on a live queue).
 */
function lifecycle(itemId: string, detectedBy: number): Record<Step, WatcherEvent> {
  const steps: Array<[Step, WatcherEvent['type'], string, string, number]> = [
    ['opened', 'incident.opened', 'Investigating', 'investigating', 10],
    ['identified', 'incident.updated', 'Identified', 'identified', 8],
    ['monitoring', 'incident.updated', 'Monitoring', 'monitoring', 6],
    ['resolved', 'incident.resolved', 'Resolved', 'resolved', 4],
    ['rca', 'incident.rca_published', 'Postmortem', 'postmortem', 2],
  ];
  const base = { itemId, url: `https://status.auth0.com/incidents/${itemId}`, title: 'Elevated Errors on Public Cloud', regions: ['US-1'] };
  const events: Partial<Record<Step, WatcherEvent>> = {};
  let last;
  for (const [step, type, label, status, minutesAgo] of steps) {
    const at = new Date(detectedBy - minutesAgo * MINUTE - 30_000).toISOString();
    const event = sampleEvent({
      ...base,
      id: `${itemId}-${step}`,
      type,
      status,
      occurredAt: at,
      detectedAt: new Date(detectedBy - minutesAgo * MINUTE).toISOString(),
      update: { label, at, text: `${label} text.` },
    });
    const chained = chainEvents(last, [event]);
    events[step] = chained.events[0]!;
    last = chained.last;
  }
  return events as Record<Step, WatcherEvent>;
}

/** One SQS record as the event source mapping hands it over; a redelivery keeps its messageId and SentTimestamp. */
function sqsRecord(event: WatcherEvent, { messageId = `m-${event.id}`, sentAt = Date.now() - MINUTE, receiveCount = 1 } = {}): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}-${receiveCount}`,
    body: JSON.stringify(event),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(sentAt),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(sentAt + 1_000),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:watcher-slack-incidents',
    awsRegion: 'us-east-1',
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((f) => f.itemIdentifier).sort();

describe('Slack notifier', () => {
  let dynamo: RunningDynamo;
  let slack: SlackTestServer;
  let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** The poller logs every event before publishing it; the notifier reads predecessors from that log. */
  let logEvents: (events: Iterable<WatcherEvent>) => Promise<void>;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    slack = await startSlackTestServer();
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      ROUTE: JSON.stringify({ ...ROUTE, apiBaseUrl: slack.apiBaseUrl }),
      SLACK_BOT_TOKEN: slack.token,
      // A short in-process wait for predecessors keeps the suite fast; the default is 10 s.
      PREDECESSOR_WAIT_MS: '500',
      ...localAwsEnv({ dynamodb: dynamo.endpoint }),
    });
    ({ handler } = await import('../../functions/channels/slack/handler.js'));
    const log = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    logEvents = async (events) => {
      for (const event of events) await log.logEvent(event);
    };
  }, 60_000);

  afterAll(async () => {
    await slack?.close();
    await dynamo?.stop();
  });

  /** The item's messages in the channel: its roots, and the event ids of the root's replies in thread order. */
  function thread(itemId: string) {
    const eventId = (m: { metadata?: { event_payload: Readonly<Record<string, unknown>> } }) => String(m.metadata?.event_payload['event_id']);
    const mine = slack.messages(CHANNEL).filter((m) => eventId(m).startsWith(`${itemId}-`));
    const roots = mine.filter((m) => m.threadTs === undefined);
    const replies = roots[0] ? slack.replies(CHANNEL, roots[0].ts) : [];
    return { mine, roots, rootEvent: roots[0] && eventId(roots[0]), replies: replies.map(eventId), broadcast: replies.map((r) => r.broadcast) };
  }

  describe('Lambda handler', () => {
    it('shows one root and the replies in occurredAt order through redelivered and reordered messages', async () => {
      const e = lifecycle('lambda000001', Date.now());
      await logEvents(Object.values(e));

      // Batch 1: the resolution and an update overtake the opening; both wait, and go back to the queue.
      expect(failedIds(await handler(batch(sqsRecord(e.resolved), sqsRecord(e.identified))))).toEqual(['m-lambda000001-identified', 'm-lambda000001-resolved']);
      expect(thread('lambda000001').mine).toHaveLength(0);

      // Batch 2: the opening arrives and becomes the thread's root.
      expect(failedIds(await handler(batch(sqsRecord(e.opened))))).toEqual([]);
      expect(thread('lambda000001').rootEvent).toBe('lambda000001-opened');

      // Batch 3, shuffled: the opening published again (a new message), the two records redelivered, and the next update.
      const third = batch(
        sqsRecord(e.resolved, { receiveCount: 2 }),
        sqsRecord(e.monitoring),
        sqsRecord(e.opened, { messageId: 'm-lambda000001-opened-again' }),
        sqsRecord(e.identified, { receiveCount: 2 }),
      );
      expect(failedIds(await handler(third))).toEqual([]);

      // Batch 4: the RCA; batch 5: the resolution and the RCA delivered once more.
      expect(failedIds(await handler(batch(sqsRecord(e.rca))))).toEqual([]);
      expect(failedIds(await handler(batch(sqsRecord(e.rca, { receiveCount: 2 }), sqsRecord(e.resolved, { receiveCount: 3 }))))).toEqual([]);

      const t = thread('lambda000001');
      expect(t.roots).toHaveLength(1);
      expect(t.replies).toEqual(['lambda000001-identified', 'lambda000001-monitoring', 'lambda000001-resolved', 'lambda000001-rca']);
      expect(t.broadcast).toEqual([false, false, true, true]);
      expect(t.mine).toHaveLength(5);
      const root = slack.messages(CHANNEL).find((m) => m.ts === t.roots[0]!.ts)!;
      expect(root.updates).toBe(4);
      expect(JSON.stringify(root.blocks)).toContain('Root-cause analysis published');
    });

    it('delivers a successor whose predecessor never arrives once it has waited the order wait (15 minutes)', async () => {
      const e = lifecycle('lambda000002', Date.now());
      await logEvents(Object.values(e));
      expect(failedIds(await handler(batch(sqsRecord(e.opened))))).toEqual([]);

      // The Identified update was logged and published, but its message went to the dead-letter queue.
      const sentAt = Date.now() - MINUTE;
      expect(failedIds(await handler(batch(sqsRecord(e.monitoring, { sentAt }))))).toEqual(['m-lambda000002-monitoring']);
      expect(thread('lambda000002').replies).toEqual([]);

      // The same message, received again after it has been in the queue for 16 minutes: the gate measures SentTimestamp.
      const later = sqsRecord(e.monitoring, { sentAt: Date.now() - 16 * MINUTE, receiveCount: 4 });
      expect(failedIds(await handler(batch(later)))).toEqual([]);
      expect(thread('lambda000002').replies).toEqual(['lambda000002-monitoring']);
    });

    it('waits for Retry-After on a 429 and then posts once', async () => {
      const { opened } = lifecycle('lambda000003', Date.now());
      slack.failNext('chat.postMessage', 1, { kind: 'ratelimit', retryAfterSec: 1 });
      const before = slack.requests('chat.postMessage').length;
      expect(failedIds(await handler(batch(sqsRecord(opened))))).toEqual([]);
      const [first, second] = slack.requests('chat.postMessage').slice(before);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
      expect(thread('lambda000003').mine).toHaveLength(1);
    });

    it('hands a record back once on a permanent Slack error, without retrying it in process', async () => {
      const { opened } = lifecycle('lambda000004', Date.now());
      slack.failNext('chat.postMessage', 1, { kind: 'slack', error: 'channel_not_found' });
      const before = slack.calls('chat.postMessage');
      expect(failedIds(await handler(batch(sqsRecord(opened))))).toEqual(['m-lambda000004-opened']);
      expect(slack.calls('chat.postMessage') - before).toBe(1);
    });

    it('reports a message that is not a watcher event as failed and delivers the rest of the batch', async () => {
      const { opened } = lifecycle('lambda000005', Date.now());
      const bad = { ...sqsRecord(opened, { messageId: 'not-an-event' }), body: '{"hello":"world"}' };
      expect(failedIds(await handler(batch(bad, sqsRecord(opened))))).toEqual(['not-an-event']);
      expect(thread('lambda000005').rootEvent).toBe('lambda000005-opened');
    });

    it('accepts an SNS notification envelope when raw message delivery is off', async () => {
      const { opened } = lifecycle('lambda000006', Date.now());
      const wrapped = { ...sqsRecord(opened), body: JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(opened) }) };
      expect(failedIds(await handler(batch(wrapped)))).toEqual([]);
      expect(thread('lambda000006').rootEvent).toBe('lambda000006-opened');
    });
  });

  describe('the route composed with a test clock and fast Slack retries', () => {
    // The handler's composition (makeQueueNotifier) with a clock the test moves, so that a redelivery comes after the
    // queue's visibility timeout (6 minutes) as on AWS, and with Slack's backoff shortened from seconds to milliseconds.
    function notifier(now: () => number, secrets: SecretResolver = { resolve: async () => slack.token }, logger: Logger = quiet) {
      return makeQueueNotifier({
        route: { ...ROUTE, rules: { types: ['incident.*'] }, apiBaseUrl: slack.apiBaseUrl },
        client: dynamo.client,
        tableName: TABLE,
        secrets,
        clock: { now: () => new Date(now()) },
        logger,
        settings: { predecessorWaitMs: 500 },
        adapterOptions: { retries: 1, minRetryDelayMs: 10 },
        sleep: async () => undefined,
      });
    }

    it('holds back the successors of an update whose post fails (HTTP 500) and delivers all in order after redelivery', async () => {
      let clock = Date.now();
      const notify = notifier(() => clock);
      const e = lifecycle('queue0000001', clock);
      await logEvents(Object.values(e));
      expect((await notify([sqsRecord(e.opened, { sentAt: clock - MINUTE })])).batchItemFailures).toEqual([]);

      const records = [e.identified, e.monitoring, e.resolved].map((event) => sqsRecord(event, { sentAt: clock - MINUTE }));
      slack.failNext('chat.postMessage', 2, { kind: 'http', status: 500 }); // the Identified post and its one retry
      const first = await notify(records);
      expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(records.map((r) => r.messageId).sort());
      expect(thread('queue0000001').replies).toEqual([]);

      clock += 6 * MINUTE; // the visibility timeout: the queue hands all three back, in another order
      const second = await notify([records[2]!, records[0]!, records[1]!]);
      expect(second.batchItemFailures).toEqual([]);
      const t = thread('queue0000001');
      expect(t.roots).toHaveLength(1);
      expect(t.rootEvent).toBe('queue0000001-opened');
      expect(t.replies).toEqual(['queue0000001-identified', 'queue0000001-monitoring', 'queue0000001-resolved']);
    });

    it('reports every record of the batch failed, logging once, while the Slack secret cannot be resolved', async () => {
      const clock = Date.now();
      const errors: Array<Record<string, unknown>> = [];
      const logger: Logger = { ...quiet, error: (_message, keys = {}) => void errors.push(keys) };
      let secretAvailable = false;
      const secrets: SecretResolver = {
        resolve: async (ref) => {
          if (!secretAvailable) throw new SecretError(`secret ${ref} is not set: export SLACK_BOT_TOKEN in the environment`);
          return slack.token;
        },
      };
      const notify = notifier(() => clock, secrets, logger);
      const e = lifecycle('queue0000002', clock);
      await logEvents(Object.values(e));
      const records = [sqsRecord(e.opened), sqsRecord(e.identified)];

      const failed = await notify(records);
      expect(failed.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(records.map((r) => r.messageId).sort());
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ route: 'incidents', messages: 2, reason: expect.stringContaining('env:SLACK_BOT_TOKEN') });
      expect(JSON.stringify(errors)).not.toContain(slack.token);

      secretAvailable = true;
      expect((await notify(records)).batchItemFailures).toEqual([]);
      expect(thread('queue0000002').replies).toEqual(['queue0000002-identified']);
    });
  });

  describe('crash after posting', () => {
    function delivery(store: SlackStateStore, now: () => Date) {
      return makeSlackDelivery({
        destination: { mode: 'bot', channel: CHANNEL, api: makeSlackWebApi({ token: slack.token, apiBaseUrl: slack.apiBaseUrl, minRetryDelayMs: 10 }) },
        rules: {},
        store,
        clock: { now },
        logger: quiet,
        sleep: async () => undefined,
      });
    }

    it.each([
      ['the root is posted but not yet remembered', 'saveThread', 0],
      ['a reply is posted but its delivery not yet recorded', 'completeDelivery', 1],
    ] as const)('does not post again when %s', async (_name, method, crashAt) => {
      const itemId = `crash${method.slice(0, 7)}`.padEnd(12, '0');
      let clock = Date.parse('2026-10-06T10:00:00Z');
      const all = lifecycle(itemId, clock);
      const events = [all.opened, all.identified, all.monitoring];
      const store = makeDynamoSlackStore({ client: dynamo.client, tableName: TABLE });
      for (const [index, event] of events.entries()) {
        if (index === crashAt) {
          await expect(delivery(crashingBefore(store, method), () => new Date(clock))(event)).rejects.toBeInstanceOf(Crash);
          clock += 6 * 60_000; // the dead attempt's claim goes stale
          expect(await delivery(store, () => new Date(clock))(event)).toBe('recovered');
        } else {
          expect(await delivery(store, () => new Date(clock))(event)).toBe('posted');
        }
        clock += 60_000;
      }
      const mine = slack.messages(CHANNEL).filter((m) => m.metadata && String(JSON.stringify(m.metadata)).includes(itemId));
      expect(mine.map((m) => m.metadata?.event_payload['event_id'])).toEqual(events.map((e) => e.id));
      const roots = mine.filter((m) => m.threadTs === undefined);
      expect(roots).toHaveLength(1);
      expect(mine.filter((m) => m.threadTs === roots[0]!.ts)).toHaveLength(2);
    });
  });
});
