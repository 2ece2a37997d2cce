// The local delivery use case: after the sources are polled, each output's queue is drained on its own, in order,
// so one failing output never holds up another or the events behind it elsewhere. Failures are sorted by scope
// (classify-delivery-failure.ts), counted in each output's health, and announced as watcher-health events.
import { chainEvents, threadKeyOf } from '../core/event-chain.js';
import type { DeliveryError, DeliveryScope } from '../core/errors.js';
import type { WatcherEvent } from '../core/model.js';
import {
  EMPTY_OUTPUT_HEALTH,
  parkedDeliveryEvent,
  recordOutputFailure,
  recordOutputSuccess,
  type OutputHealth,
} from '../core/output-health.js';
import type { Clock, Logger, Publisher } from '../core/ports.js';
import { classifyDeliveryFailure } from './classify-delivery-failure.js';
import { makeQueueingPublisher, type EventLogWriter, type Output, type OutputQueueStore, type OutputRecord, type QueueEntry } from './output-queue.js';

export interface DeliverySettings {
  /** Consecutive runs an output may fail transiently before its `source.failing` (a route-level failure announces at once). */
  readonly failureThreshold: number;
  /** Runs in which an output may refuse one event before the event is parked. */
  readonly maxRefusals: number;
  /** A claim older than this belongs to a run that died; another run may take the entry over. */
  readonly claimStaleMs: number;
  /** Days the queue of an output no longer in the config is kept (and listed) before it is dropped. */
  readonly removedOutputRetentionDays: number;
  /** Drains per run: the first, then as long as health events were just enqueued for outputs that still work. */
  readonly maxPasses: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  failureThreshold: 3,
  maxRefusals: 3,
  claimStaleMs: 2 * 60_000,
  removedOutputRetentionDays: 7,
  maxPasses: 3,
};

export interface OutputDeliveryDependencies {
  /** The configured outputs; their ids must be unique. */
  readonly outputs: readonly Output[];
  readonly store: OutputQueueStore;
  /** Health events go into the digests' event log too, like every event the poller publishes. */
  readonly logEvent: EventLogWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<DeliverySettings>;
}

/** An event the output refused, this run or earlier. */
export interface RefusedEvent {
  readonly eventId: string;
  readonly type: WatcherEvent['type'];
  readonly title: string;
  readonly reason: string;
  readonly refusals: number;
  /** Parked: kept, listed, never retried. */
  readonly parked: boolean;
}

export interface OutputReport {
  readonly outputId: string;
  /** `failing`: a transient or route-level failure stopped its queue this run; `busy`: another run was delivering to it. */
  readonly outcome: 'ok' | 'failing' | 'busy';
  /** Events delivered (or, for a channel route, left out by its rules) this run. */
  readonly delivered: number;
  /** Events still in its queue, not parked. */
  readonly waiting: number;
  /** Of those, the events its quiet hours hold, and until when (a channel route's `rules.quietHours`). */
  readonly held?: { readonly count: number; readonly until: string };
  readonly failure?: { readonly scope: Exclude<DeliveryScope, 'event'>; readonly reason: string };
  /** Events it refused this run (parked or not yet). */
  readonly refusedNow: readonly RefusedEvent[];
  /** Every parked entry of its queue. */
  readonly parked: readonly RefusedEvent[];
  readonly health: OutputHealth;
}

/** An output with a queue that the config no longer names. */
export interface RemovedOutputReport {
  readonly outputId: string;
  readonly lastConfiguredAt?: string;
  /** Entries kept in its queue; delivered if the output is configured again before `dropAt`. */
  readonly kept: number;
  readonly dropAt?: string;
  /** Entries dropped this run, with the queue, because the output has been gone longer than the retention. */
  readonly dropped?: number;
}

export interface DeliveryReport {
  readonly outputs: readonly OutputReport[];
  readonly removed: readonly RemovedOutputReport[];
}

interface DrainRun {
  readonly delivered: number;
  readonly waiting: number;
  readonly refused: readonly RefusedEvent[];
  readonly parked: ReadonlyArray<{ readonly event: WatcherEvent; readonly refusals: number; readonly reason: string }>;
  readonly failure?: DeliveryError;
  readonly busy?: boolean;
  readonly held?: { readonly count: number; readonly until: string };
}

const DAY_MS = 86_400_000;

/**
 * Builds local delivery: `publisher` for the poller (enqueue only), `begin()` before polling, `deliver()` after it.
 * Each output's id keys its queue and health, so reordering the config loses nothing.
 */
