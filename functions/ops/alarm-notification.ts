// What the ops topic receives for an alarm: the CloudWatch alarm's Lambda-action payload turned into the notification
// CloudWatch would have published to an SNS topic itself (the same JSON keys for programs, a readable text for email).
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { subjectLine } from '../core/text/subject.js';

/** The keys of CloudWatch's own SNS alarm message that consumers of alarm notifications read. */
export interface AlarmMessage {
  readonly AlarmName: string;
  readonly AlarmDescription: string | null;
  readonly AWSAccountId: string;
  readonly Region: string;
  readonly AlarmArn: string;
  readonly NewStateValue: string;
  readonly NewStateReason: string;
  readonly StateChangeTime: string;
  readonly OldStateValue: string | null;
}

/** The CloudWatch console page of the alarm. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

export function alarmMessageOf(event: CloudWatchAlarmEvent): AlarmMessage {
  const { alarmData } = event;
  const description = alarmData.configuration.description;
  return {
    AlarmName: alarmData.alarmName,
    AlarmDescription: description ?? null,
    AWSAccountId: event.accountId,
    Region: event.region,
    AlarmArn: event.alarmArn,
    NewStateValue: alarmData.state.value,
    NewStateReason: alarmData.state.reason,
    StateChangeTime: alarmData.state.timestamp,
    OldStateValue: alarmData.previousState?.value ?? null,
  };
}

/**
 * Whether a state change is news for the ops team: an alarm (from any state), or a recovery, OK after ALARM. OK after
 * INSUFFICIENT_DATA (every alarm right after a deploy, or a queue that has not reported yet) is not a recovery.
 */
export function isNotifiable(event: CloudWatchAlarmEvent): boolean {
  const state = event.alarmData.state.value;
  if (state === 'ALARM') return true;
  return state === 'OK' && event.alarmData.previousState?.value === 'ALARM';
}

/** A recovery: the alarm went back to OK from ALARM. */
function isRecovery(message: AlarmMessage): boolean {
  return message.NewStateValue === 'OK' && message.OldStateValue === 'ALARM';
}

/** The email body: plain text (SNS email is plain text, so nothing to escape), what the alarm means first. */
export function alarmEmailText(message: AlarmMessage): string {
  const headline = isRecovery(message)
    ? `Recovered: the Auth0 ops watcher alarm "${message.AlarmName}" is OK again (was ALARM). Nothing to do.`
    : `The Auth0 ops watcher alarm "${message.AlarmName}" is now ${message.NewStateValue}` +
      (message.OldStateValue ? ` (was ${message.OldStateValue}).` : '.');
  const lines = [
    headline,
    '',
    ...(message.AlarmDescription ? [isRecovery(message) ? `It had fired because: ${message.AlarmDescription}` : message.AlarmDescription, ''] : []),
    `Reason: ${message.NewStateReason}`,
    `Since: ${message.StateChangeTime}`,
    `Account ${message.AWSAccountId}, region ${message.Region}`,
    `Alarm: ${alarmConsoleUrl(message.Region, message.AlarmName)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The publish for one alarm state change: `MessageStructure: json` with `default` holding CloudWatch's alarm message
 * keys as JSON and `email` the readable text, and a subject like CloudWatch's (`ALARM: "<name>" in <region>`, under
 * SNS's 100 characters like every subject the watcher makes); a recovery says so (`RECOVERED: "<name>" in <region>`),
 * its JSON keeping CloudWatch's `NewStateValue: OK`.
 */
export function alarmPublishInput(event: CloudWatchAlarmEvent, topicArn: string): PublishCommandInput {
  const message = alarmMessageOf(event);
  const state = isRecovery(message) ? 'RECOVERED' : message.NewStateValue;
  return {
    TopicArn: topicArn,
    Subject: subjectLine(`${state}: "${message.AlarmName}" in ${message.Region}`),
    MessageStructure: 'json',
    Message: JSON.stringify({ default: JSON.stringify(message), email: alarmEmailText(message) }),
  };
}
