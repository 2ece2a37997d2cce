// Builds where a Slack route posts: its secret resolved, the Web API client or the webhook poster made once.
import { makeSlackWebApi } from '../adapters/slack-web-api.js';
import { makeSlackWebhook } from '../adapters/slack-webhook.js';
import type { SlackOutputConfig } from '../config/config.js';
import type { SecretResolver } from '../core/ports.js';
import type { SlackDestination } from './deliver-to-slack.js';

export interface SlackAdapterOptions {
  /** Retries of 5xx and network errors (429 waits Retry-After and retries too). */
  readonly retries?: number;
  readonly minRetryDelayMs?: number;
  readonly timeoutMs?: number;
}

export async function makeSlackDestination(
  route: SlackOutputConfig,
  routeId: string,
  secrets: SecretResolver,
  options: SlackAdapterOptions = {},
): Promise<SlackDestination> {
  if (route.botToken && route.channel) {
    const token = await secrets.resolve(route.botToken);
    return { mode: 'bot', channel: route.channel, api: makeSlackWebApi({ token, apiBaseUrl: route.apiBaseUrl, ...options }) };
  }
  if (route.webhookUrl) {
    const url = await secrets.resolve(route.webhookUrl);
    return { mode: 'webhook', routeId, webhook: makeSlackWebhook({ url, ...options }) };
  }
  throw new Error(`slack route ${routeId} has neither a bot token with a channel nor a webhook URL`);
}
