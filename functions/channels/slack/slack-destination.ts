// Where a Slack route posts: its secret resolved, the Web API client or the webhook poster made once.
import type { SecretResolver } from '../../core/ports.js';
import type { ChannelHttpOptions } from '../channel.js';
import type { SlackPins } from './board-ports.js';
import type { SlackOutputConfig } from './config-schema.js';
import type { SlackApi, SlackWebhook } from './slack-ports.js';
import { makeSlackWebApi } from './slack-web-api.js';
import { makeSlackWebhook } from './slack-webhook-client.js';

export type SlackDestination =
  | { readonly mode: 'bot'; readonly channel: string; readonly api: SlackApi; readonly pins?: SlackPins }
  | { readonly mode: 'webhook'; readonly routeId: string; readonly webhook: SlackWebhook };

/** Retry and timeout settings of the Slack clients (tests shorten the backoff). */
export type SlackAdapterOptions = ChannelHttpOptions;

export async function makeSlackDestination(
  route: SlackOutputConfig,
  routeId: string,
  secrets: SecretResolver,
  options: SlackAdapterOptions = {},
): Promise<SlackDestination> {
  if (route.botToken && route.channel) {
    const token = await secrets.resolve(route.botToken);
    const api = makeSlackWebApi({ token, apiBaseUrl: route.apiBaseUrl, ...options });
    return { mode: 'bot', channel: route.channel, api, pins: api };
  }
  if (route.webhookUrl) {
    const url = await secrets.resolve(route.webhookUrl);
    return { mode: 'webhook', routeId, webhook: makeSlackWebhook({ url, ...options }) };
  }
  throw new Error(`slack route ${routeId} has neither a bot token with a channel nor a webhook URL`);
}
