// The signed-webhook channel against a local receiver that verifies every request with its own WebCrypto
// implementation (test/support/webhook-receiver.ts) and the real local DynamoDB: the real January 2021 Auth0 incidents
// delivered signed and once each through the route's notifier and the CLI's output queue, redeliveries included;
// forgeries, tampered bodies, other secrets and stale replays refused; 429 and 5xx retried, other refusals and redirects
// not; the Lambda handler.
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { makeDynamoOutputQueue } from '../../functions/adapters/dynamo-output-queue.js';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeLocalOutputs } from '../../functions/cli/local-outputs.js';
import { makeDynamoQueueNotifier } from '../../functions/channels/queue-notifier.js';
import { webhookChannel } from '../../functions/channels/webhook/plugin.js';
import { WebhookError } from '../../functions/channels/webhook/webhook-error.js';
import { CHANNEL_SCHEMA_KIT } from '../../functions/config/channel-schema-kit.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { classifyDeliveryFailure } from '../../functions/delivery/classify-delivery-failure.js';
import { makeOutputDelivery } from '../../functions/delivery/deliver-outputs.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { realJanuary2021Events } from '../support/teams-and-webhook-events.js';
import { connectRoute, queueRecords, quietLogger } from '../support/webhook-and-teams-delivery.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const TABLE = 'webhook-channel';
const SECRET = '3f9c1a7e5b2d4c6e8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f';
const events = realJanuary2021Events();
/** Each event's own copy, so that one test's deliveries are not another's duplicates. */
const copyOf = (event: WatcherEvent, tag: string): WatcherEvent => ({ ...event, id: `${event.id}-${tag}` });

