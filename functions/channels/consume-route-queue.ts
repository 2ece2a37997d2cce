// The ordering gate of a route fed by its own queue: takes a batch of events, delivers each only once the event
// before it in its thread (`previous`) is delivered to this channel, defers the rest to a later receive, and never
// lets a lost predecessor hold a thread up for longer than `orderWaitMs`. In the route's quiet hours it holds events
// below their severity in the queue until the hours end, and a more severe event of a thread takes the thread's held
// events with it, in order.
import type { EventLog } from '../core/event-chain.js';
import { threadKeyOf } from '../core/event-chain.js';
import { ChannelError } from '../core/errors.js';
import { parseWatcherEvent } from '../core/event-schema.js';
import type { EventLink, WatcherEvent } from '../core/model.js';
import type { Clock, Logger } from '../core/ports.js';
import { holdUntil, isHoldable, lastQuietEndBefore, quietWindowAt } from '../core/quiet-hours.js';
import { routeMatches, type RouteRules } from '../core/routing.js';

/** One queue message as the SQS event source hands it over (an `SQSRecord` fits). */
export interface QueueRecord {
  readonly messageId: string;
  /** The event's JSON (raw message delivery), or an SNS notification envelope whose `Message` is that JSON. */
  readonly body: string;
  /** `SentTimestamp`: when the message entered the queue, epoch milliseconds as text; kept across redeliveries. */
  readonly attributes?: { readonly SentTimestamp?: string };
  /** What SQS needs to change the message's visibility (an `SQSRecord` has both). */
  readonly receiptHandle?: string;
  readonly eventSourceARN?: string;
}

/** The records to hand back to the queue for a later receive (the shape of aws-lambda's `SQSBatchResponse`). */
export interface QueueBatchResponse {
  readonly batchItemFailures: Array<{ readonly itemIdentifier: string }>;
}

/** The channel's delivery ledger, as far as the gate needs it. */
export interface DeliveryLedger {
  /** Whether the event was delivered to this channel. */
  isDelivered(eventId: string): Promise<boolean>;
}

export interface RouteQueueSettings {
  /**
   * How long one batch waits, in all, for predecessors another invocation may be delivering right now, before it
   * defers their successors to a later receive. Shared by the batch so that it fits in the function's timeout.
   */
  readonly predecessorWaitMs: number;
  /** How often the ledger is read while waiting. */
  readonly predecessorLookIntervalMs: number;
  /**
   * An event in the queue for longer than this (since its `SentTimestamp`) is delivered even though its predecessor
   * is not: that one may have gone to the dead-letter queue. Nor does an event wait for a predecessor detected longer
   * than this before the event entered the queue: it has had its chance, or it never was this channel's (a route
   * added, or its rules widened, while an incident was open). Must stay well below maxReceiveCount × the queue's visibility timeout, or a deferred event
   * could reach the dead-letter queue instead.
   */
  readonly orderWaitMs: number;
  /** How many links back the gate follows past predecessors the route does not take. */
  readonly maxChainLinks: number;
  /**
   * How far back the ledger remembers deliveries (its records' retention): a predecessor detected earlier is taken
   * as delivered, since the ledger can no longer say (an RCA published weeks after the resolution).
   */
  readonly ledgerMemoryMs: number;
  /**
   * Time a batch keeps in hand for the record it starts last: with less left before the function's timeout, the rest
   * of the batch is handed back to the queue instead of being cut off mid-post by the timeout.
   */
  readonly reserveMs: number;
}

export const DEFAULT_ROUTE_QUEUE_SETTINGS: RouteQueueSettings = {
  predecessorWaitMs: 10_000,
  predecessorLookIntervalMs: 250,
  orderWaitMs: 15 * 60_000,
  maxChainLinks: 20,
  ledgerMemoryMs: 30 * 86_400_000,
  reserveMs: 20_000,
};

