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
