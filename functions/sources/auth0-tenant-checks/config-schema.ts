// The config of an 'auth0-tenant-checks' source: the tenant's canonical domain, the machine-to-machine application that
// reads its settings (the read scopes of the checks it runs, nothing else), and which checks run.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';
import { isBareOrigin } from '../auth0-tenant-logs/config-schema.js';

/** The checks, each with the one Management API scope it reads with. */
export const CHECK_SCOPES = {
  'email-provider': 'read:email_provider',
  'log-stream': 'read:log_streams',
  'synthetic-prerequisites': 'read:tenant_settings',
} as const;
export type CheckName = keyof typeof CHECK_SCOPES;
export const CHECK_NAMES = Object.keys(CHECK_SCOPES) as CheckName[];

/**
 * The checks run when the config lists none. `synthetic-prerequisites` is asked for by name: it only matters to a tenant
 * whose applications use the realm-less password grant, and most tenants leave the default directory empty on purpose.
 */
export const DEFAULT_CHECKS: readonly CheckName[] = ['email-provider', 'log-stream'];

export function auth0TenantChecksConfigSchema({ z, sourceBase, sourceUrl, secretRef }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('auth0-tenant-checks'),
    /** The tenant's canonical domain, `https://<tenant>.<region>.auth0.com` (no path). */
    url: sourceUrl.refine(isBareOrigin, 'must be the tenant\'s domain alone, such as "https://acme.us.auth0.com" (no path, query or user)'),
    clientId: z.string().regex(/^[\w-]{1,128}$/, "must be the machine-to-machine application's client id"),
    clientSecret: secretRef,
    /** @default `<url>/api/v2/` */
    audience: z.string().url().max(300).optional(),
    /** The checks to run (each needs its scope); @default DEFAULT_CHECKS */
    checks: z
      .array(z.enum(CHECK_NAMES as [CheckName, ...CheckName[]]))
      .min(1, 'must name at least one check; remove the source to run none')
      .refine((list) => new Set(list).size === list.length, 'must not name a check twice')
      .optional(),
  });
}

export type Auth0TenantChecksSourceConfig = z.infer<ReturnType<typeof auth0TenantChecksConfigSchema>>;

/** The checks a config runs, in the order they run. */
export function checksOf(config: Pick<Auth0TenantChecksSourceConfig, 'checks'>): readonly CheckName[] {
  const wanted = config.checks ?? DEFAULT_CHECKS;
  return CHECK_NAMES.filter((name) => wanted.includes(name));
}

/** The scopes the application needs for the config's checks. */
export function scopesOf(config: Pick<Auth0TenantChecksSourceConfig, 'checks'>): readonly string[] {
  return checksOf(config).map((name) => CHECK_SCOPES[name]);
}
