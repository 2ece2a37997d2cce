// What every channel's notifier handler runs: the route the stack set (ROUTE), its dependencies built once per container,
// and the queue notifier fed by the route's SQS queue; records not delivered are handed back to the queue, one by one.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { loadRouteLambdaConfig } from '../config/lambda-config.js';
import type { AnyChannelPlugin } from './channel-registry.js';
import { makeDynamoQueueNotifier } from './queue-notifier.js';
import { makeSqsRecordHolder } from '../adapters/sqs-hold.js';

/** An SQS-fed Lambda handler (the shape of aws-lambda's `SQSHandler` with batch item failures). */
export type NotifierHandler = (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;

/**
 * Builds the handler of a notifier of `plugin`; call it at module scope, once per container. It delivers a batch in
 * thread order and reports the records to receive again (deferred behind a predecessor, left for want of time before
 * the timeout, or failed) in `batchItemFailures`; after maxReceiveCount receives the queue moves a record to its
 * dead-letter queue.
 */
export function makeLambdaNotifier(plugin: AnyChannelPlugin, env: NodeJS.ProcessEnv = process.env): NotifierHandler {
  const { route, tableName, ordering } = loadRouteLambdaConfig(plugin, env);
  const clock = { now: () => new Date() };
  const notify = makeDynamoQueueNotifier(plugin, {
    route,
    client: new DynamoDBClient({}),
    tableName,
    secrets: makeSecretResolver(),
    clock,
    // Quiet hours: a held message stays out of sight in the route's queue until they end.
    ...(route.rules.quietHours && { holdRecord: makeSqsRecordHolder({ clock }) }),
    logger: makePowertoolsLogger(plugin.notifier.serviceName),
    settings: ordering,
  });
  return (event, context) => notify(event.Records, context ? () => context.getRemainingTimeInMillis() : undefined);
}
