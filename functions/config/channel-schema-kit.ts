// The schema pieces every channel plug-in builds its route schema from (route id, secrets, URLs, routing rules), handed
// to each plug-in's `configSchema` by config.ts. Plug-ins import only this module's types, so that the notifier
// bundles, which carry a plug-in, carry no schema library (the stack validates the config at synth).
import * as z from 'zod';
import { SEVERITIES } from '../core/model.js';
import { quietHoursProblem, WALL_TIME_PATTERN } from '../core/quiet-hours.js';
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

/** Whether `zone` is an IANA time zone the runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const wallTime = z.string().regex(WALL_TIME_PATTERN, 'must be a time of day, HH:MM (e.g. 22:00)');

/** A channel route's quiet hours (functions/core/quiet-hours.ts): events below `below` wait from `from` to `to`. */
export const quietHoursSchema = z
  .strictObject({
    from: wallTime,
    to: wallTime,
    /** The zone of `from` and `to`; the config's `timeZone` when absent, else UTC. */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').optional(),
    below: z.enum(['critical', 'major', 'minor'], 'must be critical, major or minor: events less severe wait'),
  })
  .superRefine((quiet, ctx) => {
    const problem = quietHoursProblem(quiet);
    if (problem) ctx.addIssue({ code: 'custom', path: ['to'], message: problem });
  });

/** A channel route's rules: which events it receives, and when it holds the less severe ones. */
export const channelRouteRulesSchema = routeRulesSchema.extend({ quietHours: quietHoursSchema.optional() });

/** The route with its quiet hours' zone filled in: their own, else the config's `timeZone`, else UTC. */
export function withQuietHoursZone<O>(output: O, config: object): O {
  const rules = (output as { rules?: { quietHours?: { timeZone?: string } } }).rules;
  if (!rules?.quietHours || rules.quietHours.timeZone !== undefined) return output;
  const zone = (config as { timeZone?: unknown }).timeZone;
  return { ...output, rules: { ...rules, quietHours: { ...rules.quietHours, timeZone: typeof zone === 'string' ? zone : 'UTC' } } };
}

/** What `configSchema` of a channel plug-in receives. */
export const CHANNEL_SCHEMA_KIT = {
  z,
  /** Names the route (AWS resources, logs, its local queue); optional, `<type>-<index>` when absent. */
  routeId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)')
    .optional(),
  /** The route's rules (and quiet hours); every event when absent. */
  rules: channelRouteRulesSchema.default({}),
  secretRef,
  /** An `https://` URL (`http://` only for loopback hosts, for tests): an API base URL a test points at a local server. */
  url: sourceUrl,
} as const;

export type ChannelSchemaKit = typeof CHANNEL_SCHEMA_KIT;
