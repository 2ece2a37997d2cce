// Slack delivery on AWS: one queue per Slack output (route), subscribed to the event topic through the SNS filter policy
// equivalent to the route's rules, and one notifier function consuming it.
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError, slackRouteId, type SlackOutputConfig, type WatcherConfig } from '../functions/config/config.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import type { DeadLetterQueueAlarms, OpsAlarms } from './ops-alarms.js';
import { scopeFilterToMessageAttributes, subscriptionFiltersFor, type SubscriptionFilters } from './subscription-filters.js';
import { awsSecretOf, WatcherFunction } from './watcher-function.js';

const SLACK_ENTRY = fileURLToPath(new URL('../functions/slack/handler.ts', import.meta.url));

/** A Slack output as deployed: its id filled in, its secret reference and its filter policy checked. */
export interface SlackRoute {
  /** The output with `id` set (see `slackRouteId`); the notifier receives it as its `ROUTE` environment variable. */
  readonly output: SlackOutputConfig & { readonly id: string };
  /** The field holding the output's secret reference (the bot token or the webhook URL), and the reference. */
  readonly secret: { readonly field: 'botToken' | 'webhookUrl'; readonly ref: string };
  /** The SNS subscription filters equivalent to the output's rules; undefined when the route takes every event. */
  readonly filterPolicy?: SubscriptionFilters;
}

/**
 * The Slack outputs of a config, resolved for AWS; the other outputs (console, jsonl, sns) are local-mode only.
 * Throws `ConfigError` naming the output for a duplicate id, a secret AWS cannot resolve (`env:…`), or rules beyond
 * SNS's filter-policy limits. Stacks call this before building anything, so a bad config fails before bundling.
 */
export function slackRoutesOf(config: WatcherConfig): SlackRoute[] {
  const routes: SlackRoute[] = [];
  const seen = new Set<string>();
  config.outputs.forEach((output, index) => {
    if (output.type !== 'slack') return;
    const id = slackRouteId(output, index);
    if (seen.has(id)) throw new ConfigError(`outputs[${index}]: duplicate Slack output id "${id}"`);
    seen.add(id);
    const secret = secretOf(output, id);
    awsSecretOf(secret.ref, `output "${id}" field "${secret.field}"`);
    const filterPolicy = subscriptionFiltersFor(output.rules, `output "${id}" field "rules"`);
    routes.push({ output: { ...output, id }, secret, filterPolicy });
  });
  return routes;
}

function secretOf(output: SlackOutputConfig, id: string): SlackRoute['secret'] {
  // The config schema admits exactly one of the two; this only narrows the types.
  if (output.botToken !== undefined) return { field: 'botToken', ref: output.botToken };
  if (output.webhookUrl !== undefined) return { field: 'webhookUrl', ref: output.webhookUrl };
  throw new ConfigError(`output "${id}": set exactly one of webhookUrl or botToken`);
}

