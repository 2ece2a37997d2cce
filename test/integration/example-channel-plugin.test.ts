// A channel is its own folder plus one registry line: the tests' 'inbox' plug-in (test/support/inbox-channel/), added to
// a registry and nothing else, delivers through the same boundary as Slack, locally (the CLI's per-output queues on the
// embedded store) and on AWS (its notifier's queue consumer and Lambda handler), once per event, its failures sorted
// by its own classification.
import { PassThrough } from 'node:stream';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDynamoDeliveryRecords } from '../../functions/adapters/dynamo-delivery-store.js';
import { makeDynamoOutputQueue } from '../../functions/adapters/dynamo-output-queue.js';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeChannelRegistry } from '../../functions/channels/channel-registry.js';
import { makeDynamoQueueNotifier } from '../../functions/channels/queue-notifier.js';
import { CHANNEL_PLUGINS } from '../../functions/channels/registry.js';
import { afterLocalRun, duplicateOutputError, makeLocalOutputs } from '../../functions/cli/local-outputs.js';
import { CHANNEL_SCHEMA_KIT } from '../../functions/config/channel-schema-kit.js';
import { chainEvents } from '../../functions/core/event-chain.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { makeOutputDelivery } from '../../functions/delivery/deliver-outputs.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { INBOXES, inboxChannel } from '../support/inbox-channel/plugin.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { sampleEvent } from '../support/sample-event.js';

const TABLE = 'example-channel';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-10-06T10:00:00Z');

/** The watcher's channels and the example: the one line a new channel adds. */
const registry = makeChannelRegistry([...CHANNEL_PLUGINS, inboxChannel]);

/** A route as the config file would hold it, validated by the plug-in's own schema from the shared pieces. */
const routeOf = (inbox: string) =>
  inboxChannel.configSchema(CHANNEL_SCHEMA_KIT).parse({ type: 'inbox', id: inbox, inbox, key: 'env:INBOX_KEY', rules: { types: ['incident.*'] } });

/** One incident's events, chained as the poller announces them, and a change-log entry the route's rules leave out. */
function incident(itemId: string): { opened: WatcherEvent; updated: WatcherEvent; resolved: WatcherEvent; news: WatcherEvent } {
  const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
  const { events } = chainEvents(undefined, [
    sampleEvent({ id: `${itemId}-opened`, itemId, type: 'incident.opened', status: 'investigating', occurredAt: at(0), detectedAt: at(1) }),
    sampleEvent({ id: `${itemId}-updated`, itemId, type: 'incident.updated', status: 'identified', occurredAt: at(2), detectedAt: at(3) }),
    sampleEvent({ id: `${itemId}-resolved`, itemId, type: 'incident.resolved', status: 'resolved', occurredAt: at(4), detectedAt: at(5) }),
  ]);
  const news = sampleEvent({ id: `${itemId}-news`, itemId: `${itemId}-news`, type: 'changelog.published', source: 'auth0-changelog', occurredAt: at(6), detectedAt: at(6) });
  return { opened: events[0]!, updated: events[1]!, resolved: events[2]!, news };
}

const received = (inbox: string) => (INBOXES.get(inbox)?.received ?? []).map((event) => event.id);

