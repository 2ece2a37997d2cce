// Links the events of one thread into a chain, each naming the one announced before it, so that a consumer receiving
// them redelivered or out of order can put them back in order (the Slack notifier's ordering gate). Pure.
import type { EventLink, WatcherEvent } from './model.js';

/**
 * What a thread is: one item of one source, or of one scope when sources share their items (the regional feeds of one
 * status page: one incident, one thread, whichever source saw each event); a source's own health events (itemId =
 * source id) are a thread too. Scopes start with `@`, which source ids cannot contain, and neither holds `#`.
 */
export function threadKeyOf(event: Pick<WatcherEvent, 'source' | 'scope' | 'itemId'>): string {
  return `${event.scope ?? event.source}#${event.itemId}`;
}

/** The link to an event, as the next event of its thread names it in `previous`. */
export function linkTo(event: Pick<WatcherEvent, 'id' | 'detectedAt'>): EventLink {
  return { id: event.id, detectedAt: event.detectedAt };
}

export interface ChainedEvents {
  /** The events stamped with `previous`, in the order they were chained (the order they are announced in). */
  readonly events: readonly WatcherEvent[];
  /** The thread's last event now: the last one chained, or `last` unchanged when there were none. */
  readonly last: EventLink | undefined;
}

/**
 * Stamps the new events of one thread with `previous`: the first names `last` (the thread's last announced event, if
 * any), each later one the event before it. Events are chained in the order they are announced, by `occurredAt`, ties
 * in the given order. The event ids do not change (`previous` is not part of them).
 */
export function chainEvents(last: EventLink | undefined, events: readonly WatcherEvent[]): ChainedEvents {
  const thread = events[0] && threadKeyOf(events[0]);
  const stray = events.find((event) => threadKeyOf(event) !== thread);
  if (stray) throw new Error(`chainEvents takes the events of one thread: ${threadKeyOf(stray)} is not ${thread}`);
  const ordered = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt) || a.index - b.index)
    .map(({ event }) => event);
  let previous = last;
  const chained = ordered.map((event) => {
    const stamped: WatcherEvent = previous ? { ...event, previous } : event;
    previous = linkTo(stamped);
    return stamped;
  });
  return { events: chained, last: previous };
}

/** The event log the poller writes before each publish (`logEvent`), read one event at a time. */
export interface EventLog {
  /** The logged event the link names; undefined when it was never logged or has expired from the log. */
  getLoggedEvent(link: EventLink): Promise<WatcherEvent | undefined>;
}

/** The last announced event of each thread of one source record: its health thread's, and its items' by `itemId`. */
export interface ThreadLinks {
  /** The source's own health thread (`itemId` = the source id). */
  readonly health: EventLink | undefined;
  readonly threads: Readonly<Record<string, EventLink>>;
}

/** Item threads a source record remembers for `previous` links; the least recently announced go first. */
export const MAX_REMEMBERED_THREADS = 200;

/**
 * Chains a run's events thread by thread ({@link chainEvents}): events whose `itemId` is `healthItemId` continue the
 * health thread, the others their item's thread. Returns the stamped events (thread by thread, in the order the
 * threads first appear) and the links after them, keeping the `maxThreads` most recently announced item threads.
 */
export function chainThreads(
  events: readonly WatcherEvent[],
  links: ThreadLinks,
  healthItemId: string,
  maxThreads: number = MAX_REMEMBERED_THREADS,
): { readonly events: WatcherEvent[]; readonly links: ThreadLinks } {
  const byThread = new Map<string, WatcherEvent[]>();
  for (const event of events) byThread.set(threadKeyOf(event), [...(byThread.get(threadKeyOf(event)) ?? []), event]);
  let health = links.health;
  const threads: Record<string, EventLink> = { ...links.threads };
  const chained: WatcherEvent[] = [];
  for (const thread of byThread.values()) {
    const itemId = thread[0]!.itemId;
    const isHealth = itemId === healthItemId;
    const chain = chainEvents(isHealth ? health : threads[itemId], thread);
    chained.push(...chain.events);
    if (isHealth) health = chain.last;
    else if (chain.last) threads[itemId] = chain.last;
  }
  const kept = Object.entries(threads)
    .sort(([, a], [, b]) => b.detectedAt.localeCompare(a.detectedAt))
    .slice(0, maxThreads);
  return { events: chained, links: { health, threads: Object.fromEntries(kept) } };
}
