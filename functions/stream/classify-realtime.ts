// The real-time path of a tenant-log source: logs Auth0's Amazon EventBridge log stream delivers within seconds are
// classified by the same detectors as the poll's, ahead of the poll, and claimed by log id in the same conditional
// write as the detectors' state and the events (the outbox), so a log seen by both paths yields its events once. The
// poll stays the archive and the source of completeness: whatever this path leaves (not baselined yet, a poll run
// holding the source, a lost race, the claims' cap, a log the detectors defer) the poll classifies in order.
import type { PublishError } from '../core/errors.js';
import type { EventSourceInfo } from '../core/event-factory.js';
import type { WatcherEvent } from '../core/model.js';
import type { Clock, Logger, OutboxRef, Publisher, StateStore } from '../core/ports.js';
import { detectTenantLogs, kindOfLogType, tenantDetectorSettings } from '../core/tenant/index.js';
import type { Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import { publishLeftovers, publishPending } from '../poll/publish-pending.js';
import { compareLogIds } from './log-ids.js';
import { DEFAULT_STREAM_SETTINGS } from './poll-stream.js';
import type { TenantLog } from './ports.js';
import { writeStreamRecord, type StreamSourceState } from './stream-record.js';

/**
 * Claims outstanding at most (log ids after the checkpoint, about 60 bytes each): the source record stays far below
 * DynamoDB's 400 KB item limit. Beyond it, logs are left to the poll, which drops claims as its checkpoint passes them.
 */
export const MAX_REALTIME_CLAIMS = 1000;
/** Writes tried when another writer changed the record between the read and the write; then the logs go to the poll. */
const MAX_ATTEMPTS = 3;

export interface RealtimeSettings {
  /** A claim on an outbox entry older than this is a dead run's: the entry is published again (the poll's lease). */
  readonly leaseMs: number;
  readonly maxClaims: number;
}

export interface RealtimeDependencies {
  readonly store: StateStore;
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<RealtimeSettings>;
}

export interface RealtimeResult {
  readonly sourceId: string;
  /** Logs classified and claimed by this call. */
  readonly classified: number;
  /** Logs of a detected type after the checkpoint, not claimed before, that this call left to the poll. */
  readonly leftToPoll: number;
  /** Why logs were left to the poll, when they were. */
  readonly reason?: string;
  readonly published: readonly WatcherEvent[];
  /** The first publish failure: the event stays in the outbox for the next run of either path. */
  readonly publishFailure?: PublishError;
}

/** Builds the real-time use case from its ports: one source, one batch of logs (any order, duplicates allowed). */
export function makeClassifyRealtime(deps: RealtimeDependencies) {
  const { store, publisher, clock, logger } = deps;
  const settings: RealtimeSettings = { leaseMs: DEFAULT_STREAM_SETTINGS.leaseMs, maxClaims: MAX_REALTIME_CLAIMS, ...deps.settings };

  return async function classifyRealtime(config: Auth0TenantLogsSourceConfig, logs: readonly TenantLog[]): Promise<RealtimeResult> {
    const info: EventSourceInfo = { id: config.id, type: config.type, vendor: 'Auth0', url: config.url, name: config.name };
    const now = clock.now();
    const nowIso = now.toISOString();
    const detectorCtx = { source: info, now, settings: tenantDetectorSettings(config.detectors) };
    const ref: OutboxRef = { sourceId: config.id };
    const log = (level: 'info' | 'warn' | 'error', message: string, keys: Record<string, unknown> = {}) =>
      logger[level](message, { source: config.id, path: 'realtime', ...keys });
    const published: WatcherEvent[] = [];
    const done = (classified: number, leftToPoll: number, reason?: string, publishFailure?: PublishError): RealtimeResult => {
      if (reason !== undefined && leftToPoll > 0) log('info', 'logs left to the poll', { reason, logs: leftToPoll });
      return { sourceId: config.id, classified, leftToPoll, published, ...(reason !== undefined && { reason }), ...(publishFailure && { publishFailure }) };
    };

    // The batch: logs the detectors read, once each, in log_id order.
    const byId = new Map<string, TenantLog>();
    for (const entry of logs) if (kindOfLogType(entry.type) !== undefined && !byId.has(entry.log_id)) byId.set(entry.log_id, entry);
    const batch = [...byId.values()].sort((a, b) => compareLogIds(a.log_id, b.log_id));

    let record = await store.getSource(config.id);
    // Events a run of either path left in the outbox (claimed longer ago than a lease) go out first.
    const staleBefore = new Date(now.getTime() - settings.leaseMs).toISOString();
    let publishFailure = await publishLeftovers({ store, publisher, log }, record, ref, { nowIso, staleBefore }, published);

    for (let attempt = 1; ; attempt += 1) {
      const state = record?.value as StreamSourceState | undefined;
      const progress = state?.stream;
      const checkpoint = progress?.checkpoint;
      // Not baselined: the first poll run starts silently after the newest log, so nothing before it is announced.
      if (checkpoint === undefined) return done(0, batch.length, 'the source has no checkpoint yet', publishFailure);
      const claimed = new Set(progress?.realtime);
      const candidates = batch.filter((entry) => compareLogIds(entry.log_id, checkpoint) > 0 && !claimed.has(entry.log_id));
      if (candidates.length === 0) return done(0, 0, undefined, publishFailure);
      // A poll run classifies every log after its checkpoint anyway, and its writes expect the version it holds.
      const lease = state?.leaseUntil;
      if (lease !== undefined && !(lease < nowIso)) return done(0, candidates.length, 'a poll run holds the source', publishFailure);
      const room = Math.max(0, settings.maxClaims - claimed.size);
      const taken = candidates.slice(0, room);
      if (taken.length === 0) return done(0, candidates.length, `${settings.maxClaims} claims outstanding`, publishFailure);

      const detected = detectTenantLogs(progress?.detectors, taken, detectorCtx, { ahead: true });
      const deferred = new Set(detected.deferred);
      const claims = taken.filter((entry) => !deferred.has(entry.log_id)).map((entry) => entry.log_id);
      const left = candidates.length - claims.length;
      const reason =
        candidates.length > taken.length ? `${settings.maxClaims} claims outstanding` : deferred.size > 0 ? 'older logs of theirs are not read yet' : undefined;
      if (claims.length === 0) return done(0, left, reason, publishFailure);

      const next: StreamSourceState = {
        ...state!,
        stream: { ...progress, detectors: detected.state, realtime: [...claimed, ...claims].sort(compareLogIds) },
      };
      const written = await writeStreamRecord(
        { store, sourceId: config.id, expectedVersion: record!.version, leaseFreeAt: nowIso, nowIso },
        next,
        detected.events,
      );
      if (written) {
        publishFailure ??= await publishPending({ store, publisher, log }, written.entries.map((entry) => ({ ref, entry })), published);
        log('info', 'real-time logs classified', { logs: claims.length, events: written.entries.length });
        return done(claims.length, left, reason, publishFailure);
      }
      if (attempt >= MAX_ATTEMPTS) {
        log('warn', 'source record kept changing; leaving these logs to the poll', { attempts: attempt });
        return done(0, candidates.length, 'the source record kept changing', publishFailure);
      }
      record = await store.getSource(config.id);
    }
  };
}
