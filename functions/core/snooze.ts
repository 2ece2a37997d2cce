// Snoozing one incident for a route: its non-final updates are skipped for a while; its first event and whatever ends
// it (resolved, completed, recovered, a root-cause analysis) are always delivered. Pure: the duration syntax and the
// decision.
import { threadKeyOf } from './event-chain.js';
import { EVENT_TYPE_FACTS } from './event-types.js';
import type { WatcherEvent } from './model.js';

/** Every route of the config, in a snooze's `route`. */
export const ALL_ROUTES = '*';

/** One snooze as stored: the thread it mutes, for which route, until when. */
export interface Snooze {
  /** The incident's thread (`threadKeyOf`: `<scope or source>#<item id>`). */
  readonly thread: string;
  /** The source id and item id as given. */
  readonly source: string;
  readonly itemId: string;
  /** The route id, or {@link ALL_ROUTES}. */
  readonly route: string;
  /** ISO 8601. */
  readonly until: string;
  readonly createdAt: string;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest snooze: a week; an incident muted for longer is better left out by the route's rules. */
export const MAX_SNOOZE_MS = 7 * UNIT_MS.d;

/** A duration such as `30m`, `4h`, `2d` in ms; throws an error saying what is wrong with it. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,4})([mhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: use minutes, hours or days, e.g. 30m, 4h, 2d`);
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms < UNIT_MS.m) throw new Error(`"${text}" is not a duration: it must be at least 1m`);
  if (ms > MAX_SNOOZE_MS) throw new Error(`"${text}" is longer than the longest snooze, 7d`);
  return ms;
}

/** The thread a snooze of `source`'s item names, given the source's item scope (the regional feeds of one page). */
export function snoozeThreadOf(source: string, scope: string | undefined, itemId: string): string {
  return threadKeyOf({ source, scope, itemId });
}

/** Whether an event ends its item: never muted. */
export function isFinalEvent(event: Pick<WatcherEvent, 'type'>): boolean {
  return EVENT_TYPE_FACTS[event.type].endsItem;
}

/**
 * Whether a snooze mutes the event for the route at `now`: it is live, names the event's thread and this route (or
 * every route), the event does not end the item, and the thread's previous event was delivered to the route already
 * (`previousDelivered`), so the route has seen the incident: a first event is never muted.
 */
export function snoozeMutes(
  snooze: Pick<Snooze, 'thread' | 'route' | 'until'> | undefined,
  event: Pick<WatcherEvent, 'type' | 'source' | 'scope' | 'itemId'>,
  routeId: string,
  now: Date,
  previousDelivered: boolean,
): boolean {
  if (!snooze || Date.parse(snooze.until) <= now.getTime()) return false;
  if (snooze.thread !== threadKeyOf(event)) return false;
  if (snooze.route !== ALL_ROUTES && snooze.route !== routeId) return false;
  return !isFinalEvent(event) && previousDelivered;
}
