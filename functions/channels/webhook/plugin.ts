// Plug-in 'webhook': each event POSTed as its JSON (schema version 1, as published) to a receiver of your own, signed
// (webhook-signature.ts) and carrying its id as `Idempotency-Key`. A receiver cannot be asked what it took, so an
// attempt that dies in the instant after posting may be repeated by the next one, with the same key: the receiver
// drops it.
import { isPostableUrl, postJson } from '../../adapters/http-json-post.js';
import type { ChannelPlugin } from '../channel.js';
import { webhookConfigSchema, type WebhookOutputConfig } from './config-schema.js';
import { classifyWebhookFailure, WebhookError } from './webhook-error.js';
import { signedWebhookRequest } from './webhook-signature.js';

export const webhookChannel: ChannelPlugin<WebhookOutputConfig> = {
  type: 'webhook',
  label: 'Webhook',
  configSchema: webhookConfigSchema,

  checkRoute(route, invalid) {
    if (typeof route['url'] !== 'string' || !URL.canParse(route['url']) || !isPostableUrl(new URL(route['url']))) {
      throw invalid('url', 'must be an https:// URL');
    }
    // A reference (scheme:name), never a value: the resolver reads the secret it names.
    if (typeof route['secret'] !== 'string' || !/^[a-z]+:./.test(route['secret'])) throw invalid('secret', 'must be a secret reference');
  },

  secretRefsOf: (route) => [{ field: 'secret', ref: route.secret }],

  // Records `WEBHOOK#<route id>`: two routes to one receiver are two destinations, each delivered once.
  keyPrefix: 'WEBHOOK',
  destinationKey: (route) => route.id,

  classifyFailure: classifyWebhookFailure,

  notifier: {
    entry: new URL('./handler.ts', import.meta.url).href,
    serviceName: 'auth0-ops-watcher-webhook',
    describe: (route) => `signed POST to ${new URL(route.url).host}`,
  },

  async connect(route, context) {
    const secret = await context.secrets.resolve(route.secret);
    const endpoint = new URL(route.url);
    // The path and query are the receiver's; errors name its origin only, and never the secret.
    const target = { url: route.url, name: `webhook ${endpoint.origin}`, secretParts: [secret] };
    return {
      destination: route.id,
      async post(event, attempt) {
        attempt.assertHeld();
        // Signed again for each attempt, so a retry carries a fresh timestamp.
        await postJson(
          target,
          () => signedWebhookRequest(event, secret, context.clock.now()),
          (code, permanent, message) => new WebhookError(code, permanent, message),
          { ...context.http, sleep: context.sleep },
        );
        return { recovered: false };
      },
      error: (code, message) => new WebhookError(code, false, message),
    };
  },
};
