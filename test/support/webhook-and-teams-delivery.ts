// Test support for the Teams and webhook channels: one route connected through the delivery boundary over the real
// local DynamoDB (claim → post → complete, as the CLI and the notifier run it), with short retry delays and the waits
// recorded, and events as SQS records for the route's queue notifier.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDeliveryStore } from '../../functions/adapters/dynamo-delivery-store.js';
import type { ChannelConfigBase, ChannelContext, Routed } from '../../functions/channels/channel.js';
import type { AnyChannelPlugin } from '../../functions/channels/channel-registry.js';
import type { QueueRecord } from '../../functions/channels/consume-route-queue.js';
import { makeChannelDelivery, type ChannelDelivery } from '../../functions/channels/deliver-to-channel.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Clock, Logger, SecretResolver } from '../../functions/core/ports.js';

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface ConnectedRoute {
  readonly deliver: ChannelDelivery;
  /** Every wait the channel asked for (Retry-After, backoff), in ms. */
  readonly waits: number[];
}

/** Connects `route` of `plugin` with its delivery records in `table`: what the CLI's output for the route does. */
export async function connectRoute(
  plugin: AnyChannelPlugin,
  route: Routed<ChannelConfigBase>,
  deps: { readonly table: { client: DynamoDBClient; tableName: string }; readonly secrets: SecretResolver; readonly clock?: Clock },
): Promise<ConnectedRoute> {
  const waits: number[] = [];
  const clock = deps.clock ?? { now: () => new Date() };
  const context: ChannelContext = {
    deliveries: makeDynamoDeliveryStore({ ...deps.table, keyPrefix: plugin.keyPrefix }),
    table: deps.table,
    secrets: deps.secrets,
    clock,
    logger: quietLogger,
    http: { retries: 3, minRetryDelayMs: 10, timeoutMs: 5_000 },
    sleep: async (ms) => void waits.push(ms),
  };
  const connection = await plugin.connect(route, context);
  return {
    deliver: makeChannelDelivery({ connection, rules: route.rules, store: context.deliveries, clock, logger: quietLogger }),
    waits,
  };
}

/** The events as one SQS batch of the route's queue (raw message delivery); a redelivery keeps ids and times. */
export function queueRecords(events: readonly WatcherEvent[], sentAt = Date.now() - 60_000): QueueRecord[] {
  return events.map((event) => ({ messageId: `m-${event.id}`, body: JSON.stringify(event), attributes: { SentTimestamp: String(sentAt) } }));
}
