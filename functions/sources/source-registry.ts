// What a list of source plug-ins answers for the rest of the system: the module of a configured source, where its items
// are tracked, its cadence and its secrets. The watcher's own list is sources/registry.ts; tests build others.
import { ConfigError } from '../config/config-base.js';
import type { ConfigOf, SourceConfigBase, SourceModule, SourceSecretRef } from './source.js';

/** The source plug-ins a watcher knows, looked up by a configured source's `type`. */
export interface SourceRegistry<C extends SourceConfigBase = SourceConfigBase> {
  /** Every plug-in, in registry order. */
  readonly modules: readonly SourceModule<C>[];
  /** Every source type, in registry order. */
  readonly types: readonly C['type'][];
  /** Whether `type` names a plug-in of this registry. */
  has(type: string): boolean;
  /** The plug-in of a configured source, typed to that source's config; a type it does not know is a `ConfigError`. */
  moduleFor<S extends C>(config: S): SourceModule<S>;
  /**
   * Where a configured source's items are tracked: its module's item scope (shared with the other sources of that
   * scope), else the source's own id.
   */
  itemScopeOf(config: C): string;
  /** Who a configured source's items are about: the vendor its config names, else its plug-in's. */
  vendorOf(config: C): string;
  /** How often a configured source is polled on AWS: its `everyMinutes`, else its type's default cadence. */
  everyMinutesOf(config: C): number;
  /** The secret references a configured source holds, with the field each sits in. */
  secretRefsOf(config: C): readonly SourceSecretRef[];
}

/** A plug-in whatever the config it reads; method parameters are compared bivariantly, so every plug-in is one. */
export type AnySourceModule = SourceModule<SourceConfigBase>;

/** Builds a registry over `modules`; two plug-ins of one type are a programming error. */
export function makeSourceRegistry<const M extends readonly AnySourceModule[]>(modules: M): SourceRegistry<ConfigOf<M[number]>> {
  type C = ConfigOf<M[number]>;
  const byType = new Map<string, AnySourceModule>();
  for (const module of modules) {
    if (byType.has(module.type)) throw new Error(`two source plug-ins declare the type "${module.type}"`);
    byType.set(module.type, module);
  }
  const moduleFor = <S extends C>(config: S): SourceModule<S> => {
    const module = byType.get(config.type);
    if (!module) throw new ConfigError(`source "${config.id}": no source plug-in reads the type ${JSON.stringify(config.type)}`);
    // The map is keyed by each module's own `type`, so the module found reads exactly this config's type.
    return module as unknown as SourceModule<S>;
  };
  return {
    modules: modules as unknown as readonly SourceModule<C>[],
    types: modules.map((module) => module.type as C['type']),
    has: (type) => byType.has(type),
    moduleFor,
    itemScopeOf: (config) => moduleFor(config).itemScope?.(config) ?? config.id,
    vendorOf: (config) => {
      const module = moduleFor(config);
      return module.vendorOf?.(config) ?? module.vendor;
    },
    everyMinutesOf: (config) => config.everyMinutes ?? moduleFor(config).defaultEveryMinutes,
    secretRefsOf: (config) => moduleFor(config).secretRefsOf?.(config) ?? [],
  };
}
