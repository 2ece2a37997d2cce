// Local mode's per-output queues: the ports the delivery use case is built from, and the Publisher the poller is given,
// which only enqueues each event once for every output (delivery happens later, output by output).
import { PublishError, type DeliveryScope } from '../core/errors.js';
import type { WatcherEvent } from '../core/model.js';
import type { OutputHealth } from '../core/output-health.js';
import type { Clock, Publisher } from '../core/ports.js';

/** One output (console, a jsonl file, an SNS topic, a channel route) as the drain delivers to it. */
export interface Output {
  /** Stable across config edits: `console`, `jsonl:<path>`, `sns:<topic ARN>`, `<channel>:<route id>`; never a secret. */
  readonly id: string;
  /**
   * Delivers one event; throws when it could not (the drain classifies what it throws). `retry` says an earlier
   * attempt of this queue entry started and may have delivered it before it died: an output that can tell
   * (jsonl, Slack) must not deliver it twice.
   */
  deliver(event: WatcherEvent, options: { readonly retry: boolean }): Promise<void>;
  /**
   * Sorts an error of the output's own kind (a channel route's: its plug-in's classification); undefined for any
   * other. Unset: every registered channel is asked (classify-delivery-failure.ts).
   */
  readonly classifyFailure?: (error: Error) => DeliveryScope | undefined;
  /**
   * Until when the output holds the event at `now` (a channel route's quiet hours): it stays in the queue, and the
   * thread's later events stay behind it, until a run after then. Undefined (or unset): deliver now.
   */
  readonly holdUntil?: (event: WatcherEvent, now: Date) => Date | undefined;
}

/** An event waiting in one output's queue. */
export interface QueueEntry {
  readonly event: WatcherEvent;
  /** Order of enqueueing, across outputs and runs. */
  readonly seq: number;
  readonly enqueuedAt: string;
  /** Delivery attempts started (claims taken) so far. */
  readonly attempts: number;
  /** Runs in which the output refused this very event. */
  readonly refusals: number;
  readonly lastError?: string;
  /** Set once the entry is parked: kept and listed, never retried. */
  readonly parkedAt?: string;
}

/** The output's stored record: its health, when the config last named it, and health events not yet enqueued. */
export interface OutputRecord {
  readonly health: OutputHealth;
  readonly lastConfiguredAt?: string;
  /** Health events written with the health that produced them (an outbox), enqueued right after. */
  readonly pending: readonly WatcherEvent[];
}

/** Where the queues live (the embedded store in local mode). Writes are conditional where two runs could race. */
export interface OutputQueueStore {
  /** The next number of the enqueue order (one counter for all outputs). */
  nextSequence(): Promise<number>;
  /** Adds the event to the output's queue unless it is there already; false when it was. */
  enqueue(outputId: string, event: WatcherEvent, seq: number, at: string): Promise<boolean>;
  /** The output's queue, parked entries included, in enqueue order. */
  list(outputId: string): Promise<QueueEntry[]>;
  /**
   * Takes the entry for one delivery attempt (counts the attempt) unless another run holds it (claimed after
   * `staleBefore`); false when it is held or gone.
   */
  claim(outputId: string, eventId: string, at: string, staleBefore: string): Promise<boolean>;
  /** Gives the claim back after a failed attempt, noting why. */
  release(outputId: string, eventId: string, reason: string): Promise<void>;
  /** Records one more refusal of the event by the output, parking the entry when `parkedAt` is given. */
  refuse(outputId: string, eventId: string, refusal: { readonly refusals: number; readonly reason: string; readonly parkedAt?: string }): Promise<void>;
  /** Removes a delivered entry. */
  remove(outputId: string, eventId: string): Promise<void>;
  getOutput(outputId: string): Promise<OutputRecord | undefined>;
  putOutput(outputId: string, record: OutputRecord): Promise<void>;
  /** Every output that has a record: the configured ones and those since removed from the config. */
  listOutputs(): Promise<ReadonlyArray<{ readonly outputId: string; readonly record: OutputRecord }>>;
  /** Deletes an output's queue and record; returns how many entries were in the queue. */
  dropOutput(outputId: string): Promise<number>;
}

/** Writes an event into the log the digests read (the state store's `logEvent`). */
export type EventLogWriter = (event: WatcherEvent) => Promise<void>;

/**
 * The poller's Publisher in local mode: each event is enqueued once for every output, in the order published, and
 * publishing succeeds when every enqueue did; so the poller's outbox semantics are unchanged, and no output's
 * trouble can fail a poll. Enqueueing again is harmless while the event waits.
 */
export function makeQueueingPublisher(store: OutputQueueStore, outputIds: readonly string[], clock: Clock): Publisher {
  return {
    async publish(event) {
      try {
        const seq = await store.nextSequence();
        const at = clock.now().toISOString();
        for (const outputId of outputIds) await store.enqueue(outputId, event, seq, at);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new PublishError(event.id, `cannot queue event ${event.id} for the outputs: ${reason}`, { cause: error });
      }
    },
  };
}
