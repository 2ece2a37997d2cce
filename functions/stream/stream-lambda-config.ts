// The tenant-log (stream) Lambda's configuration: the sources compiled into its bundle (WATCHER_CONFIG), and its
// resources from the environment: the table, the event topic and the archive bucket.
import { readCompiledWatcherConfig, requiredEnv, type CompiledWatcherConfig } from '../config/lambda-config.js';
import type { SourceConfig } from '../config/config.js';
import { auth0TenantLogsSource } from '../sources/auth0-tenant-logs/plugin.js';
import type { Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import { FUNCTION_ENV } from '../contract.js';

/** The source types this function reads: the stream plug-ins, imported one by one so the feeds' readers stay out of its bundle. */
export const STREAM_SOURCE_TYPES: ReadonlySet<string> = new Set([auth0TenantLogsSource.type]);

export interface StreamLambdaConfig {
  readonly watcher: CompiledWatcherConfig;
  readonly tableName: string;
  readonly topicArn: string;
  readonly archiveBucket: string;
}

/**
 * The config as the stack compiled it. Its shape is checked at cold start like the poll function's; which sources this
 * function reads is decided per invocation (`streamSourceOf`), so a config the stack compiled with feed sources in it
 * too still starts, and a feed's id sent here fails naming the feed.
 */
export function loadStreamLambdaConfig(env: NodeJS.ProcessEnv = process.env): StreamLambdaConfig {
  return Object.freeze({
    watcher: readCompiledWatcherConfig(env, (type) => type !== ''),
    tableName: requiredEnv(env, FUNCTION_ENV.tableName),
    topicArn: requiredEnv(env, FUNCTION_ENV.topicArn),
    archiveBucket: requiredEnv(env, FUNCTION_ENV.archiveBucket),
  });
}

/** The stream source an invocation names; throws naming the id when it is unknown or names a feed. */
export function streamSourceOf(config: StreamLambdaConfig, sourceId: unknown): Auth0TenantLogsSourceConfig {
  const source: SourceConfig | undefined = config.watcher.sources.find((s) => s.id === sourceId);
  if (!source) throw new Error(`unknown source id ${JSON.stringify(sourceId)}`);
  if (!STREAM_SOURCE_TYPES.has(source.type)) {
    throw new Error(
      `source "${source.id}" (${source.type}) is not a stream source: the poll function reads it, not the tenant-log function`,
    );
  }
  return source as Auth0TenantLogsSourceConfig;
}

/** The stream sources with a real-time path (a `partnerEventSource`): those whose EventBridge events this function takes. */
export function realtimeSourcesOf(config: StreamLambdaConfig): Auth0TenantLogsSourceConfig[] {
  return config.watcher.sources
    .filter((source) => STREAM_SOURCE_TYPES.has(source.type))
    .map((source) => source as Auth0TenantLogsSourceConfig)
    .filter((source) => source.partnerEventSource !== undefined);
}
