// Lambda entry point of an inbox notifier (the tests' example channel): what every channel's handler is.
import { makeLambdaNotifier } from '../../../functions/channels/lambda-notifier.js';
import { inboxChannel } from './plugin.js';

export const handler = makeLambdaNotifier(inboxChannel);
