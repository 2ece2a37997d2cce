// The config of a 'feed' source: any RSS 2.0 or Atom feed of incidents, with the rule for what marks an item
// resolved when the feed carries no status.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

export function feedConfigSchema({ z, sourceBase, sourceUrl, vendorName, trackResolvedDays }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('feed'),
    url: sourceUrl,
    vendor: vendorName,
    /** A regular expression (case-insensitive) on an item's title and text that marks it resolved. */
    resolvedPattern: z
      .string()
      .refine(isRegExp, 'must be a valid regular expression')
      .default('\\b(resolved|fixed|completed|restored|recovered|mitigated)\\b'),
    /** Feeds that list only open events are empty when all is well: an empty feed is then not a failure. */
    emptyWhenHealthy: z.boolean().default(false),
    /**
     * A regular expression (case-insensitive) on an item's guid / id (else its link) that joins the posts of one
     * incident: posts whose match gives the same key (the named group `incident`, else the whole match) are one
     * incident; the named group `region`, when it matches, is the incident's region. Items it does not match stay
     * one incident each.
     */
    groupPattern: z.string().refine(isRegExp, 'must be a valid regular expression').optional(),
    /** With `groupPattern`: a post more than this many hours after the previous post of its key starts a new incident. */
    groupGapHours: z.number().positive().max(24 * 366).optional(),
    trackResolvedDays,
  });
}

export type FeedSourceConfig = z.infer<ReturnType<typeof feedConfigSchema>>;
