// The Slack delivery composed from a destination already made and a store given: the delivery boundary
// (deliver-to-channel.ts) over the bot's threads or the webhook. The plug-in (plugin.ts) connects routes with it, and
// tests compose it with stores that crash or clocks they move.
import type { Clock, Logger, Publisher, SecretResolver } from '../../core/ports.js';
import type { RouteRules } from '../../core/routing.js';
import type { ChannelConnection } from '../channel.js';
import { makeChannelPublisher } from '../channel-output.js';
import { DEFAULT_CHANNEL_DELIVERY_SETTINGS, makeChannelDelivery, type ChannelDelivery, type ChannelDeliverySettings } from '../deliver-to-channel.js';
import type { SlackOutputConfig } from './config-schema.js';
import type { SlackStateStore } from './dynamo-slack-thread-store.js';
import {
  DEFAULT_SLACK_THREAD_SETTINGS,
  makeSlackBotConnection,
  type RootRefreshOutcome,
  type SlackBotConnection,
  type SlackBotDependencies,
  type SlackThreadSettings,
} from './slack-bot.js';
import { makeSlackDestination, type SlackAdapterOptions, type SlackDestination } from './slack-destination.js';
import { makeSlackWebhookConnection } from './slack-webhook.js';

/** The boundary's settings and Slack's thread settings. */
export type SlackDeliverySettings = ChannelDeliverySettings & SlackThreadSettings;

export const DEFAULT_SLACK_DELIVERY_SETTINGS: SlackDeliverySettings = { ...DEFAULT_CHANNEL_DELIVERY_SETTINGS, ...DEFAULT_SLACK_THREAD_SETTINGS };

/** `deliver(event)`, and the refresh of roots that failed to update (nothing to do in webhook mode). */
export type SlackDelivery = ChannelDelivery & { refreshStaleRoots(): Promise<RootRefreshOutcome> };

export interface SlackDeliveryDependencies {
  readonly destination: SlackDestination;
  readonly rules: RouteRules;
  /** The channel's delivery records and threads (both keyed by the channel key). */
  readonly store: SlackStateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<SlackDeliverySettings>;
  /** Waits between looks for a root another attempt is posting (tests shorten it). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A Slack destination connected: the bot's threads (which can refresh roots that failed to update), or the webhook. */
export type SlackConnection = ChannelConnection & { readonly refreshStaleRoots?: SlackBotConnection['refreshStaleRoots'] };

/** Connects a destination for the boundary: a bot keeps its threads in `threads` and reads claims in `deliveries`. */
export function connectSlackDestination(
  destination: SlackDestination,
  deps: Omit<SlackBotDependencies, 'channel' | 'api' | 'settings'> & { readonly settings?: Partial<SlackThreadSettings> },
): SlackConnection {
  if (destination.mode === 'webhook') return makeSlackWebhookConnection(destination.routeId, destination.webhook);
  return makeSlackBotConnection({ ...deps, channel: destination.channel, api: destination.api });
}

/** Builds `deliver(event)`. Throws `SlackError` when Slack refuses or cannot be reached after retries. */
export function makeSlackDelivery(deps: SlackDeliveryDependencies): SlackDelivery {
  const { store, clock, logger, settings } = deps;
  // The store holds the channel's delivery records and its threads at once: the boundary claims in it, the bot threads.
  const connection = connectSlackDestination(deps.destination, { threads: store, deliveries: store, clock, logger, settings, sleep: deps.sleep });
  const deliver = makeChannelDelivery({ connection, rules: deps.rules, store, clock, logger, settings });
  const refreshStaleRoots = async (): Promise<RootRefreshOutcome> => connection.refreshStaleRoots?.() ?? { refreshed: 0, forgotten: 0, left: 0 };
  return Object.assign(deliver, { refreshStaleRoots });
}

export interface SlackPublisherDependencies {
  readonly store: SlackStateStore;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly adapterOptions?: SlackAdapterOptions;
}

/** A Publisher that delivers to one Slack route with the store given (local mode's outputs connect through the plug-in). */
export function makeSlackPublisher(route: SlackOutputConfig, routeId: string, deps: SlackPublisherDependencies): Publisher {
  return makeChannelPublisher(`slack route ${routeId}`, async () =>
    makeSlackDelivery({
      destination: await makeSlackDestination(route, routeId, deps.secrets, deps.adapterOptions),
      rules: route.rules,
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
    }),
  );
}

/**
 * Brings the route's root messages that failed to update (Slack 5xx, a long rate limit) up to date: for the end of a
 * local run, so that a root is refreshed even when the run delivered nothing. Bot routes only; does nothing (and
 * resolves no secret) when no root is stale. Never throws: a failure is logged and the next run tries again.
 */
export async function refreshSlackRoots(
  route: SlackOutputConfig,
  routeId: string,
  deps: SlackPublisherDependencies,
): Promise<RootRefreshOutcome | undefined> {
  if (!route.botToken || !route.channel) return undefined;
  try {
    if ((await deps.store.staleRoots(route.channel)).length === 0) return { refreshed: 0, forgotten: 0, left: 0 };
    const destination = await makeSlackDestination(route, routeId, deps.secrets, deps.adapterOptions);
    const delivery = makeSlackDelivery({ destination, rules: route.rules, store: deps.store, clock: deps.clock, logger: deps.logger });
    return await delivery.refreshStaleRoots();
  } catch (error) {
    deps.logger.warn('could not refresh stale Slack root messages', {
      route: routeId,
      reason: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}
