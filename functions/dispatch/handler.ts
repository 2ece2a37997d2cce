// Lambda entry point of the poll dispatcher: a schedule invokes it once a minute with {"scheduledTime": "<ISO time>"},
// and it invokes asynchronously, once per source due in that minute, the poll function (a feed), the tenant-log
// function (a stream) or the probe function (a probe).
import { makeLambdaClient, makeLambdaPollInvoker } from '../adapters/lambda-invoker.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { parseScheduledTime } from '../core/poll-plan.js';
import { loadDispatchLambdaConfig } from './dispatch-lambda-config.js';
import { makeDispatchPolls, routePollInvoker, type DispatchSummary } from './dispatch-polls.js';
import { SERVICE_NAMES } from '../contract.js';

// `process.env.WATCHER_POLL_PLAN` is replaced at bundle time by the compiled poll plan (see lib/watcher-stack.ts).
const config = loadDispatchLambdaConfig({ ...process.env, WATCHER_POLL_PLAN: process.env.WATCHER_POLL_PLAN });
const logger = makePowertoolsLogger(SERVICE_NAMES.dispatch);
const client = makeLambdaClient();
const dispatch = makeDispatchPolls({
  plan: config.plan,
  invoker: routePollInvoker(
    {
      poll: makeLambdaPollInvoker({ client, functionName: config.pollFunctionName }),
      ...(config.streamFunctionName !== undefined && {
        stream: makeLambdaPollInvoker({ client, functionName: config.streamFunctionName }),
      }),
      ...(config.probeFunctionName !== undefined && {
        probe: makeLambdaPollInvoker({ client, functionName: config.probeFunctionName }),
      }),
    },
    config.targetOf,
  ),
  logger,
});

export interface DispatchEvent {
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`: the minute whose sources are due. */
  readonly scheduledTime?: string;
}

/**
 * Dispatches the polls due in the event's scheduled minute, so a late or retried run dispatches that minute's
 * sources. Without a usable scheduled time, the current minute's. Throws `DispatchError` when any poll was not invoked.
 */
export async function handler(event: DispatchEvent | undefined): Promise<DispatchSummary> {
  let scheduledTime = parseScheduledTime(event?.scheduledTime);
  if (!scheduledTime) {
    scheduledTime = new Date();
    logger.warn('no usable scheduledTime in the event; dispatching the current minute', {
      scheduledTime: event?.scheduledTime,
      now: scheduledTime.toISOString(),
    });
  }
  return dispatch(scheduledTime);
}
