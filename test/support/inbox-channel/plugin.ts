// A channel plug-in written for the tests alone: 'inbox' posts each event into an in-memory inbox (shared by the test
// that reads it). It shows what a channel is: this folder, and one line in a registry (`makeChannelRegistry`).
import { ChannelError } from '../../../functions/core/errors.js';
import type { WatcherEvent } from '../../../functions/core/model.js';
import type { ChannelPlugin } from '../../../functions/channels/channel.js';
import type { ChannelSchemaKit } from '../../../functions/config/channel-schema-kit.js';
import type * as z from 'zod';

export function inboxConfigSchema({ z, routeId, rules, secretRef }: ChannelSchemaKit) {
  return z.strictObject({
    type: z.literal('inbox'),
    id: routeId,
    /** Which inbox to post into: the destination. */
    inbox: z.string().regex(/^[a-z]+$/),
    /** The inbox's key, a secret. */
    key: secretRef,
    rules,
  });
}
export type InboxOutputConfig = z.infer<ReturnType<typeof inboxConfigSchema>>;

/** What the inbox refuses or cannot take. */
export class InboxError extends ChannelError {
  override readonly name = 'InboxError';
}

/** The inboxes: what each received, and the refusal each answers next (the test's levers). */
export const INBOXES = new Map<string, { readonly received: WatcherEvent[]; refuseNext?: string }>();
const inboxOf = (name: string) => INBOXES.get(name) ?? INBOXES.set(name, { received: [] }).get(name)!;

export const inboxChannel: ChannelPlugin<InboxOutputConfig> = {
  type: 'inbox',
  label: 'Inbox',
  configSchema: inboxConfigSchema,
  checkRoute(route, invalid) {
    if (typeof route['inbox'] !== 'string') throw invalid('inbox', 'is required');
    if (typeof route['key'] !== 'string') throw invalid('key', 'must be a secret reference');
  },
  secretRefsOf: (route) => [{ field: 'key', ref: route.key }],
  keyPrefix: 'INBOX',
  destinationKey: (route) => route.inbox,
  classifyFailure(error) {
    if (!(error instanceof InboxError)) return undefined;
    return error.code === 'inbox_gone' ? 'route' : error.code === 'too_long' ? 'event' : 'transient';
  },
  notifier: {
    entry: new URL('./handler.ts', import.meta.url).href,
    serviceName: 'auth0-ops-watcher-inbox',
    describe: (route) => `inbox ${route.inbox}`,
  },
  async connect(route, { secrets }) {
    if ((await secrets.resolve(route.key)) !== 'open-sesame') throw new InboxError('bad_key', true, `inbox ${route.inbox} refused the key`);
    const inbox = inboxOf(route.inbox);
    return {
      destination: route.inbox,
      async post(event, attempt) {
        const refusal = inbox.refuseNext;
        inbox.refuseNext = undefined;
        if (refusal) throw new InboxError(refusal, refusal !== 'inbox_busy', `inbox ${route.inbox}: ${refusal}`);
        attempt.assertHeld();
        inbox.received.push(event);
        return { receipt: String(inbox.received.length), recovered: false };
      },
      // An inbox can be asked what it holds: an attempt that died after posting is not repeated.
      async findPosted(event) {
        const at = inbox.received.findIndex((received) => received.id === event.id);
        return at < 0 ? undefined : String(at + 1);
      },
      error: (code, message) => new InboxError(code, false, message),
    };
  },
};
