// Incident and maintenance update identities: keys (label, time, ordinal for twins), legacy keys, change keys (pure).
import { updateHash } from './diff-fingerprint.js';
import type { IncidentItem, ItemUpdate } from './model.js';
import type { TrackedUpdate } from './tracked.js';

/** An update with its identity: the n-th (oldest first) of the item's updates with its label and time. */
export interface IdentifiedUpdate {
  readonly update: ItemUpdate;
  readonly ordinal: number;
  readonly key: string;
  readonly hash: string;
}

/**
 * Identities of an item's updates (newest first, as listed). An update is known by its label and time; two with the
 * same label and time (minute-precise feeds: two "Update"s posted in one minute) are told apart by an ordinal counted
 * from the oldest. The first keeps the plain key, so keys (and event ids) stored before ordinals existed still match.
 */
export function identifyUpdates(updates: readonly ItemUpdate[]): IdentifiedUpdate[] {
  const counts = new Map<string, number>();
  const identified: IdentifiedUpdate[] = new Array(updates.length);
  for (let index = updates.length - 1; index >= 0; index -= 1) {
    const update = updates[index]!;
    const base = updateKey(update);
    const ordinal = (counts.get(base) ?? 0) + 1;
    counts.set(base, ordinal);
    identified[index] = { update, ordinal, key: ordinal === 1 ? base : `${base}|${ordinal}`, hash: updateHash(update) };
  }
  return identified;
}

/**
 * Tracked updates as stored by versions without ordinals, where two updates with one label and time shared one key:
 * the same ordinals as {@link identifyUpdates} gives them (oldest first), so such an item announces nothing anew.
 */
export function withLegacyOrdinals(updates: readonly TrackedUpdate[]): readonly TrackedUpdate[] {
  if (new Set(updates.map((u) => u.key)).size === updates.length) return updates;
  const counts = new Map<string, number>();
  const renamed = [...updates];
  for (let index = updates.length - 1; index >= 0; index -= 1) {
    const update = updates[index]!;
    const ordinal = (counts.get(update.key) ?? 0) + 1;
    counts.set(update.key, ordinal);
    if (ordinal > 1) renamed[index] = { ...update, key: `${update.key}|${ordinal}` };
  }
  return renamed;
}

/** The event id's change key of a new update; unchanged from before ordinals for the first (and usually only) one. */
export function updateChangeKey({ update, ordinal }: IdentifiedUpdate): string {
  const key = `update:${update.label}:${update.at}`;
  return ordinal === 1 ? key : `${key}:${ordinal}`;
}

export function trackedUpdates(item: IncidentItem): TrackedUpdate[] {
  return identifyUpdates(item.updates).map(({ key, hash }) => ({ key, hash }));
}

function updateKey(update: ItemUpdate): string {
  return `${update.label.toLowerCase()}|${update.at}`;
}
