// What the diff's modules share: the poll's context, an item's change, vendor stamps, item events, tracked base (pure).
import { makeEvent, type EventBody, type EventSourceInfo } from './event-factory.js';
import type { EventType, Item, WatcherEvent } from './model.js';
import type { SeverityRule } from './severity-rules.js';
import { boundedTitle, boundedUrl } from './text/event-budgets.js';
import { parseTime } from './text/time.js';
import type { TrackedItem } from './tracked.js';

export interface DiffContext {
  readonly source: EventSourceInfo;
  /**
   * The scope the items are tracked under when the source shares them with other sources (see `SourceModule.itemScope`);
   * undefined when they are the source's own. Events of a scope's items carry it, and their ids are computed over it.
   */
  readonly scope?: string;
  /** True until the source's first successful poll: known history is recorded silently. */
  readonly baseline: boolean;
  readonly now: Date;
  /** Days a resolved incident stays tracked (to catch a late RCA). */
  readonly trackResolvedDays: number;
  /** The config's `severityRules`: the first that matches an item sets its severity (see `itemSeverity`). */
  readonly severityRules?: readonly SeverityRule[];
}

/** One item whose remembered state changes, with the events the change yields (possibly none). */
export interface ItemChange {
  readonly previous?: TrackedItem;
  readonly next: TrackedItem;
  readonly events: readonly WatcherEvent[];
}

export const DAY_MS = 86_400_000;

/** A vendor stamp in milliseconds; -Infinity when missing or unreadable, so that any readable stamp is later. */
export function stampMs(iso: string | undefined): number {
  return (iso === undefined ? undefined : parseTime(iso)) ?? -Infinity;
}

/** -1 when `listed` is stamped before `tracked`, 1 after, 0 when equal or either is missing. */
export function compareStamps(listed: string | undefined, tracked: string | undefined): number {
  const a = stampMs(listed);
  const b = stampMs(tracked);
  if (a === -Infinity || b === -Infinity || a === b) return 0;
  return a < b ? -1 : 1;
}

/** The later of two vendor stamps (either may be missing): the tracked stamp never goes backwards. */
export function laterStamp(tracked: string | undefined, listed: string | undefined): string | undefined {
  if (listed === undefined) return tracked;
  return compareStamps(listed, tracked) < 0 ? tracked : listed;
}

/** An event about an item of this poll: the item's scope, when it has one, goes into the event (and its id). */
export function itemEvent(
  ctx: DiffContext,
  type: EventType,
  changeKey: string,
  body: Omit<EventBody, 'scope'>,
): WatcherEvent {
  return makeEvent(ctx.source, type, changeKey, ctx.now, { ...body, scope: ctx.scope });
}

/**
 * The remembered state every kind of item has, as of this poll; each kind's module adds its own (its severity,
 * fingerprint and the rest).
 */
export function trackedBase(
  ctx: DiffContext,
  item: Item,
  known: TrackedItem | undefined,
): Pick<TrackedItem, 'itemId' | 'kind' | 'title' | 'url' | 'firstSeenAt' | 'changedAt'> {
  const nowIso = ctx.now.toISOString();
  return {
    itemId: item.itemId,
    kind: item.kind,
    // Cut like the events' (the fingerprint hashes the full title), so that no title can outgrow the record.
    title: boundedTitle(item.title),
    url: boundedUrl(item.url, ctx.source.url),
    firstSeenAt: known?.firstSeenAt ?? nowIso,
    changedAt: nowIso,
  };
}
