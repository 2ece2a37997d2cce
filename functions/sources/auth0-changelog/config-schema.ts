// The config of an 'auth0-changelog' source: the auth0.com change log feed.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

export function auth0ChangelogConfigSchema({ z, sourceBase, sourceUrl }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('auth0-changelog'),
    url: sourceUrl,
  });
}

export type Auth0ChangelogSourceConfig = z.infer<ReturnType<typeof auth0ChangelogConfigSchema>>;
