// What the ops topic receives for an alarm: the CloudWatch alarm's Lambda-action payload turned into the notification
// CloudWatch would have published to an SNS topic itself (the same JSON keys for programs, a readable text for email).
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { CloudWatchAlarmEvent } from 'aws-lambda';

/** SNS: an email subject is ASCII without line breaks, at most 100 characters. */
const MAX_SUBJECT = 100;

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

function asciiSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
  return ascii.length <= MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 3)}...`;
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

/** The email body: plain text (SNS email is plain text, so nothing to escape), what the alarm means first. */
export function alarmEmailText(message: AlarmMessage): string {
  const lines = [
    `The Auth0 ops watcher alarm "${message.AlarmName}" is now ${message.NewStateValue}` +
      (message.OldStateValue ? ` (was ${message.OldStateValue}).` : '.'),
    '',
    ...(message.AlarmDescription ? [message.AlarmDescription, ''] : []),
    `Reason: ${message.NewStateReason}`,
    `Since: ${message.StateChangeTime}`,
    `Account ${message.AWSAccountId}, region ${message.Region}`,
    `Alarm: ${alarmConsoleUrl(message.Region, message.AlarmName)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The publish for one alarm state change: `MessageStructure: json` with `default` holding CloudWatch's alarm message
 * keys as JSON and `email` the readable text, and a subject like CloudWatch's (`ALARM: "<name>" in <region>`).
 */
export function alarmPublishInput(event: CloudWatchAlarmEvent, topicArn: string): PublishCommandInput {
  const message = alarmMessageOf(event);
  return {
    TopicArn: topicArn,
    Subject: asciiSubject(`${message.NewStateValue}: "${message.AlarmName}" in ${message.Region}`),
    MessageStructure: 'json',
    Message: JSON.stringify({ default: JSON.stringify(message), email: alarmEmailText(message) }),
  };
}
