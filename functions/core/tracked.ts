// What the watcher remembers per item and per source between polls (the diff's input and output); plain data.
import type { EventLink, ItemKind, Severity, WatcherEvent } from './model.js';
import type { Validators } from './ports.js';

/** One update of a tracked incident: its identity and a hash of its normalized text. */
export interface TrackedUpdate {
  /**
   * `<label, lower case>|<time, ISO>`; the n-th (n >= 2, counted from the oldest) of updates sharing a label and time
   * gets `|<n>` appended. The first keeps the plain key, as stored before ordinals existed.
   */
  readonly key: string;
  /** Of the full text (never the text cut for an event), normalized. */
  readonly hash: string;
  /** The vendor no longer lists this update (deleted it): still remembered, so it is never announced again. */
  readonly unlisted?: true;
}

/** The remembered state of one item: enough to tell new, changed and rewritten content apart. */
export interface TrackedItem {
  readonly itemId: string;
  readonly kind: ItemKind;
  readonly title: string;
  readonly url: string;
  /** Kept stable for the item's life so that all its events route alike; only ever raised. */
  readonly severity: Severity;
  /** Hash of the item's normalized content: equal fingerprints mean nothing to do. */
  readonly fingerprint: string;
  /** Incident and maintenance updates: the listed ones newest first, then the ones no longer listed. */
  readonly updates?: readonly TrackedUpdate[];
  readonly status?: string;
  /**
   * Incidents and maintenance: the regions the events carry: those the incident names, else the regions it is listed
   * in (`listedIn`).
   */
  readonly regions?: readonly string[];
  /**
   * Incidents and maintenance: the configured regions of the sources that have listed the item, sorted; for an item of
   * a scope, every region's feed that has listed it so far. Absent on records from before scopes and for sources without
   * a region.
   */
  readonly listedIn?: readonly string[];
  readonly resolvedAt?: string;
  readonly rcaAnnounced?: boolean;
  /** Maintenance: its scheduled window, ISO 8601, where the source gives it (the digest shows it). */
  readonly scheduledFor?: string;
  readonly scheduledUntil?: string;
  /**
   * Incidents, maintenance and advisories: the latest vendor stamp (entry `updated`, `updated_at`, `modified`) of a
   * copy processed. A copy stamped earlier is stale (an edge cache) and changes nothing.
   */
  readonly updatedAt?: string;
  readonly withdrawn?: boolean;
  readonly firstSeenAt: string;
  readonly changedAt: string;
  /** Epoch seconds after which the item is no longer tracked (DynamoDB TTL attribute). */
  readonly expiresAt?: number;
  /** The item's last announced event: the next event's `previous` (written with that event's outbox entry). */
  readonly lastEvent?: EventLink;
}

/** Health and HTTP-cache state of one source. */
export interface SourceState {
  /** Hash of the last fully processed body; present only when every event of that body is published ("settled"). */
  readonly bodyHash?: string;
  /** Conditional-GET validators per request URL; present only when settled, like bodyHash. */
  readonly validators?: Readonly<Record<string, Validators>>;
  readonly itemCount?: number;
  /** When the first successful poll recorded the baseline. */
  readonly baselineAt?: string;
  readonly lastSuccessAt?: string;
  readonly consecutiveFailures: number;
  readonly failingSince?: string;
  readonly failingAnnounced?: boolean;
  readonly lastError?: { readonly at: string; readonly url: string; readonly reason: string };
  /** A changed-body poll holds the source until this time, so overlapping runs cannot both announce a change. */
  readonly leaseUntil?: string;
  /** The source's last `source.failing`/`source.recovered` event: the next health event's `previous`. */
  readonly lastEvent?: EventLink;
  /**
   * For a source whose items are tracked under a scope: that scope, recorded once the source's own item records (kept
   * under its id by versions before scopes) need no more reading: from the first write of a new source, or once a changed
   * poll has moved them under the scope and published what their outboxes held. Until then each changed poll reads them.
   */
  readonly itemScope?: string;
}

/** An event waiting in a record's outbox until it has been published. */
export interface OutboxEntry {
  readonly event: WatcherEvent;
  /** Order of events written by one poll (for stable publishing order). */
  readonly seq: number;
  /** Set when a run took the entry to publish it; another run may take it over once this is stale. */
  readonly claimedAt?: string;
}

export const EMPTY_SOURCE_STATE: SourceState = { consecutiveFailures: 0 };
