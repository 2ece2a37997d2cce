// For diff tests: applies the item changes of one diff to the remembered map, as the state store would.
import type { ItemChange } from '../../functions/core/diff-items.js';
import type { TrackedItem } from '../../functions/core/tracked.js';

export function remember(previous: ReadonlyMap<string, TrackedItem>, changes: readonly ItemChange[]): Map<string, TrackedItem> {
  const next = new Map(previous);
  for (const change of changes) next.set(change.next.itemId, change.next);
  return next;
}
