// The Lambda handlers' configuration. The stack validates the config file with the full schema (config.ts) at synth
// and compiles the part a function needs into its bundle (WATCHER_CONFIG) or passes it as ROUTE, so a cold start
// only checks that what it received has that validated shape: the schema library stays out of the bundles.
import type { RouteRules } from '../core/routing.js';
import { WALL_TIME_PATTERN } from '../core/quiet-hours.js';
import { patternProblem, type SeverityRule } from '../core/severity-rules.js';
import { isRecord } from '../sources/formats/json-records.js';
import type { DigestConfig, SourceConfig, WatcherConfig } from './config.js';
import { ConfigError, deepFreeze } from './config-base.js';
import { FUNCTION_ENV } from '../contract.js';

export { isRecord } from '../sources/formats/json-records.js';

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
  /** The config's `severityRules`, present when it has any (the poll function's). */
  readonly severityRules?: readonly SeverityRule[];
  readonly sources: readonly SourceConfig[];
  readonly email?: { readonly digest?: DigestConfig };
  /** The config's `timeZone`, present when it is not UTC: the zone the emails of published events show times in. */
  readonly timeZone?: string;
}

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
 * `isSourceType` says which source types the function can take: the poll's are its registry's
 * (`compiledWatcherConfig`, functions/poll/poll-lambda-config.ts). It is passed in rather than imported so that this
 * module, which every function's bundle carries, does not carry the source plug-ins.
 */
