// The digest use case's port: where a digest keeps its watermark and takes its events from. DynamoDB implements it
// in functions/adapters/dynamo-digest-store.ts.
import type { WatcherEvent } from '../core/model.js';

export interface DigestWatermark {
  /** End of the last digest sent: the next one starts here. */
  readonly lastTo?: string;
  readonly lastSentAt?: string;
  /** The period a run has started on; a retry after a crash reuses it, so the digest comes out the same. */
  readonly pending?: { readonly from: string; readonly to: string };
  /** A run holds the digest until this time; an overlapping run backs off. */
  readonly leaseUntil?: string;
}

export interface DigestStore {
  getWatermark(name: string): Promise<{ readonly value: DigestWatermark; readonly version: number } | undefined>;
  /** Conditional on the version read (undefined: must not exist yet) and, with `leaseFreeAt`, on no live lease. */
  putWatermark(
    name: string,
    value: DigestWatermark,
    options: { readonly expectedVersion: number | undefined; readonly leaseFreeAt?: string },
  ): Promise<boolean>;
  /**
   * Closes the event log at the period's end (an event logged for the first time from now on falls into a later
   * period) and takes for this digest every event the period holds that no other digest took, oldest first: events
   * placed in [from, to), late-logged ones included. The same digest and period again (a retried run) gets the same events.
   */
  closePeriod(name: string, period: { readonly from: string; readonly to: string }): Promise<WatcherEvent[]>;
}
