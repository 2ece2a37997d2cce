// Test support: a channel route's queue delivered twice over, as SQS may: every event reversed, then every event again
// in order, through the real route-queue notifier on a real local DynamoDB (its delivery records and the event log the
// ordering gate reads). What the channel's fake server saw is the test's to assert.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import type { ChannelConfigBase, ChannelHttpOptions, ChannelPlugin, Routed } from '../../functions/channels/channel.js';
import { makeDynamoQueueNotifier } from '../../functions/channels/queue-notifier.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Clock, SecretResolver } from '../../functions/core/ports.js';

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

export interface RedeliveredQueue<C extends ChannelConfigBase> {
  readonly channel: ChannelPlugin<C>;
  readonly route: Routed<C>;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly http: ChannelHttpOptions;
}

/** Logs `events`, then hands the route's notifier the queue reversed and then in order; throws if a batch reports failures. */
export async function deliverQueueTwice<C extends ChannelConfigBase>(queue: RedeliveredQueue<C>, events: readonly WatcherEvent[]): Promise<void> {
  const stateStore = makeDynamoStateStore({ client: queue.client, tableName: queue.tableName });
  for (const event of events) await stateStore.logEvent(event);
  const notify = makeDynamoQueueNotifier(queue.channel, {
    route: queue.route,
    client: queue.client,
    tableName: queue.tableName,
    secrets: queue.secrets,
    clock: queue.clock,
    logger: SILENT,
    settings: { predecessorWaitMs: 0 },
    adapterOptions: queue.http,
  });
  const sent = String(queue.clock.now().getTime());
  const record = (event: WatcherEvent) => ({ messageId: `m-${event.id}`, body: JSON.stringify(event), attributes: { SentTimestamp: sent } });
  for (const batch of [[...events].reverse(), [...events]]) {
    const { batchItemFailures } = await notify(batch.map(record));
    if (batchItemFailures.length > 0) throw new Error(`the notifier reported failures: ${JSON.stringify(batchItemFailures)}`);
  }
}