export function readCompiledWatcherConfig(
  env: NodeJS.ProcessEnv,
  isSourceType: (type: string) => boolean,
): CompiledWatcherConfig {
  const { input, invalid } = compiledJson(env, FUNCTION_ENV.watcherConfig, 'a config the stack validated');
  if (!isRecord(input)) throw invalid('(config)', 'must be an object');
  for (const field of ['failureThreshold', 'trackResolvedDays'] as const) {
    if (!isPositiveInteger(input[field])) throw invalid(field, 'must be a whole number of at least 1');
  }
  const { sources, email, severityRules } = input;
  if (!Array.isArray(sources) || sources.length === 0) throw invalid('sources', 'must be a non-empty list');
  const ids = new Set<string>();
  sources.forEach((source: unknown, index) => {
    if (!isRecord(source)) throw invalid(`sources[${index}]`, 'must be an object');
    if (typeof source['id'] !== 'string' || !source['id']) throw invalid(`sources[${index}].id`, 'must be a string');
    if (ids.has(source['id'])) throw invalid(`sources[${index}].id`, `duplicates "${source['id']}"`);
    ids.add(source['id']);
    if (typeof source['type'] !== 'string' || !isSourceType(source['type'])) {
      throw invalid(`sources[${index}].type`, 'must be a source type');
    }
    if (typeof source['url'] !== 'string') throw invalid(`sources[${index}].url`, 'must be a string');
  });
  if (severityRules !== undefined) checkSeverityRules(severityRules, invalid);
  if (input['timeZone'] !== undefined && typeof input['timeZone'] !== 'string') throw invalid('timeZone', 'must be a string');
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

/** The shape of compiled `severityRules`: a list of objects, each with a severity, lists of strings and a string pattern. */
function checkSeverityRules(rules: unknown, invalid: (field: string, problem: string) => ConfigError): void {
  if (!Array.isArray(rules)) throw invalid('severityRules', 'must be a list');
  rules.forEach((rule: unknown, index) => {
    const at = `severityRules[${index}]`;
    if (!isRecord(rule)) throw invalid(at, 'must be an object');
    if (typeof rule['severity'] !== 'string') throw invalid(`${at}.severity`, 'must be a severity');
    for (const field of ['sources', 'vendors', 'regions', 'components'] as const) {
      if (rule[field] !== undefined && !isStringArray(rule[field])) throw invalid(`${at}.${field}`, 'must be a list of strings');
    }
    const pattern = rule['pattern'];
    if (pattern !== undefined && (typeof pattern !== 'string' || patternProblem(pattern) !== undefined)) {
      throw invalid(`${at}.pattern`, 'must be a regular expression');
    }
  });
}

/**
 * A channel notifier Lambda's configuration: the one route it serves (ROUTE, set by the stack; its `id` filled in) and
 * the table.
 */
export interface RouteLambdaConfig<R extends { readonly type: string; readonly rules: RouteRules } = { readonly type: string; readonly rules: RouteRules }> {
  readonly route: R & { readonly id: string };
  readonly tableName: string;
  /**
   * Overrides of the ordering gate's waits (see `RouteQueueSettings`), present only when the stack sets them:
   * PREDECESSOR_WAIT_MS (a batch's in-process wait for predecessors, default 10 s) and ORDER_WAIT_MS (the longest an
   * event is held back for a missing predecessor, default 15 minutes).
   */
  readonly ordering?: { readonly predecessorWaitMs?: number; readonly orderWaitMs?: number };
}

/** What the route loader needs of a channel plug-in (functions/channels/channel.ts). */
export interface RouteShape {
  readonly type: string;
  /** Names the channel in the error for a route of another type: `must be a Slack output`. */
  readonly label: string;
  /** Checks the channel's own fields, throwing `invalid(field, problem)` at the first that is off. */
  checkRoute(route: Readonly<Record<string, unknown>>, invalid: (field: string, problem: string) => Error): void;
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
 * Reads ROUTE, the output of `channel` the stack validated and resolved at synth (`channelRoutesOf`,
 * lib/channel-notifier.ts). As for WATCHER_CONFIG, only its shape is checked: the fields every route has here, the
 * channel's own by its plug-in; a `ConfigError` names the first field that is off.
 */
export function loadRouteLambdaConfig(channel: RouteShape, env: NodeJS.ProcessEnv = process.env): RouteLambdaConfig {
  const tableName = requiredEnv(env, FUNCTION_ENV.tableName);
  let parsed: unknown;
  try {
    parsed = JSON.parse(env[FUNCTION_ENV.route] ?? '');
  } catch (error) {
    throw new ConfigError(`environment variable ROUTE must hold the route as JSON: ${(error as Error).message}`, { cause: error });
  }
  const input = parsed;
  const invalid = (field: string, what: string) => new ConfigError(`invalid ROUTE: ${field} ${what}`);
  if (!isRecord(input) || input['type'] !== channel.type) throw invalid('(route)', `must be a ${channel.label} output`);
  if (typeof input['id'] !== 'string' || !input['id']) throw invalid('id', 'is required');
  channel.checkRoute(input, invalid);
  const rules = input['rules'];
  if (!isRecord(rules)) throw invalid('rules', 'must be an object');
  for (const field of RULE_LISTS) {
    if (rules[field] !== undefined && !isStringArray(rules[field])) throw invalid(`rules.${field}`, 'must be a list of strings');
  }
  if (rules['minSeverity'] !== undefined && typeof rules['minSeverity'] !== 'string') {
    throw invalid('rules.minSeverity', 'must be a severity');
  }
  const quiet = rules['quietHours'];
  if (quiet !== undefined) {
    if (!isRecord(quiet)) throw invalid('rules.quietHours', 'must be an object');
    for (const field of ['from', 'to'] as const) {
      const time = quiet[field];
      if (typeof time !== 'string' || !WALL_TIME_PATTERN.test(time)) throw invalid(`rules.quietHours.${field}`, 'must be a time of day, HH:MM');
    }
    // The config's reader fills the zone in, so the notifier never guesses it.
    if (typeof quiet['timeZone'] !== 'string') throw invalid('rules.quietHours.timeZone', 'must be a time zone');
    if (!['critical', 'major', 'minor'].includes(quiet['below'] as string)) throw invalid('rules.quietHours.below', 'must be critical, major or minor');
  }
  const predecessorWaitMs = optionalMs(env, 'PREDECESSOR_WAIT_MS');
  const orderWaitMs = optionalMs(env, 'ORDER_WAIT_MS');
  const ordering = {
    ...(predecessorWaitMs !== undefined && { predecessorWaitMs }),
    ...(orderWaitMs !== undefined && { orderWaitMs }),
  };
  return deepFreeze({
    route: input as unknown as RouteLambdaConfig['route'],
    tableName,
    ...(Object.keys(ordering).length > 0 && { ordering }),
  });
}
