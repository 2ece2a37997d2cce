// The poll Lambda's configuration: the sources compiled into its bundle (WATCHER_CONFIG), each of a type its source
// registry reads, and its resources from the environment.
import { readCompiledWatcherConfig, requiredEnv, type CompiledWatcherConfig } from '../config/lambda-config.js';
import { SOURCE_TYPE_NAMES } from '../sources/source-types.js';
import { FUNCTION_ENV } from '../contract.js';

/**
 * WATCHER_CONFIG as the stack compiled it, every source of a type the watcher knows (see `readCompiledWatcherConfig`);
 * which of them this function reads (the feeds) is decided per invocation.
 */
export function compiledWatcherConfig(env: NodeJS.ProcessEnv): CompiledWatcherConfig {
  return readCompiledWatcherConfig(env, (type) => SOURCE_TYPE_NAMES.includes(type));
}

export interface LambdaConfig {
  readonly watcher: CompiledWatcherConfig;
  readonly tableName: string;
  readonly topicArn: string;
}

export function loadLambdaConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  return Object.freeze({
    watcher: compiledWatcherConfig(env),
    tableName: requiredEnv(env, FUNCTION_ENV.tableName),
    topicArn: requiredEnv(env, FUNCTION_ENV.topicArn),
  });
}
