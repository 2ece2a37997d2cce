// Slack delivery on AWS: one notifier function per Slack output (route), subscribed to the event topic through the
// SNS filter policy equivalent to the route's rules, so it is invoked only for the events the route takes.
import { fileURLToPath } from 'node:url';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError, slackRouteId, type SlackOutputConfig, type WatcherConfig } from '../functions/config/config.js';
import { subscriptionFiltersFor, type SubscriptionFilters } from './subscription-filters.js';
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
  /** The event topic; the notifier subscribes to it with the route's filter policy. */
  readonly topic: sns.ITopic;
  /** The state table, where the notifier keeps its delivery records and thread roots. */
  readonly table: dynamodb.ITable;
  /** Receives, once, each event the notifier failed to deliver. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Retention of the notifier's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** The notifier function of one Slack route, its grants, and its filtered subscription to the event topic. */
export class SlackNotifier extends Construct {
  /** The route this notifier serves. */
  readonly route: SlackRoute;
  readonly function: WatcherFunction;
  readonly subscription: sns.Subscription;

  constructor(scope: Construct, id: string, props: SlackNotifierProps) {
    super(scope, id);
    this.route = props.route;
    const { output, secret, filterPolicy } = props.route;
    const mode = output.channel !== undefined ? `bot, channel ${output.channel}` : 'incoming webhook';

    this.function = new WatcherFunction(this, 'Notifier', {
      entry: SLACK_ENTRY,
      description: `Posts watcher events to Slack output "${output.id}" (${mode})`,
      // The name the handler's logger uses, so the function's settings and its logs agree.
      serviceName: 'auth0-ops-watcher-slack',
      logRetention: props.logRetention,
      // The route as configured: secret references only, never values.
      environment: { ROUTE: JSON.stringify(output) },
      // The notifier retries Slack itself; a failed event goes to the dead-letter queue once instead of being re-posted.
      retryAttempts: 0,
      deadLetterQueue: props.deadLetterQueue,
      // One at a time: Slack allows about one message a second per channel, and a thread keeps its order; throttled
      // SNS deliveries wait in Lambda's asynchronous queue and are retried there (up to 6 h), not lost.
      reservedConcurrentExecutions: 1,
      secretRefs: [{ ref: secret.ref, usedBy: `output "${output.id}" field "${secret.field}"` }],
    });
    // What the Slack store (functions/adapters/dynamo-slack-store.ts) sends: claims, completions and thread roots are
    // conditional puts and updates; it never queries or deletes.
    this.function.bindTable(props.table, 'TABLE_NAME', ['GetItem', 'PutItem', 'UpdateItem']);

    this.subscription = props.topic.addSubscription(
      new subscriptions.LambdaSubscription(this.function.function, { filterPolicy: filterPolicy ? { ...filterPolicy } : undefined }),
    );
  }
}
