// Lambda entry point of a PagerDuty notifier: one function per PagerDuty route, fed by the route's SQS queue (which the
// event topic fills through the route's filter policy).
import { makeLambdaNotifier } from '../lambda-notifier.js';
import { pagerDutyChannel } from './plugin.js';

export const handler = makeLambdaNotifier(pagerDutyChannel);
