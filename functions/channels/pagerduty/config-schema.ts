// The config of a 'pagerduty' output (a route): a service's Events API v2 integration, by its routing key.
import type * as z from 'zod';
import type { ChannelSchemaKit } from '../../config/channel-schema-kit.js';

/** PagerDuty's Events API (US service region; an EU account sets `https://events.eu.pagerduty.com`). */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';

export function pagerDutyConfigSchema({ z, routeId, rules, secretRef, url }: ChannelSchemaKit) {
  return z.strictObject({
    type: z.literal('pagerduty'),
    /** Names the route (AWS resources, logs); defaults to pagerduty-<index>. */
    id: routeId,
    /** The integration key of the service's "Events API v2" integration (32 characters), as a secret reference. */
    routingKey: secretRef,
    /** Where the Events API is: `POST <apiBaseUrl>/v2/enqueue`. */
    apiBaseUrl: url.default(PAGERDUTY_EVENTS_URL),
    rules,
  });
}

export type PagerDutyOutputConfig = z.infer<ReturnType<typeof pagerDutyConfigSchema>>;