export function makeOutputDelivery(deps: OutputDeliveryDependencies) {
  const settings: DeliverySettings = { ...DEFAULT_DELIVERY_SETTINGS, ...deps.settings };
  const { outputs, store, clock, logger } = deps;
  const ids = outputs.map((output) => output.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) throw new Error(`two outputs share the id ${duplicate}`);
  const publisher: Publisher = makeQueueingPublisher(store, ids, clock);

  /** Logs and enqueues a record's pending health events, then clears them (the record's outbox). */
  async function flush(outputId: string, record: OutputRecord): Promise<OutputRecord> {
    if (record.pending.length === 0) return record;
    for (const event of record.pending) {
      await deps.logEvent(event);
      await publisher.publish(event);
      logger.info('watcher-health event queued', { output: outputId, eventId: event.id, eventType: event.type });
    }
    const flushed = { ...record, pending: [] };
    await store.putOutput(outputId, flushed);
    return flushed;
  }

  async function drainOne(output: Output, refusedThisRun: Set<string>, nowIso: string, staleBefore: string): Promise<DrainRun> {
    const entries = await store.list(output.id);
    const open = entries.filter((entry) => entry.parkedAt === undefined);
    let delivered = 0;
    const refused: RefusedEvent[] = [];
    const parked: { event: WatcherEvent; refusals: number; reason: string }[] = [];
    const held = { count: 0, until: '' };
    const run = (extra: Partial<DrainRun> = {}): DrainRun => ({
      delivered,
      waiting: open.length - delivered - parked.length,
      refused,
      parked,
      ...(held.count > 0 && { held: { ...held } }),
      ...extra,
    });
    /** Delivers one entry; returns the run's result when the output's queue stops here. */
    async function deliverEntry(entry: QueueEntry): Promise<DrainRun | undefined> {
      const { event } = entry;
      if (!(await store.claim(output.id, event.id, nowIso, staleBefore))) {
        logger.warn('another run is delivering to this output; leaving it to that run', { output: output.id, eventId: event.id });
        return run({ busy: true });
      }
      try {
        await output.deliver(event, { retry: entry.attempts > 0 });
      } catch (error) {
        const failure = classifyDeliveryFailure(output.id, error, output.classifyFailure);
        if (failure.scope !== 'event') {
          await store.release(output.id, event.id, failure.reason);
          logger.warn('output failed; its queue keeps this event and those after it', {
            output: output.id,
            scope: failure.scope,
            eventId: event.id,
            reason: failure.reason,
          });
          return run({ failure });
        }
        const refusals = entry.refusals + 1;
        const parkedAt = refusals >= settings.maxRefusals ? nowIso : undefined;
        await store.refuse(output.id, event.id, { refusals, reason: failure.reason, parkedAt });
        refusedThisRun.add(event.id);
        refused.push(refusedEvent(entry, failure.reason, refusals, parkedAt !== undefined));
        if (parkedAt) parked.push({ event, refusals, reason: failure.reason });
        logger.warn(parkedAt ? 'output refused the event again; parked' : 'output refused the event; it is retried next run', {
          output: output.id,
          eventId: event.id,
          eventType: event.type,
          refusals,
          reason: failure.reason,
        });
        return undefined;
      }
      await store.remove(output.id, event.id);
      delivered += 1;
      logger.info('event delivered', { output: output.id, eventId: event.id, eventType: event.type, itemId: event.itemId });
      return undefined;
    }

    // Quiet hours: events held now, by thread; they stay in the queue for a run after the hours end.
    const heldByThread = new Map<string, QueueEntry[]>();
    const now = new Date(nowIso);
    for (const entry of open) {
      const { event } = entry;
      // An event refused earlier in this run waits for the next run: refusals are counted in runs.
      if (refusedThisRun.has(event.id)) continue;
      const thread = threadKeyOf(event);
      const until = output.holdUntil?.(event, now);
      if (until) {
        heldByThread.set(thread, [...(heldByThread.get(thread) ?? []), entry]);
        held.count += 1;
        if (until.toISOString() > held.until) held.until = until.toISOString();
        logger.info('event held for quiet hours', { output: output.id, eventId: event.id, eventType: event.type, until: until.toISOString() });
        continue;
      }
      // An event severe enough to go out in quiet hours takes its thread's held events with it, in their order.
      const released = heldByThread.get(thread) ?? [];
      heldByThread.delete(thread);
      held.count -= released.length;
      for (const next of [...released, entry]) {
        const stopped = await deliverEntry(next);
        if (stopped) return stopped;
      }
    }
    return run();
  }

  return {
    publisher,

    /** Before polling: marks every configured output as configured now, and enqueues health events a crashed run left. */
    async begin(): Promise<void> {
      const nowIso = clock.now().toISOString();
      for (const id of ids) {
        const record = await flush(id, (await store.getOutput(id)) ?? { health: EMPTY_OUTPUT_HEALTH, pending: [] });
        await store.putOutput(id, { ...record, lastConfiguredAt: nowIso });
      }
    },

    /** After polling: drains every output's queue on its own, updates its health, and reports. */
    async deliver(): Promise<DeliveryReport> {
      const now = clock.now();
      const nowIso = now.toISOString();
      const staleBefore = new Date(now.getTime() - settings.claimStaleMs).toISOString();
      const records = new Map<string, OutputRecord>();
      for (const id of ids) records.set(id, (await store.getOutput(id)) ?? { health: EMPTY_OUTPUT_HEALTH, pending: [] });
      const totals = new Map(
        ids.map((id) => [id, { delivered: 0, refused: [] as RefusedEvent[], failure: undefined as DeliveryError | undefined, busy: false, held: undefined as DrainRun['held'] }]),
      );
      const refusedThisRun = new Map(ids.map((id) => [id, new Set<string>()]));

      let toDrain = [...outputs];
      for (let pass = 0; pass < settings.maxPasses && toDrain.length > 0; pass += 1) {
        const settled = await Promise.allSettled(toDrain.map((output) => drainOne(output, refusedThisRun.get(output.id)!, nowIso, staleBefore)));
        const rejected = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
        if (rejected) throw rejected.reason;
        let queued = 0;
        for (const [index, output] of toDrain.entries()) {
          const run = (settled[index] as PromiseFulfilledResult<DrainRun>).value;
          const total = totals.get(output.id)!;
          total.delivered += run.delivered;
          total.refused.push(...run.refused);
          total.held = run.held;
          if (run.busy) {
            total.busy = true;
            continue;
          }
          if (run.failure) total.failure = run.failure;
          const record = records.get(output.id)!;
          const transition = run.failure
            ? recordOutputFailure(
                record.health,
                output.id,
                { scope: run.failure.scope as Exclude<DeliveryScope, 'event'>, reason: run.failure.reason, waiting: run.waiting },
                now,
                settings.failureThreshold,
              )
            : recordOutputSuccess(record.health, output.id, now);
          const events = [...transition.events, ...run.parked.map((parked) => parkedDeliveryEvent(output.id, parked, now))];
          const chain = chainEvents(transition.health.lastEvent, events);
          const health = chain.last ? { ...transition.health, lastEvent: chain.last } : transition.health;
          // The health and the events it produced in one write (the record's outbox); enqueued just after.
          const next: OutputRecord = { health, lastConfiguredAt: nowIso, pending: [...record.pending, ...chain.events] };
          await store.putOutput(output.id, next);
          records.set(output.id, next);
          queued += next.pending.length;
        }
        for (const id of ids) records.set(id, await flush(id, records.get(id)!));
        // Health events just queued go out at once through every output that still works (this one too, once it does).
        toDrain = queued === 0 ? [] : outputs.filter((output) => !totals.get(output.id)!.failure && !totals.get(output.id)!.busy);
      }

      const reports: OutputReport[] = [];
      for (const output of outputs) {
        const entries = await store.list(output.id);
        const total = totals.get(output.id)!;
        const failure = total.failure;
        reports.push({
          outputId: output.id,
          outcome: failure ? 'failing' : total.busy ? 'busy' : 'ok',
          delivered: total.delivered,
          waiting: entries.filter((entry) => entry.parkedAt === undefined).length,
          ...(total.held && { held: total.held }),
          ...(failure && { failure: { scope: failure.scope as Exclude<DeliveryScope, 'event'>, reason: failure.reason } }),
          refusedNow: total.refused,
          parked: entries
            .filter((entry) => entry.parkedAt !== undefined)
            .map((entry) => refusedEvent(entry, entry.lastError ?? 'refused', entry.refusals, true)),
          health: records.get(output.id)!.health,
        });
      }
      return { outputs: reports, removed: await removedOutputs(now) };
    },
  };

  /**
   * Queues of outputs the config no longer names: kept and listed for a while (an output renamed by mistake can be put
   * back and gets everything it missed), then dropped; an empty one is forgotten at once.
   */
  async function removedOutputs(now: Date): Promise<RemovedOutputReport[]> {
    const configured = new Set(ids);
    const removed: RemovedOutputReport[] = [];
    for (const { outputId, record } of await store.listOutputs()) {
      if (configured.has(outputId)) continue;
      const last = record.lastConfiguredAt;
      const kept = (await store.list(outputId)).length;
      if (kept === 0) {
        // Nothing waits for it: forget it at once (put back, it starts afresh).
        await store.dropOutput(outputId);
        continue;
      }
      const dropAt = last ? new Date(Date.parse(last) + settings.removedOutputRetentionDays * DAY_MS).toISOString() : undefined;
      if (dropAt && dropAt <= now.toISOString()) {
        const dropped = await store.dropOutput(outputId);
        logger.warn('dropped the queue of an output no longer configured', { output: outputId, dropped, lastConfiguredAt: last });
        removed.push({ outputId, lastConfiguredAt: last, kept: 0, dropped });
        continue;
      }
      removed.push({ outputId, lastConfiguredAt: last, kept, dropAt });
    }
    return removed;
  }
}

function refusedEvent(entry: QueueEntry, reason: string, refusals: number, parked: boolean): RefusedEvent {
  return { eventId: entry.event.id, type: entry.event.type, title: entry.event.title, reason, refusals, parked };
}
