// The config of an 'auth0-tenant-logs' source: the tenant's canonical domain, the machine-to-machine application that
// reads its logs (`read:logs` only), the plan's log retention, how many pages one run may read, the detectors'
// thresholds and windows (every one optional: the defaults are core/tenant's), and on AWS the optional real-time path:
// the Amazon EventBridge partner event source of the tenant's log stream.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

/** Log retention by Auth0 plan, in days. */
export const RETENTION_DAYS = [1, 5, 10, 30] as const;
export const DEFAULT_RETENTION_DAYS = 30;
/** Pages of 100 logs one run reads at most; the next run continues from the checkpoint. */
export const DEFAULT_MAX_PAGES_PER_RUN = 20;
/**
 * The name Auth0 gives the partner event source of an Amazon EventBridge log stream,
 * `aws.partner/auth0.com/<tenant>-<uuid>/auth0.logs`; the partner event bus must carry exactly this name.
 */
export const PARTNER_EVENT_SOURCE = /^aws\.partner\/auth0\.com\/[A-Za-z0-9][A-Za-z0-9-]{0,100}-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\/auth0\.logs$/;

export function auth0TenantLogsConfigSchema({ z, sourceBase, sourceUrl, secretRef }: SourceSchemaKit) {
  const minutes = (max: number) => z.number().int().min(1).max(max);
  const detectors = z.strictObject({
    rateLimits: z.strictObject({ windowMinutes: minutes(1440).optional(), quietMinutes: minutes(1440).optional() }).optional(),
    deprecations: z.strictObject({ silenceDays: z.number().int().min(1).max(365).optional() }).optional(),
    loginFailures: z
      .strictObject({
        windowMinutes: minutes(1440).optional(),
        baselineHours: z.number().int().min(1).max(24 * 14).optional(),
        minFailures: z.number().int().min(1).max(1_000_000).optional(),
        factor: z.number().min(1).max(1000).optional(),
      })
      .optional(),
    extensibility: z.strictObject({ windowMinutes: minutes(1440).optional() }).optional(),
    security: z.strictObject({ windowMinutes: minutes(1440).optional(), minCount: z.number().int().min(1).max(1_000_000).optional() }).optional(),
  });
  return z.strictObject({
      ...sourceBase,
      type: z.literal('auth0-tenant-logs'),
      /** The tenant's canonical domain, `https://<tenant>.<region>.auth0.com` (no path). */
      url: sourceUrl.refine(isBareOrigin, 'must be the tenant\'s domain alone, such as "https://acme.us.auth0.com" (no path, query or user)'),
      clientId: z.string().regex(/^[\w-]{1,128}$/, 'must be the machine-to-machine application\'s client id'),
      clientSecret: secretRef,
      /** @default `<url>/api/v2/` */
      audience: z.string().url().max(300).optional(),
      retentionDays: z
        .union(RETENTION_DAYS.map((days) => z.literal(days)) as unknown as [z.ZodLiteral<1>, z.ZodLiteral<5>, z.ZodLiteral<10>, z.ZodLiteral<30>])
        .default(DEFAULT_RETENTION_DAYS),
      maxPagesPerRun: z.number().int().min(1).max(1000).default(DEFAULT_MAX_PAGES_PER_RUN),
      detectors: detectors.optional(),
      /**
       * On AWS, the Amazon EventBridge log stream's partner event source: the stack creates its event bus and feeds the
       * logs to the detectors within seconds. Validated but unused locally (`npm start` has no EventBridge).
       */
      partnerEventSource: z
        .string()
        .max(256)
        .regex(
          PARTNER_EVENT_SOURCE,
          'must be the partner event source of the tenant\'s Amazon EventBridge log stream as Auth0 shows it, "aws.partner/auth0.com/<tenant>-<uuid>/auth0.logs"',
        )
        .optional(),
    });
}

/** `https://host[:port]` with at most a trailing slash: the Management API's paths are appended to it. */
export function isBareOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

export type Auth0TenantLogsSourceConfig = z.infer<ReturnType<typeof auth0TenantLogsConfigSchema>>;

/** The tenant's origin without a trailing slash (`https://acme.us.auth0.com`): the Management API's paths follow it. */
export function tenantOriginOf(config: Pick<Auth0TenantLogsSourceConfig, 'url'>): string {
  return new URL(config.url).origin;
}

/** The audience of the Management API token: the config's, else `<url>/api/v2/`. */
export function audienceOf(config: Pick<Auth0TenantLogsSourceConfig, 'url' | 'audience'>): string {
  return config.audience ?? `${tenantOriginOf(config)}/api/v2/`;
}

/** The tenant's host (`acme.us.auth0.com`), which names its archive partition. */
/**
 * Whether a configured source is a tenant-log source, for readers that must not load the source plug-ins (the digest's
 * bundle): a type check on the config alone.
 */
export function isTenantLogsSource<S extends { readonly type: string }>(source: S): source is S & Auth0TenantLogsSourceConfig {
  return source.type === 'auth0-tenant-logs';
}

export function tenantHostOf(config: Pick<Auth0TenantLogsSourceConfig, 'url'>): string {
  return new URL(config.url).host;
}
