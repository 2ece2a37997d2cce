// The `tenant` block: one tenant's domain and credentials, turned into the ordinary sources that watch it, with ids
// derived from the tenant's name: `<tenant>-logs` (auth0-tenant-logs), `<tenant>-checks` (auth0-tenant-checks),
// `<tenant>-login` (auth0-synthetic-login, only with `probe`) and `<tenant>-ip-ranges` (auth0-ip-ranges, narrowed to the
// tenant's region). The derived sources are validated with the rest, like presets; a source listed under `sources`
// with a derived id and the same type replaces the derived one, and with another type is an error.
import * as z from 'zod';
import { IP_RANGE_REGIONS, type IpRangeRegion } from '../sources/auth0-ip-ranges/config-schema.js';
import { secretRef } from './source-schema-kit.js';

/** The region part of a canonical tenant domain (`<tenant>.<region>.auth0.com`) → the allow-list's region key. */
const DOMAIN_REGIONS: Readonly<Record<string, IpRangeRegion>> = { us: 'US', eu: 'EU', au: 'AU', ca: 'CA', jp: 'JP', uk: 'UK' };

/** The longest derived suffix is `-ip-ranges`; a source id has at most 63 characters. */
const MAX_TENANT_NAME = 63 - '-ip-ranges'.length;

const TENANT_URL_MESSAGE =
  'must be the tenant\'s canonical domain, "https://<tenant>.auth0.com" or "https://<tenant>.<region>.auth0.com" ' +
  `with region ${Object.keys(DOMAIN_REGIONS).join(', ')} (no path)`;

/** The tenant's name and allow-list region from its canonical domain, or why the URL is not one. */
export function tenantDomainOf(url: string): { readonly name: string; readonly region: IpRangeRegion; readonly origin: string } | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return TENANT_URL_MESSAGE;
  }
  if (parsed.protocol !== 'https:' || parsed.port || parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username) {
    return TENANT_URL_MESSAGE;
  }
  const labels = parsed.hostname.split('.');
  const [name = '', ...rest] = labels;
  const region = rest.length === 2 ? 'US' : rest.length === 3 ? DOMAIN_REGIONS[rest[0] ?? ''] : undefined;
  if (rest.slice(-2).join('.') !== 'auth0.com' || region === undefined) return TENANT_URL_MESSAGE;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return TENANT_URL_MESSAGE;
  if (name.length > MAX_TENANT_NAME) {
    return `names a tenant longer than ${MAX_TENANT_NAME} characters, too long for the derived source ids; list its sources under "sources" instead`;
  }
  return { name, region, origin: parsed.origin };
}

const clientId = (whose: string) => z.string().regex(/^[\w-]{1,128}$/, `must be the ${whose} application's client id`);

export const tenantBlockSchema = z.strictObject({
  /** The tenant's canonical domain: its name and region name the derived sources. */
  url: z.string().superRefine((url, ctx) => {
    const domain = tenantDomainOf(url);
    if (typeof domain === 'string') ctx.addIssue({ code: 'custom', message: domain });
  }),
  /** The machine-to-machine application of the logs and the checks: `read:logs`, `read:email_provider`, `read:log_streams`. */
  clientId: clientId('machine-to-machine'),
  clientSecret: secretRef,
  /** The synthetic login's own application (only the Password grant) and test user (no privileges, no MFA). */
  probe: z
    .strictObject({
      clientId: clientId('probe'),
      clientSecret: secretRef,
      username: z.string().min(1).max(320),
      password: secretRef,
      realm: z.string().regex(/^[\w.-]{1,128}$/, 'must be a connection name such as "Username-Password-Authentication"'),
    })
    .optional(),
});
export type TenantBlock = z.infer<typeof tenantBlockSchema>;

/** The source configs (input, validated with the rest) a valid tenant block stands for, in this order. */
export function tenantSources(block: TenantBlock): Record<string, unknown>[] {
  const domain = tenantDomainOf(block.url);
  if (typeof domain === 'string') throw new Error(`tenant block not validated: ${domain}`);
  const { name, region, origin } = domain;
  const management = { url: origin, clientId: block.clientId, clientSecret: block.clientSecret };
  return [
    { id: `${name}-logs`, type: 'auth0-tenant-logs', name: `${name} tenant logs`, ...management },
    { id: `${name}-checks`, type: 'auth0-tenant-checks', name: `${name} tenant checks`, ...management },
    ...(block.probe ? [{ id: `${name}-login`, type: 'auth0-synthetic-login', name: `${name} synthetic login`, url: origin, ...block.probe }] : []),
    { id: `${name}-ip-ranges`, type: 'auth0-ip-ranges', name: `Auth0 IP allow-list (${region})`, regions: [region] },
  ];
}

/** A problem of the expansion itself, in the shape of a schema issue. */
export interface TenantIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface TenantExpansion {
  /** The config input with the derived sources appended to `sources`. */
  readonly input: unknown;
  /** Sources listed under `sources` with a derived id but another type. */
  readonly issues: readonly TenantIssue[];
  /** How an issue's path inside a derived source reads: `tenant (source "acme-logs").url`; undefined for other paths. */
  pathName(path: readonly PropertyKey[]): string | undefined;
}

/**
 * Appends the sources of a valid `tenant` block to `sources`, leaving out those listed there by id with the same type
 * (the listed one replaces the derived one). An invalid block adds nothing: the schema reports its fields.
 */
export function expandTenantBlock(input: unknown): TenantExpansion {
  const unchanged: TenantExpansion = { input, issues: [], pathName: () => undefined };
  if (!input || typeof input !== 'object' || !('tenant' in input)) return unchanged;
  const block = tenantBlockSchema.safeParse(input.tenant);
  // An invalid block, or `sources` that is not a list, adds nothing: the schema reports them as they were written.
  if (!block.success || ('sources' in input && input.sources !== undefined && !Array.isArray(input.sources))) return unchanged;
  const listed: unknown[] = 'sources' in input && Array.isArray(input.sources) ? input.sources : [];
  const listedAt = new Map<string, { readonly index: number; readonly type: unknown }>();
  listed.forEach((source, index) => {
    if (source && typeof source === 'object' && 'id' in source && typeof source.id === 'string') {
      listedAt.set(source.id, { index, type: 'type' in source ? source.type : undefined });
    }
  });
  const issues: TenantIssue[] = [];
  const derived = tenantSources(block.data).filter((source) => {
    const same = listedAt.get(source['id'] as string);
    if (same === undefined) return true;
    if (same.type !== source['type']) {
      issues.push({
        path: ['sources', same.index, 'type'],
        message:
          `the tenant block derives a source "${String(source['id'])}" of type ${String(source['type'])}; ` +
          'a source listed with that id replaces it only with the same type (or use another id)',
      });
    }
    return false;
  });
  const ids = derived.map((source) => source['id'] as string);
  return {
    input: { ...input, sources: [...listed, ...derived] },
    issues,
    pathName(path) {
      const [head, index, ...rest] = path;
      if (head !== 'sources' || typeof index !== 'number' || index < listed.length || index >= listed.length + ids.length) return undefined;
      return [`tenant (source "${ids[index - listed.length]}")`, ...rest.map(String)].join('.');
    },
  };
}
