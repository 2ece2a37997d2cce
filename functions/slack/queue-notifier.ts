// A Slack route fed by its own queue, composed: the ordering gate (consume-route-queue.ts) in front of the delivery
// (deliver-to-slack.ts), with the ledger and the event log in the watcher's table. The Lambda handler builds one.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoEventLog } from '../adapters/dynamo-event-log.js';
import { makeDynamoSlackStore } from '../adapters/dynamo-slack-store.js';
import type { SlackOutputConfig } from '../config/config.js';
import type { Clock, Logger, SecretResolver } from '../core/ports.js';
import {
  makeRouteQueueConsumer,
  type QueueBatchResponse,
  type QueueRecord,
  type RouteQueueSettings,
} from './consume-route-queue.js';
import { channelKeyOf, DEFAULT_SLACK_DELIVERY_SETTINGS, makeSlackDelivery } from './deliver-to-slack.js';
import { makeSlackDestination, type SlackAdapterOptions } from './slack-destination.js';

export interface QueueNotifierDependencies {
  readonly route: SlackOutputConfig & { readonly id: string };
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<RouteQueueSettings>;
  /** Retry and timeout settings of the Slack clients (tests shorten the backoff). */
  readonly adapterOptions?: SlackAdapterOptions;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Builds `notify(records)`. The Slack destination is built on the first batch (its secret is fetched then) and kept;
 * when it cannot be built, every record of the batch is reported failed, so the queue retries them later.
 */
export function makeQueueNotifier(
  deps: QueueNotifierDependencies,
): (records: readonly QueueRecord[], timeLeftMs?: () => number) => Promise<QueueBatchResponse> {
  const { route, clock, logger, sleep } = deps;
  const store = makeDynamoSlackStore({ client: deps.client, tableName: deps.tableName });
  const eventLog = makeDynamoEventLog({ client: deps.client, tableName: deps.tableName });
  let consumer: Promise<ReturnType<typeof makeRouteQueueConsumer>> | undefined;

  async function build() {
    const destination = await makeSlackDestination(route, route.id, deps.secrets, deps.adapterOptions);
    const channel = channelKeyOf(destination);
    return makeRouteQueueConsumer({
      routeId: route.id,
      rules: route.rules,
      deliver: makeSlackDelivery({ destination, rules: route.rules, store, clock, logger, sleep }),
      ledger: { isDelivered: (eventId) => store.isDelivered(channel, eventId) },
      eventLog,
      clock,
      logger,
      // The ledger forgets a delivery when its record expires: older predecessors cannot be told apart from lost ones.
      settings: { ledgerMemoryMs: DEFAULT_SLACK_DELIVERY_SETTINGS.deliveryRetentionDays * DAY_MS, ...deps.settings },
      sleep,
    });
  }

  return async function notify(records, timeLeftMs) {
    consumer ??= build();
    let consume: Awaited<typeof consumer>;
    try {
      consume = await consumer;
    } catch (error) {
      consumer = undefined;
      logger.error('slack route unavailable; the whole batch is retried later', {
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
