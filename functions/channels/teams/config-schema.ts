// The config of a 'teams' output (a route): a Microsoft Teams Workflows webhook ("Post to a channel when a webhook
// request is received"), whose URL is a secret because it carries the flow's signature.
import type * as z from 'zod';
import type { ChannelSchemaKit } from '../../config/channel-schema-kit.js';

export function teamsConfigSchema({ z, routeId, rules, secretRef, url }: ChannelSchemaKit) {
  return z.strictObject({
    type: z.literal('teams'),
    /** Names the route (AWS resources, logs); defaults to teams-<index>. */
    id: routeId,
    /** The workflow's HTTP POST URL, referenced as a secret (env:NAME locally, ssm:/… or secretsmanager:… on AWS). */
    webhookUrl: secretRef,
    /** Sends the request to this origin instead of the webhook URL's, with the URL's path and query (tests). */
    apiBaseUrl: url.optional(),
    rules,
  });
}

export type TeamsOutputConfig = z.infer<ReturnType<typeof teamsConfigSchema>>;
