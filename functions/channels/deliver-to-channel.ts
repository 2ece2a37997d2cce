// The delivery boundary of every channel: claim → post → complete, so that an event reaches a destination once. A
// delivery record per event and destination is claimed before posting, renewed while the attempt works (a heartbeat),
// given back when the channel refuses, and completed after; an attempt that takes over from a dead one tells the
// channel, which looks for what that one posted. What posting means is the channel's (channel.ts).
import { randomUUID } from 'node:crypto';
import { ChannelError } from '../core/errors.js';
import type { WatcherEvent } from '../core/model.js';
import type { Clock, Logger } from '../core/ports.js';
import { routeMatches, type RouteRules } from '../core/routing.js';
import { snoozeMutes } from '../core/snooze.js';
import { threadKeyOf } from '../core/event-chain.js';
import type { SnoozeReader } from '../delivery/snooze-store.js';
import type { ChannelConnection, Posted, PostAttempt } from './channel.js';
import type { DeliveryClaim, DeliveryStore } from './delivery-store.js';

export interface ChannelDeliverySettings {
  /**
   * An attempt whose claim shows no sign of life (its claim or a heartbeat) for this long has died: another may take
   * over its event after the channel has looked for what it posted. A post takes seconds; this must stay several
   * heartbeats long, and at most the poller's lease (2 minutes) so that a crash delays no more than that.
   */
  readonly claimGraceMs: number;
  /** How often an attempt renews its claim while it delivers (a heartbeat). */
  readonly heartbeatMs: number;
  /** A claim older than this may be taken over however alive its holder looks (and a claim without heartbeats, only then). */
  readonly claimStaleMs: number;
  /** How long delivery records are kept (a redrive from the dead-letter queue must still find them). */
  readonly deliveryRetentionDays: number;
}

export const DEFAULT_CHANNEL_DELIVERY_SETTINGS: ChannelDeliverySettings = {
  claimGraceMs: 40_000,
  heartbeatMs: 10_000,
  claimStaleMs: 5 * 60_000,
  deliveryRetentionDays: 30,
};

export type DeliveryOutcome =
  /** Posted now. */
  | 'posted'
  /** An earlier, interrupted attempt had posted it; recorded now, not posted again. */
  | 'recovered'
  /** Delivered before: a repeated SNS delivery or a redrive. */
  | 'duplicate'
  /** The route's rules do not take this event. */
  | 'filtered'
  /** A snooze of its incident muted it for this route: recorded as delivered, not posted. */
  | 'snoozed';

/** Delivers one event to the route; throws the channel's error when it refuses or cannot be reached. */
export type ChannelDelivery = (event: WatcherEvent) => Promise<DeliveryOutcome>;

export interface ChannelDeliveryDependencies {
  readonly connection: ChannelConnection;
  readonly rules: RouteRules;
  /** The channel's delivery records, keyed by `connection.destination`. */
  readonly store: DeliveryStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<ChannelDeliverySettings>;
  /** The snoozes to honour, and the route they are read for (`npm start -- snooze`). Unset: none. */
  readonly snoozes?: { readonly routeId: string; readonly reader: SnoozeReader };
}

const DAY_S = 86_400;

