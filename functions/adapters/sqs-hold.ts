// Quiet hours on AWS: a held message is kept out of sight in its route's queue until the hours end
// (ChangeMessageVisibility; the event source mapping's grant to consume the queue includes it), then received again
// and delivered. SQS allows at most 12 hours from a receive: a longer hold is taken again when the message comes back.
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../core/ports.js';
import type { QueueRecord } from '../channels/consume-route-queue.js';

/** SQS's longest visibility timeout, 12 hours, less a margin for the time since the receive (the function's timeout). */
export const MAX_HOLD_SECONDS = 12 * 3600 - 5 * 60;

/** The queue URL of a queue ARN (`arn:<partition>:sqs:<region>:<account>:<name>`). */
export function queueUrlOfArn(arn: string): string {
  const match = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/.exec(arn);
  if (!match) throw new Error(`"${arn}" is not an SQS queue ARN`);
  const [, partition, region, account, name] = match;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export interface SqsHoldOptions {
  readonly clock: Clock;
  readonly client?: SQSClient;
  /** The queue URL of a record's queue. @default {@link queueUrlOfArn} of its `eventSourceARN` */
  readonly queueUrlOf?: (arn: string) => string;
}

/** `holdRecord(record, until)` for the route queue consumer: the message reappears at `until`, or in 12 hours at most. */
export function makeSqsRecordHolder(options: SqsHoldOptions): (record: QueueRecord, until: Date) => Promise<void> {
  const client = options.client ?? new SQSClient({});
  const queueUrlOf = options.queueUrlOf ?? queueUrlOfArn;
  return async (record, until) => {
    if (!record.receiptHandle || !record.eventSourceARN) throw new Error(`message ${record.messageId} has no receipt handle or queue ARN`);
    const seconds = Math.ceil((until.getTime() - options.clock.now().getTime()) / 1000);
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlOf(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(seconds, MAX_HOLD_SECONDS)),
      }),
    );
  };
}
