// Plays a deployment's channel notifiers (every channel's) for the post-deploy check's tests: each route subscribes to the event
// topic on the SNS test server with its rules' filter policy (as lib/channel-notifier.ts subscribes it), and every
// publish the filter admits is handed to the real delivery boundary and the route's plug-in, which write the real
// delivery records.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeSnsClient } from '../../functions/adapters/sns-publisher.js';
import { localChannelContext } from '../../functions/channels/channel-output.js';
import { makeChannelDelivery } from '../../functions/channels/deliver-to-channel.js';
import { CHANNEL_REGISTRY } from '../../functions/channels/registry.js';
import type { WatcherConfig } from '../../functions/config/config.js';
import { parseWatcherEvent } from '../../functions/core/event-schema.js';
import type { Logger } from '../../functions/core/ports.js';
import { filterPolicyFor } from '../../functions/core/routing.js';
import { filterPolicyAdmits, type SnsTestServer } from './sns-test-server.js';

const SILENT: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface DeployedNotifiersOptions {
  readonly sns: SnsTestServer;
  readonly topicArn: string;
  /** The config whose Slack outputs are the routes. */
  readonly config: WatcherConfig;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /** The environment the routes' `env:` secret references resolve in. */
  readonly secretsEnv: NodeJS.ProcessEnv;
}

/** Subscribes one notifier per channel route and delivers what each subscription's filter policy admits. */
export async function playDeployedNotifiers(options: DeployedNotifiersOptions): Promise<void> {
  const { sns, topicArn, config } = options;
  const clock = { now: () => new Date() };
  const deps = {
    table: { client: options.dynamo, tableName: options.tableName },
    secrets: makeSecretResolver({ env: options.secretsEnv }),
    clock,
    logger: SILENT,
    http: { retries: 0, timeoutMs: 2_000 },
  };
  const notifiers = await Promise.all(
    CHANNEL_REGISTRY.routesOf(config.outputs).map(async ({ plugin, route }) => {
      const context = localChannelContext(plugin, deps);
      const connection = await plugin.connect(route, context);
      return {
        id: route.id,
        // One function per route, named after its channel (lib/channel-notifier.ts names it the same way).
        functionName: `${plugin.type[0]!.toUpperCase()}${plugin.type.slice(1)}Notifier-${route.id}`,
        filterPolicy: filterPolicyFor(route.rules),
        deliver: makeChannelDelivery({ connection, rules: route.rules, store: context.deliveries, clock, logger: SILENT }),
      };
    }),
  );
  // What the stack deploys: one Lambda subscription per route, filtered on the message attributes.
  const client = makeSnsClient({ endpoint: sns.endpoint });
  for (const notifier of notifiers) {
    await client.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'lambda',
        Endpoint: `arn:aws:lambda:us-east-1:000000000000:function:${notifier.functionName}`,
        ...(notifier.filterPolicy && {
          Attributes: { FilterPolicy: JSON.stringify(notifier.filterPolicy), FilterPolicyScope: 'MessageAttributes' },
        }),
      }),
    );
  }
  client.destroy();
  sns.onPublish(async (publish) => {
    if (publish.topicArn !== topicArn) return;
    const event = parseWatcherEvent((JSON.parse(publish.message) as { default: string }).default);
    const subscriptions = sns.subscriptions(topicArn).filter((s) => s.protocol === 'lambda');
    // Each notifier on its own, as separate Lambda functions: one failing does not stop the others.
    const results = await Promise.allSettled(
      notifiers.map(async (notifier) => {
        const subscription = subscriptions.find((s) => s.endpoint.endsWith(`:${notifier.functionName}`));
        const policy = subscription?.attributes['FilterPolicy'];
        if (!filterPolicyAdmits(policy === undefined ? undefined : JSON.parse(policy), publish.attributes)) return;
        await notifier.deliver(event);
      }),
    );
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length === 1) throw failed[0]!.reason;
    if (failed.length > 1) throw new AggregateError(failed.map((f) => f.reason as unknown), 'several notifiers failed');
  });
}
