// Operator alarms: every alarm the watcher raises notifies the ops topic. New alarms go through `add`.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OpsAlarmsProps {
  /** The topic every alarm notifies; operators subscribe to it. CloudWatch must be allowed to publish to it. */
  readonly topic: sns.ITopic;
}

export interface DeadLetterQueueAlarmsOptions {
  /** Alarm when the oldest failed event has waited longer than this. @default Duration.hours(1) */
  readonly maxMessageAge?: Duration;
}

export interface FunctionErrorsAlarmOptions {
  /**
   * The window errors are summed over; the alarm stays in ALARM for about this long after the last error.
   * @default Duration.hours(1)
   */
  readonly period?: Duration;
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
   * Alarms when a function reports an error (an invocation that threw or timed out), for functions that run rarely
   * enough that any error is worth a look. A function that is not invoked reports no data, which is not an alarm.
   *
   * @param what the function, for the alarm description, e.g. `email digest`
   */
  watchFunctionErrors(
    id: string,
    fn: lambda.IFunction,
    what: string,
    options: FunctionErrorsAlarmOptions = {},
  ): cloudwatch.Alarm {
    const period = options.period ?? Duration.hours(1);
    return this.add(id, {
      alarmDescription: `The ${what} function failed (errors in the last ${period.toHumanString()}); see its log group`,
      metric: fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
