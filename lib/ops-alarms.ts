// Operator alarms: every alarm the watcher raises, and its recovery, notifies the ops topic through the alarm relay
// function. New alarms go through `add`.
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENV, POLL_METRICS, RELAY_TIMEOUT_SECONDS, SERVICE_NAMES } from '../functions/contract.js';
import { WatcherFunction } from './watcher-function.js';

const RELAY_ENTRY = fileURLToPath(new URL('../functions/ops/handler.ts', import.meta.url));

/**
 * The longest alarm period used here. A longer dead-man's-switch window becomes several periods that must all be
 * silent; CloudWatch evaluates up to seven days of periods of an hour or more, and the longest window is three days.
 */
const MAX_PERIOD_MINUTES = 24 * 60;

export interface OpsAlarmsProps {
  /** The topic every alarm notifies; operators subscribe to it. Only the alarm relay function publishes to it. */
  readonly topic: sns.ITopic;
  /** Where an alarm the relay could not publish (after Lambda's two retries) waits. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Retention of the relay's log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export interface DeadLetterQueueAlarmsOptions {
  /** Alarm when the oldest failed event has waited longer than this. @default Duration.hours(1) */
  readonly maxMessageAge?: Duration;
}

export interface FunctionAlarmsOptions {
  /**
   * Consecutive 5-minute periods with a throttled invocation before the throttles alarm fires. 1 for functions that
   * should never be throttled; more for a function whose reserved concurrency throttles bursts by design, where only a
   * backlog that lasts is news.
   * @default 1
   */
  readonly throttledPeriods?: number;
}

/** The alarms of one function: an invocation that failed, and invocations Lambda refused for lack of concurrency. */
export interface FunctionAlarms {
  readonly errors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
}

/** The alarms of a dead-letter queue: one as soon as anything lands in it, one when nobody has dealt with it. */
export interface DeadLetterQueueAlarms {
  readonly messagesVisible: cloudwatch.Alarm;
  readonly oldestMessageAge: cloudwatch.Alarm;
}

/**
 * The watcher's alarms, each with the alarm relay function as its alarm action and its OK action, which publishes the
 * alarm (and its recovery) to the ops topic. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS
 * key; a Lambda function can. The relay keeps the ops topic encrypted like the others without a customer managed key,
 * which alone would cost $1 a month.
 */
export class OpsAlarms extends Construct {
  readonly topic: sns.ITopic;
  /** Publishes each alarm state change it is invoked with to the ops topic (functions/ops/handler.ts). */
  readonly relay: WatcherFunction;
  /** Every alarm made through {@link add}, in the order made. */
  readonly all: cloudwatch.Alarm[] = [];
  private readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    this.topic = props.topic;
    this.relay = new WatcherFunction(this, 'Relay', {
      entry: RELAY_ENTRY,
      description: "Publishes the Auth0 ops watcher's alarms to the ops topic",
      serviceName: SERVICE_NAMES.alarms,
      memorySize: 128,
      // Holds every retry of the relay's one publish (functions/contract.ts).
      timeout: Duration.seconds(RELAY_TIMEOUT_SECONDS),
      logRetention: props.logRetention,
      // CloudWatch invokes alarm actions asynchronously: two retries by Lambda, then the dead-letter queue.
      retryAttempts: 2,
      deadLetterQueue: props.deadLetterQueue,
    });
    this.relay.bindTopic(props.topic, FUNCTION_ENV.opsTopicArn);
    // One invoke permission for every alarm of this stack and of its nested stacks, whatever their number: CloudFormation
    // names each alarm `<stack name>-<logical id>-<suffix>`, and a nested stack `<stack name>-<logical id>-<suffix>` too,
    // so all of them start with this stack's name. One statement per alarm (what LambdaAction adds) would fill the
    // function's 20 KB resource policy at about 40 alarms.
    const stack = Stack.of(this);
    this.relay.function.addPermission('InvokedByWatcherAlarms', {
      principal: new iam.ServicePrincipal('lambda.alarms.cloudwatch.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `${stack.stackName}-*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    });
    const functionArn = this.relay.function.functionArn;
    this.action = { bind: () => ({ alarmActionArn: functionArn }) };
  }

  /**
   * Creates an alarm that notifies the ops topic when it goes into ALARM and when it recovers (back to OK). `scope`
   * places it elsewhere than under this construct, e.g. in a nested stack of this one (which the invoke permission covers).
   */
  add(id: string, props: cloudwatch.AlarmProps, scope: Construct = this): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, props);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.all.push(alarm);
    return alarm;
  }

