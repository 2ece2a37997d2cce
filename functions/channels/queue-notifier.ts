// A channel route fed by its own queue, composed: the ordering gate (consume-route-queue.ts) in front of the delivery
// boundary (deliver-to-channel.ts) and the route's connection (its plug-in's). Each channel's Lambda handler builds one
// with the watcher's table (lambda-notifier.ts); tests build them with in-memory stores.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDeliveryStore } from '../adapters/dynamo-delivery-store.js';
import { makeDynamoEventLog } from '../adapters/dynamo-event-log.js';
import type { EventLog } from '../core/event-chain.js';
import type { Clock, Logger, SecretResolver } from '../core/ports.js';
import type { AnyChannelPlugin } from './channel-registry.js';
import type { ChannelConfigBase, ChannelContext, ChannelHttpOptions, Routed } from './channel.js';
import {
  DEFAULT_ROUTE_QUEUE_SETTINGS,
  makeRouteQueueConsumer,
  type QueueBatchResponse,
  type QueueRecord,
  type RouteQueueDependencies,
  type RouteQueueSettings,
} from './consume-route-queue.js';
import type { SnoozeReader } from '../delivery/snooze-store.js';
import { makeDynamoSnoozeStore } from '../adapters/dynamo-snooze-store.js';
import { DEFAULT_CHANNEL_DELIVERY_SETTINGS, makeChannelDelivery } from './deliver-to-channel.js';

/** `notify(records, timeLeftMs)`: one call per batch; the records to receive again are in `batchItemFailures`. */
export type QueueNotifier = (records: readonly QueueRecord[], timeLeftMs?: () => number) => Promise<QueueBatchResponse>;

export interface ChannelQueueNotifierDependencies {
  readonly route: Routed<ChannelConfigBase>;
  /** Everything the route is connected with; `deliveries` are the records the gate reads as its ledger. */
  readonly context: ChannelContext;
  readonly eventLog: EventLog;
  readonly settings?: Partial<RouteQueueSettings>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The snoozes the route honours (`npm start -- snooze`). Unset: none. */
  readonly snoozes?: SnoozeReader;
  /** Keeps a record held for quiet hours out of sight until they end (SQS: adapters/sqs-hold.ts). */
  readonly holdRecord?: RouteQueueDependencies['holdRecord'];
}

const DAY_MS = 86_400_000;

/**
 * Builds `notify(records)` for one route of `plugin`. The route is connected on the first batch (its secret is fetched
 * then) and kept; when it cannot be connected, every record of the batch is reported failed, so the queue retries them
 * later.
 */
export function makeChannelQueueNotifier(plugin: AnyChannelPlugin, deps: ChannelQueueNotifierDependencies): QueueNotifier {
  const { route, context, eventLog, sleep } = deps;
  const { deliveries, clock, logger } = context;
  let consumer: Promise<QueueNotifier> | undefined;

  async function build() {
    const connection = await plugin.connect(route, context);
    const consume = makeRouteQueueConsumer({
      routeId: route.id,
      rules: route.rules,
      deliver: makeChannelDelivery({
        connection,
        rules: route.rules,
        store: deliveries,
        clock,
        logger,
        ...(deps.snoozes && { snoozes: { routeId: route.id, reader: deps.snoozes } }),
      }),
      holdRecord: deps.holdRecord,
      ledger: { isDelivered: (eventId) => deliveries.isDelivered(connection.destination, eventId) },
      eventLog,
      clock,
      logger,
      // The ledger forgets a delivery when its record expires: older predecessors cannot be told apart from lost ones.
      settings: { ledgerMemoryMs: DEFAULT_CHANNEL_DELIVERY_SETTINGS.deliveryRetentionDays * DAY_MS, ...deps.settings },
      sleep,
    });
    // The channel's once-a-batch upkeep (Slack's status board), after the batch's deliveries.
    return async (records: readonly QueueRecord[], timeLeftMs?: () => number): Promise<QueueBatchResponse> => {
      const response = await consume(records, timeLeftMs);
      // Not when the function's timeout is near: the next batch does it rather than the whole batch being received again.
      if (timeLeftMs === undefined || timeLeftMs() >= (deps.settings?.reserveMs ?? DEFAULT_ROUTE_QUEUE_SETTINGS.reserveMs)) {
        await connection.afterBatch?.();
      }
      return response;
    };
  }

  return async function notify(records, timeLeftMs) {
    consumer ??= build();
    let consume: Awaited<typeof consumer>;
    try {
      consume = await consumer;
    } catch (error) {
      consumer = undefined;
      logger.error(`${plugin.type} route unavailable; the whole batch is retried later`, {
        route: route.id,
        messages: records.length,
        outcome: 'failed',
        reason: error instanceof Error ? error.message : String(error),
      });
      return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })) };
    }
    return consume(records, timeLeftMs);
  };
}

export interface DynamoQueueNotifierDependencies {
  readonly route: Routed<ChannelConfigBase>;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<RouteQueueSettings>;
  /** Retry and timeout settings of the channel's HTTP client (tests shorten the backoff). */
  readonly adapterOptions?: ChannelHttpOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Keeps a record held for quiet hours out of sight until they end (SQS: adapters/sqs-hold.ts). */
  readonly holdRecord?: RouteQueueDependencies['holdRecord'];
}

/** The notifier as deployed: delivery records, the channel's own state and the event log in the watcher's table. */
export function makeDynamoQueueNotifier(plugin: AnyChannelPlugin, deps: DynamoQueueNotifierDependencies): QueueNotifier {
  const { client, tableName } = deps;
  return makeChannelQueueNotifier(plugin, {
    route: deps.route,
    context: {
      deliveries: makeDynamoDeliveryStore({ client, tableName, keyPrefix: plugin.keyPrefix }),
      table: { client, tableName },
      secrets: deps.secrets,
      clock: deps.clock,
      logger: deps.logger,
      http: deps.adapterOptions,
      sleep: deps.sleep,
    },
    eventLog: makeDynamoEventLog({ client, tableName }),
    settings: deps.settings,
    sleep: deps.sleep,
    snoozes: makeDynamoSnoozeStore({ client, tableName }),
    holdRecord: deps.holdRecord,
  });
}
