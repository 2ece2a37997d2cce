// Email digests on AWS: an EventBridge Scheduler schedule in the configured time zone runs the digest function, which
// reads the event log in the state table and publishes one message per period to the digest topic the addresses
// subscribe to. It also lists both topics' subscriptions, to report email addresses pending confirmation or gone.
import { fileURLToPath } from 'node:url';
import { Duration, TimeZone } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ConfigError, type DigestConfig, type WatcherConfig } from '../functions/config/config.js';
import { LambdaSchedule } from './lambda-schedule.js';
import { WatcherFunction } from './watcher-function.js';
import { FUNCTION_ENV, SERVICE_NAMES, TABLE_ACTIONS } from '../functions/contract.js';

const DIGEST_ENTRY = fileURLToPath(new URL('../functions/digest/handler.ts', import.meta.url));

/**
 * Retries of a failed digest run. A run is idempotent (its watermark says which period it covers and whether it was
 * sent), so retrying cannot send a period twice, unlike the Slack notifier's deliveries.
 */
const DIGEST_RETRY_ATTEMPTS = 2;

/**
 * The `email.digest` settings of a config, checked for AWS; undefined when the config has no digest.
 * Throws `ConfigError` for an address listed twice (one topic takes one subscription per address).
 * Stacks call this before building anything.
 */
export function digestSettingsOf(config: WatcherConfig): DigestConfig | undefined {
  const digest = config.email.digest;
  if (!digest) return undefined;
  const seen = new Set<string>();
  for (const address of digest.addresses) {
    const key = address.toLowerCase();
    if (seen.has(key)) throw new ConfigError(`email.digest.addresses: "${address}" is listed twice`);
    seen.add(key);
  }
  return digest;
}

/**
 * When the digest runs: every day (daily) or on `weekday` (weekly) at `time`, local time in `timeZone`. Scheduler
 * follows the zone's daylight-saving changes, so 08:30 stays 08:30 local all year.
 */
export function digestScheduleExpression(settings: DigestConfig): scheduler.ScheduleExpression {
  const [hour, minute] = settings.time.split(':').map(Number);
  return scheduler.ScheduleExpression.cron({
    minute: String(minute),
    hour: String(hour),
    weekDay: settings.frequency === 'weekly' ? settings.weekday : undefined,
    timeZone: TimeZone.of(settings.timeZone),
  });
}

export interface EmailDigestProps {
  /** When, how often and to whom: the checked `email.digest` settings (see `digestSettingsOf`). */
  readonly settings: DigestConfig;
  /**
   * The watcher config as the digest function validates it at cold start (`compiledDigestConfig`), compiled into its
   * bundle as `process.env.WATCHER_CONFIG`.
   */
  readonly compiledConfig: string;
  /** The digest topic: the function publishes each digest here, and the addresses subscribe to it. */
  readonly topic: sns.ITopic;
  /**
   * The event topic the `email.alerts` addresses subscribe to. The digest lists its subscriptions (and the digest
   * topic's) to report addresses pending confirmation or gone; it never publishes there.
   */
  readonly eventTopic: sns.ITopic;
  /** The state table, holding the event log the digest reads and the digest's watermark. */
  readonly table: dynamodb.ITable;
  /** Where a run that failed all its retries waits (the scheduled event; redriving it reruns the same period). */
  readonly deadLetterQueue: sqs.IQueue;
  /** Retention of the digest function's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether the digest lists a tenant-log archive (a stream source is configured). Without one, the S3 client is left
   * out of the digest's bundle at build time.
   * @default false
   */
  readonly readsTenantArchive?: boolean;
}

/**
 * Sets `envName` on the digest function to the event topic's ARN, and grants `sns:ListSubscriptionsByTopic` on exactly
 * the event topic and the digest topic, so the digest can compare their email subscriptions with the config
 * (subscription health). The digest topic's ARN is already in `DIGEST_TOPIC_ARN`, bound with its publish grant.
 */
export function bindSubscriptionHealth(
  fn: WatcherFunction,
  topics: { readonly eventTopic: sns.ITopic; readonly digestTopic: sns.ITopic },
  envName: string,
): void {
  fn.function.addEnvironment(envName, topics.eventTopic.topicArn);
  fn.function.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['sns:ListSubscriptionsByTopic'],
      resources: [topics.eventTopic.topicArn, topics.digestTopic.topicArn],
    }),
  );
}

/** The digest function, the schedule that runs it in the configured time zone, and the addresses' subscriptions. */
export class EmailDigest extends Construct {
  readonly function: WatcherFunction;
  readonly schedule: scheduler.Schedule;
  /** One email subscription to the digest topic per configured address, unfiltered, in config order. */
  readonly subscriptions: readonly sns.Subscription[];

  constructor(scope: Construct, id: string, props: EmailDigestProps) {
    super(scope, id);
    const { settings } = props;
    const when =
      settings.frequency === 'weekly'
        ? `every ${settings.weekday} at ${settings.time} ${settings.timeZone}`
        : `every day at ${settings.time} ${settings.timeZone}`;

    this.function = new WatcherFunction(this, 'Function', {
      entry: DIGEST_ENTRY,
      description: `Sends the ${settings.frequency} email digest of watcher events, ${when}`,
      // The name the handler's logger should use, so the function's settings and its logs agree.
      serviceName: SERVICE_NAMES.digest,
      memorySize: 256,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      // Scheduler invokes Lambda asynchronously, so a run that throws is retried by Lambda (about 1 and 3 min later),
      // not by the schedule's retry policy, which covers only a failed invoke call.
      retryAttempts: DIGEST_RETRY_ATTEMPTS,
      deadLetterQueue: props.deadLetterQueue,
      // Compiled in like the poll function's: no 4 KB limit, and the bundle matches the config.
      define: {
        [`process.env.${FUNCTION_ENV.watcherConfig}`]: JSON.stringify(props.compiledConfig),
        [`process.env.${FUNCTION_ENV.tenantArchive}`]: JSON.stringify(props.readsTenantArchive ? 'used' : 'none'),
      },
    });
    // The digest reads the event log and the sources' state, and keeps its watermark with conditional puts
    // (functions/adapters/dynamo-digest-store.ts, and the reads of dynamo-state-store.ts); it updates and deletes nothing.
    this.function.bindTable(props.table, FUNCTION_ENV.tableName, TABLE_ACTIONS.digest);
    this.function.bindTopic(props.topic, FUNCTION_ENV.digestTopicArn);
    bindSubscriptionHealth(this.function, { eventTopic: props.eventTopic, digestTopic: props.topic }, FUNCTION_ENV.eventTopicArn);

    // EventBridge Scheduler rather than an EventBridge rule: rules run cron in UTC only, and a digest at 08:30 Berlin
    // time would move by an hour twice a year.
    this.schedule = new LambdaSchedule(this, 'Schedule', {
      fn: this.function.function,
      description: `Runs the ${settings.frequency} email digest ${when}`,
      schedule: digestScheduleExpression(settings),
      retryAttempts: DIGEST_RETRY_ATTEMPTS,
    }).schedule;

    // Each address must confirm its subscription from the mail SNS sends it on the first deploy; until then it
    // receives nothing. Subscriptions are named by address, so editing the list leaves the other ones confirmed.
    this.subscriptions = settings.addresses.map((address) =>
      props.topic.addSubscription(new subscriptions.EmailSubscription(address)),
    );
  }
}
