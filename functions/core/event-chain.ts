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
