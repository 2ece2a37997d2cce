// Lambda entry point of a Slack notifier: one function per Slack route, fed by the route's SQS queue (which the event
// topic fills through the route's filter policy).
import { makeLambdaNotifier } from '../lambda-notifier.js';
import { slackChannel } from './plugin.js';

export const handler = makeLambdaNotifier(slackChannel);
