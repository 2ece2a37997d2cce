// Lambda entry point of a Slack notifier: one function per route, fed by the route's SQS queue (which the event topic
// fills through the route's filter policy); records not delivered are handed back to the queue, one by one.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { loadSlackLambdaConfig } from '../config/lambda-config.js';
import { makeQueueNotifier } from './queue-notifier.js';

const { route, tableName, ordering } = loadSlackLambdaConfig();
const notify = makeQueueNotifier({
  route,
  client: new DynamoDBClient({}),
  tableName,
  secrets: makeSecretResolver(),
  clock: { now: () => new Date() },
  logger: makePowertoolsLogger('auth0-ops-watcher-slack'),
  settings: ordering,
});

/**
 * Delivers a batch in thread order and reports the records to receive again (deferred behind a predecessor, left for
 * want of time before the timeout, or failed) in `batchItemFailures`; after maxReceiveCount receives the queue moves a
 * record to its dead-letter queue.
 */
export function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  return notify(event.Records, context ? () => context.getRemainingTimeInMillis() : undefined);
}
