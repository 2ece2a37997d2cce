// The config of a 'webhook' output (a route): the JSON event POSTed to a receiver of your own, signed with a shared
// secret so the receiver can reject forgeries and replays (webhook-signature.ts).
import type * as z from 'zod';
import type { ChannelSchemaKit } from '../../config/channel-schema-kit.js';

export function webhookConfigSchema({ z, routeId, rules, secretRef, url }: ChannelSchemaKit) {
  return z.strictObject({
    type: z.literal('webhook'),
    /** Names the route (AWS resources, logs); defaults to webhook-<index>. */
    id: routeId,
    /** Where events are POSTed: https:// (http:// only for loopback hosts). Not a secret, so it holds none. */
    url: url.refine((value) => {
      const parsed = new URL(value);
      return parsed.username === '' && parsed.password === '';
    }, 'must not carry credentials: the receiver checks the signature made with "secret"'),
    /** The shared secret the body is signed with (HMAC-SHA256), as a reference (env:NAME locally, ssm:/… on AWS). */
    secret: secretRef,
    rules,
  });
}

export type WebhookOutputConfig = z.infer<ReturnType<typeof webhookConfigSchema>>;
