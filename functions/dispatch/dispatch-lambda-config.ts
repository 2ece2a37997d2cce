// The poll dispatcher's configuration: the poll plan the stack compiles into the bundle (WATCHER_POLL_PLAN), the poll
// function it invokes for feed sources (POLL_FUNCTION_NAME) and the tenant-log function it invokes for stream sources
// (STREAM_FUNCTION_NAME). As for WATCHER_CONFIG, the stack validated the sources at synth, so a cold start checks the
// shape only, and anything else fails it with a ConfigError naming the field.
import { ConfigError, deepFreeze } from '../config/config-base.js';
import { compiledJson, isRecord, requiredEnv } from '../config/lambda-config.js';
import { MAX_EVERY_MINUTES, planPolls, type PlannedSource, type PollPlan } from '../core/poll-plan.js';
import { FUNCTION_ENV } from '../contract.js';

/** Which function runs a source: the poll function (feeds), the tenant-log function (streams) or the probe function. */
export type PollTarget = 'poll' | 'stream' | 'probe';

/** A source of the compiled plan: its cadence and, for a stream source, `target: 'stream'`. */
export interface CompiledPlannedSource extends PlannedSource {
  readonly target: PollTarget;
}

export interface DispatchLambdaConfig {
  /** Every source with its slot, built once per container. */
  readonly plan: PollPlan;
  /** The poll function's name or ARN. */
  readonly pollFunctionName: string;
  /** The tenant-log function's name or ARN; set when the plan has a stream source. */
  readonly streamFunctionName?: string;
  /** The probe function's name or ARN; set when the plan has a probe source. */
  readonly probeFunctionName?: string;
  /** Which function runs each source of the plan. */
  readonly targetOf: (sourceId: string) => PollTarget;
}

export function loadDispatchLambdaConfig(env: NodeJS.ProcessEnv = process.env): DispatchLambdaConfig {
  const sources = compiledPollPlan(env);
  const pollFunctionName = requiredEnv(env, FUNCTION_ENV.pollFunctionName);
  const streamIds = new Set(sources.filter((source) => source.target === 'stream').map((source) => source.id));
  const streamFunctionName = env[FUNCTION_ENV.streamFunctionName] || undefined;
  if (streamIds.size > 0 && !streamFunctionName) {
    throw new ConfigError(
      `environment variable ${FUNCTION_ENV.streamFunctionName} is required: the plan has stream sources (${[...streamIds].join(', ')})`,
    );
  }
  const probeIds = new Set(sources.filter((source) => source.target === 'probe').map((source) => source.id));
  const probeFunctionName = env[FUNCTION_ENV.probeFunctionName] || undefined;
  if (probeIds.size > 0 && !probeFunctionName) {
    throw new ConfigError(
      `environment variable ${FUNCTION_ENV.probeFunctionName} is required: the plan has probe sources (${[...probeIds].join(', ')})`,
    );
  }
  return Object.freeze({
    plan: planPolls(sources.map(({ id, everyMinutes }) => ({ id, everyMinutes }))),
    pollFunctionName,
    ...(streamFunctionName !== undefined && { streamFunctionName }),
    ...(probeFunctionName !== undefined && { probeFunctionName }),
    targetOf: (sourceId: string): PollTarget => (streamIds.has(sourceId) ? 'stream' : probeIds.has(sourceId) ? 'probe' : 'poll'),
  });
}

/**
 * Reads WATCHER_POLL_PLAN, `{"sources":[{"id":"auth0-status-us-1","everyMinutes":1},…]}`: every source in config
 * order with its cadence filled in (whole minutes, 1 to 1440), and `"target":"stream"` on a stream source (the
 * tenant's logs), which the tenant-log function runs; without it a source is the poll function's. Other keys of a
 * source are ignored.
 */
export function compiledPollPlan(env: NodeJS.ProcessEnv): readonly CompiledPlannedSource[] {
  const { input, invalid } = compiledJson(env, FUNCTION_ENV.pollPlan, 'a plan the stack compiled');
  if (!isRecord(input)) throw invalid('(plan)', 'must be an object');
  const { sources } = input;
  if (!Array.isArray(sources) || sources.length === 0) throw invalid('sources', 'must be a non-empty list');
  const ids = new Set<string>();
  const planned = sources.map((source: unknown, index): CompiledPlannedSource => {
    if (!isRecord(source)) throw invalid(`sources[${index}]`, 'must be an object');
    const { id, everyMinutes, target = 'poll' } = source;
    if (typeof id !== 'string' || !id) throw invalid(`sources[${index}].id`, 'must be a non-empty string');
    if (ids.has(id)) throw invalid(`sources[${index}].id`, `duplicates "${id}"`);
    ids.add(id);
    if (!Number.isInteger(everyMinutes) || (everyMinutes as number) < 1 || (everyMinutes as number) > MAX_EVERY_MINUTES) {
      throw invalid(`sources[${index}].everyMinutes`, `must be a whole number of minutes from 1 to ${MAX_EVERY_MINUTES}`);
    }
    if (target !== 'poll' && target !== 'stream' && target !== 'probe') {
      throw invalid(`sources[${index}].target`, 'must be "poll", "stream" or "probe"');
    }
    return { id, everyMinutes: everyMinutes as number, target };
  });
  return deepFreeze(planned);
}