export interface RouteQueueDependencies {
  /** Names the route in logs. */
  readonly routeId: string;
  /** The route's rules: which predecessors it takes (on AWS the subscription's filter policy applies the same). */
  readonly rules: RouteRules;
  /** Delivers one event exactly once to the channel (claim → post → complete); resolves to its outcome. */
  readonly deliver: (event: WatcherEvent) => Promise<string>;
  readonly ledger: DeliveryLedger;
  readonly eventLog: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<RouteQueueSettings>;
  /** Waits between looks at the ledger (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Keeps a record out of sight until `until`, or as long as the queue allows (SQS: ChangeMessageVisibility, at most
   * 12 hours; a longer hold is taken again when the record comes back). Unset: a held record is only reported failed.
   */
  readonly holdRecord?: (record: QueueRecord, until: Date) => Promise<void>;
}

interface Parsed {
  readonly record: QueueRecord;
  readonly event: WatcherEvent;
  /** Arrival position in the batch: the last tie-break of the order. */
  readonly index: number;
}

/**
 * Builds the consumer: one call per batch, with the time the invocation has left (Lambda's
 * `getRemainingTimeInMillis`; unbounded when not given); never throws, every record that is not done is reported failed.
 */
export function makeRouteQueueConsumer(deps: RouteQueueDependencies) {
  const settings: RouteQueueSettings = { ...DEFAULT_ROUTE_QUEUE_SETTINGS, ...deps.settings };
  const { routeId, rules, deliver, ledger, eventLog, clock, logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  return async function consumeRouteQueue(
    records: readonly QueueRecord[],
    timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
  ): Promise<QueueBatchResponse> {
    const failed: string[] = [];
    const parsed: Parsed[] = [];
    for (const [index, record] of records.entries()) {
      try {
        parsed.push({ record, event: eventOf(record.body), index });
      } catch (error) {
        // It can never succeed: after maxReceiveCount receives it lands in the dead-letter queue for a person to read.
        failed.push(record.messageId);
        logger.error('queue message is not a watcher event', { route: routeId, messageId: record.messageId, outcome: 'invalid', reason: reasonOf(error) });
      }
    }

    // Events of this batch that are settled here (delivered, or not for this route) and those that are not.
    const passed = new Set<string>();
    const held = new Set<string>();
    // Events of this batch held for the route's quiet hours.
    const quietHeld = new Map<string, WatcherEvent>();
    const quiet = rules.quietHours;

    /**
     * Since when an event has been free to go: its time, or the end of the latest quiet hours when they held it (the
     * order wait does not count the hours an event was held).
     */
    function freeSince(timeMs: number, event: WatcherEvent, now: Date): number {
      if (!quiet || !isHoldable(quiet, event.severity)) return timeMs;
      return Math.max(timeMs, lastQuietEndBefore(quiet, now)?.getTime() ?? 0);
    }

    /** Holds the record for the quiet hours: out of sight until they end where the queue allows it. */
    async function holdForQuietHours(record: QueueRecord, event: WatcherEvent, until: Date): Promise<void> {
      quietHeld.set(event.id, event);
      const keys = { route: routeId, messageId: record.messageId, eventId: event.id, eventType: event.type, itemId: event.itemId };
      try {
        await deps.holdRecord?.(record, until);
      } catch (error) {
        // It comes back after the queue's visibility timeout and is held again.
        logger.warn('could not keep a held event out of sight; it is held again when it comes back', { ...keys, reason: reasonOf(error) });
      }
      logger.info('event held for quiet hours', { ...keys, outcome: 'held', until: until.toISOString() });
    }

    /**
     * In quiet hours (since `windowStart`), a more severe event first delivers its thread's held events, oldest first:
     * the predecessors it takes, less severe, detected in these hours and not delivered yet.
     */
    async function releaseHeldBefore(event: WatcherEvent, windowStart: Date): Promise<void> {
      if (!quiet) return;
      const earlier: WatcherEvent[] = [];
      let link = event.previous;
      for (let hops = 0; link !== undefined && hops < settings.maxChainLinks; hops += 1) {
        // Detected before the hours (less the order wait, for one queued as they began): not held, the gate's business.
        if (passed.has(link.id) || Date.parse(link.detectedAt) < windowStart.getTime() - settings.orderWaitMs) break;
        const inBatch = quietHeld.get(link.id);
        if (!inBatch && (await ledger.isDelivered(link.id))) break;
        const logged = inBatch ?? (await eventLog.getLoggedEvent(link));
        if (!logged) break;
        if (routeMatches(rules, logged)) {
          if (!isHoldable(quiet, logged.severity)) break;
          earlier.push(logged);
        }
        link = logged.previous;
      }
      for (const heldEvent of earlier.reverse()) {
        const outcome = await deliver(heldEvent);
        passed.add(heldEvent.id);
        held.delete(heldEvent.id);
        logger.info('held event delivered ahead of a more severe one', { route: routeId, eventId: heldEvent.id, eventType: heldEvent.type, itemId: heldEvent.itemId, outcome, reason: `before ${event.id}` });
      }
    }
    // Bounded by looks, not by the clock: a frozen or skewed clock must not make a batch wait forever.
    let looksLeft = Math.ceil(settings.predecessorWaitMs / settings.predecessorLookIntervalMs);

    /** The nearest predecessor this route takes and has not delivered; undefined when the event may go now. */
    async function pendingPredecessor(event: WatcherEvent, now: Date, queuedAt: number): Promise<EventLink | undefined> {
      let link = event.previous;
      for (let hops = 0; link !== undefined; hops += 1) {
        if (hops >= settings.maxChainLinks) {
          logger.info('predecessor chain followed as far as allowed', { route: routeId, eventId: event.id, predecessorId: link.id, reason: `${hops} links` });
          return undefined;
        }
        if (passed.has(link.id)) return undefined;
        if (held.has(link.id)) return link;
        if (now.getTime() - Date.parse(link.detectedAt) > settings.ledgerMemoryMs) return undefined;
        if (await ledger.isDelivered(link.id)) return undefined;
        const logged = await eventLog.getLoggedEvent(link);
        // Never logged, or expired from the log: nothing to wait for.
        if (!logged) return undefined;
        if (routeMatches(rules, logged)) {
          const aheadMs = freeSince(queuedAt, event, now) - freeSince(Date.parse(link.detectedAt), logged, now);
          if (aheadMs <= settings.orderWaitMs) return link;
          logger.info('not waiting for a predecessor detected long before', {
            route: routeId,
            eventId: event.id,
            predecessorId: link.id,
            reason: `detected ${Math.round(aheadMs / 1000)} s before this event was queued, the order wait is ${Math.round(settings.orderWaitMs / 1000)} s`,
          });
          return undefined;
        }
        link = logged.previous;
      }
      return undefined;
    }

    /** Waits, within the batch's allowance, for another invocation to deliver the predecessor. */
    async function waitFor(link: EventLink): Promise<boolean> {
      while (looksLeft > 0) {
        looksLeft -= 1;
        await sleep(settings.predecessorLookIntervalMs);
        if (await ledger.isDelivered(link.id)) return true;
      }
      return false;
    }

    /** Delivers or defers one event; true when it is done (delivered, duplicate, or not for this route). */
    async function deliverInOrder({ record, event }: Parsed): Promise<boolean> {
      const keys = { route: routeId, messageId: record.messageId, eventId: event.id, eventType: event.type, itemId: event.itemId };
      if (held.has(event.id)) {
        logger.info('event deferred', { ...keys, outcome: 'deferred', reason: 'the same event was not delivered earlier in this batch' });
        return false;
      }
      if (routeMatches(rules, event) && !passed.has(event.id)) {
        const now = clock.now();
        const until = holdUntil(quiet, event, now);
        if (until) {
          await holdForQuietHours(record, event, until);
          return false;
        }
        const window = quiet && quietWindowAt(quiet, now);
        if (window) await releaseHeldBefore(event, window.start);
        const queuedAt = sentAt(record, event);
        const predecessor = await pendingPredecessor(event, now, queuedAt);
        if (predecessor) {
          const queuedMs = now.getTime() - freeSince(queuedAt, event, now);
          if (queuedMs >= settings.orderWaitMs) {
            logger.warn('predecessor not delivered in time; delivering out of order', {
              ...keys,
              predecessorId: predecessor.id,
              reason: `queued for ${Math.round(queuedMs / 1000)} s, the order wait is ${Math.round(settings.orderWaitMs / 1000)} s`,
            });
          } else if (held.has(predecessor.id) || !(await waitFor(predecessor))) {
            const reason = held.has(predecessor.id) ? 'predecessor not delivered earlier in this batch' : 'predecessor not delivered yet';
            logger.info('event deferred', { ...keys, outcome: 'deferred', predecessorId: predecessor.id, reason });
            return false;
          }
        }
      }
      const outcome = await deliver(event);
      logger.info('event delivered', { ...keys, outcome });
      return true;
    }

    for (const item of inThreadOrder(parsed)) {
      let done: boolean;
      try {
        if (timeLeftMs() < settings.reserveMs) {
          logger.warn('event deferred', {
            route: routeId,
            messageId: item.record.messageId,
            eventId: item.event.id,
            eventType: item.event.type,
            itemId: item.event.itemId,
            outcome: 'deferred',
            reason: `${Math.round(timeLeftMs() / 1000)} s left before the function's timeout`,
          });
          done = false;
        } else {
          done = await deliverInOrder(item);
        }
      } catch (error) {
        done = false;
        const keys = { route: routeId, messageId: item.record.messageId, eventId: item.event.id, eventType: item.event.type, itemId: item.event.itemId };
        if (error instanceof ChannelError) {
          logger.error('event delivery failed', { ...keys, outcome: 'failed', code: error.code, permanent: error.permanent, reason: error.message });
        } else {
          logger.error('event delivery failed', { ...keys, outcome: 'failed', reason: reasonOf(error) });
        }
      }
      if (done) {
        passed.add(item.event.id);
      } else {
        held.add(item.event.id);
        failed.push(item.record.messageId);
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The event in a message body: raw JSON, or wrapped in an SNS notification when raw delivery is off. */
function eventOf(body: string): WatcherEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return parseWatcherEvent(body); // throws EventSchemaError naming the JSON error
  }
  const envelope = value as { Type?: unknown; Message?: unknown } | null;
  if (envelope && typeof envelope === 'object' && envelope.Type === 'Notification' && typeof envelope.Message === 'string') {
    return parseWatcherEvent(envelope.Message);
  }
  return parseWatcherEvent(body);
}

/** When the message entered the queue; the event's detection time when SQS did not say. */
function sentAt(record: QueueRecord, event: WatcherEvent): number {
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? sent : Date.parse(event.detectedAt);
}

/**
 * The batch by thread, each thread in the order it was announced: by detection, then occurrence, then arrival; and
 * an event whose predecessor is in the batch always after it (the chain decides where the times tie).
 */
function inThreadOrder(items: readonly Parsed[]): Parsed[] {
  const remaining = [...items].sort(
    (a, b) =>
      compareText(threadKeyOf(a.event), threadKeyOf(b.event)) ||
      compareTime(a.event.detectedAt, b.event.detectedAt) ||
      compareTime(a.event.occurredAt, b.event.occurredAt) ||
      a.index - b.index,
  );
  const ordered: Parsed[] = [];
  while (remaining.length > 0) {
    const waiting = new Set(remaining.map((item) => item.event.id));
    const next = remaining.findIndex((item) => item.event.previous === undefined || !waiting.has(item.event.previous.id));
    ordered.push(...remaining.splice(Math.max(next, 0), 1));
  }
  return ordered;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** ISO times compared as instants (feeds write them with and without milliseconds). */
const compareTime = (a: string, b: string) => Date.parse(a) - Date.parse(b) || 0;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
