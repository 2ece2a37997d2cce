// The config of an 'auth0-status' source: one region's feed of status.auth0.com (or of a private cloud's status page).
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

export function auth0StatusConfigSchema({ z, sourceBase, sourceUrl, regionLabel, trackResolvedDays }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('auth0-status'),
    url: sourceUrl,
    region: regionLabel,
    trackResolvedDays,
  });
}

export type Auth0StatusSourceConfig = z.infer<ReturnType<typeof auth0StatusConfigSchema>>;
