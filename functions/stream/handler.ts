// Lambda entry point of the tenant-log (stream) function: one scheduled invocation reads one stream source on from its
// checkpoint ({"sourceId": "…"}), archiving each page to the archive bucket before the checkpoint moves; an SQS batch
// ({"Records": […]}) of Auth0's EventBridge log events is the real-time path, classified ahead of the poll.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { auth0TenantLogReaderFor } from '../adapters/auth0-tenant-log-reader.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makePollMetrics } from '../adapters/poll-metrics.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeS3LogArchive } from '../adapters/s3-log-archive.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import { makeClassifyRealtime } from './classify-realtime.js';
import { makePollStream, type StreamResult } from './poll-stream.js';
import { handleRealtimeBatch, type SqsBatchResponse, type SqsRecord } from './realtime-batch.js';
import { loadStreamLambdaConfig, realtimeSourcesOf, streamSourceOf } from './stream-lambda-config.js';
import { FUNCTION_ENV, SERVICE_NAMES } from '../contract.js';

// `process.env.WATCHER_CONFIG` is replaced at bundle time by the validated stream sources (see lib/).
const config = loadStreamLambdaConfig({ ...process.env, WATCHER_CONFIG: process.env.WATCHER_CONFIG });
const logger = makePowertoolsLogger(SERVICE_NAMES.stream);
// The same heartbeat as the poll function's, so the dead-man's switches see stream sources too.
const metrics = makePollMetrics({ bySource: process.env[FUNCTION_ENV.pollMetricsBySource] === 'true' });
const store = makeDynamoStateStore({ client: new DynamoDBClient({}), tableName: config.tableName });
const publisher = makeSnsPublisher({ client: makeSnsClient({}), topicArn: config.topicArn, timeZone: config.watcher.timeZone });
const clock = { now: () => new Date() };
const pollStream = makePollStream({
  store,
  archive: makeS3LogArchive({ client: new S3Client({}), bucket: config.archiveBucket }),
  readerFor: auth0TenantLogReaderFor,
  publisher,
  secrets: makeSecretResolver(),
  clock,
  logger,
  settings: { failureThreshold: config.watcher.failureThreshold },
});
const classifyRealtime = makeClassifyRealtime({ store, publisher, clock, logger });
const realtimeSources = realtimeSourcesOf(config);

export interface StreamEvent {
  readonly sourceId: string;
}

/**
 * A failing source is an outcome, not a Lambda error (the next schedule continues from the checkpoint); an unknown or
 * feed source id and unexpected errors (the archive bucket refusing a page, say) throw.
 */
export async function handler(event: StreamEvent): Promise<Omit<StreamResult, 'published'> & { published: number }>;
/**
 * The real-time path: an SQS batch of EventBridge events. Invalid ones are logged and dropped; the messages of a source
 * whose processing throws are returned as failures, which SQS delivers again (then its dead-letter queue).
 */
export async function handler(event: { readonly Records: readonly SqsRecord[] }): Promise<SqsBatchResponse>;
export async function handler(
  event: StreamEvent | { readonly Records: readonly SqsRecord[] },
): Promise<(Omit<StreamResult, 'published'> & { published: number }) | SqsBatchResponse> {
  if (event !== null && typeof event === 'object' && 'Records' in event && Array.isArray(event.Records)) {
    const outcome = await handleRealtimeBatch(event.Records, realtimeSources, classifyRealtime, logger);
    logger.info('real-time batch finished', {
      messages: event.Records.length,
      dropped: outcome.dropped,
      classified: outcome.results.reduce((sum, r) => sum + r.classified, 0),
      leftToPoll: outcome.results.reduce((sum, r) => sum + r.leftToPoll, 0),
      published: outcome.results.reduce((sum, r) => sum + r.published.length, 0),
      failed: outcome.batchItemFailures.length,
    });
    return { batchItemFailures: outcome.batchItemFailures };
  }
  const source = streamSourceOf(config, (event as StreamEvent | undefined)?.sourceId);
  const result = await pollStream(source);
  metrics.recordPoll(result.sourceId, result.outcome);
  logger.info('stream read finished', {
    source: result.sourceId,
    outcome: result.outcome,
    reason: result.reason,
    archived: result.archived,
    behind: result.behind,
    published: result.published.length,
  });
  return { ...result, published: result.published.length };
}
