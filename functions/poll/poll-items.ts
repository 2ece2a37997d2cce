// The poll's item step: a changed body's items diffed against the stored ones, each change written with its events.
import { diffItems, type ItemChange } from '../core/diff-items.js';
import { chainEvents } from '../core/event-chain.js';
import { shorten, type EventSourceInfo } from '../core/event-factory.js';
import type { Item, WatcherEvent } from '../core/model.js';
import type { OutboxRef, StateStore, StoredRecord } from '../core/ports.js';
import type { SeverityRule } from '../core/severity-rules.js';
import type { OutboxEntry, TrackedItem } from '../core/tracked.js';

/** An outbox entry this run holds for publishing, and the record whose outbox it is in. */
export interface Pending {
  readonly ref: OutboxRef;
  readonly entry: OutboxEntry;
}

/** An item whose write the store refused, and why. */
export interface RefusedItem {
  readonly itemId: string;
  readonly reason: string;
}

/** What the item step takes from the poll of one source. */
export interface ItemStep {
  readonly store: StateStore;
  readonly sourceId: string;
  /** Where the source's items are tracked: its own id, or the scope it shares with other sources. */
  readonly scope: string;
  readonly scoped: boolean;
  /** Items an earlier version tracked under the source's own id may still count (see `SourceState.itemScope`). */
  readonly readsOwnItems: boolean;
  readonly info: EventSourceInfo;
  /** The source's first processed body: its items are taken in without announcing them. */
  readonly baseline: boolean;
  readonly now: Date;
  readonly trackResolvedDays: number;
  /** The config's `severityRules`, applied by the diff. */
  readonly severityRules?: readonly SeverityRule[];
  readonly log: (level: 'info' | 'warn' | 'error', message: string, keys?: Record<string, unknown>) => void;
  /** Takes over outbox entries an interrupted run left behind; counts those another live run still holds. */
  readonly claimLeftovers: (ref: OutboxRef, entries: readonly OutboxEntry[]) => Promise<{ taken: Pending[]; held: number }>;
  /** The outbox entries of new events, numbered from `from`, claimed by this run. */
  readonly claimed: (events: readonly WatcherEvent[], from?: number) => OutboxEntry[];
}

/** What the item step did: the changes found, the entries to publish, and what it left to other runs or the next poll. */
export interface ItemStepResult {
  readonly changes: readonly ItemChange[];
  readonly pending: Pending[];
  /** Outbox entries another live run holds (its leftovers, or its writes of the same events). */
  readonly held: number;
  /** Items another run (of this source, or of another source of its scope) wrote first: this source reads them again. */
  readonly contended: number;
  /** Items whose write the store refused: left for the next poll, and the poll counted as failed. */
  readonly refused: readonly RefusedItem[];
}

/**
 * Diffs the parsed items against the stored ones, claims the outbox entries earlier runs left on them, and writes each
 * changed item together with its events (the outbox), conditional on the version read. Publishing is the caller's.
 */
