// The config of a 'statuspage' source: any Atlassian Statuspage page, by its base URL, read through the JSON API or,
// where the page does not serve the API, through its history feed.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

export function statuspageConfigSchema({ z, sourceBase, sourceUrl, vendorName, componentNames, trackResolvedDays }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('statuspage'),
    url: sourceUrl,
    /** Who the page is about ("GitHub"). Default: the page's own name, as its API answers or its feed title give it. */
    vendor: vendorName.optional(),
    /** `api`: /api/v2/incidents.json and scheduled-maintenances.json; `feed`: /history.atom. */
    mode: z.enum(['api', 'feed']).default('api'),
    /** Only incidents affecting these components (API mode). */
    components: componentNames.optional(),
    trackResolvedDays,
  });
}

export type StatuspageSourceConfig = z.infer<ReturnType<typeof statuspageConfigSchema>>;