export interface SlackNotifierProps {
  /** The route it serves, from `slackRoutesOf`. */
  readonly route: SlackRoute;
  /** The event topic; the route's queue subscribes to it with the route's filter policy. */
  readonly topic: sns.ITopic;
  /** The state table, where the notifier keeps its delivery records and thread roots, and reads the event log. */
  readonly table: dynamodb.ITable;
  /** Where the alarms on the route's dead-letter queue go. */
  readonly alarms: OpsAlarms;
  /** Retention of the notifier's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** How long one notifier invocation may take: a batch of up to 10 events at Slack's one message a second per channel. */
export const NOTIFIER_TIMEOUT = Duration.seconds(60);
/**
 * How long a message taken by an invocation stays hidden from the others, and so how long a message waits after its
 * invocation died, failed it or deferred it: twice the function's timeout. AWS advises six times for Lambda consumers,
 * so that a batch still being worked on (or retried after a throttle) is not handed to a second invocation; here a
 * second invocation is harmless (every delivery is claimed, and a live claim is never taken over), and the shorter
 * time keeps a crash on AWS to the delay it costs locally: the poll cadence and one lease (docs/reliability.md).
 */
export const ROUTE_QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(2 * NOTIFIER_TIMEOUT.toSeconds());
/**
 * Receives of one message before it moves to the route's dead-letter queue: 15 receives two minutes apart, half an
 * hour, so that the deferrals while an earlier event of the thread is delivered (the notifier stops waiting for one
 * after 15 minutes) leave several real attempts.
 */
export const ROUTE_QUEUE_MAX_RECEIVE_COUNT = 15;
/** Invocations of one route's notifier at once: SQS event source mappings allow no fewer than 2. */
export const ROUTE_MAX_CONCURRENCY = 2;
/**
 * Events per invocation. No batching window: the mapping invokes as soon as messages arrive, and its pollers keep their
 * 20-second long polls on an idle queue. Two events of one poll taken by two invocations are put in order by the
 * notifier, which waits briefly for the earlier one before deferring the later.
 */
export const ROUTE_BATCH_SIZE = 10;

/**
 * The notifier of one Slack route: its queue, subscribed to the event topic through the route's filter policy with raw
 * message delivery (each message is the event's JSON); the function that consumes it through an event source mapping
 * with bounded concurrency (no reserved concurrency, which an account at the new-account quota cannot set aside); and
 * the queue's dead-letter queue with its alarms. Order within a thread is the function's job (functions/slack/): a
 * standard queue may hand messages over out of order and redeliver them.
 */
export class SlackNotifier extends Construct {
  /** The route this notifier serves. */
  readonly route: SlackRoute;
  readonly function: WatcherFunction;
  /** The route's events, as the event topic delivers them. */
  readonly queue: sqs.Queue;
  /** Where a message lands after {@link ROUTE_QUEUE_MAX_RECEIVE_COUNT} receives; redrive it to `queue` once fixed. */
  readonly deadLetterQueue: DeadLetterQueue;
  readonly subscription: sns.Subscription;
  readonly deadLetterAlarms: DeadLetterQueueAlarms;

  constructor(scope: Construct, id: string, props: SlackNotifierProps) {
    super(scope, id);
    this.route = props.route;
    const { output, secret, filterPolicy } = props.route;
    const mode = output.channel !== undefined ? `bot, channel ${output.channel}` : 'incoming webhook';

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: ROUTE_QUEUE_VISIBILITY_TIMEOUT,
      // Longer than any outage of Slack worth waiting out; what is older is better read in the dead-letter queue.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ROUTE_QUEUE_MAX_RECEIVE_COUNT },
    });

    this.function = new WatcherFunction(this, 'Notifier', {
      entry: SLACK_ENTRY,
      description: `Posts watcher events to Slack output "${output.id}" (${mode})`,
      // The name the handler's logger uses, so the function's settings and its logs agree.
      serviceName: 'auth0-ops-watcher-slack',
      timeout: NOTIFIER_TIMEOUT,
      logRetention: props.logRetention,
      // The route as configured: secret references only, never values.
      environment: { ROUTE: JSON.stringify(output) },
      secretRefs: [{ ref: secret.ref, usedBy: `output "${output.id}" field "${secret.field}"` }],
    });
    // What the Slack store (functions/adapters/dynamo-slack-store.ts) sends: claims, completions and thread roots are
    // conditional puts and updates, and it reads the event log to order a thread; it never queries or deletes.
    this.function.bindTable(props.table, 'TABLE_NAME', ['GetItem', 'PutItem', 'UpdateItem']);
    this.function.function.addEventSource(
      new lambdaEventSources.SqsEventSource(this.queue, {
        batchSize: ROUTE_BATCH_SIZE,
        maxConcurrency: ROUTE_MAX_CONCURRENCY,
        // The handler reports the messages it did not deliver; the others are deleted.
        reportBatchItemFailures: true,
      }),
    );

    this.subscription = scopeFilterToMessageAttributes(
      props.topic.addSubscription(
        new subscriptions.SqsSubscription(this.queue, {
          rawMessageDelivery: true,
          filterPolicy: filterPolicy ? { ...filterPolicy } : undefined,
        }),
      ),
    );
    this.deadLetterAlarms = props.alarms.watchDeadLetterQueue(
      `SlackRoute-${output.id}-DeadLetters`,
      this.deadLetterQueue,
      `Slack route "${output.id}"`,
    );
  }
}
