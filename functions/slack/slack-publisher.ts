// Local mode: a Slack route as one of the CLI's outputs, with the same rules and delivery guarantees as on AWS.
import type { SlackStateStore } from '../adapters/dynamo-slack-store.js';
import type { SlackOutputConfig } from '../config/config.js';
import { PublishError } from '../core/errors.js';
import type { Clock, Logger, Publisher, SecretResolver } from '../core/ports.js';
import { makeSlackDelivery, type RootRefreshOutcome } from './deliver-to-slack.js';
import { makeSlackDestination, type SlackAdapterOptions } from './slack-destination.js';

export interface SlackPublisherDependencies {
  readonly store: SlackStateStore;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly adapterOptions?: SlackAdapterOptions;
}

/**
 * A Publisher that delivers to one Slack route; in local mode the route's queue keeps what it could not deliver for the
 * next run (functions/delivery/deliver-outputs.ts).
 * After its first delivery of a run it also refreshes root messages that failed to update (see `refreshSlackRoots`).
 */
export function makeSlackPublisher(route: SlackOutputConfig, routeId: string, deps: SlackPublisherDependencies): Publisher {
  let deliver: Promise<ReturnType<typeof makeSlackDelivery>> | undefined;
  return {
    async publish(event) {
      deliver ??= makeSlackDestination(route, routeId, deps.secrets, deps.adapterOptions).then((destination) =>
        makeSlackDelivery({ destination, rules: route.rules, store: deps.store, clock: deps.clock, logger: deps.logger }),
      );
      try {
        await (await deliver)(event);
      } catch (error) {
        deliver = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        throw new PublishError(event.id, `slack route ${routeId}: ${reason}`, { cause: error });
      }
    },
  };
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
