// Lambda entry point of the alarm relay: every watcher alarm invokes it (a CloudWatch alarm Lambda action), and it
// publishes the alarm to the ops topic. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key,
// this function can: the ops topic stays encrypted without a customer managed key (about $1 a month).
import { PublishCommand } from '@aws-sdk/client-sns';
import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSnsClient } from '../adapters/sns-publisher.js';
import { alarmPublishInput } from './alarm-notification.js';

const topicArn = process.env.OPS_TOPIC_ARN ?? '';
if (!topicArn) throw new Error('OPS_TOPIC_ARN is not set');
const logger = makePowertoolsLogger('auth0-ops-watcher-alarms');
const sns = makeSnsClient();

/**
 * Publishes one alarm state change. A failed publish throws: Lambda retries the invocation twice, then puts the
 * alarm event into the dead-letter queue, and the alarm stays visible in the CloudWatch console meanwhile.
 */
export async function handler(event: CloudWatchAlarmEvent): Promise<{ messageId: string | undefined }> {
  const input = alarmPublishInput(event, topicArn);
  const out = await sns.send(new PublishCommand(input));
  logger.info('alarm relayed', {
    alarm: event.alarmData.alarmName,
    state: event.alarmData.state.value,
    messageId: out.MessageId,
  });
  return { messageId: out.MessageId };
}
