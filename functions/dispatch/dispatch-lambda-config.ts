// The poll dispatcher's configuration: the poll plan the stack compiles into the bundle (WATCHER_POLL_PLAN) and the
// poll function it invokes (POLL_FUNCTION_NAME). As for WATCHER_CONFIG, the stack validated the sources at synth, so a
// cold start checks the shape only, and anything else fails it with a ConfigError naming the field.
import { deepFreeze } from '../config/config-base.js';
import { compiledJson, isRecord, requiredEnv } from '../config/lambda-config.js';
import { MAX_EVERY_MINUTES, planPolls, type PlannedSource, type PollPlan } from '../core/poll-plan.js';
import { FUNCTION_ENV } from '../contract.js';

export interface DispatchLambdaConfig {
  /** Every source with its slot, built once per container. */
  readonly plan: PollPlan;
  /** The poll function's name or ARN. */
  readonly pollFunctionName: string;
}

export function loadDispatchLambdaConfig(env: NodeJS.ProcessEnv = process.env): DispatchLambdaConfig {
  return Object.freeze({
    plan: planPolls(compiledPollPlan(env)),
    pollFunctionName: requiredEnv(env, FUNCTION_ENV.pollFunctionName),
  });
}


/**
 * Reads WATCHER_POLL_PLAN, `{"sources":[{"id":"auth0-status-us-1","everyMinutes":1},…]}`: every source in config
 * order with its cadence filled in (whole minutes, 1 to 1440). Other keys of a source are ignored.
 */
export function compiledPollPlan(env: NodeJS.ProcessEnv): readonly PlannedSource[] {
  const { input, invalid } = compiledJson(env, FUNCTION_ENV.pollPlan, 'a plan the stack compiled');
  if (!isRecord(input)) throw invalid('(plan)', 'must be an object');
  const { sources } = input;
  if (!Array.isArray(sources) || sources.length === 0) throw invalid('sources', 'must be a non-empty list');
  const ids = new Set<string>();
  const planned = sources.map((source: unknown, index): PlannedSource => {
    if (!isRecord(source)) throw invalid(`sources[${index}]`, 'must be an object');
    const { id, everyMinutes } = source;
    if (typeof id !== 'string' || !id) throw invalid(`sources[${index}].id`, 'must be a non-empty string');
    if (ids.has(id)) throw invalid(`sources[${index}].id`, `duplicates "${id}"`);
    ids.add(id);
    if (!Number.isInteger(everyMinutes) || (everyMinutes as number) < 1 || (everyMinutes as number) > MAX_EVERY_MINUTES) {
      throw invalid(`sources[${index}].everyMinutes`, `must be a whole number of minutes from 1 to ${MAX_EVERY_MINUTES}`);
    }
    return { id, everyMinutes: everyMinutes as number };
  });
  return deepFreeze(planned);
}
