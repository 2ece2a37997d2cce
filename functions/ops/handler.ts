// Lambda entry point of the alarm relay: every watcher alarm invokes it (a CloudWatch alarm Lambda action), and it
// publishes the alarm to the ops topic. CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key,
// this function can: the ops topic stays encrypted without a customer managed key (about $1 a month). Recoveries (OK
// after ALARM) are relayed too, so the ops team hears that the watcher is well again.
import { PublishCommand } from '@aws-sdk/client-sns';
import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSnsClient } from '../adapters/sns-publisher.js';
import { alarmPublishInput, isNotifiable } from './alarm-notification.js';
import { FUNCTION_ENV, RELAY_SNS_CLIENT, SERVICE_NAMES } from '../contract.js';

const topicArn = process.env[FUNCTION_ENV.opsTopicArn] ?? '';
if (!topicArn) throw new Error('OPS_TOPIC_ARN is not set');
const logger = makePowertoolsLogger(SERVICE_NAMES.alarms);
// Every retry of the one publish fits inside the function's timeout (RELAY_TIMEOUT_SECONDS in functions/contract.ts).
const sns = makeSnsClient(RELAY_SNS_CLIENT);

/**
 * Publishes one alarm state change that is news (an alarm, or a recovery from one; see `isNotifiable`). A failed publish
 * throws: Lambda retries the invocation twice, then puts the alarm event into the dead-letter queue, and the alarm
 * stays visible in the CloudWatch console meanwhile.
 */
export async function handler(event: CloudWatchAlarmEvent): Promise<{ messageId: string | undefined }> {
  const keys = { alarm: event.alarmData.alarmName, state: event.alarmData.state.value, previous: event.alarmData.previousState?.value };
  if (!isNotifiable(event)) {
    logger.info('alarm state change not relayed: not an alarm or a recovery', keys);
    return { messageId: undefined };
  }
  const out = await sns.send(new PublishCommand(alarmPublishInput(event, topicArn)));
  logger.info('alarm relayed', { ...keys, messageId: out.MessageId });
  return { messageId: out.MessageId };
}
