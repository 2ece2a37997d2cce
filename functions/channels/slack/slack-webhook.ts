// Plug-in 'slack', webhook mode: one message per event to an incoming webhook, no threads. A webhook cannot be asked
// what it posted, so an attempt that dies in the instant after posting may be repeated by the next one.
import { renderStandalone } from '../../core/slack-message.js';
import type { ChannelConnection } from '../channel.js';
import { SlackError } from './slack-error.js';
import type { SlackWebhook } from './slack-ports.js';

/** Connects a webhook route; its records are keyed `webhook:<route id>` (the URL is a secret). */
export function makeSlackWebhookConnection(routeId: string, webhook: SlackWebhook): ChannelConnection {
  return {
    destination: slackWebhookDestination(routeId),
    async post(event, attempt) {
      attempt.assertHeld();
      await webhook.post(renderStandalone(event));
      return { recovered: false };
    },
    error: (code, message) => new SlackError(code, false, message),
  };
}

/** The destination of a webhook route: the route, since the URL that names its channel is a secret. */
export function slackWebhookDestination(routeId: string): string {
  return `webhook:${routeId}`;
}
