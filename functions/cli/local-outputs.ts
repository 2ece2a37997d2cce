// The CLI's outputs: each configured output as a delivery Output, under a stable id that keys its queue and health.
// Channel routes (Slack, …) come from the channel registry; console, jsonl and sns are local mode's own.
import { makeConsoleOutput } from '../adapters/console-output.js';
import { makeJsonlOutput } from '../adapters/jsonl-output.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import { routeIdOf, type ChannelConfigBase } from '../channels/channel.js';
import { makeChannelOutput, localChannelContext, type LocalChannelDependencies } from '../channels/channel-output.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import { CHANNEL_REGISTRY } from '../channels/registry.js';
import type { OutputConfig } from '../config/config.js';
import type { Output } from '../delivery/output-queue.js';

/** An output of the config, or a route of a channel the registry given knows (a test's). */
type AnyOutputConfig = OutputConfig | ChannelConfigBase;

/**
 * The output's id: `console`, `jsonl:<absolute path>`, `sns:<topic ARN>`, `<channel type>:<route id>` (`slack:incidents`).
 * It depends on what the output is, not on its place in the config, so reordering outputs keeps their queues (a route
 * without an `id` is `<type>-<index>`, so give routes ids). It never holds a secret: webhook URLs and tokens are not
 * part of it.
 */
export function outputIdOf(output: AnyOutputConfig, index: number): string {
  return outputIdIn(CHANNEL_REGISTRY, output, index);
}

/** `outputIdOf` with the channels of `registry`. */
function outputIdIn(registry: ChannelRegistry, output: AnyOutputConfig, index: number): string {
  if (registry.pluginFor(output)) return `${output.type}:${routeIdOf(output as ChannelConfigBase, index)}`;
  const local = output as Exclude<OutputConfig, ChannelConfigBase>;
  switch (local.type) {
    case 'console':
      return 'console';
    case 'jsonl':
      return `jsonl:${local.path}`;
    case 'sns':
      return `sns:${local.topicArn}`;
  }
  throw new Error(`no output reads the type ${JSON.stringify(output.type)}`);
}

/** The config error of two outputs that are the same output (they would get every event twice), or undefined. */
export function duplicateOutputError(outputs: readonly AnyOutputConfig[], registry: ChannelRegistry = CHANNEL_REGISTRY): string | undefined {
  const ids = outputs.map((output, index) => outputIdIn(registry, output, index));
  for (const [index, id] of ids.entries()) {
    const first = ids.indexOf(id);
    if (first !== index) return `outputs[${index}]: the same output as outputs[${first}] (${id}); name each output once`;
  }
  return undefined;
}

/** Builds the outputs of the config, in its order. */
export function makeLocalOutputs(
  outputs: readonly AnyOutputConfig[],
  stdout: NodeJS.WritableStream,
  channels: LocalChannelDependencies,
  registry: ChannelRegistry = CHANNEL_REGISTRY,
): Output[] {
  const routes = new Map(registry.routesOf(outputs).map((entry) => [entry.index, entry]));
  return outputs.map((output, index): Output => {
    const channel = routes.get(index);
    if (channel) return makeChannelOutput(channel.plugin, channel.route, channels);
    const local = output as Exclude<OutputConfig, ChannelConfigBase>;
    const id = outputIdIn(registry, output, index);
    switch (local.type) {
      case 'console':
        return makeConsoleOutput(stdout);
      case 'jsonl':
        return makeJsonlOutput(local.path);
      case 'sns': {
        // SNS has no idempotent publish: a run dying between publishing and removing the entry publishes it again,
        // with the same id, as on AWS (subscribers deduplicate on it; the channel notifiers do).
        const publisher = makeSnsPublisher({
          client: makeSnsClient({ endpoint: local.endpoint, region: local.region }),
          topicArn: local.topicArn,
          timeZone: channels.timeZone,
        });
        return { id, deliver: (event) => publisher.publish(event) };
      }
    }
    throw new Error(`no output reads the type ${JSON.stringify(output.type)}`);
  });
}

/**
 * After a run's deliveries: each channel route's own upkeep (Slack refreshes thread roots that failed to update, so a
 * channel never keeps showing an incident open after it resolved). Never throws.
 */
export async function afterLocalRun(
  outputs: readonly AnyOutputConfig[],
  channels: LocalChannelDependencies,
  registry: ChannelRegistry = CHANNEL_REGISTRY,
): Promise<void> {
  for (const { plugin, route } of registry.routesOf(outputs)) {
    await plugin.afterLocalRun?.(route, localChannelContext(plugin, channels));
  }
}
