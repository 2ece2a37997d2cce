// The config of a 'slack' output (a route): bot mode (a bot token and a channel: threads) or webhook mode.
import type * as z from 'zod';
import type { ChannelSchemaKit } from '../../config/channel-schema-kit.js';

export function slackConfigSchema({ z, routeId, rules, secretRef, url }: ChannelSchemaKit) {
  return z
    .strictObject({
      type: z.literal('slack'),
      /** Names the route (AWS resources, logs); defaults to slack-<index>. */
      id: routeId,
      /** Incoming-webhook mode: one message per event, no threads. */
      webhookUrl: secretRef.optional(),
      /** Bot-token mode (chat.postMessage / chat.update): one living thread per incident. */
      botToken: secretRef.optional(),
      /** Channel ID (C…), needed with botToken. */
      channel: z
        .string()
        .regex(/^[CGD][A-Z0-9]{6,}$/, 'must be a channel ID such as C0123ABCD (channel details, at the bottom)')
        .optional(),
      /**
       * Bot mode only: also keep a status board in the channel, one message pinned and updated in place (chat.update,
       * pins.add) showing each row green, amber or red with links to the open threads.
       */
      board: z.boolean().optional(),
      /**
       * The board's rows shown from the start, green until something is heard: filled in from the config's sources when
       * the config is read (config/board-rows.ts), not set by hand; what a config sets here is replaced.
       */
      boardRows: z
        .array(
          z.strictObject({
            key: z.string().max(300),
            kind: z.enum(['auth0', 'dependency', 'synthetic', 'checks', 'watcher']),
            name: z.string().max(200),
          }),
        )
        .max(200)
        .optional(),
      apiBaseUrl: url.default('https://slack.com/api/'),
      rules,
    })
    .superRefine((output, ctx) => {
      const bot = output.botToken !== undefined;
      if (bot === (output.webhookUrl !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['botToken'], message: 'set exactly one of webhookUrl or botToken' });
      }
      if (bot && output.channel === undefined) {
        ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required with botToken' });
      }
      if (!bot && output.board === true) {
        ctx.addIssue({ code: 'custom', path: ['board'], message: 'needs botToken and channel: an incoming webhook cannot update or pin a message' });
      }
      if (!bot && output.channel !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['channel'], message: 'goes with botToken; a webhook posts to its own channel' });
      }
    });
}

export type SlackOutputConfig = z.infer<ReturnType<typeof slackConfigSchema>>;
