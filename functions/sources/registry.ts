// Which source module reads which configured source type; the poll use case looks modules up here.
import type { SourceConfig, SourceType } from '../config/config.js';
import { auth0BulletinsSource } from './auth0-bulletins.js';
import { auth0ChangelogSource } from './auth0-changelog.js';
import { auth0StatusSource } from './auth0-status.js';
import { genericFeedSource } from './generic-feed.js';
import { githubAdvisoriesSource } from './github-advisories.js';
import { googleStatusSource } from './google-status.js';
import { statuspageSource } from './statuspage.js';
import type { SourceModule } from './source.js';

type ModuleFor<T extends SourceType> = SourceModule<Extract<SourceConfig, { type: T }>>;

/** Every source type and its module; a new type in the config schema fails to compile until it is added here. */
export const SOURCE_MODULES: { readonly [T in SourceType]: ModuleFor<T> } = {
  'auth0-status': auth0StatusSource,
  'auth0-changelog': auth0ChangelogSource,
  'github-advisories': githubAdvisoriesSource,
  'auth0-bulletins': auth0BulletinsSource,
  statuspage: statuspageSource,
  'google-status': googleStatusSource,
  feed: genericFeedSource,
};

/** The module for a configured source, typed to that source's config. */
export function sourceModuleFor<C extends SourceConfig>(config: C): SourceModule<C> {
  // TypeScript cannot correlate `config.type` with the mapped entry's config type; the mapped type above guarantees it.
  return SOURCE_MODULES[config.type] as unknown as SourceModule<C>;
}

/**
 * Where a configured source's items are tracked: its module's item scope (shared with the other sources of that scope),
 * else the source's own id.
 */
export function itemScopeOf(config: SourceConfig): string {
  return sourceModuleFor(config).itemScope?.(config) ?? config.id;
}

/**
 * The sources with the scope each one's items are tracked under, for readers of the poller's items that must not load
 * the source modules themselves (the digest function's bundle): `itemScope` is set where it differs from the source id.
 */
export function withItemScopes<C extends SourceConfig>(sources: readonly C[]): (C & { readonly itemScope?: string })[] {
  return sources.map((source) => {
    const scope = itemScopeOf(source);
    return scope === source.id ? source : { ...source, itemScope: scope };
  });
}