export async function writeItems(step: ItemStep, items: readonly Item[]): Promise<ItemStepResult> {
  const { store, sourceId, scope, scoped, readsOwnItems, info, now, trackResolvedDays, severityRules, log, claimLeftovers, claimed } = step;
  const records = await store.listItems(scope);
  const byId = new Map(records.map((r) => [r.value.itemId, r]));
  // Items an earlier version tracked under the source's own id count as known where the scope has no record of them,
  // so an upgrade announces nothing again; they are written under the scope from now on.
  const ownRecords = readsOwnItems ? await store.listItems(sourceId) : [];
  const ownById = new Map(
    ownRecords.filter((r) => !byId.has(r.value.itemId)).map((r) => [r.value.itemId, adoptOwnRecord(r, info.region)]),
  );
  const known = new Map<string, TrackedItem>([...ownById, ...byId].map(([itemId, r]) => [itemId, r.value]));
  const changes = diffItems(
    { source: info, scope: scoped ? scope : undefined, baseline: step.baseline, now, trackResolvedDays, severityRules },
    known,
    items,
  );
  const pending: Pending[] = [];
  let held = 0;
  const drains: Array<[string, ReadonlyArray<StoredRecord<TrackedItem>>]> = [
    [scope, records],
    [sourceId, ownRecords],
  ];
  for (const [partition, stored] of drains) {
    for (const r of stored) {
      if (r.outbox.length === 0) continue;
      const leftovers = await claimLeftovers({ sourceId: partition, itemId: r.value.itemId }, r.outbox);
      pending.push(...leftovers.taken);
      held += leftovers.held;
    }
  }
  let seq = 0;
  /** Items whose write the store refused: left for the next poll, and the poll counted as failed. */
  const refused: RefusedItem[] = [];
  /** Items another run (of this source, or of another source of its scope) wrote first: this source reads them again. */
  let contended = 0;
  /** Writes one item under the scope, conditional on the version read; false when another run wrote it first. */
  async function putScoped(item: TrackedItem, expectedVersion: number | undefined, entries: readonly OutboxEntry[]): Promise<boolean | undefined> {
    try {
      return await store.putItem(scope, item, { expectedVersion, outbox: entries });
    } catch (error) {
      // One item the store refuses (too large, invalid, throttled past retries) must not jam the others: it is
      // reported, left unwritten for the next poll to retry, and the poll counts as failed for the source's health.
      if (!isRefusedWrite(error)) throw error;
      const reason = `${error.name}: ${error.message}`;
      log('error', 'item could not be stored; its events wait for the next poll', { itemId: item.itemId, reason, events: entries.length });
      refused.push({ itemId: item.itemId, reason });
      return undefined;
    }
  }
  for (const change of changes) {
    const itemId = change.next.itemId;
    const stored = byId.get(itemId);
    // Each event names the one before it about this item; the item remembers the last in the same write as the
    // outbox, so the link survives a crash before publishing. The stored record is the one the write is conditional
    // on (also when the diff treats an expired item as new), and a change without events keeps its link. An item known
    // only from the source's own record continues that record's chain, and is created under the scope.
    const chain = chainEvents((stored ?? ownById.get(itemId))?.value.lastEvent, change.events);
    const next = chain.last ? { ...change.next, lastEvent: chain.last } : change.next;
    const entries = claimed(chain.events, seq);
    seq += entries.length;
    // Written here or not at all: an own record it was known from is not moved as it was (below).
    ownById.delete(itemId);
    const ok = await putScoped(next, stored?.version, entries);
    if (ok === undefined) continue;
    if (ok) {
      for (const entry of entries) pending.push({ ref: { sourceId: scope, itemId }, entry });
    } else {
      // Its events, if any, are that run's (the same ids); what this source saw beyond them (a later update, its
      // region) is diffed again next poll, which re-reads this body since this one does not settle.
      held += entries.length;
      contended += 1;
      // Routine for a scope's item (its other sources poll the same minute); for a source's own, an overlapping run.
      log(scoped ? 'info' : 'warn', 'item changed by another run; its events are left to that run', { itemId });
    }
  }
  // The first changed poll after an upgrade moves the rest of the source's own records under the scope, unchanged, so
  // that later polls read the scope alone. One that another source of the scope moved first is already there.
  for (const [itemId, own] of ownById) {
    if (own.value.expiresAt !== undefined && own.value.expiresAt * 1000 <= now.getTime()) continue;
    if (await putScoped(own.value, undefined, [])) log('info', 'item moved under its scope', { itemId, scope });
  }
  return { changes, pending, held, contended, refused };
}

/**
 * A record an earlier version kept under the source's own id, as known under the scope: the source's region is the
 * region that listed it (what its `regions` were worked out from), so reading it changes nothing by itself.
 */
function adoptOwnRecord(record: StoredRecord<TrackedItem>, region: string | undefined): StoredRecord<TrackedItem> {
  if (record.value.listedIn !== undefined || region === undefined || (record.value.kind !== 'incident' && record.value.kind !== 'maintenance')) {
    return record;
  }
  return { ...record, value: { ...record.value, listedIn: [region] } };
}

/**
 * A write the store answered with a refusal: DynamoDB's ValidationException (an item over 400 KB, a key over its
 * limit), throttling or an internal error once the SDK's retries are spent. The AWS SDK marks every error the service
 * answered with `$fault`. Anything else (a defect, a connection lost mid-write, a crash) propagates as before.
 */
function isRefusedWrite(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { $fault?: unknown }).$fault === 'string';
}

/** The poll's failure reason for items the store refused: the first item named with its reason, the rest counted. */
export function describeRefused(refused: readonly RefusedItem[]): string {
  const [first] = refused;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more item${refused.length > 2 ? 's' : ''})` : '';
  return `item ${shorten(first!.itemId, 200)} could not be stored: ${shorten(first!.reason, 500)}${more}`;
}