describe('an example channel plug-in added to a registry and nothing else', () => {
  let dynamo: RunningDynamo;
  let now = T0 + 10 * 60_000;
  const clock = { now: () => new Date(now) };
  const secrets = makeSecretResolver({ env: { INBOX_KEY: 'open-sesame' } });

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
  }, 60_000);
  afterAll(async () => {
    await dynamo?.stop();
  });
  beforeEach(() => INBOXES.clear());

  it('is a local output of the CLI: queued, delivered once and in order, held by its own route-level refusal', async () => {
    const table = { client: dynamo.client, tableName: TABLE };
    const outputs = [{ type: 'console' as const }, routeOf('local')];
    expect(duplicateOutputError([...outputs, routeOf('local')], registry)).toBe(
      'outputs[2]: the same output as outputs[1] (inbox:local); name each output once',
    );
    const console = new PassThrough();
    const stateStore = makeDynamoStateStore(table);
    const run = () =>
      makeOutputDelivery({
        outputs: makeLocalOutputs(outputs, console, { table, secrets, clock, logger: silent }, registry),
        store: makeDynamoOutputQueue(table),
        logEvent: (event) => stateStore.logEvent(event),
        clock,
        logger: silent,
        settings: { claimStaleMs: 0 },
      });
    const e = incident('local0000001');

    let delivery = run();
    await delivery.begin();
    for (const event of [e.opened, e.news, e.updated]) await delivery.publisher.publish(event);
    const first = await delivery.deliver();
    expect(first.outputs.map((o) => [o.outputId, o.outcome, o.delivered])).toEqual([
      ['console', 'ok', 3],
      ['inbox:local', 'ok', 3], // the change-log entry is left out by the route's rules
    ]);
    expect(received('local')).toEqual([e.opened.id, e.updated.id]);

    // The inbox refuses the route itself: its queue is held, announced, and delivered in order once it works again.
    INBOXES.get('local')!.refuseNext = 'inbox_gone';
    delivery = run();
    await delivery.begin();
    await delivery.publisher.publish(e.resolved);
    const held = await delivery.deliver();
    expect(held.outputs.find((o) => o.outputId === 'inbox:local')).toMatchObject({
      outcome: 'failing',
      waiting: 2, // the resolution, and the watcher-health event its failure announced
      failure: { scope: 'route', reason: expect.stringContaining('inbox route local: inbox local: inbox_gone') },
    });
    now += 60_000;
    delivery = run();
    await delivery.begin();
    const healed = await delivery.deliver();
    expect(healed.outputs.find((o) => o.outputId === 'inbox:local')?.outcome).toBe('ok');
    expect(received('local').slice(0, 3)).toEqual([e.opened.id, e.updated.id, e.resolved.id]);

    // The same event published again (SNS may repeat one) is recognised by its delivery record, not posted again.
    delivery = run();
    await delivery.begin();
    await delivery.publisher.publish(e.opened);
    await delivery.deliver();
    await afterLocalRun(outputs, { table, secrets, clock, logger: silent }, registry);
    expect(received('local').filter((id) => id === e.opened.id)).toHaveLength(1);
    expect(await makeDynamoDeliveryRecords(table).isDelivered('INBOX#local', e.resolved.id)).toBe(true);
  });

  it('is a notifier on AWS: its queue consumer delivers a reordered batch in thread order, and a redelivery once', async () => {
    const e = incident('aws000000001');
    const stateStore = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    for (const event of [e.opened, e.updated, e.resolved]) await stateStore.logEvent(event);
    const notify = makeDynamoQueueNotifier(inboxChannel, {
      route: { ...routeOf('aws'), id: 'aws' },
      client: dynamo.client,
      tableName: TABLE,
      secrets,
      clock,
      logger: silent,
      settings: { predecessorWaitMs: 0 },
    });
    const record = (event: WatcherEvent) => ({ messageId: `m-${event.id}`, body: JSON.stringify(event), attributes: { SentTimestamp: String(now) } });

    expect((await notify([record(e.resolved), record(e.opened), record(e.updated)])).batchItemFailures).toEqual([]);
    expect((await notify([record(e.opened), record(e.news)])).batchItemFailures).toEqual([]);
    expect(received('aws')).toEqual([e.opened.id, e.updated.id, e.resolved.id]);
  });

  it('runs as its own Lambda handler, the route and table from the environment as the stack sets them', async () => {
    const e = incident('lambda000001');
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      ROUTE: JSON.stringify({ ...routeOf('lambda'), id: 'lambda' }),
      INBOX_KEY: 'open-sesame',
      PREDECESSOR_WAIT_MS: '0',
      ...localAwsEnv({ dynamodb: dynamo.endpoint }),
    });
    const { handler } = await import('../support/inbox-channel/handler.js');
    const batch = { Records: [e.updated, e.opened].map((event) => ({ messageId: event.id, body: JSON.stringify(event) })) } as unknown as SQSEvent;
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect(received('lambda')).toEqual([e.opened.id, e.updated.id]);
  });
});
