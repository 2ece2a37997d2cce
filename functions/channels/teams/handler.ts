// Lambda entry point of a Teams notifier: one function per Teams route, fed by the route's SQS queue (which the event
// topic fills through the route's filter policy).
import { makeLambdaNotifier } from '../lambda-notifier.js';
import { teamsChannel } from './plugin.js';

export const handler = makeLambdaNotifier(teamsChannel);
