// Lambda entry point of the probe function: one scheduled invocation runs one probe source's check ({"sourceId": "…"}):
// a synthetic login, the IP allow-list, tenant checks. Its state and events go to the table and the event topic; its
// latency becomes a CloudWatch metric, and every finished run the same heartbeat as a poll's.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeManagementApiClient } from '../adapters/auth0-management-client.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../adapters/http-fetcher.js';
import { makePollMetrics } from '../adapters/poll-metrics.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeProbeMetrics } from '../adapters/probe-metrics.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import { makeRunProbe, type ProbeResult } from './run-probe.js';
import { probeModuleFor } from '../sources/probe-registry.js';
import { loadProbeLambdaConfig, probeSourceOf } from './probe-lambda-config.js';
import { FUNCTION_ENV, SERVICE_NAMES } from '../contract.js';

// `process.env.WATCHER_CONFIG` is replaced at bundle time by the validated probe sources (see lib/probe-function.ts).
const config = loadProbeLambdaConfig({ ...process.env, WATCHER_CONFIG: process.env.WATCHER_CONFIG });
const logger = makePowertoolsLogger(SERVICE_NAMES.probe);
// The same heartbeat as the poll function's, so the dead-man's switches see probe sources too.
const heartbeat = makePollMetrics({ bySource: process.env[FUNCTION_ENV.pollMetricsBySource] === 'true' });
const measurements = makeProbeMetrics();
const runProbe = makeRunProbe({
  store: makeDynamoStateStore({ client: new DynamoDBClient({}), tableName: config.tableName }),
  publisher: makeSnsPublisher({ client: makeSnsClient({}), topicArn: config.topicArn, timeZone: config.watcher.timeZone }),
  secrets: makeSecretResolver(),
  clock: { now: () => new Date() },
  logger,
  fetcher: makeHttpFetcher(),
  managementApi: makeManagementApiClient,
  moduleFor: probeModuleFor,
  settings: { failureThreshold: config.watcher.failureThreshold },
});

export interface ProbeEvent {
  readonly sourceId: string;
}

/**
 * A failing check is an outcome, not a Lambda error (the next schedule runs it again); an unknown or non-probe source id
 * and unexpected errors throw.
 */
export async function handler(event: ProbeEvent): Promise<Omit<ProbeResult, 'published'> & { published: number }> {
  const source = probeSourceOf(config, event?.sourceId);
  const result = await runProbe(source);
  heartbeat.recordPoll(result.sourceId, result.outcome);
  measurements.recordMeasurements(result.sourceId, result.measurements);
  logger.info('probe finished', {
    source: result.sourceId,
    outcome: result.outcome,
    reason: result.reason,
    skipped: result.skipped,
    published: result.published.length,
    ...result.measurements,
  });
  return { ...result, published: result.published.length };
}
