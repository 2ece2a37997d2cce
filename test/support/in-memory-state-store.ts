// The StateStore port in memory, for use-case tests that need no DynamoDB: versioned conditional writes, the outbox in
// the record, claims and the lease condition, as the DynamoDB store keeps them (functions/adapters/dynamo-state-store.ts).
import type { WatcherEvent } from '../../functions/core/model.js';
import type { OutboxRef, PutOptions, StateStore, StoredRecord } from '../../functions/core/ports.js';
import type { OutboxEntry, SourceState, TrackedItem } from '../../functions/core/tracked.js';

interface Held<T> {
  value: T;
  version: number;
  outbox: Map<string, OutboxEntry>;
}

export interface InMemoryStateStore {
  readonly store: StateStore;
  /**
   * Every record by key: `<sourceId>|` for a source record, `<sourceId or scope>|<itemId>` for an item. Values are
   * copies of what was written; reading them does not change the store.
   */
  readonly records: ReadonlyMap<string, { readonly value: unknown; readonly version: number; readonly outbox: ReadonlyMap<string, OutboxEntry> }>;
  /** The event log, in the order events were logged. */
  readonly logged: readonly WatcherEvent[];
}

export function inMemoryStateStore(): InMemoryStateStore {
  const records = new Map<string, Held<unknown>>();
  const logged: WatcherEvent[] = [];
  const keyOf = (ref: OutboxRef) => `${ref.sourceId}|${ref.itemId ?? ''}`;
  const toRecord = <T>(held: Held<T>): StoredRecord<T> =>
    structuredClone({ value: held.value, version: held.version, outbox: [...held.outbox.values()] });

  function put(key: string, value: unknown, options: PutOptions): boolean {
    const current = records.get(key);
    if (options.expectedVersion === undefined ? current !== undefined : current?.version !== options.expectedVersion) return false;
    const lease = (current?.value as SourceState | undefined)?.leaseUntil;
    if (options.leaseFreeAt !== undefined && lease !== undefined && !(lease < options.leaseFreeAt)) return false;
    const outbox = new Map(current?.outbox ?? []);
    for (const entry of options.outbox ?? []) outbox.set(entry.event.id, structuredClone(entry));
    records.set(key, { value: structuredClone(value), version: (options.expectedVersion ?? 0) + 1, outbox });
    return true;
  }

  const store: StateStore = {
    async getSource(sourceId) {
      const held = records.get(keyOf({ sourceId })) as Held<SourceState> | undefined;
      return held && toRecord(held);
    },
    async putSource(sourceId, state, options) {
      return put(keyOf({ sourceId }), state, options);
    },
    async listItems(sourceId) {
      return [...records.entries()]
        .filter(([key]) => key.startsWith(`${sourceId}|`) && !key.endsWith('|'))
        .map(([, held]) => toRecord(held as Held<TrackedItem>));
    },
    async putItem(sourceId, item, options) {
      return put(keyOf({ sourceId, itemId: item.itemId }), item, options);
    },
    async claimOutbox(ref, eventId, claimedAt, staleBefore) {
      const entry = records.get(keyOf(ref))?.outbox.get(eventId);
      if (!entry || (entry.claimedAt !== undefined && !(entry.claimedAt < staleBefore))) return false;
      records.get(keyOf(ref))!.outbox.set(eventId, { ...entry, claimedAt });
      return true;
    },
    async releaseOutbox(ref, eventId) {
      const outbox = records.get(keyOf(ref))?.outbox;
      const entry = outbox?.get(eventId);
      if (entry) outbox!.set(eventId, { event: entry.event, seq: entry.seq });
    },
    async ackOutbox(ref, eventId) {
      records.get(keyOf(ref))?.outbox.delete(eventId);
    },
    async logEvent(event) {
      logged.push(structuredClone(event));
    },
  };
  return { store, records, logged };
}
