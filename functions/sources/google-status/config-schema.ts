// The config of a 'google-status' source: Google Cloud's or Google Workspace's incidents.json.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

export function googleStatusConfigSchema({ z, sourceBase, sourceUrl, vendorName, componentNames, trackResolvedDays }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('google-status'),
    url: sourceUrl,
    vendor: vendorName,
    /** Only incidents affecting these products ("Identity Platform", "Gmail"). */
    products: componentNames.optional(),
    trackResolvedDays,
  });
}

export type GoogleStatusSourceConfig = z.infer<ReturnType<typeof googleStatusConfigSchema>>;
