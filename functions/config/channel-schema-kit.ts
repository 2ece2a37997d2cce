// The schema pieces every channel plug-in builds its route schema from (route id, secrets, URLs, routing rules), handed
// to each plug-in's `configSchema` by config.ts. Plug-ins import only this module's types, so that the notifier
// bundles, which carry a plug-in, carry no schema library (the stack validates the config at synth).
import * as z from 'zod';
import { SEVERITIES } from '../core/model.js';
import { isEventTypePattern } from '../core/routing.js';
import { regionLabel, secretRef, sourceUrl } from './source-schema-kit.js';

/** Which events an output receives (see functions/core/routing.ts); email alerts take the same rules. */
export const routeRulesSchema = z.strictObject({
  sources: z.array(z.string().min(1)).min(1).optional(),
  types: z
    .array(z.string().refine(isEventTypePattern, 'must be an event type (incident.opened) or a family (incident.*)'))
    .min(1)
    .optional(),
  minSeverity: z.enum(SEVERITIES).optional(),
  regions: z.array(regionLabel).min(1).optional(),
  vendors: z.array(z.string().min(1)).min(1).optional(),
});
export type RouteRulesConfig = z.infer<typeof routeRulesSchema>;

/** What `configSchema` of a channel plug-in receives. */
export const CHANNEL_SCHEMA_KIT = {
  z,
  /** Names the route (AWS resources, logs, its local queue); optional, `<type>-<index>` when absent. */
  routeId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)')
    .optional(),
  /** The route's rules; every event when absent. */
  rules: routeRulesSchema.default({}),
  secretRef,
  /** An `https://` URL (`http://` only for loopback hosts, for tests): an API base URL a test points at a local server. */
  url: sourceUrl,
} as const;

export type ChannelSchemaKit = typeof CHANNEL_SCHEMA_KIT;
