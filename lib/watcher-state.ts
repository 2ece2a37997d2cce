// The stateful half of the watcher: the state table and the event topic. Nothing here is rebuilt from code.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface WatcherStateProps {
  /** Display name of the event topic (the sender name of e-mail subscriptions). @default 'Auth0 ops watcher' */
  readonly topicDisplayName?: string;
}

/** The DynamoDB table holding what each source last looked like, and the SNS topic events are published to. */
export class WatcherState extends Construct {
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: WatcherStateProps = {}) {
    super(scope, id);

    // No physical name: a retained table with a fixed name would block re-creating the stack.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      // The table is the watcher's memory: losing it re-announces every tracked item.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.topicDisplayName ?? 'Auth0 ops watcher',
      // The AWS-managed key costs nothing, unlike a customer key; same-account publishers need no KMS grant for it.
      masterKey: kms.Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
  }
}
