// What a list of channel plug-ins answers for the rest of the system: which outputs are channel routes, their ids, and
// the plug-in of each. The watcher's own list is channels/registry.ts; tests build others.
import { routeIdOf, type ChannelConfigBase, type ChannelPlugin, type Routed } from './channel.js';

/** A plug-in whatever the config it reads; method parameters are compared bivariantly, so every plug-in is one. */
export type AnyChannelPlugin = ChannelPlugin<ChannelConfigBase>;

/** One configured route of a channel, as the stack, the notifier and the CLI hold it. */
export interface ChannelRouteEntry {
  readonly plugin: AnyChannelPlugin;
  /** The output with its id filled in (`routeIdOf`). */
  readonly route: Routed<ChannelConfigBase>;
  /** Its place among the config's outputs (for error messages: `outputs[2]`). */
  readonly index: number;
}

/** The channel plug-ins a watcher knows, looked up by a configured output's `type`. */
export interface ChannelRegistry {
  /** Every plug-in, in registry order. */
  readonly plugins: readonly AnyChannelPlugin[];
  /** The plug-in of an output; undefined for an output that is no channel (console, jsonl, sns: local mode only). */
  pluginFor(output: { readonly type: string }): AnyChannelPlugin | undefined;
  /** The channel routes among `outputs`, in config order, each with its id filled in. */
  routesOf(outputs: readonly { readonly type: string }[]): ChannelRouteEntry[];
}

/** Builds a registry over `plugins`; two plug-ins of one type, or one key prefix, are a programming error. */
export function makeChannelRegistry(plugins: readonly AnyChannelPlugin[]): ChannelRegistry {
  const byType = new Map<string, AnyChannelPlugin>();
  const prefixes = new Set<string>();
  for (const plugin of plugins) {
    if (byType.has(plugin.type)) throw new Error(`two channel plug-ins declare the type "${plugin.type}"`);
    // Two channels under one prefix would read each other's delivery records.
    if (prefixes.has(plugin.keyPrefix)) throw new Error(`two channel plug-ins declare the key prefix "${plugin.keyPrefix}"`);
    byType.set(plugin.type, plugin);
    prefixes.add(plugin.keyPrefix);
  }
  const pluginFor = (output: { readonly type: string }) => byType.get(output.type);
  return {
    plugins,
    pluginFor,
    routesOf: (outputs) =>
      outputs.flatMap((output, index) => {
        const plugin = pluginFor(output);
        if (!plugin) return [];
        const route = output as ChannelConfigBase;
        return [{ plugin, route: { ...route, id: routeIdOf(route, index) }, index }];
      }),
  };
}