/** Builds `deliver(event)` for one route. */
export function makeChannelDelivery(deps: ChannelDeliveryDependencies): ChannelDelivery {
  const settings = { ...DEFAULT_CHANNEL_DELIVERY_SETTINGS, ...deps.settings };
  const { connection, store, clock, logger } = deps;
  const { destination } = connection;

  return async function deliver(event: WatcherEvent): Promise<DeliveryOutcome> {
    if (!routeMatches(deps.rules, event)) return 'filtered';
    const now = clock.now();
    const token = randomUUID();
    const deadBefore = new Date(now.getTime() - settings.claimGraceMs).toISOString();
    const staleBefore = new Date(now.getTime() - settings.claimStaleMs).toISOString();

    // Read before the claim, so that a failing read leaves no claim behind.
    const muted = await isSnoozed(event, now);
    const claim: DeliveryClaim = await store.claimDelivery(destination, event.id, { now: now.toISOString(), token, deadBefore, staleBefore });
    if (claim.outcome === 'done') {
      await connection.afterDelivery?.();
      return 'duplicate';
    }
    if (muted && claim.outcome === 'claimed') {
      // Recorded as delivered, so that the thread's next events do not wait for it and a redelivery skips it too.
      await store.completeDelivery(destination, event.id, 'snoozed', Math.floor(now.getTime() / 1000) + settings.deliveryRetentionDays * DAY_S);
      logger.info('event muted by a snooze', { channel: destination, eventId: event.id, eventType: event.type, itemId: event.itemId });
      return 'snoozed';
    }
    if (claim.outcome === 'busy') {
      // Another attempt holds it and is alive (it renewed its claim lately): it is posting now. Retry once its claim is
      // done, or once it has been silent for the grace period. Reporting success here would lose the event whenever
      // that other attempt dies.
      throw connection.error(
        'delivery_in_progress',
        `another attempt is delivering event ${event.id} (last sign of life ${claim.aliveAt}); retry later`,
      );
    }

    const heartbeat = keepClaimAlive(event.id, token);
    const attempt: PostAttempt = {
      token,
      now,
      reclaimedSince: claim.outcome === 'reclaimed' ? claim.since : undefined,
      deadBefore,
      staleBefore,
      assertHeld() {
        if (heartbeat.lost()) {
          throw connection.error('delivery_taken_over', `another attempt took over event ${event.id}; this one stops before posting`);
        }
      },
    };
    let posted: Posted;
    try {
      posted = await post(event, attempt);
    } catch (error) {
      await heartbeat.stop();
      // The channel refused or could not be reached: give the claim back so a retry need not wait for it to go silent.
      if (error instanceof ChannelError) await store.releaseDelivery(destination, event.id, token);
      throw error;
    }
    await heartbeat.stop();
    await store.completeDelivery(destination, event.id, posted.receipt, Math.floor(now.getTime() / 1000) + settings.deliveryRetentionDays * DAY_S);
    logger.info(posted.recovered ? 'delivery recovered' : 'event posted', {
      channel: destination,
      eventId: event.id,
      eventType: event.type,
      itemId: event.itemId,
      receipt: posted.receipt,
    });
    await connection.afterDelivery?.();
    return posted.recovered ? 'recovered' : 'posted';
  };

  /** Whether a live snooze mutes the event for this route (never its first or final event). */
  async function isSnoozed(event: WatcherEvent, now: Date): Promise<boolean> {
    if (!deps.snoozes || event.previous === undefined) return false;
    const snooze = await deps.snoozes.reader.activeSnooze(threadKeyOf(event), deps.snoozes.routeId, now);
    if (!snooze) return false;
    const previousDelivered = await store.isDelivered(destination, event.previous.id);
    return snoozeMutes(snooze, event, deps.snoozes.routeId, now, previousDelivered);
  }

  /** Posts, unless the channel can say that an earlier attempt of a reclaimed event already did. */
  async function post(event: WatcherEvent, attempt: PostAttempt): Promise<Posted> {
    if (attempt.reclaimedSince !== undefined && connection.findPosted) {
      const receipt = await connection.findPosted(event, attempt.reclaimedSince);
      if (receipt !== undefined) return { receipt, recovered: true };
    }
    return connection.post(event, attempt);
  }

  /** Renews the claim every `heartbeatMs` while the attempt runs, so that nobody takes a live attempt for a dead one. */
  function keepClaimAlive(eventId: string, token: string) {
    let lost = false;
    let renewing: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (renewing) return;
      renewing = store
        .renewDelivery(destination, eventId, token, clock.now().toISOString())
        .then((held) => {
          if (!held) lost = true;
        })
        .catch((error: unknown) => logger.warn('could not renew a delivery claim', { channel: destination, eventId, reason: reasonOf(error) }))
        .finally(() => {
          renewing = undefined;
        });
    }, settings.heartbeatMs);
    timer.unref?.();
    return {
      lost: () => lost,
      async stop() {
        clearInterval(timer);
        await renewing;
      },
    };
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
