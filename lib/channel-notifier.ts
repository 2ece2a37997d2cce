// Channel delivery on AWS: per route (a channel output: Slack's today), one queue subscribed to the event topic through
// the SNS filter policy equivalent to the route's rules, and one notifier function consuming it, built from the route's
// channel plug-in (functions/channels/registry.ts): its handler, its secrets, its names.
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ChannelConfigBase, ChannelSecretRef, Routed } from '../functions/channels/channel.js';
import type { AnyChannelPlugin, ChannelRegistry } from '../functions/channels/channel-registry.js';
import { CHANNEL_REGISTRY } from '../functions/channels/registry.js';
import { ConfigError, type WatcherConfig } from '../functions/config/config.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import type { DeadLetterQueueAlarms, OpsAlarms } from './ops-alarms.js';
import { scopeFilterToMessageAttributes, subscriptionFiltersFor, type SubscriptionFilters } from './subscription-filters.js';
import { awsSecretOf, WatcherFunction } from './watcher-function.js';
import { FUNCTION_ENV, TABLE_ACTIONS } from '../functions/contract.js';

/**
 * The item operations every notifier sends: its delivery records' claims, heartbeats and completions
 * (functions/adapters/dynamo-delivery-store.ts) and its reads of the event log to order a thread; it never queries or
 * deletes. A channel's own state may add some (`notifier.tableActions`).
 */

/** A channel route as deployed: its plug-in, its id filled in, its secret references and its filter policy checked. */
export interface ChannelRoute {
  /** The route's channel plug-in. */
  readonly plugin: AnyChannelPlugin;
  /** The output with `id` set (see `routeIdOf`); the notifier receives it as its `ROUTE` environment variable. */
  readonly output: Routed<ChannelConfigBase>;
  /** The fields holding the route's secret references, and the references. */
  readonly secrets: readonly ChannelSecretRef[];
  /** The SNS subscription filters equivalent to the output's rules; undefined when the route takes every event. */
  readonly filterPolicy?: SubscriptionFilters;
}

/**
 * The channel routes of a config, resolved for AWS; the other outputs (console, jsonl, sns) are local-mode only.
 * Throws `ConfigError` naming the output for a duplicate id, a secret AWS cannot resolve (`env:…`), or rules beyond
 * SNS's filter-policy limits. Stacks call this before building anything, so a bad config fails before bundling.
 */
export function channelRoutesOf(config: Pick<WatcherConfig, 'outputs'>, registry: ChannelRegistry = CHANNEL_REGISTRY): ChannelRoute[] {
  const seen = new Set<string>();
  return registry.routesOf(config.outputs).map(({ plugin, route, index }) => {
    const { id } = route;
    const key = `${plugin.type}:${id}`;
    if (seen.has(key)) throw new ConfigError(`outputs[${index}]: duplicate ${plugin.label} output id "${id}"`);
    seen.add(key);
    const secrets = plugin.secretRefsOf(route);
    for (const { field, ref } of secrets) awsSecretOf(ref, `output "${id}" field "${field}"`);
    const filterPolicy = subscriptionFiltersFor(route.rules, `output "${id}" field "rules"`);
    return { plugin, output: route, secrets, filterPolicy };
  });
}

/** The channel's name as construct ids and alarm names carry it: its label, letters and digits only (`Slack`). */
function constructNameOf(plugin: AnyChannelPlugin): string {
  return plugin.label.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * The construct id of a route's notifier, `<Channel>Notifier-<route id>` (`SlackNotifier-incidents`): it names every
 * resource of the route in the template, so it never changes for a deployed route.
 */
export function notifierIdOf(route: ChannelRoute): string {
  return `${constructNameOf(route.plugin)}Notifier-${route.output.id}`;
}

export interface ChannelNotifierProps {
  /** The route it serves, from `channelRoutesOf`. */
  readonly route: ChannelRoute;
  /** The event topic; the route's queue subscribes to it with the route's filter policy. */
  readonly topic: sns.ITopic;
  /** The state table, where the notifier keeps its delivery records (and its channel's state), and reads the event log. */
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
 * The notifier of one channel route: its queue, subscribed to the event topic through the route's filter policy with raw
 * message delivery (each message is the event's JSON); the function that consumes it (the plug-in's handler) through an
 * event source mapping with bounded concurrency (no reserved concurrency, which an account at the new-account quota
 * cannot set aside); and the queue's dead-letter queue with its alarms. Order within a thread is the function's job
 * (functions/channels/consume-route-queue.ts): a standard queue may hand messages over out of order and redeliver them.
 */
export class ChannelNotifier extends Construct {
  /** The route this notifier serves. */
  readonly route: ChannelRoute;
  readonly function: WatcherFunction;
  /** The route's events, as the event topic delivers them. */
  readonly queue: sqs.Queue;
  /** Where a message lands after {@link ROUTE_QUEUE_MAX_RECEIVE_COUNT} receives; redrive it to `queue` once fixed. */
  readonly deadLetterQueue: DeadLetterQueue;
  readonly subscription: sns.Subscription;
  readonly deadLetterAlarms: DeadLetterQueueAlarms;

  constructor(scope: Construct, id: string, props: ChannelNotifierProps) {
    super(scope, id);
    this.route = props.route;
    const { plugin, output, secrets, filterPolicy } = props.route;
    const { notifier } = plugin;

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: ROUTE_QUEUE_VISIBILITY_TIMEOUT,
      // Longer than any outage of a channel worth waiting out; what is older is better read in the dead-letter queue.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ROUTE_QUEUE_MAX_RECEIVE_COUNT },
    });

    this.function = new WatcherFunction(this, 'Notifier', {
      entry: fileURLToPath(notifier.entry),
      description: `Posts watcher events to ${plugin.label} output "${output.id}" (${notifier.describe(output)})`,
      // The name the handler's logger uses, so the function's settings and its logs agree.
      serviceName: notifier.serviceName,
      timeout: NOTIFIER_TIMEOUT,
      logRetention: props.logRetention,
      // The route as configured: secret references only, never values.
      environment: { [FUNCTION_ENV.route]: JSON.stringify(output) },
      secretRefs: secrets.map(({ field, ref }) => ({ ref, usedBy: `output "${output.id}" field "${field}"` })),
    });
    this.function.bindTable(props.table, FUNCTION_ENV.tableName, [...new Set([...TABLE_ACTIONS.notifier, ...(notifier.tableActions ?? [])])]);
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
    const name = constructNameOf(plugin);
    this.deadLetterAlarms = props.alarms.watchDeadLetterQueue(
      `${name}Route-${output.id}-DeadLetters`,
      this.deadLetterQueue,
      `${plugin.label} route "${output.id}"`,
    );
  }
}
