// The Lambda handlers' configuration. The stack validates the config file with the full schema (config.ts) at synth
// and compiles the part a function needs into its bundle (WATCHER_CONFIG) or passes it as ROUTE, so a cold start
// only checks that what it received has that validated shape: the schema library stays out of the bundles.
import type { RouteRules } from '../core/routing.js';
import type { DigestConfig, SlackOutputConfig, SourceConfig, SourceType, WatcherConfig } from './config.js';
import { ConfigError, deepFreeze } from './config-base.js';

/** An environment variable a Lambda cannot run without; its absence fails the cold start, naming it. */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

/**
 * The validated config as the stack compiles it into a bundle (see `compiledPollConfig` and `compiledDigestConfig` in
 * lib/watcher-stack.ts): the sources with their defaults filled in, and the digest settings for the digest function.
 */
export interface CompiledWatcherConfig {
  readonly failureThreshold: WatcherConfig['failureThreshold'];
  readonly trackResolvedDays: WatcherConfig['trackResolvedDays'];
  readonly sources: readonly SourceConfig[];
  readonly email?: { readonly digest?: DigestConfig };
}

/** Every source type; a type added to the schema fails to compile until it is listed here. */
const SOURCE_TYPES: { readonly [T in SourceType]: true } = {
  'auth0-status': true,
  'auth0-changelog': true,
  'github-advisories': true,
  'auth0-bulletins': true,
  statuspage: true,
  'google-status': true,
  feed: true,
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON the stack compiled into a bundle as `name` (see lib/), and a maker of the `ConfigError` that names a field of
 * it that is off: `<name> is not <what> the stack compiled: <field> <problem>`. Missing or not JSON fails with its own.
 */
export function compiledJson(
  env: NodeJS.ProcessEnv,
  name: string,
  what: string,
): { readonly input: unknown; readonly invalid: (field: string, problem: string) => ConfigError } {
  const json = requiredEnv(env, name);
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(`${name} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return { input, invalid: (field, problem) => new ConfigError(`${name} is not ${what}: ${field} ${problem}`) };
}
const isPositiveInteger = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1;
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * Reads the config compiled into the bundle as WATCHER_CONFIG. It was validated by the full schema at synth, so this
 * checks its shape only: a value that did not come from `parseConfig` (a raw config file, a hand-edited bundle) fails
 * the cold start with a `ConfigError` naming the first field that is off, instead of failing some poll later.
 */
export function compiledWatcherConfig(env: NodeJS.ProcessEnv): CompiledWatcherConfig {
  const { input, invalid } = compiledJson(env, 'WATCHER_CONFIG', 'a config the stack validated');
  if (!isRecord(input)) throw invalid('(config)', 'must be an object');
  for (const field of ['failureThreshold', 'trackResolvedDays'] as const) {
    if (!isPositiveInteger(input[field])) throw invalid(field, 'must be a whole number of at least 1');
  }
  const { sources, email } = input;
  if (!Array.isArray(sources) || sources.length === 0) throw invalid('sources', 'must be a non-empty list');
  const ids = new Set<string>();
  sources.forEach((source: unknown, index) => {
    if (!isRecord(source)) throw invalid(`sources[${index}]`, 'must be an object');
    if (typeof source['id'] !== 'string' || !source['id']) throw invalid(`sources[${index}].id`, 'must be a string');
    if (ids.has(source['id'])) throw invalid(`sources[${index}].id`, `duplicates "${source['id']}"`);
    ids.add(source['id']);
    if (typeof source['type'] !== 'string' || !Object.hasOwn(SOURCE_TYPES, source['type'])) {
      throw invalid(`sources[${index}].type`, 'must be a source type');
    }
    if (typeof source['url'] !== 'string') throw invalid(`sources[${index}].url`, 'must be a string');
  });
  if (email !== undefined) {
    if (!isRecord(email)) throw invalid('email', 'must be an object');
    const digest = email['digest'];
    if (digest !== undefined) {
      if (!isRecord(digest)) throw invalid('email.digest', 'must be an object');
      for (const field of ['frequency', 'time', 'timeZone', 'weekday', 'quiet'] as const) {
        if (typeof digest[field] !== 'string') throw invalid(`email.digest.${field}`, 'must be a string');
      }
      if (!isStringArray(digest['addresses'])) throw invalid('email.digest.addresses', 'must be a list of strings');
    }
  }
  return deepFreeze(input as unknown as CompiledWatcherConfig);
}

/** The poll Lambda's configuration: sources compiled into the bundle (WATCHER_CONFIG), resources from the environment. */
export interface LambdaConfig {
  readonly watcher: CompiledWatcherConfig;
  readonly tableName: string;
  readonly topicArn: string;
}

export function loadLambdaConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  return Object.freeze({
    watcher: compiledWatcherConfig(env),
    tableName: requiredEnv(env, 'TABLE_NAME'),
    topicArn: requiredEnv(env, 'TOPIC_ARN'),
  });
}

/** The Slack notifier Lambda's configuration: the one route it serves (ROUTE, set by the stack) and the table. */
export interface SlackLambdaConfig {
  readonly route: SlackOutputConfig & { readonly id: string };
  readonly tableName: string;
  /**
   * Overrides of the ordering gate's waits (see `RouteQueueSettings`), present only when the stack sets them:
   * PREDECESSOR_WAIT_MS (a batch's in-process wait for predecessors, default 10 s) and ORDER_WAIT_MS (the longest an
   * event is held back for a missing predecessor, default 15 minutes).
   */
  readonly ordering?: { readonly predecessorWaitMs?: number; readonly orderWaitMs?: number };
}

/** An optional environment variable holding a whole number of milliseconds. */
function optionalMs(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ConfigError(`environment variable ${name} must be a whole number of milliseconds`);
  }
  return Number(value);
}

const RULE_LISTS = ['sources', 'types', 'regions', 'vendors'] as const satisfies readonly (keyof RouteRules)[];

/**
 * Reads ROUTE, the Slack output the stack validated and resolved at synth (`slackRoutesOf`, lib/slack-notifier.ts). As
 * for WATCHER_CONFIG, only its shape is checked; a `ConfigError` names the first field that is off.
 */
export function loadSlackLambdaConfig(env: NodeJS.ProcessEnv = process.env): SlackLambdaConfig {
  const tableName = requiredEnv(env, 'TABLE_NAME');
  let parsed: unknown;
  try {
    parsed = JSON.parse(env['ROUTE'] ?? '');
  } catch (error) {
    throw new ConfigError(`environment variable ROUTE must hold the route as JSON: ${(error as Error).message}`, { cause: error });
  }
  const input = parsed;
  const invalid = (field: string, what: string) => new ConfigError(`invalid ROUTE: ${field} ${what}`);
  if (!isRecord(input) || input['type'] !== 'slack') throw invalid('(route)', 'must be a Slack output');
  if (typeof input['id'] !== 'string' || !input['id']) throw invalid('id', 'is required');
  const secret = ['botToken', 'webhookUrl'].filter((field) => input[field] !== undefined);
  if (secret.length !== 1) throw invalid('botToken', 'set exactly one of webhookUrl or botToken');
  // A reference (scheme:name), never a value: the resolver reads the secret it names.
  if (typeof input[secret[0]!] !== 'string' || !/^[a-z]+:./.test(input[secret[0]!] as string)) {
    throw invalid(secret[0]!, 'must be a secret reference');
  }
  if (secret[0] === 'botToken' && typeof input['channel'] !== 'string') throw invalid('channel', 'is required with botToken');
  if (typeof input['apiBaseUrl'] !== 'string') throw invalid('apiBaseUrl', 'must be a URL');
  const rules = input['rules'];
  if (!isRecord(rules)) throw invalid('rules', 'must be an object');
  for (const field of RULE_LISTS) {
    if (rules[field] !== undefined && !isStringArray(rules[field])) throw invalid(`rules.${field}`, 'must be a list of strings');
  }
  if (rules['minSeverity'] !== undefined && typeof rules['minSeverity'] !== 'string') {
    throw invalid('rules.minSeverity', 'must be a severity');
  }
  const predecessorWaitMs = optionalMs(env, 'PREDECESSOR_WAIT_MS');
  const orderWaitMs = optionalMs(env, 'ORDER_WAIT_MS');
  const ordering = {
    ...(predecessorWaitMs !== undefined && { predecessorWaitMs }),
    ...(orderWaitMs !== undefined && { orderWaitMs }),
  };
  return deepFreeze({
    route: input as unknown as SlackLambdaConfig['route'],
    tableName,
    ...(Object.keys(ordering).length > 0 && { ordering }),
  });
}
