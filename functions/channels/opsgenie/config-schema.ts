// The config of an 'opsgenie' output (a route): a team's API integration, by its key, in the account's region.
import type * as z from 'zod';
import type { ChannelSchemaKit } from '../../config/channel-schema-kit.js';

/** Opsgenie's Alert API per service region. */
export const OPSGENIE_API_URLS = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;
export type OpsgenieRegion = keyof typeof OPSGENIE_API_URLS;

export function opsgenieConfigSchema({ z, routeId, rules, secretRef, url }: ChannelSchemaKit) {
  return z.strictObject({
    type: z.literal('opsgenie'),
    /** Names the route (AWS resources, logs); defaults to opsgenie-<index>. */
    id: routeId,
    /** The key of an "API" integration (Settings → Integrations), as a secret reference; sent as `GenieKey <key>`. */
    apiKey: secretRef,
    /** The account's service region: which Alert API it calls. */
    region: z.enum(['us', 'eu']).default('us'),
    /** Overrides the region's API (tests point it at a local server). */
    apiBaseUrl: url.optional(),
    rules,
  });
}

export type OpsgenieOutputConfig = z.infer<ReturnType<typeof opsgenieConfigSchema>>;

/** The Alert API a route calls: its `apiBaseUrl`, else its region's. */
export function opsgenieApiUrlOf(route: Pick<OpsgenieOutputConfig, 'region' | 'apiBaseUrl'>): string {
  return route.apiBaseUrl ?? OPSGENIE_API_URLS[route.region];
}