describe('the webhook channel against a receiver that verifies signatures independently', () => {
  let dynamo: RunningDynamo;
  let receiver: WebhookReceiver;
  /** How far the receiver's clock runs ahead of the watcher's. */
  let receiverAheadMs = 0;
  const env = { WEBHOOK_SECRET: SECRET, WEBHOOK_WRONG: 'a-secret-the-receiver-does-not-share' };
  const table = () => ({ client: dynamo.client, tableName: TABLE });
  const secrets = () => makeSecretResolver({ env });
  const routeOf = (id: string, secret = 'env:WEBHOOK_SECRET') => ({
    ...webhookChannel.configSchema(CHANNEL_SCHEMA_KIT).parse({ type: 'webhook', id, url: receiver.url, secret, rules: { types: ['incident.*'] } }),
    id,
  });
  const connect = (id: string, secret?: string) => connectRoute(webhookChannel, routeOf(id, secret), { table: table(), secrets: secrets() });

  beforeAll(async () => {
    [dynamo, receiver] = await Promise.all([DYNAMO_BACKENDS[0]!.start(TABLE), startWebhookReceiver(SECRET, () => Date.now() + receiverAheadMs)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dynamo?.stop(), receiver?.close()]);
  });
  beforeEach(() => {
    receiverAheadMs = 0;
  });

  it('delivers each real event signed and verified, and sends nothing again when the batch is redelivered', async () => {
    const notifier = () =>
      makeDynamoQueueNotifier(webhookChannel, {
        route: routeOf('itsm'),
        client: dynamo.client,
        tableName: TABLE,
        secrets: secrets(),
        clock: { now: () => new Date() },
        logger: quietLogger,
        settings: { predecessorWaitMs: 0 },
        adapterOptions: { minRetryDelayMs: 10 },
      });
    const batch = queueRecords(events);
    expect((await notifier()(batch)).batchItemFailures).toEqual([]);
    const sent = receiver.captured.length;
    expect((await notifier()(batch)).batchItemFailures).toEqual([]);
    expect((await notifier()([...batch].reverse())).batchItemFailures).toEqual([]);

    expect(receiver.captured.length).toBe(sent);
    expect(receiver.refused).toEqual([]);
    expect(receiver.received.map((r) => r.event.id).sort()).toEqual(events.map((e) => e.id).sort());
    for (const { event, idempotencyKey, eventType } of receiver.received) {
      expect(event).toEqual(events.find((e) => e.id === event.id));
      expect([idempotencyKey, eventType]).toEqual([event.id, event['type']]);
    }
  });

  it('is a local output of the CLI: the same events queued again in a second run reach the receiver once', async () => {
    const table = { client: dynamo.client, tableName: TABLE };
    const stateStore = makeDynamoStateStore(table);
    const local = events.slice(0, 3).map((event) => copyOf(event, 'local'));
    const before = receiver.captured.length;
    for (let run = 0; run < 2; run += 1) {
      const delivery = makeOutputDelivery({
        outputs: makeLocalOutputs([routeOf('local')], new PassThrough(), { table, secrets: secrets(), clock: { now: () => new Date() }, logger: quietLogger }),
        store: makeDynamoOutputQueue(table),
        logEvent: (event) => stateStore.logEvent(event),
        clock: { now: () => new Date() },
        logger: quietLogger,
      });
      await delivery.begin();
      for (const event of local) await delivery.publisher.publish(event);
      const outcome = await delivery.deliver();
      expect(outcome.outputs.map((o) => [o.outputId, o.outcome])).toEqual([['webhook:local', 'ok']]);
    }
    expect(receiver.captured.length - before).toBe(local.length);
    expect(receiver.received.filter((r) => r.event.id.endsWith('-local')).map((r) => r.event.id)).toEqual(local.map((e) => e.id));
  });

  it('leaves the receiver to drop a request replayed within 5 minutes, by the signed event id, whatever its Idempotency-Key', async () => {
    const { deliver } = await connect('replay');
    const event = copyOf(events[0]!, 'replay');
    expect(await deliver(event)).toBe('posted');
    const original = receiver.captured.at(-1)!;
    expect(await receiver.send(original)).toBe(200);
    expect(await receiver.send({ ...original, headers: { ...original.headers, 'idempotency-key': 'something-new' } })).toBe(200);
    expect(receiver.duplicates).toEqual([event.id, event.id]);
    expect(receiver.received.filter((r) => r.event.id === event.id)).toHaveLength(1);
  });

  it('has the receiver refuse a tampered body, a forged signature and a replay older than 5 minutes', async () => {
    const { deliver } = await connect('tamper');
    expect(await deliver(copyOf(events[1]!, 'tamper'))).toBe('posted');
    const original = receiver.captured.at(-1)!;
    const body = Buffer.from(original.body.toString('utf8').replace(/"severity":"\w+"/, '"severity":"info"'));
    expect(body.equals(original.body)).toBe(false);
    expect(await receiver.send({ ...original, body })).toBe(401);
    const forged = { ...original.headers, 'x-watcher-signature': `v1=${'0'.repeat(64)}` };
    expect(await receiver.send({ ...original, headers: forged })).toBe(401);
    receiverAheadMs = 5 * 60_000 + 5_000;
    expect(await receiver.send(original)).toBe(401);
    expect(receiver.refused.slice(-3).map((r) => r.reason)).toEqual(['bad signature', 'bad signature', 'stale timestamp']);
  });

  it('is refused (401) when the route’s secret is not the receiver’s: the route is held, and the secret is never quoted', async () => {
    const { deliver } = await connect('wrong-secret', 'env:WEBHOOK_WRONG');
    const error = await deliver(copyOf(events[2]!, 'wrong')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect(error).toMatchObject({ code: 'http_401', permanent: true });
    expect((error as Error).message).toBe(`webhook ${new URL(receiver.url).origin}: refused the message: HTTP 401 (bad signature)`);
    expect((error as Error).message).not.toContain(env.WEBHOOK_WRONG);
    expect(classifyDeliveryFailure('webhook:wrong-secret', error).scope).toBe('route');
  });

  it('signs with the watcher’s clock: a clock 10 minutes behind the receiver’s is refused as stale', async () => {
    receiverAheadMs = 10 * 60_000;
    const { deliver } = await connect('skewed');
    const error = (await deliver(copyOf(events[3]!, 'skewed')).then(() => undefined, (e: unknown) => e)) as WebhookError;
    expect(error.message).toContain('HTTP 401 (stale timestamp)');
  });

  it('waits out a 429’s Retry-After and retries a 5xx, signing each attempt afresh, and the receiver takes the event once', async () => {
    let now = Date.parse('2026-04-22T20:16:00Z');
    receiverAheadMs = now - Date.now();
    const { deliver, waits } = await connectRoute(webhookChannel, routeOf('retry'), {
      table: table(),
      secrets: secrets(),
      clock: { now: () => new Date((now += 1_000)) },
    });
    const before = receiver.captured.length;
    receiver.failNext({ status: 429, retryAfterSec: 3 }, { status: 502 });
    const event = copyOf(events[4]!, 'retry');
    expect(await deliver(event)).toBe('posted');
    expect(waits).toEqual([3_000, 20]);
    const attempts = receiver.captured.slice(before);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['x-watcher-timestamp'])).size).toBe(3);
    expect(receiver.received.filter((r) => r.event.id === event.id)).toHaveLength(1);
  });

  it('does not retry a refusal of the event (400), which is set aside while the route goes on', async () => {
    const { deliver } = await connect('refused');
    const before = receiver.captured.length;
    receiver.failNext({ status: 400 });
    const error = await deliver(copyOf(events[5]!, 'refused')).then(() => undefined, (e: unknown) => e);
    expect(receiver.captured.length - before).toBe(1);
    expect(classifyDeliveryFailure('webhook:refused', error).scope).toBe('event');
    expect(await deliver(copyOf(events[6]!, 'refused'))).toBe('posted');
  });

  it('does not follow a redirect: the route is held until its URL is fixed', async () => {
    const { deliver } = await connect('moved');
    receiver.failNext({ status: 308 });
    const error = await deliver(copyOf(events[6]!, 'moved')).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'http_308', permanent: true });
    expect(classifyDeliveryFailure('webhook:moved', error).scope).toBe('route');
  });

  it('runs as its own Lambda handler, the route and table from the environment as the stack sets them', async () => {
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      ROUTE: JSON.stringify(routeOf('lambda')),
      WEBHOOK_SECRET: SECRET,
      PREDECESSOR_WAIT_MS: '0',
      ...localAwsEnv({ dynamodb: dynamo.endpoint }),
    });
    const { handler } = await import('../../functions/channels/webhook/handler.js');
    const batch = { Records: queueRecords([copyOf(events[7]!, 'lambda')]) } as unknown as SQSEvent;
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect(receiver.received.filter((r) => r.event.id === `${events[7]!.id}-lambda`)).toHaveLength(1);
  });
});
