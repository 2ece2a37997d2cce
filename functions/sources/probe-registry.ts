// The probe plug-ins alone: the probe function runs only probes, and its bundle carries only their code (feeds run in
// the poll function, streams in the tenant-log function). sources/registry.ts lists these after the feeds and streams.
import { auth0DeprecationsSource } from './auth0-deprecations/plugin.js';
import { auth0IpRangesSource } from './auth0-ip-ranges/plugin.js';
import { auth0SyntheticLoginSource } from './auth0-synthetic-login/plugin.js';
import { auth0TenantChecksSource } from './auth0-tenant-checks/plugin.js';
import type { ProbeSourceModule, SourceConfigBase } from './source.js';
import { makeSourceRegistry } from './source-registry.js';

/** The probe plug-ins, in the order config errors list their types. */
export const PROBE_SOURCE_PLUGINS = [auth0SyntheticLoginSource, auth0IpRangesSource, auth0DeprecationsSource, auth0TenantChecksSource] as const;

export const PROBE_SOURCE_REGISTRY = makeSourceRegistry(PROBE_SOURCE_PLUGINS);

/**
 * The probe plug-in of a configured source (the probe use case's `moduleFor`); throws naming the source when no probe
 * plug-in reads its type.
 */
export function probeModuleFor(config: SourceConfigBase): ProbeSourceModule<SourceConfigBase> {
  if (!PROBE_SOURCE_REGISTRY.has(config.type)) throw new Error(`source "${config.id}" (${config.type}) is not a probe source`);
  return PROBE_SOURCE_REGISTRY.moduleFor(config as never) as unknown as ProbeSourceModule<SourceConfigBase>;
}
