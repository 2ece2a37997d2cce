// The diff of security advisories: published, updated and withdrawn events, and an advisory's remembered state (pure).
import { advisoryFingerprint } from './diff-fingerprint.js';
import { itemSeverity } from './diff-severity.js';
import { compareStamps, itemEvent, laterStamp, trackedBase, type DiffContext, type ItemChange } from './diff-shared.js';
import { shorten } from './event-factory.js';
import type { AdvisoryItem, EventType, WatcherEvent } from './model.js';
import type { TrackedItem } from './tracked.js';

export function newAdvisory(ctx: DiffContext, item: AdvisoryItem): ItemChange {
  const next = trackAdvisory(ctx, item, undefined);
  if (ctx.baseline || item.withdrawnAt) return { next, events: [] };
  return { next, events: [advisoryEvent(ctx, item, next, 'advisory.published', 'published', item.publishedAt)] };
}

export function knownAdvisory(ctx: DiffContext, known: TrackedItem, item: AdvisoryItem): ItemChange | undefined {
  // Unchanged: the common case, decided on the hash alone.
  if (advisoryFingerprint(item) === known.fingerprint) return undefined;
  // A copy stamped before the one processed is stale (an edge cache): going back to it would announce it again.
  if (compareStamps(item.updatedAt, known.updatedAt) < 0) return undefined;
  const next = trackAdvisory(ctx, item, known);
  return { previous: known, next, events: advisoryChangeEvents(ctx, known, item, next) };
}

function advisoryChangeEvents(ctx: DiffContext, known: TrackedItem, item: AdvisoryItem, next: TrackedItem): WatcherEvent[] {
  if (item.withdrawnAt && !known.withdrawn) {
    return [advisoryEvent(ctx, item, next, 'advisory.withdrawn', 'withdrawn', item.withdrawnAt)];
  }
  if (item.withdrawnAt) return [];
  return [advisoryEvent(ctx, item, next, 'advisory.updated', `updated:${next.fingerprint}`, item.updatedAt)];
}

function advisoryEvent(
  ctx: DiffContext,
  item: AdvisoryItem,
  tracked: TrackedItem,
  type: EventType,
  changeKey: string,
  occurredAt: string | undefined,
): WatcherEvent {
  const names = item.packages.map((p) => p.name);
  const affects = names.length > 0 ? ` affecting ${shorten(names.join(', '), 200)}` : '';
  return itemEvent(ctx, type, changeKey, {
    itemId: item.itemId,
    title: item.title,
    url: item.url,
    severity: tracked.severity,
    occurredAt: occurredAt ?? ctx.now.toISOString(),
    summary: shorten(`${item.vendorSeverity} severity advisory${affects}${item.cveId ? ` (${item.cveId})` : ''}: ${item.title}`, 500),
    packages: item.packages,
  });
}

/** The remembered state of an advisory as of this poll. */
function trackAdvisory(ctx: DiffContext, item: AdvisoryItem, known: TrackedItem | undefined): TrackedItem {
  return {
    ...trackedBase(ctx, item, known),
    severity: itemSeverity(ctx, item),
    fingerprint: advisoryFingerprint(item),
    withdrawn: item.withdrawnAt ? true : undefined,
    updatedAt: laterStamp(known?.updatedAt, item.updatedAt),
  };
}
