// The config of an 'auth0-deprecations' source: the address of Auth0's "Deprecations and Migrations" page (the page
// people read; the source fetches its Markdown form, `<url>.md`). Nothing else: the page is public.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';

/** The page as Auth0's documentation serves it. */
export const DEPRECATIONS_PAGE_URL = 'https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations';

export function auth0DeprecationsConfigSchema({ z, sourceBase, sourceUrl }: SourceSchemaKit) {
  return z.strictObject({
    ...sourceBase,
    type: z.literal('auth0-deprecations'),
    /** The page's address (its Markdown form, ending `.md`, is accepted too). */
    url: sourceUrl
      .refine(isPlainAddress, 'must be the page\'s address, without a query or fragment')
      .default(DEPRECATIONS_PAGE_URL),
  });
}

function isPlainAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return !url.search && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

export type Auth0DeprecationsSourceConfig = z.infer<ReturnType<typeof auth0DeprecationsConfigSchema>>;

/**
 * Whether a configured source is an `auth0-deprecations` source, for readers that must not load the source plug-ins
 * (the digest's bundle): a type check on the config alone.
 */
export function isDeprecationsSource<S extends { readonly type: string }>(source: S): source is S & Auth0DeprecationsSourceConfig {
  return source.type === 'auth0-deprecations';
}

/** The page people read (entries link into it): the configured address without a `.md` ending. */
export function pageUrlOf(config: Pick<Auth0DeprecationsSourceConfig, 'url'>): string {
  return config.url.replace(/\.md$/, '');
}

/**
 * What the source fetches: the page's Markdown form. Auth0's documentation (a Mintlify site) serves every page as
 * Markdown at its address plus `.md`, and answers `Accept: text/markdown` with it too; the HTML page carries the same
 * text inside scripts and styling.
 */
export function markdownUrlOf(config: Pick<Auth0DeprecationsSourceConfig, 'url'>): string {
  return `${pageUrlOf(config)}.md`;
}
