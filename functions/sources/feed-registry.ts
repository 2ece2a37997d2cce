// The feed plug-ins alone: the poll function reads only feeds, and its bundle carries only their readers (streams and
// probes run in their own functions). sources/registry.ts lists these first, then the others.
import { auth0ChangelogSource } from './auth0-changelog/plugin.js';
import { auth0StatusSource } from './auth0-status/plugin.js';
import { genericFeedSource } from './feed/plugin.js';
import { githubAdvisoriesSource } from './github-advisories/plugin.js';
import { googleStatusSource } from './google-status/plugin.js';
import type { ConfigOf } from './source.js';
import { makeSourceRegistry } from './source-registry.js';
import { statuspageSource } from './statuspage/plugin.js';

/** The feed plug-ins, in the order config errors list their types. */
export const FEED_SOURCE_PLUGINS = [
  auth0StatusSource,
  auth0ChangelogSource,
  githubAdvisoriesSource,
  statuspageSource,
  googleStatusSource,
  genericFeedSource,
] as const;

/** A configured feed source. */
export type FeedSourceConfig = ConfigOf<(typeof FEED_SOURCE_PLUGINS)[number]>;

export const FEED_SOURCE_REGISTRY = makeSourceRegistry(FEED_SOURCE_PLUGINS);
