// A Slack route on AWS, composed as its handler composes it (handler.ts), for callers that bring their own table,
// secrets, clock or waits: the tests of the notifier.
import { loadRouteLambdaConfig, type RouteLambdaConfig } from '../../config/lambda-config.js';
import type { Routed } from '../channel.js';
import { makeDynamoQueueNotifier, type DynamoQueueNotifierDependencies, type QueueNotifier } from '../queue-notifier.js';
import type { SlackOutputConfig } from './config-schema.js';
import { slackChannel } from './plugin.js';

/** The Slack notifier's configuration: its route (ROUTE), the table and the ordering gate's overrides. */
export function loadSlackLambdaConfig(env: NodeJS.ProcessEnv = process.env): RouteLambdaConfig<SlackOutputConfig> {
  return loadRouteLambdaConfig(slackChannel, env) as RouteLambdaConfig<SlackOutputConfig>;
}

/** The queue notifier of one Slack route, its records and threads in the table given. */
export function makeQueueNotifier(
  deps: Omit<DynamoQueueNotifierDependencies, 'route'> & { readonly route: Routed<SlackOutputConfig> },
): QueueNotifier {
  return makeDynamoQueueNotifier(slackChannel, deps);
}
