// The stateful half of the watcher: the state table, the event topic, the ops topic and, with email digests, the digest
// topic. Nothing here is rebuilt from code.
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
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
 * CloudWatch alarms notify, and (`withDigestTopic`) the topic email digests are published to.
 */
export class WatcherState extends Construct {
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  /** Alarm notifications for operators; CloudWatch may publish to it. */
  readonly opsTopic: sns.Topic;
  /** The customer key of the ops topic (see the constructor for why not alias/aws/sns). */
  readonly opsTopicKey: kms.Key;
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
      // The table is the watcher's memory: losing it re-announces every tracked item.
      removalPolicy: RemovalPolicy.RETAIN,
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

    // CloudWatch publishes alarm notifications as itself, so the topic's key policy must let cloudwatch.amazonaws.com
    // use the key. The AWS-managed alias/aws/sns key's policy cannot be changed, and alarms silently fail to publish to
    // a topic encrypted with it (KMS AccessDeniedException in the alarm history): hence a customer key, ~1 USD a month.
    this.opsTopicKey = new kms.Key(this, 'OpsTopicKey', {
      description: 'Encrypts the Auth0 ops watcher alarm topic',
      enableKeyRotation: true,
      // It protects notifications in flight only; nothing encrypted with it outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: props.opsTopicDisplayName ?? 'Auth0 ops watcher alarms',
      masterKey: this.opsTopicKey,
      enforceSSL: true,
    });
    // sns:Publish on the topic and kms:Decrypt/GenerateDataKey* on its key, for this account's alarms only.
    this.opsTopic.grants.publish(cloudWatchAlarmsOf(Stack.of(this)));
  }
}

/** The CloudWatch service principal, acting for alarms of `stack`'s account and region (no confused deputy). */
function cloudWatchAlarmsOf(stack: Stack): iam.IPrincipal {
  return new iam.ServicePrincipal('cloudwatch.amazonaws.com').withConditions({
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  });
}
