// Test support: the digest use case's store (functions/digest/digest-store.ts) in memory, with the event log the poller
// writes into, by the same rules as functions/adapters/dynamo-digest-store.ts and dynamo-event-log-table.ts: versioned
// watermark writes under a lease condition, an event placed once (late when the log was closed past it), a closed
// mark that never moves backwards, and each event taken by exactly one digest period.
import type { WatcherEvent } from '../../functions/core/model.js';
import type { StateStore } from '../../functions/core/ports.js';
import type { DigestStore, DigestWatermark } from '../../functions/digest/digest-store.js';

/** An event as the log holds it (as `readEventLog` in dynamo-event-log-table.ts reports it). */
export interface MemoryLoggedEvent {
  readonly event: WatcherEvent;
  /** Its place in the digests: its detection time, or the closed mark when it was logged (or logged again) late. */
  readonly digestAt: string;
  /** The digest period that took it (`<name>:<from>/<to>`), once one did. */
  readonly takenBy?: string;
}

export interface MemoryDigestStore {
  readonly store: DigestStore;
  /**
   * Logs an event as the poller does (the DynamoDB StateStore's `logEvent`): once, at its detection time, or at the
   * closed mark when a digest has closed the log past it; logging it again changes nothing, except that an entry no
   * digest took and the log was closed past moves to the mark, so the next digest takes it.
   */
  logEvent(event: WatcherEvent): Promise<void>;
  /**
   * `stateStore` with its `logEvent` also writing into this event log: on AWS the state store and the digest store
   * share one table, so what the poller logs through the state store is what digests take.
   */
  sharingEventLog(stateStore: StateStore): StateStore;
  /** Every logged event, oldest place first (then by id); copies. */
  eventLog(): MemoryLoggedEvent[];
  /** The end of the log a digest has taken (`EVENTLOG#CLOSED`); undefined until the first digest closed it. */
  closedAt(): string | undefined;
  /** The watermark record of a digest as stored, with its version; undefined before its first write. */
  watermark(name: string): { readonly value: DigestWatermark; readonly version: number } | undefined;
}

interface Entry {
  /** The event as JSON, as the table keeps it. */
  readonly event: string;
  readonly id: string;
  readonly detectedAt: string;
  digestAt: string;
  takenBy?: string;
}

interface StoredWatermark {
  /** The watermark as JSON, as the table keeps it. */
  readonly value: string;
  readonly version: number;
  /** Kept beside the value, as the table's `leaseUntil` attribute the lease condition reads. */
  readonly leaseUntil?: string;
}

const byDetection = (a: WatcherEvent, b: WatcherEvent) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id);

export function memoryDigestStore(): MemoryDigestStore {
  const watermarks = new Map<string, StoredWatermark>();
  /** By the entry's key in the table: detection time and id. */
  const entries = new Map<string, Entry>();
  let closedAt: string | undefined;

  const readWatermark = (name: string) => {
    const held = watermarks.get(name);
    return held && { value: JSON.parse(held.value) as DigestWatermark, version: held.version };
  };

  async function logEvent(event: WatcherEvent): Promise<void> {
    const key = `${event.detectedAt}#${event.id}`;
    const existing = entries.get(key);
    if (existing) {
      // The first place stands; a poller that finds the log closed past an entry no digest took moves it to the mark.
      if (existing.takenBy === undefined && closedAt !== undefined && closedAt > existing.digestAt) existing.digestAt = closedAt;
      return;
    }
    const digestAt = closedAt !== undefined && closedAt > event.detectedAt ? closedAt : event.detectedAt;
    entries.set(key, { event: JSON.stringify(event), id: event.id, detectedAt: event.detectedAt, digestAt });
  }

  const store: DigestStore = {
    async getWatermark(name) {
      return readWatermark(name);
    },

    async putWatermark(name, value, { expectedVersion, leaseFreeAt }) {
      const current = watermarks.get(name);
      if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion) return false;
      if (leaseFreeAt !== undefined && current?.leaseUntil !== undefined && !(current.leaseUntil < leaseFreeAt)) return false;
      watermarks.set(name, {
        value: JSON.stringify(value),
        version: (expectedVersion ?? 0) + 1,
        ...(value.leaseUntil !== undefined && { leaseUntil: value.leaseUntil }),
      });
      return true;
    },

    async closePeriod(name, { from, to }) {
      // The mark never moves backwards.
      if (closedAt === undefined || closedAt < to) closedAt = to;
      const takenBy = `${name}:${from}/${to}`;
      const taken = new Map<string, WatcherEvent>();
      for (const entry of entries.values()) {
        if (entry.digestAt < from || entry.digestAt >= to) continue;
        if (entry.takenBy !== undefined && entry.takenBy !== takenBy) continue;
        entry.takenBy = takenBy;
        taken.set(entry.id, JSON.parse(entry.event) as WatcherEvent);
      }
      return [...taken.values()].sort(byDetection);
    },
  };

  return {
    store,
    logEvent,
    sharingEventLog(stateStore) {
      return new Proxy(stateStore, {
        get(target, key, receiver) {
          const own = Reflect.get(target, key, receiver) as unknown;
          if (key !== 'logEvent') return typeof own === 'function' ? own.bind(target) : own;
          return async (event: WatcherEvent) => {
            await target.logEvent(event);
            await logEvent(event);
          };
        },
      });
    },
    eventLog() {
      return [...entries.values()]
        .map((entry): MemoryLoggedEvent => ({
          event: JSON.parse(entry.event) as WatcherEvent,
          digestAt: entry.digestAt,
          ...(entry.takenBy !== undefined && { takenBy: entry.takenBy }),
        }))
        .sort((a, b) => a.digestAt.localeCompare(b.digestAt) || a.event.id.localeCompare(b.event.id));
    },
    closedAt: () => closedAt,
    watermark: (name) => readWatermark(name),
  };
}
