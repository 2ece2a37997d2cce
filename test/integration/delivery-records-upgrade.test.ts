// An upgrade keeps its Slack state: the delivery records, thread roots and stale-root list that the Slack delivery wrote
// before channels became plug-ins (recorded in test/fixtures/delivery-records/) are read by the channel boundary and the
// Slack plug-in under the same keys, so nothing is posted twice and threads carry on.
import { readFileSync } from 'node:fs';
import { PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryPartition, makeDynamoDeliveryRecords, makeDynamoDeliveryStore } from '../../functions/adapters/dynamo-delivery-store.js';
import { makeDynamoSlackStore, type SlackStateStore } from '../../functions/channels/slack/dynamo-slack-thread-store.js';
import { slackChannel } from '../../functions/channels/slack/plugin.js';
import { makeSlackDelivery } from '../../functions/channels/slack/slack-delivery.js';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import type { SlackApi, SlackWebhook } from '../../functions/channels/slack/slack-ports.js';
import { parseConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { SlackMessage } from '../../functions/core/ports.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';

interface Fixture {
  readonly channel: string;
  readonly webhookRoute: string;
  readonly recordedAt: string;
  readonly events: Record<'opened' | 'identified' | 'monitoring' | 'resolved' | 'crashedOpened' | 'changelog', WatcherEvent>;
  readonly slackMessages: ReadonlyArray<{ readonly ts: string; readonly threadTs?: string; readonly eventId: string }>;
  readonly items: ReadonlyArray<Record<string, AttributeValue>>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/delivery-records/slack-records-before-channel-plugins.json', import.meta.url), 'utf8'),
) as Fixture;
const TABLE = 'upgrade-records';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const { channel, events } = fixture;
const rootTs = fixture.slackMessages.find((m) => m.eventId === events.opened.id)!.ts;

/** The channel as the recording left it, in memory: what was posted, and what is posted and updated now. */
function slackChannelAsRecorded() {
  const messages = fixture.slackMessages.map((m) => ({ ...m, text: '' }));
  const posted: Array<{ eventId: string; threadTs?: string }> = [];
  const updated: Array<{ ts: string; message: SlackMessage }> = [];
  let seq = 0;
  const api: SlackApi = {
    async postMessage({ message, eventId, threadTs }) {
      const ts = `1900000000.${String(++seq).padStart(6, '0')}`;
      messages.push({ ts, threadTs, eventId, text: message.text });
      posted.push({ eventId, ...(threadTs && { threadTs }) });
      return { ts };
    },
    async updateMessage({ ts, message }) {
      if (!messages.some((m) => m.ts === ts)) throw new SlackError('message_not_found', true, 'Slack chat.update failed: message_not_found');
      updated.push({ ts, message });
    },
    async findPosted({ eventId, oldestTs, threadTs }) {
      return messages.find(
        (m) => m.eventId === eventId && m.ts >= oldestTs && (threadTs === undefined ? m.threadTs === undefined : m.ts === threadTs || m.threadTs === threadTs),
      )?.ts;
    },
  };
  return { api, posted, updated };
}

describe('Slack records written before channels became plug-ins', () => {
  let dynamo: RunningDynamo;
  let store: SlackStateStore;
  let now = Date.parse(fixture.recordedAt) + 10 * 60_000;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    for (const item of fixture.items) await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    store = makeDynamoSlackStore({ client: dynamo.client, tableName: TABLE });
  }, 60_000);
  afterAll(async () => {
    await dynamo?.stop();
  });

  const bot = (api: SlackApi) =>
    makeSlackDelivery({
      destination: { mode: 'bot', channel, api },
      rules: {},
      store,
      clock: { now: () => new Date(now) },
      logger: silent,
      sleep: async () => undefined,
    });

  it('are keyed where the Slack plug-in looks: SLACK#<channel ID> and SLACK#webhook:<route id>', () => {
    const config = parseConfig(
      {
        sources: [{ id: 'changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' }],
        outputs: [
          { type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel },
          { type: 'slack', id: fixture.webhookRoute, webhookUrl: 'env:SLACK_WEBHOOK_URL' },
        ],
      },
      '/',
    );
    const partitions = config.outputs.map((output) =>
      deliveryPartition(slackChannel.keyPrefix, slackChannel.destinationKey(output as Parameters<typeof slackChannel.destinationKey>[0])),
    );
    expect(partitions).toEqual([`SLACK#${channel}`, `SLACK#webhook:${fixture.webhookRoute}`]);
    expect(new Set(fixture.items.map((item) => item['pk']!.S))).toEqual(new Set(partitions));
  });

  it('are found delivered by the notifier’s ledger and by the post-deploy check', async () => {
    const deliveries = makeDynamoDeliveryStore({ client: dynamo.client, tableName: TABLE, keyPrefix: 'SLACK' });
    const records = makeDynamoDeliveryRecords({ client: dynamo.client, tableName: TABLE });
    for (const event of [events.opened, events.identified, events.monitoring, events.resolved]) {
      expect(await deliveries.isDelivered(channel, event.id)).toBe(true);
      expect(await records.isDelivered(`SLACK#${channel}`, event.id)).toBe(true);
    }
    expect(await deliveries.isDelivered(`webhook:${fixture.webhookRoute}`, events.changelog.id)).toBe(true);
    expect(await deliveries.getDelivery(channel, events.opened.id)).toMatchObject({ status: 'done', ts: rootTs });
    expect(await deliveries.isDelivered(channel, events.crashedOpened.id)).toBe(false);
  });

  it('refresh the root that was left stale, from the stale-root list', async () => {
    const slack = slackChannelAsRecorded();
    expect(await store.staleRoots(channel)).toEqual([`${events.opened.source}#${events.opened.itemId}`]);
    expect(await bot(slack.api).refreshStaleRoots()).toEqual({ refreshed: 1, forgotten: 0, left: 0 });
    expect(slack.updated.map((u) => u.ts)).toEqual([rootTs]);
    expect(slack.updated[0]!.message.text).toContain('Resolved');
    expect(await store.staleRoots(channel)).toEqual([]);
  });

  it('make every event delivered before a duplicate, posting nothing again, in bot and webhook mode', async () => {
    const slack = slackChannelAsRecorded();
    const deliver = bot(slack.api);
    for (const event of [events.opened, events.identified, events.monitoring, events.resolved]) {
      expect(await deliver(event)).toBe('duplicate');
    }
    const webhookPosts: SlackMessage[] = [];
    const webhook: SlackWebhook = { post: async (message) => void webhookPosts.push(message) };
    const hook = makeSlackDelivery({
      destination: { mode: 'webhook', routeId: fixture.webhookRoute, webhook },
      rules: {},
      store,
      clock: { now: () => new Date(now) },
      logger: silent,
    });
    expect(await hook(events.changelog)).toBe('duplicate');
    expect(slack.posted).toEqual([]);
    expect(webhookPosts).toEqual([]);
  });

  it('continue the thread: the incident’s next event is a reply under the root posted before the upgrade', async () => {
    const slack = slackChannelAsRecorded();
    const rca: WatcherEvent = {
      ...events.resolved,
      id: 'legacy0000a1-rca',
      type: 'incident.rca_published',
      status: 'postmortem',
      update: { label: 'Postmortem', at: fixture.recordedAt, text: 'Root cause: a configuration change.' },
      occurredAt: fixture.recordedAt,
      detectedAt: new Date(now).toISOString(),
    };
    expect(await bot(slack.api)(rca)).toBe('posted');
    expect(slack.posted).toEqual([{ eventId: rca.id, threadTs: rootTs }]);
    expect(slack.updated.map((u) => u.ts)).toEqual([rootTs]);
    expect(await store.getThread(channel, `${rca.source}#${rca.itemId}`)).toMatchObject({ rootTs, rootEventId: events.opened.id, version: 5 });
  });

  it('finish the delivery that died after posting its root, without posting it again', async () => {
    const slack = slackChannelAsRecorded();
    now += 60_000;
    expect(await bot(slack.api)(events.crashedOpened)).toBe('recovered');
    expect(slack.posted).toEqual([]);
    const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: TABLE }));
    // Still the same partitions: the new code wrote under the old keys, nowhere else.
    expect(new Set(Items.map((item) => item['pk']!.S))).toEqual(new Set([`SLACK#${channel}`, `SLACK#webhook:${fixture.webhookRoute}`]));
  });
});
