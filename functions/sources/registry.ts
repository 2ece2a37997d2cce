// The one list of source plug-ins. The config schema's union (config/config.ts), the Lambda-side type check
// (config/lambda-config.ts), default cadences, the poll's per-type decisions and the stack's secret grants are all
// derived from it: a new source type is its own folder under sources/ and one line here.
import { auth0DeprecationsSource } from './auth0-deprecations/plugin.js';
import { auth0IpRangesSource } from './auth0-ip-ranges/plugin.js';
import { auth0SyntheticLoginSource } from './auth0-synthetic-login/plugin.js';
import { auth0TenantChecksSource } from './auth0-tenant-checks/plugin.js';
import { auth0TenantLogsSource } from './auth0-tenant-logs/plugin.js';
import { FEED_SOURCE_PLUGINS } from './feed-registry.js';
import type { ConfigOf, ProbeSourceModule, SourceConfigBase } from './source.js';
import { makeSourceRegistry } from './source-registry.js';

/** The watcher's source plug-ins, in the order config errors list their types. */
export const SOURCE_PLUGINS = [
  ...FEED_SOURCE_PLUGINS,
  auth0TenantLogsSource,
  auth0SyntheticLoginSource,
  auth0IpRangesSource,
  auth0DeprecationsSource,
  auth0TenantChecksSource,
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
 * The probe plug-in of a configured source (the probe use case's `moduleFor`); throws naming the source when its type
 * is of another kind.
 */
export function probeModuleFor(config: SourceConfigBase): ProbeSourceModule<SourceConfigBase> {
  const module = SOURCE_REGISTRY.moduleFor(config as SourceConfig);
  if (module.kind !== 'probe') throw new Error(`source "${config.id}" (${config.type}) is a ${module.kind} source, not a probe`);
  return module as unknown as ProbeSourceModule<SourceConfigBase>;
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
