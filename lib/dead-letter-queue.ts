// Where events a function gave up on wait for an operator: an encrypted, TLS-only SQS queue kept as long as SQS allows.
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** How long a failed event is kept for inspection and redrive. @default Duration.days(14), the SQS maximum */
  readonly retentionPeriod?: Duration;
}

/** An SQS queue for failed events: SSE with SQS-managed keys (no KMS grants for producers), TLS enforced. */
export class DeadLetterQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: DeadLetterQueueProps = {}) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
    });
  }
}
