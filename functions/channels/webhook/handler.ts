// Lambda entry point of a webhook notifier: one function per webhook route, fed by the route's SQS queue (which the
// event topic fills through the route's filter policy).
import { makeLambdaNotifier } from '../lambda-notifier.js';
import { webhookChannel } from './plugin.js';

export const handler = makeLambdaNotifier(webhookChannel);
