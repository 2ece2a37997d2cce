// Local mode: a Slack route as one of the CLI's outputs, with the same rules and delivery guarantees as on AWS.
import type { SlackStateStore } from '../adapters/dynamo-slack-store.js';
import type { SlackOutputConfig } from '../config/config.js';
import { PublishError } from '../core/errors.js';
import type { Clock, Logger, Publisher, SecretResolver } from '../core/ports.js';
import { makeSlackDelivery } from './deliver-to-slack.js';
import { makeSlackDestination, type SlackAdapterOptions } from './slack-destination.js';

export interface SlackPublisherDependencies {
  readonly store: SlackStateStore;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly adapterOptions?: SlackAdapterOptions;
}

/** A Publisher that delivers to one Slack route; anything not delivered stays in the poller's outbox for the next run. */
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
