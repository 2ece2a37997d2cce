// Lambda entry point of an Opsgenie notifier: one function per Opsgenie route, fed by the route's SQS queue (which the
// event topic fills through the route's filter policy).
import { makeLambdaNotifier } from '../lambda-notifier.js';
import { opsgenieChannel } from './plugin.js';

export const handler = makeLambdaNotifier(opsgenieChannel);
