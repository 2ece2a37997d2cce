// A stream source's record and how both of its paths write it: the poll (poll-stream.ts) and the real-time path
// (classify-realtime.ts) chain their events per thread and write them into the record's outbox in the same conditional
// write as the checkpoint, the detectors' state and the real-time claims; they publish what a crashed run left there
// alike.
import { chainThreads } from '../core/event-chain.js';
import type { PublishError } from '../core/errors.js';
import type { EventLink, WatcherEvent } from '../core/model.js';
import type { OutboxRef, Publisher, StateStore, StoredRecord } from '../core/ports.js';
import type { TenantDetectorState } from '../core/tenant/index.js';
import type { OutboxEntry, SourceState } from '../core/tracked.js';
import type { Pending } from '../poll/poll-items.js';
import { publishPending } from '../poll/publish-pending.js';

/** What a stream source remembers besides its health: stored on its source record. */
export interface StreamProgress {
  /** The last log archived and classified: the next page starts after it. Absent until the first run found a log. */
  readonly checkpoint?: string;
  /** Every log up to this time has been read: the newest log read, or the start of a run that found nothing newer. */
  readonly readThrough?: string;
  /** The checkpoint a `tenant.logs_gap` was announced from (one gap event per span). */
  readonly gapFrom?: string;
  readonly detectors?: TenantDetectorState;
  /** The last event announced per tenant thread (`itemId`), which the thread's next event names as `previous`. */
  readonly threads?: Readonly<Record<string, EventLink>>;
  /**
   * The claims of the real-time path: ids of logs after the checkpoint it has classified already, sorted by log id. The
   * poll archives them like every log but leaves them out of the detectors, and drops each claim once its checkpoint
   * passes it. Written with the detectors' state and the events they yielded, so a claim exists exactly when its log's
   * effect on them does.
   */
  readonly realtime?: readonly string[];
}

export interface StreamSourceState extends SourceState {
  readonly stream?: StreamProgress;
}

export interface StreamWrite {
  readonly store: StateStore;
  readonly sourceId: string;
  /** The version read; the write succeeds only if the record still has it. */
  readonly expectedVersion: number | undefined;
  /** Also only while no run holds the source's lease (the real-time path). */
  readonly leaseFreeAt?: string;
  /** The outbox entries' claim time: the writer publishes them itself right after. */
  readonly nowIso: string;
}

/**
 * One conditional write of a stream source's record with the events it yields in its outbox: tenant events are chained
 * per thread from `stream.threads`, health events (item = the source) from `lastEvent`. Returns the record written and
 * its outbox entries, or undefined when another run changed the record since (or holds its lease).
 */
export async function writeStreamRecord(
  write: StreamWrite,
  next: StreamSourceState,
  events: readonly WatcherEvent[],
): Promise<{ readonly written: StreamSourceState; readonly entries: readonly OutboxEntry[] } | undefined> {
  const chained = chainThreads(events, { health: next.lastEvent, threads: next.stream?.threads ?? {} }, write.sourceId);
  const { threads } = chained.links;
  const written: StreamSourceState = {
    ...next,
    lastEvent: chained.links.health,
    stream: { ...next.stream, threads: Object.keys(threads).length > 0 ? threads : undefined },
  };
  const entries = chained.events.map((event, seq): OutboxEntry => ({ event, seq, claimedAt: write.nowIso }));
  const ok = await write.store.putSource(write.sourceId, written, {
    expectedVersion: write.expectedVersion,
    outbox: entries,
    ...(write.leaseFreeAt !== undefined && { leaseFreeAt: write.leaseFreeAt }),
  });
  return ok ? { written, entries } : undefined;
}
