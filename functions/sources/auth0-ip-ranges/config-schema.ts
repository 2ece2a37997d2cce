// The config of an 'auth0-ip-ranges' source: the URL of Auth0's published outbound IP addresses (the CDN's
// ip-ranges.json by default) and, optionally, the regions to watch (all the document lists when unset).
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

/** Where Auth0 publishes its outbound IP addresses per region (docs: "Auth0 IP Addresses for Allow Lists"). */
export const DEFAULT_IP_RANGES_URL = 'https://cdn.auth0.com/ip-ranges.json';

/** The region keys of ip-ranges.json: the tenant localities (US, EU, AU, CA, JP, UK). */
export const IP_RANGE_REGIONS = ['US', 'EU', 'AU', 'CA', 'JP', 'UK'] as const;
export type IpRangeRegion = (typeof IP_RANGE_REGIONS)[number];

export function auth0IpRangesConfigSchema({ z, sourceBase, sourceUrl }: SourceSchemaKit) {
  const region = z
    .string()
    .transform((value) => value.trim().toUpperCase())
    .pipe(z.enum(IP_RANGE_REGIONS, { error: `must be one of ${IP_RANGE_REGIONS.join(', ')} (any case)` }));
  return z.strictObject({
    ...sourceBase,
    type: z.literal('auth0-ip-ranges'),
    url: sourceUrl.default(DEFAULT_IP_RANGES_URL),
    /** The regions whose addresses are watched, in any case ("eu" is "EU"); unset: every region the list has. */
    regions: z
      .array(region)
      .min(1, 'must name at least one region, or be left out to watch them all')
      .transform((regions) => [...new Set(regions)])
      .optional(),
  });
}

export type Auth0IpRangesSourceConfig = z.infer<ReturnType<typeof auth0IpRangesConfigSchema>>;
