// Local mode: a channel route as one of the CLI's outputs, with the same rules and delivery guarantees as on AWS; the
// route's local queue (functions/delivery/) keeps what it could not deliver for the next run.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDeliveryStore } from '../adapters/dynamo-delivery-store.js';
import { makeDynamoSnoozeStore } from '../adapters/dynamo-snooze-store.js';
import { holdUntil } from '../core/quiet-hours.js';
import { routeMatches } from '../core/routing.js';
import type { SnoozeReader } from '../delivery/snooze-store.js';
import { PublishError } from '../core/errors.js';
import type { Clock, Logger, Publisher, SecretResolver } from '../core/ports.js';
import type { Output } from '../delivery/output-queue.js';
import type { AnyChannelPlugin } from './channel-registry.js';
import type { ChannelConfigBase, ChannelContext, ChannelHttpOptions, Routed } from './channel.js';
import { makeChannelDelivery, type ChannelDelivery } from './deliver-to-channel.js';
import type { DeliveryStore } from './delivery-store.js';

/** What the CLI gives every channel route. */
export interface LocalChannelDependencies {
  /** The embedded store's table: delivery records, and a channel's own state. */
  readonly table: { readonly client: DynamoDBClient; readonly tableName: string };
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly http?: ChannelHttpOptions;
  /** IANA zone of the times an output writes as text (the SNS output's email copy): the config's `timeZone`. @default UTC */
  readonly timeZone?: string;
  /** The delivery records of a channel, by its key prefix. @default in `table` (adapters/dynamo-delivery-store.ts) */
  readonly deliveryStore?: (keyPrefix: string) => DeliveryStore;
  /** The snoozes the routes honour. @default in `table` (adapters/dynamo-snooze-store.ts) */
  readonly snoozes?: SnoozeReader;
}

/** The context a route of `plugin` is connected with. */
export function localChannelContext(plugin: AnyChannelPlugin, deps: LocalChannelDependencies): ChannelContext {
  const deliveries = deps.deliveryStore?.(plugin.keyPrefix) ?? makeDynamoDeliveryStore({ ...deps.table, keyPrefix: plugin.keyPrefix });
  return { deliveries, table: deps.table, secrets: deps.secrets, clock: deps.clock, logger: deps.logger, http: deps.http };
}

/**
 * A Publisher over a route's delivery, connected on its first event (its secret is resolved then) and again after a
 * failure. What it throws is a `PublishError` naming the route (`slack route incidents: …`), caused by the channel's.
 */
export function makeChannelPublisher(routeName: string, connect: () => Promise<ChannelDelivery>): Publisher {
  let deliver: Promise<ChannelDelivery> | undefined;
  return {
    async publish(event) {
      deliver ??= connect();
      try {
        await (await deliver)(event);
      } catch (error) {
        deliver = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        throw new PublishError(event.id, `${routeName}: ${reason}`, { cause: error });
      }
    },
  };
}

/** The output of one route: id `<type>:<route id>`; a repeated delivery is a no-op (its delivery record says so). */
export function makeChannelOutput(plugin: AnyChannelPlugin, route: Routed<ChannelConfigBase>, deps: LocalChannelDependencies): Output {
  const context = localChannelContext(plugin, deps);
  const publisher = makeChannelPublisher(`${plugin.type} route ${route.id}`, async () =>
    makeChannelDelivery({
      connection: await plugin.connect(route, context),
      rules: route.rules,
      store: context.deliveries,
      clock: deps.clock,
      logger: deps.logger,
      snoozes: { routeId: route.id, reader: deps.snoozes ?? makeDynamoSnoozeStore(deps.table) },
    }),
  );
  const { quietHours } = route.rules;
  return {
    id: `${plugin.type}:${route.id}`,
    deliver: (event) => publisher.publish(event),
    classifyFailure: (error) => plugin.classifyFailure(error),
    // Quiet hours hold what the route takes; what it does not take is left out at once (delivered as `filtered`).
    ...(quietHours && { holdUntil: (event, now) => (routeMatches(route.rules, event) ? holdUntil(quietHours, event, now) : undefined) }),
  };
}
