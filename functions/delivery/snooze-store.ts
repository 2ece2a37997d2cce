// Snoozes as the delivery layer reads them and the snooze command writes them (the adapter:
// functions/adapters/dynamo-snooze-store.ts, in the watcher's table, expiring by TTL).
import type { Snooze } from '../core/snooze.js';

/** What a route's delivery needs: the live snooze of a thread for the route, if any. */
export interface SnoozeReader {
  /** The snooze of `thread` for `routeId` or for every route that lasts longest and is live at `now`; undefined if none. */
  activeSnooze(thread: string, routeId: string, now: Date): Promise<Snooze | undefined>;
}

export interface SnoozeStore extends SnoozeReader {
  /** Stores the snooze, replacing one of the same thread and route. */
  putSnooze(snooze: Snooze): Promise<void>;
  /** Every snooze live at `now`, soonest to end first. */
  listSnoozes(now: Date): Promise<Snooze[]>;
}
