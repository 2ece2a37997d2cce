// The probe Lambda's configuration: the probe sources compiled into its bundle (WATCHER_CONFIG), and its resources from
// the environment: the table and the event topic. Which plug-in runs a source is the probe registry's
// (`probeModuleFor`, sources/probe-registry.ts): the bundle carries the probe plug-ins only.
import { readCompiledWatcherConfig, requiredEnv, type CompiledWatcherConfig } from '../config/lambda-config.js';
import type { SourceConfig } from '../config/config.js';
import { PROBE_SOURCE_REGISTRY } from '../sources/probe-registry.js';
import { FUNCTION_ENV } from '../contract.js';

export interface ProbeLambdaConfig {
  readonly watcher: CompiledWatcherConfig;
  readonly tableName: string;
  readonly topicArn: string;
}

/**
 * The config as the stack compiled it, its shape checked at cold start like the other functions'. Which sources this
 * function runs is decided per invocation (`probeSourceOf`): a feed's or stream's id sent here fails naming it.
 */
export function loadProbeLambdaConfig(env: NodeJS.ProcessEnv = process.env): ProbeLambdaConfig {
  return Object.freeze({
    watcher: readCompiledWatcherConfig(env, (type) => type !== ''),
    tableName: requiredEnv(env, FUNCTION_ENV.tableName),
    topicArn: requiredEnv(env, FUNCTION_ENV.topicArn),
  });
}

/** The probe source an invocation names; throws naming the id when it is unknown or not a probe. */
export function probeSourceOf(config: ProbeLambdaConfig, sourceId: unknown): SourceConfig {
  const source: SourceConfig | undefined = config.watcher.sources.find((s) => s.id === sourceId);
  if (!source) throw new Error(`unknown source id ${JSON.stringify(sourceId)}`);
  if (!PROBE_SOURCE_REGISTRY.has(source.type)) {
    throw new Error(`source "${source.id}" (${source.type}) is not a probe source: the probe function does not run it`);
  }
  return source;
}
