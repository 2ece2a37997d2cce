// Publishing what a record's outbox holds, shared by the feed, stream and probe use cases: each event is logged, published,
// then acknowledged, in the order it happened; on the first failure the rest go back to the outbox for the next run.
import { PublishError } from '../core/errors.js';
import type { WatcherEvent } from '../core/model.js';
import type { OutboxRef, Publisher, StateStore, StoredRecord } from '../core/ports.js';
import type { SourceState } from '../core/tracked.js';
import type { Pending } from './poll-items.js';

export interface PublishPendingDeps {
  readonly store: Pick<StateStore, 'logEvent' | 'releaseOutbox' | 'ackOutbox'>;
  readonly publisher: Publisher;
  readonly log: (level: 'info' | 'error', message: string, keys: Record<string, unknown>) => void;
}

/**
 * Publishes `pending` by `occurredAt` (ties in outbox order), appending each published event to `published`; returns
 * the first `PublishError` (the rest are released), or undefined when all went out. Other errors are defects and propagate.
 */
export async function publishPending(
  deps: PublishPendingDeps,
  pending: readonly Pending[],
  published: WatcherEvent[],
): Promise<PublishError | undefined> {
  const { store, publisher, log } = deps;
  const ordered = [...pending].sort(
    (a, b) => a.entry.event.occurredAt.localeCompare(b.entry.event.occurredAt) || a.entry.seq - b.entry.seq,
  );
  for (const [index, { ref, entry }] of ordered.entries()) {
    await store.logEvent(entry.event);
    try {
      await publisher.publish(entry.event);
    } catch (error) {
      if (!(error instanceof PublishError)) throw error;
      log('error', 'publish failed; the event stays in the outbox', {
        eventId: entry.event.id,
        eventType: entry.event.type,
        reason: error.message,
      });
      for (const rest of ordered.slice(index)) await store.releaseOutbox(rest.ref, rest.entry.event.id);
      return error;
    }
    await store.ackOutbox(ref, entry.event.id);
    published.push(entry.event);
    log('info', 'event published', { eventId: entry.event.id, eventType: entry.event.type, itemId: entry.event.itemId });
  }
  return undefined;
}

/**
 * Publishes the events an interrupted run left in the record's outbox: each one this run can claim (unclaimed, or
 * claimed before `staleBefore` by a run that died), appended to `published`; the first publish failure, if any.
 */
export async function publishLeftovers(
  deps: { readonly store: StateStore; readonly publisher: Publisher; readonly log: (level: 'info' | 'error', message: string, keys: Record<string, unknown>) => void },
  record: StoredRecord<SourceState> | undefined,
  ref: OutboxRef,
  claim: { readonly nowIso: string; readonly staleBefore: string },
  published: WatcherEvent[],
): Promise<PublishError | undefined> {
  if (!record || record.outbox.length === 0) return undefined;
  const taken: Pending[] = [];
  for (const entry of record.outbox) {
    if (await deps.store.claimOutbox(ref, entry.event.id, claim.nowIso, claim.staleBefore)) taken.push({ ref, entry });
  }
  return publishPending(deps, taken, published);
}
