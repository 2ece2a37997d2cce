// The one list of channel plug-ins. The config schema's union of outputs (config/config.ts), the CLI's outputs
// (cli/local-outputs.ts), the sorting of delivery failures (delivery/classify-delivery-failure.ts), the post-deploy
// check and the stack's notifiers (lib/channel-notifier.ts) are all derived from it: a new channel is its own folder
// under channels/ and one line here.
import type { ChannelConfigOf } from './channel.js';
import { makeChannelRegistry } from './channel-registry.js';
import { opsgenieChannel } from './opsgenie/plugin.js';
import { pagerDutyChannel } from './pagerduty/plugin.js';
import { slackChannel } from './slack/plugin.js';
import { teamsChannel } from './teams/plugin.js';
import { webhookChannel } from './webhook/plugin.js';

/** The watcher's channel plug-ins, in the order config errors list their types. */
export const CHANNEL_PLUGINS = [slackChannel, teamsChannel, webhookChannel, pagerDutyChannel, opsgenieChannel] as const;

/** A configured route of any built-in channel. */
export type ChannelOutputConfig = ChannelConfigOf<(typeof CHANNEL_PLUGINS)[number]>;
export type ChannelType = ChannelOutputConfig['type'];

export const CHANNEL_REGISTRY = makeChannelRegistry(CHANNEL_PLUGINS);
