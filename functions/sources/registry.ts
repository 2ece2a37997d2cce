// The one list of source plug-ins. The config schema's union (config/config.ts), the Lambda-side type check
// (config/lambda-config.ts), default cadences, the poll's per-type decisions and the stack's secret grants are all
// derived from it: a new source type is its own folder under sources/ and one line here.
import { auth0TenantLogsSource } from './auth0-tenant-logs/plugin.js';
import { FEED_SOURCE_PLUGINS } from './feed-registry.js';
import { PROBE_SOURCE_PLUGINS } from './probe-registry.js';
/** The probe plug-in of a configured source, for the probe use case (sources/probe-registry.ts). */
export { probeModuleFor } from './probe-registry.js';
import type { ConfigOf } from './source.js';
import { makeSourceRegistry } from './source-registry.js';

/** The watcher's source plug-ins, in the order config errors list their types. */
export const SOURCE_PLUGINS = [
  ...FEED_SOURCE_PLUGINS,
  auth0TenantLogsSource,
  ...PROBE_SOURCE_PLUGINS,
] as const;

/** A configured source of any built-in type. */
export type SourceConfig = ConfigOf<(typeof SOURCE_PLUGINS)[number]>;
export type SourceType = SourceConfig['type'];

export const SOURCE_REGISTRY = makeSourceRegistry(SOURCE_PLUGINS);

/**
 * Types the watcher once read and no longer does, with what to use instead; a config naming one fails with this.
 * Keeping the type listed here (rather than forgetting it) turns "invalid discriminator" into advice.
 */
export const RETIRED_SOURCE_TYPES: Readonly<Record<string, string>> = {
  'auth0-bulletins':
    'the Auth0 Security Bulletins page was removed on 2026-07-08; use "github-advisories" for advisories about Auth0\'s SDKs',
};

/** Every source type and its module. */
export const SOURCE_MODULES = Object.fromEntries(SOURCE_PLUGINS.map((module) => [module.type, module])) as {
  readonly [T in SourceType]: Extract<(typeof SOURCE_PLUGINS)[number], { readonly type: T }>;
};

/** Poll cadence per source type when a source sets no `everyMinutes`. */
export const DEFAULT_EVERY_MINUTES = Object.fromEntries(
  SOURCE_PLUGINS.map((module) => [module.type, module.defaultEveryMinutes]),
) as Readonly<Record<SourceType, number>>;

/** The module for a configured source, typed to that source's config. */
export function sourceModuleFor<C extends SourceConfig>(config: C) {
  return SOURCE_REGISTRY.moduleFor(config);
}

/**
 * Where a configured source's items are tracked: its module's item scope (shared with the other sources of that scope),
 * else the source's own id.
 */
export function itemScopeOf(config: SourceConfig): string {
  return SOURCE_REGISTRY.itemScopeOf(config);
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
