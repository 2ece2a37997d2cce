// The stateful half of the watcher: the state table, the event topic, the ops topic and, with email digests, the digest
// topic. Nothing here is rebuilt from code.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface WatcherStateProps {
  /** Display name of the event topic (the sender name of e-mail subscriptions). @default 'Auth0 ops watcher' */
  readonly topicDisplayName?: string;
  /** Display name of the ops topic, where the watcher's alarms go. @default 'Auth0 ops watcher alarms' */
  readonly opsTopicDisplayName?: string;
  /** Whether to create the digest topic, which the email digest function publishes to. @default false */
  readonly withDigestTopic?: boolean;
  /** Display name of the digest topic (the sender name of digest e-mails). @default 'Auth0 ops watcher digest' */
  readonly digestTopicDisplayName?: string;
}

/**
 * The DynamoDB table holding what each source last looked like, the SNS topic events are published to, the ops topic
 * the watcher's alarms notify, and (`withDigestTopic`) the topic email digests are published to.
 */
export class WatcherState extends Construct {
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  /** Alarm notifications for operators; the alarm relay function publishes them. */
  readonly opsTopic: sns.Topic;
  /** Email digests, one message per period; undefined unless `withDigestTopic`. */
  readonly digestTopic?: sns.Topic;

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
      // The table is the watcher's memory: losing it re-announces every tracked item, so it is kept when the stack is
      // deleted or an update would replace it. Not when the stack's first deploy rolls back: the table is new and empty
      // then, and keeping it would leave an orphan behind every failed first attempt (DeletionPolicy RetainExceptOnCreate).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    // The AWS-managed key costs nothing, unlike a customer key; same-account publishers need no KMS grant for it.
    const awsManagedKey = kms.Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.topicDisplayName ?? 'Auth0 ops watcher',
      masterKey: awsManagedKey,
      enforceSSL: true,
    });

    if (props.withDigestTopic) {
      // Only the digest function (same account) publishes here, never CloudWatch, so the AWS-managed key serves.
      this.digestTopic = new sns.Topic(this, 'DigestTopic', {
        displayName: props.digestTopicDisplayName ?? 'Auth0 ops watcher digest',
        masterKey: awsManagedKey,
        enforceSSL: true,
      });
    }

    // Alarms reach this topic through the alarm relay function (lib/ops-alarms.ts), never from CloudWatch directly, so
    // the AWS-managed key serves here too: no customer managed key (about $1 a month) and no CloudWatch grant.
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: props.opsTopicDisplayName ?? 'Auth0 ops watcher alarms',
      masterKey: awsManagedKey,
      enforceSSL: true,
    });
  }
}
