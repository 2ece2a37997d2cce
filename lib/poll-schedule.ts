// When sources are polled on AWS: one EventBridge Scheduler schedule runs the poll dispatcher every minute, and the
// dispatcher invokes the poll function (feeds) or the tenant-log function (streams) once for each source due in that
// minute (functions/dispatch/). One schedule and one invoke grant per function, whatever the number of sources: see
// docs/scaling.md for why not a rule or schedule per source.
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_EVERY_MINUTES, type WatcherConfig } from '../functions/config/config.js';
import { SOURCE_REGISTRY } from '../functions/sources/registry.js';
import { LambdaSchedule } from './lambda-schedule.js';
import { WatcherFunction } from './watcher-function.js';
import { FUNCTION_ENV, SERVICE_NAMES } from '../functions/contract.js';

const DISPATCH_ENTRY = fileURLToPath(new URL('../functions/dispatch/handler.ts', import.meta.url));

/**
 * Retries of a dispatch run that failed (an invoke Lambda refused). A run dispatches the sources of its scheduled
 * minute, not of the minute it runs in, so a retry a minute or two later still polls the hourly source whose turn it
 * was; a source it had already invoked is polled twice, which the poll's lease and body hash make harmless.
 */
const DISPATCH_RETRY_ATTEMPTS = 2;

/**
 * The poll plan compiled into the dispatcher: every source in config order with its cadence in minutes, and
 * `target: 'stream'` on a stream source, which the tenant-log function runs (functions/dispatch/dispatch-lambda-config.ts).
 */
export interface CompiledPollPlan {
  readonly sources: readonly { readonly id: string; readonly everyMinutes: number; readonly target?: 'stream' | 'probe' }[];
}

/** The poll plan of a config: each source's `everyMinutes`, or its type's default cadence, and which function runs it. */
export function pollPlanOf(config: WatcherConfig): CompiledPollPlan {
  return {
    sources: config.sources.map((source) => ({
      id: source.id,
      everyMinutes: source.everyMinutes ?? DEFAULT_EVERY_MINUTES[source.type],
      // Only on streams and probes, so the plan of a config without any compiles as before.
      ...(SOURCE_REGISTRY.moduleFor(source).kind === 'stream' && { target: 'stream' as const }),
      ...(SOURCE_REGISTRY.moduleFor(source).kind === 'probe' && { target: 'probe' as const }),
    })),
  };
}

export interface PollScheduleProps {
  /** What to poll and how often. */
  readonly plan: CompiledPollPlan;
  /** The poll function; the dispatcher invokes it asynchronously with `{"sourceId": …}` for each feed source. */
  readonly poll: WatcherFunction;
  /**
   * The tenant-log function, invoked the same way for each stream source of the plan.
   * @default - none: the plan has no stream source
   */
  readonly stream?: WatcherFunction;
  /**
   * The probe function, invoked the same way for each probe source of the plan.
   * @default - none: the plan has no probe source
   */
  readonly probe?: WatcherFunction;
  /** Where a dispatch run that failed its retries waits. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Retention of the dispatcher's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** The every-minute schedule, its role, and the dispatcher function it runs. */
export class PollSchedule extends Construct {
  readonly dispatcher: WatcherFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: PollScheduleProps) {
    super(scope, id);
    this.dispatcher = new WatcherFunction(this, 'Dispatcher', {
      entry: DISPATCH_ENTRY,
      description: props.stream
        ? 'Invokes the poll or tenant-log function for each source due this minute'
        : 'Invokes the poll function for each source due this minute',
      serviceName: SERVICE_NAMES.dispatch,
      memorySize: 128,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      retryAttempts: DISPATCH_RETRY_ATTEMPTS,
      // Past this a retry is pointless: the sources it would poll have had their next turn.
      maxEventAge: Duration.minutes(10),
      deadLetterQueue: props.deadLetterQueue,
      // Compiled in like the poll function's config: no 4 KB limit, and the bundle matches the config.
      define: { [`process.env.${FUNCTION_ENV.pollPlan}`]: JSON.stringify(JSON.stringify(props.plan)) },
    });
    this.dispatcher.bindInvoke(props.poll.function, FUNCTION_ENV.pollFunctionName);
    if (props.stream) this.dispatcher.bindInvoke(props.stream.function, FUNCTION_ENV.streamFunctionName);
    if (props.probe) this.dispatcher.bindInvoke(props.probe.function, FUNCTION_ENV.probeFunctionName);

    this.schedule = new LambdaSchedule(this, 'EveryMinute', {
      fn: this.dispatcher.function,
      description: `Dispatches the polls of ${props.plan.sources.length} sources, each at its own cadence`,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      // The minute the run is for, not when it happens to run: a late or retried run polls that minute's sources.
      input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
      retryAttempts: DISPATCH_RETRY_ATTEMPTS,
    }).schedule;
  }
}
