// Email digests on AWS: an EventBridge Scheduler schedule in the configured time zone runs the digest function, which
// reads the event log in the state table and publishes one message per period to the digest topic the addresses
// subscribe to.
import { fileURLToPath } from 'node:url';
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ConfigError, type DigestConfig, type WatcherConfig } from '../functions/config/config.js';
import { WatcherFunction } from './watcher-function.js';

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
  /** The state table, holding the event log the digest reads and the digest's watermark. */
  readonly table: dynamodb.ITable;
  /** Where a run that failed all its retries waits (the scheduled event; redriving it reruns the same period). */
  readonly deadLetterQueue: sqs.IQueue;
  /** Retention of the digest function's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** The logical id of a function's CloudFormation resource, as cdk-nag names it in a finding. */
function logicalIdOf(fn: lambda.Function): string {
  const resource = fn.node.defaultChild as lambda.CfnFunction;
  return Stack.of(fn).resolve(resource.logicalId) as string;
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
      serviceName: 'auth0-ops-watcher-digest',
      memorySize: 256,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      // Scheduler invokes Lambda asynchronously, so a run that throws is retried by Lambda (about 1 and 3 min later),
      // not by the schedule's retry policy, which covers only a failed invoke call.
      retryAttempts: DIGEST_RETRY_ATTEMPTS,
      deadLetterQueue: props.deadLetterQueue,
      // Compiled in like the poll function's: no 4 KB limit, and the bundle matches the config.
      define: { 'process.env.WATCHER_CONFIG': JSON.stringify(props.compiledConfig) },
    });
    // The digest reads the event log and the sources' state, and keeps its watermark with conditional puts
    // (functions/adapters/dynamo-digest-store.ts, and the reads of dynamo-state-store.ts); it updates and deletes nothing.
    this.function.bindTable(props.table, 'TABLE_NAME', ['GetItem', 'PutItem', 'Query']);
    this.function.bindTopic(props.topic, 'DIGEST_TOPIC_ARN');

    // EventBridge Scheduler rather than an EventBridge rule: rules run cron in UTC only, and a digest at 08:30 Berlin
    // time would move by an hour twice a year. The target's role, assumed only by Scheduler for this account, may
    // invoke this function and nothing else.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Runs the ${settings.frequency} email digest ${when}`,
      schedule: digestScheduleExpression(settings),
      target: new schedulerTargets.LambdaInvoke(this.function.function, {
        role: scheduleRole,
        retryAttempts: DIGEST_RETRY_ATTEMPTS,
      }),
    });
    // On the role's policy resource, the one that holds the statement (the target's grant created it).
    const schedulePolicy = scheduleRole.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    Validations.of(schedulePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.function.function)}.Arn>:*]`,
      reason:
        'The LambdaInvoke target grants lambda:InvokeFunction on the digest function and on `<its ARN>:*`, its versions ' +
        'and aliases. The wildcard spans only qualifiers of this one function, which has none; the schedule invokes ' +
        'the unqualified ARN.',
    });

    // Each address must confirm its subscription from the mail SNS sends it on the first deploy; until then it
    // receives nothing. Subscriptions are named by address, so editing the list leaves the other ones confirmed.
    this.subscriptions = settings.addresses.map((address) =>
      props.topic.addSubscription(new subscriptions.EmailSubscription(address)),
    );
  }
}