  /**
   * Alarms on a dead-letter queue: a message visible in it (checked every minute), and its oldest message older than
   * `maxMessageAge`. A queue nobody writes to reports no data, which is not an alarm.
   *
   * @param what the producers, for the alarm descriptions, e.g. `Slack notifier`
   */
  watchDeadLetterQueue(
    id: string,
    queue: sqs.IQueue,
    what: string,
    options: DeadLetterQueueAlarmsOptions = {},
  ): DeadLetterQueueAlarms {
    const maxMessageAge = options.maxMessageAge ?? Duration.hours(1);
    const messagesVisible = this.add(`${id}-Messages`, {
      alarmDescription: `A ${what} event failed and waits in the dead-letter queue`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const oldestMessageAge = this.add(`${id}-OldestMessageAge`, {
      alarmDescription: `A failed ${what} event has waited in the dead-letter queue for more than ${maxMessageAge.toHumanString()}`,
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: maxMessageAge.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { messagesVisible, oldestMessageAge };
  }

  /**
   * Alarms on a function: any error (an invocation that threw or timed out) within 5 minutes, and throttled
   * invocations (see `throttledPeriods`). A function that is not invoked reports no data, which is not an alarm.
   *
   * @param what the function, for the alarm descriptions, e.g. `email digest`
   */
  watchFunction(id: string, fn: lambda.IFunction, what: string, options: FunctionAlarmsOptions = {}): FunctionAlarms {
    const period = Duration.minutes(5);
    const throttledPeriods = options.throttledPeriods ?? 1;
    const errors = this.add(`${id}-Errors`, {
      alarmDescription: `The ${what} function failed (an error in the last 5 minutes); see its log group`,
      metric: fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const throttles = this.add(`${id}-Throttles`, {
      alarmDescription:
        throttledPeriods === 1
          ? `Lambda throttled the ${what} function (in the last 5 minutes): the account or function is out of concurrency`
          : `Lambda has throttled the ${what} function for ${throttledPeriods * 5} minutes: events wait longer and longer`,
      metric: fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: throttledPeriods,
      datapointsToAlarm: throttledPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { errors, throttles };
  }

  /**
   * The dead-man's switch of the whole watcher: alarms when the poll function has reported no successful poll of any
   * source (`SuccessfulPolls` without dimensions) for `window`. No data is breaching: a poll function that stopped
   * running, schedules that were disabled and sources that all keep failing look like silence.
   */
  watchAllSuccessfulPolls(id: string, window: Duration): cloudwatch.Alarm {
    return this.noSuccessfulPolls(
      id,
      `No successful poll of any source for ${window.toHumanString()}: the poll function or its schedules are failing; ` +
        'see the poll log group',
      {},
      window,
    );
  }

  /**
   * The dead-man's switch of one source: alarms when the poll function has reported no successful poll of `sourceId`
   * (`SuccessfulPolls` with dimension `Source`) for `window`. No data is breaching: a poll that stopped running, a
   * schedule that was disabled and a source that keeps failing all look like silence. A window longer than a day is
   * split into equal periods of at most a day, all of which must be silent.
   *
   * @param what the source, for the alarm description, e.g. `Auth0 status (US-1)`
   */
  watchSuccessfulPolls(id: string, sourceId: string, what: string, window: Duration, scope?: Construct): cloudwatch.Alarm {
    return this.noSuccessfulPolls(
      id,
      `No successful poll of ${what} for ${window.toHumanString()}: the poll function, its schedule or the source ` +
        'is failing; see the poll log group (source failed, with its reason)',
      { [POLL_METRICS.sourceDimension]: sourceId },
      window,
      scope,
    );
  }

  /** `SuccessfulPolls` with exactly `dimensionsMap` below 1 for `window`, missing data breaching. */
  private noSuccessfulPolls(
    id: string,
    alarmDescription: string,
    dimensionsMap: Record<string, string>,
    window: Duration,
    scope?: Construct,
  ): cloudwatch.Alarm {
    const windowMinutes = Math.ceil(window.toMinutes({ integral: false }));
    const evaluationPeriods = Math.ceil(windowMinutes / MAX_PERIOD_MINUTES);
    const period = Duration.minutes(Math.ceil(windowMinutes / evaluationPeriods));
    return this.add(id, {
      alarmDescription,
      metric: new cloudwatch.Metric({
        namespace: POLL_METRICS.namespace,
        metricName: POLL_METRICS.successfulPolls,
        dimensionsMap,
        period,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }, scope);
  }
}
