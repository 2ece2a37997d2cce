// The heart of the watcher: compares a poll's items with what was remembered and derives the events, purely. Each
// kind's rules live in their own module: incidents and maintenance (diff-incidents.ts), the change log
// (diff-changelog.ts), advisories (diff-advisories.ts); fingerprints, severities and update identities are shared.
import { knownAdvisory, newAdvisory } from './diff-advisories.js';
import { knownChangelogEntry, newChangelogEntry } from './diff-changelog.js';
import { knownIncident, newIncident } from './diff-incidents.js';
import { stampMs, type DiffContext, type ItemChange } from './diff-shared.js';
import type { Item, WatcherEvent } from './model.js';
import { fitItemEvents } from './text/event-budgets.js';
import type { TrackedItem } from './tracked.js';

export { normalize } from './diff-fingerprint.js';
export type { DiffContext, ItemChange } from './diff-shared.js';

/**
 * Compares the items of one poll with the remembered ones and returns the items whose state changes,
 * each with its events. Items that disappeared from the feed are left alone: feeds are windows, not lists.
 * A copy of an item older than the one already processed (a stale edge cache) changes nothing; an item listed
 * twice counts once, as its most advanced copy.
 */
export function diffItems(
  ctx: DiffContext,
  previous: ReadonlyMap<string, TrackedItem>,
  items: readonly Item[],
): ItemChange[] {
  const changes: ItemChange[] = [];
  for (const item of mostAdvancedListings(items)) {
    const known = previous.get(item.itemId);
    const stillTracked = known && !(known.expiresAt !== undefined && known.expiresAt * 1000 <= ctx.now.getTime());
    const change = stillTracked ? diffKnown(ctx, known, item) : diffNew(ctx, item);
    // One item's events go into its outbox in one write: distinct ids, and within the item's byte budget together.
    if (change) changes.push({ ...change, events: fitItemEvents(uniqueById(change.events)) });
  }
  return changes;
}

/**
 * One listing per item, in the order items first appear. A feed listing an item twice (a repeated entry, the two
 * copies possibly of different age and swapping places between polls) yields its most advanced copy, whichever
 * comes first: the one with more updates, then the later vendor stamp, then the later newest update; identical
 * progress is decided on the content, so the choice never depends on the order.
 */
function mostAdvancedListings(items: readonly Item[]): Item[] {
  const chosen = new Map<string, Item>();
  for (const item of items) {
    const other = chosen.get(item.itemId);
    chosen.set(item.itemId, other === undefined ? item : moreAdvanced(other, item));
  }
  return [...chosen.values()];
}

function moreAdvanced(a: Item, b: Item): Item {
  const pa = progressOf(a);
  const pb = progressOf(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const difference = (pa[i] ?? -Infinity) - (pb[i] ?? -Infinity);
    if (difference !== 0 && !Number.isNaN(difference)) return difference > 0 ? a : b;
  }
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja >= jb ? a : b;
}

function progressOf(item: Item): number[] {
  switch (item.kind) {
    case 'incident':
    case 'maintenance':
      return [item.updates.length, stampMs(item.updatedAt), stampMs(item.updates[0]?.at)];
    case 'advisory':
      return [stampMs(item.updatedAt), item.withdrawnAt ? 1 : 0];
    case 'changelog':
      return [];
  }
}

function uniqueById(events: readonly WatcherEvent[]): WatcherEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
}

function diffNew(ctx: DiffContext, item: Item): ItemChange | undefined {
  switch (item.kind) {
    case 'incident':
    case 'maintenance':
      return newIncident(ctx, item);
    case 'changelog':
      return newChangelogEntry(ctx, item);
    case 'advisory':
      return newAdvisory(ctx, item);
  }
}

function diffKnown(ctx: DiffContext, known: TrackedItem, item: Item): ItemChange | undefined {
  switch (item.kind) {
    case 'incident':
    case 'maintenance':
      return knownIncident(ctx, known, item);
    case 'changelog':
      return knownChangelogEntry(ctx, known, item);
    case 'advisory':
      return knownAdvisory(ctx, known, item);
  }
}
