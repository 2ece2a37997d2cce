// The diff of change-log entries: a new entry's event, edits remembered silently, an entry's remembered state (pure).
import { changelogFingerprint } from './diff-fingerprint.js';
import { itemSeverity } from './diff-severity.js';
import { itemEvent, trackedBase, type DiffContext, type ItemChange } from './diff-shared.js';
import { shorten } from './event-factory.js';
import type { ChangelogItem } from './model.js';
import type { TrackedItem } from './tracked.js';

export function newChangelogEntry(ctx: DiffContext, item: ChangelogItem): ItemChange {
  const next = trackChangelogEntry(ctx, item, undefined);
  if (ctx.baseline) return { next, events: [] };
  const event = itemEvent(ctx, 'changelog.published', 'published', {
    itemId: item.itemId,
    title: item.title,
    url: item.url,
    severity: next.severity,
    occurredAt: item.publishedAt ?? ctx.now.toISOString(),
    summary: shorten(item.text || item.title, 500),
    changeType: item.changeType,
  });
  return { next, events: [event] };
}

/** An edited entry is remembered, silently: the change log announces an entry once. */
export function knownChangelogEntry(ctx: DiffContext, known: TrackedItem, item: ChangelogItem): ItemChange | undefined {
  // Unchanged: the common case, decided on the hash alone.
  if (changelogFingerprint(item) === known.fingerprint) return undefined;
  return { previous: known, next: trackChangelogEntry(ctx, item, known), events: [] };
}

/** The remembered state of a change-log entry as of this poll. */
function trackChangelogEntry(ctx: DiffContext, item: ChangelogItem, known: TrackedItem | undefined): TrackedItem {
  return {
    ...trackedBase(ctx, item, known),
    severity: itemSeverity(ctx, item),
    fingerprint: changelogFingerprint(item),
  };
}
