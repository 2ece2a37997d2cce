// Lambda entry point of the poller: one scheduled invocation polls one source ({"sourceId": "…"}).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../adapters/http-fetcher.js';
import { makePollMetrics } from '../adapters/poll-metrics.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import { loadLambdaConfig } from './poll-lambda-config.js';
import { makePollSource, type PollResult } from './poll-source.js';
import { isTenantLogsSource } from '../sources/auth0-tenant-logs/config-schema.js';
import { FEED_SOURCE_REGISTRY } from '../sources/feed-registry.js';
import { FUNCTION_ENV } from '../contract.js';

// `process.env.WATCHER_CONFIG` is replaced at bundle time by the validated source list (see lib/watcher-stack.ts).
const config = loadLambdaConfig({ ...process.env, WATCHER_CONFIG: process.env.WATCHER_CONFIG });
const logger = makePowertoolsLogger();
// The stack sets POLL_METRICS_BY_SOURCE when it has a dead-man's switch per source (monitoring: detailed).
const metrics = makePollMetrics({ bySource: process.env[FUNCTION_ENV.pollMetricsBySource] === 'true' });
const store = makeDynamoStateStore({ client: new DynamoDBClient({}), tableName: config.tableName });
const publisher = makeSnsPublisher({ client: makeSnsClient({}), topicArn: config.topicArn, timeZone: config.watcher.timeZone });
const secrets = makeSecretResolver();
const clock = { now: () => new Date() };
const pollSource = makePollSource({
  store,
  fetcher: makeHttpFetcher(),
  publisher,
  secrets,
  clock,
  logger,
  settings: {
    failureThreshold: config.watcher.failureThreshold,
    trackResolvedDays: config.watcher.trackResolvedDays,
    severityRules: config.watcher.severityRules ?? [],
  },
});

export interface PollEvent {
  readonly sourceId: string;
}

/**
 * A failing source is an outcome, not a Lambda error (the next schedule retries); unexpected errors throw. Every
 * finished poll is counted (`SuccessfulPolls` / `FailedPolls`), which the dead-man's-switch alarms watch.
 */
export async function handler(event: PollEvent): Promise<Omit<PollResult, 'published'> & { published: number }> {
  const source = config.watcher.sources.find((s) => s.id === event?.sourceId);
  if (!source) throw new Error(`unknown source id ${JSON.stringify(event?.sourceId)}`);
  // A stream (the tenant's logs) has its own function (functions/stream/handler.ts), with the archive and its secret; a
  // probe (a synthetic login, tenant checks) has the probe function, with its own secrets.
  if (!FEED_SOURCE_REGISTRY.has(source.type)) {
    const kind = isTenantLogsSource(source) ? 'stream' : 'probe';
    const reader = kind === 'stream' ? 'the tenant-log function' : 'the probe function';
    throw new Error(`source "${source.id}" (${source.type}) is a ${kind} source: ${reader} reads it, not the poll function`);
  }
  const result = await pollSource(source);
  metrics.recordPoll(result.sourceId, result.outcome);
  logger.info('poll finished', {
    source: result.sourceId,
    outcome: result.outcome,
    reason: result.reason,
    published: result.published.length,
  });
  return { ...result, published: result.published.length };
}
