// Operator alarms: every alarm the watcher raises notifies the ops topic. New alarms go through `add`.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { POLL_METRICS } from '../functions/adapters/poll-metrics.js';

/**
 * The longest alarm period used here. A longer dead-man's-switch window becomes several periods that must all be
 * silent; CloudWatch evaluates up to seven days of periods of an hour or more, and the longest window is three days.
 */
const MAX_PERIOD_MINUTES = 24 * 60;

export interface OpsAlarmsProps {
  /** The topic every alarm notifies; operators subscribe to it. CloudWatch must be allowed to publish to it. */
  readonly topic: sns.ITopic;
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

/** The watcher's alarms, each with the ops topic as its alarm action. */
export class OpsAlarms extends Construct {
  readonly topic: sns.ITopic;
  private readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    this.topic = props.topic;
    this.action = new actions.SnsAction(props.topic);
  }

  /** Creates an alarm that notifies the ops topic when it goes into ALARM. */
  add(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(this.action);
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
   * The dead-man's switch of one source: alarms when the poll function has reported no successful poll of `sourceId`
   * (`SuccessfulPolls` with dimension `Source`) for `window`. No data is breaching: a poll that stopped running, a
   * schedule that was disabled and a source that keeps failing all look like silence. A window longer than a day is
   * split into equal periods of at most a day, all of which must be silent.
   *
   * @param what the source, for the alarm description, e.g. `Auth0 status (US-1)`
   */
  watchSuccessfulPolls(id: string, sourceId: string, what: string, window: Duration): cloudwatch.Alarm {
    const windowMinutes = Math.ceil(window.toMinutes({ integral: false }));
    const evaluationPeriods = Math.ceil(windowMinutes / MAX_PERIOD_MINUTES);
    const period = Duration.minutes(Math.ceil(windowMinutes / evaluationPeriods));
    return this.add(id, {
      alarmDescription:
        `No successful poll of ${what} for ${window.toHumanString()}: the poll function, its schedule or the source ` +
        'is failing; see the poll log group (source failed, with its reason)',
      metric: new cloudwatch.Metric({
        namespace: POLL_METRICS.namespace,
        metricName: POLL_METRICS.successfulPolls,
        dimensionsMap: { [POLL_METRICS.sourceDimension]: sourceId },
        period,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
