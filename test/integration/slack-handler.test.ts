// The Slack notifier Lambda as deployed (ROUTE, TABLE_NAME, SNS records) against dynalite and a local Slack:
// the incident lifecycle, repeated SNS deliveries, rate limits and crashes after posting.
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoSlackStore, type SlackStateStore } from '../../functions/adapters/dynamo-slack-store.js';
import { makeSlackWebApi } from '../../functions/adapters/slack-web-api.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeSlackDelivery } from '../../functions/slack/deliver-to-slack.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { sampleEvent } from '../support/sample-event.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';

const TABLE = 'watcher-slack-test';
const CHANNEL = 'C0INCIDENTS';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** An incident's lifecycle as the poller publishes it: opened, two updates, resolved, and the RCA a month later. */
function lifecycle(itemId: string): WatcherEvent[] {
  const base = { itemId, url: `https://status.auth0.com/incidents/${itemId}`, title: 'Elevated Errors on Public Cloud', regions: ['US-1'] };
  const step = (type: WatcherEvent['type'], label: string, at: string, status: string) =>
    sampleEvent({ ...base, id: `${itemId}-${label}`, type, status, occurredAt: at, update: { label, at, text: `${label} text.` } });
  return [
    step('incident.opened', 'Investigating', '2026-10-06T09:41:00Z', 'investigating'),
    step('incident.updated', 'Identified', '2026-10-06T10:12:00Z', 'identified'),
    step('incident.updated', 'Monitoring', '2026-10-06T10:48:00Z', 'monitoring'),
    step('incident.resolved', 'Resolved', '2026-10-06T11:25:00Z', 'resolved'),
    step('incident.rca_published', 'Postmortem', '2026-11-06T09:00:00Z', 'postmortem'),
  ];
}

function snsEvent(event: WatcherEvent): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:watcher-events:sub',
        Sns: {
          Type: 'Notification',
          MessageId: `m-${event.id}`,
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:watcher-events',
          Subject: 'x',
          Message: JSON.stringify(event),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

describe('Slack notifier', () => {
  let dynamo: RunningDynamo;
  let slack: SlackTestServer;
  let handler: (event: SNSEvent) => Promise<void>;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    slack = await startSlackTestServer();
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      ROUTE: JSON.stringify({
        type: 'slack',
        id: 'incidents',
        botToken: 'env:SLACK_BOT_TOKEN',
        channel: CHANNEL,
        apiBaseUrl: slack.apiBaseUrl,
        rules: { types: ['incident.*'] },
      }),
      SLACK_BOT_TOKEN: slack.token,
      ...localAwsEnv({ dynamodb: dynamo.endpoint }),
    });
    ({ handler } = await import('../../functions/slack/handler.js'));
  }, 60_000);

  afterAll(async () => {
    await slack?.close();
    await dynamo?.stop();
  });

  describe('Lambda handler', () => {
    it('keeps one thread per incident: a root updated in place, replies, broadcast resolution and RCA', async () => {
      for (const event of lifecycle('lambda000001')) await handler(snsEvent(event));
      const roots = slack.messages(CHANNEL).filter((m) => m.threadTs === undefined && JSON.stringify(m.blocks).includes('lambda000001'));
      expect(roots).toHaveLength(1);
      const replies = slack.replies(CHANNEL, roots[0]!.ts);
      expect(replies.map((r) => r.broadcast)).toEqual([false, false, true, true]);
      expect(roots[0]!.updates).toBe(4);
      expect(JSON.stringify(slack.messages(CHANNEL).find((m) => m.ts === roots[0]!.ts)!.blocks)).toContain('Root-cause analysis published');
    });

    it('posts once when SNS delivers the same event twice', async () => {
      const [opened, identified] = lifecycle('lambda000002');
      await handler(snsEvent(opened!));
      await handler(snsEvent(identified!));
      const before = slack.messages(CHANNEL).length;
      await handler(snsEvent(identified!));
      await handler(snsEvent(opened!));
      expect(slack.messages(CHANNEL).length).toBe(before);
    });

    it('waits for Retry-After on a 429 and then posts once', async () => {
      const [opened] = lifecycle('lambda000003');
      slack.failNext('chat.postMessage', 1, { kind: 'ratelimit', retryAfterSec: 1 });
      const before = slack.requests('chat.postMessage').length;
      await handler(snsEvent(opened!));
      const [first, second] = slack.requests('chat.postMessage').slice(before);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
      expect(slack.messages(CHANNEL).filter((m) => JSON.stringify(m.blocks).includes('lambda000003'))).toHaveLength(1);
    });

    it('fails loudly once on a permanent Slack error, so the event goes to the dead-letter queue', async () => {
      const [opened] = lifecycle('lambda000004');
      slack.failNext('chat.postMessage', 1, { kind: 'slack', error: 'channel_not_found' });
      const before = slack.calls('chat.postMessage');
      await expect(handler(snsEvent(opened!))).rejects.toMatchObject({ name: 'SlackError', code: 'channel_not_found', permanent: true });
      expect(slack.calls('chat.postMessage') - before).toBe(1);
    });

    it('rejects a message that is not a watcher event', async () => {
      const bad = snsEvent(lifecycle('lambda000005')[0]!);
      bad.Records[0]!.Sns.Message = '{"hello":"world"}';
      await expect(handler(bad)).rejects.toThrow(/not a schema-version-1 event/);
    });
  });

  describe('crash after posting', () => {
    class Crash extends Error {}

    /** A store whose first call of `method` never happens: the process dies just before that write. */
    function crashingBefore(store: SlackStateStore, method: keyof SlackStateStore): SlackStateStore {
      let crashed = false;
      return new Proxy(store, {
        get(target, key) {
          const original = target[key as keyof SlackStateStore] as (...args: unknown[]) => Promise<unknown>;
          if (key !== method) return original.bind(target);
          return async (...args: unknown[]) => {
            if (!crashed) {
              crashed = true;
              throw new Crash(`crash before ${String(method)}`);
            }
            return original.apply(target, args);
          };
        },
      });
    }

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
      const events = lifecycle(itemId).slice(0, 3);
      const store = makeDynamoSlackStore({ client: dynamo.client, tableName: TABLE });
      let clock = Date.parse('2026-10-06T10:00:00Z');
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
      expect(mine.map((m) => m.metadata?.event_payload["event_id"])).toEqual(events.map((e) => e.id));
      const roots = mine.filter((m) => m.threadTs === undefined);
      expect(roots).toHaveLength(1);
      expect(mine.filter((m) => m.threadTs === roots[0]!.ts)).toHaveLength(2);
    });
  });
});
