// The stream use case: reads a tenant's logs on from the checkpoint, archives each page before the checkpoint moves,
// classifies the page with the tenant detectors, and writes the checkpoint, the detectors' state and the events (the
// outbox) in one conditional write of the source record before publishing them. A crash at any step delays, never
// drops nor repeats: a page re-read from the same checkpoint starts with the same log and replaces its archive object,
// and events are published from the outbox as the feed poller's are. Logs the real-time path (classify-realtime.ts)
// classified already are archived like any other but left out of the detectors; their claims go as the checkpoint
// passes them.
import { ManagementApiError, FetchError, PublishError, SecretError } from '../core/errors.js';
import type { EventSourceInfo } from '../core/event-factory.js';
import type { WatcherEvent } from '../core/model.js';
import type { Clock, Logger, OutboxRef, Publisher, SecretResolver, StateStore } from '../core/ports.js';
import { recordFailure, recordSuccess } from '../core/source-health.js';
import { detectTenantLogs, makeTenantGapEvent, tenantDetectorSettings } from '../core/tenant/index.js';
import { EMPTY_SOURCE_STATE } from '../core/tracked.js';
import { tenantHostOf, type Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import type { Pending } from '../poll/poll-items.js';
import type { PollOutcome, PollResult } from '../poll/poll-source.js';
import { publishLeftovers, publishPending } from '../poll/publish-pending.js';
import { compareLogIds } from './log-ids.js';
import type { LogArchive, TenantLog, TenantLogReader } from './ports.js';
import { writeStreamRecord, type StreamProgress, type StreamSourceState } from './stream-record.js';

export type { StreamProgress, StreamSourceState } from './stream-record.js';

/** The Management API's largest page. */
export const PAGE_SIZE = 100;
const DAY_MS = 86_400_000;
export interface StreamSettings {
  /** Consecutive failed runs before `source.failing` (a source's `failureThreshold` overrides it). */
  readonly failureThreshold: number;
  /** How long a run holds the source; renewed with every page, and a run stops reading at half of it. */
  readonly leaseMs: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = { failureThreshold: 3, leaseMs: 2 * 60_000 };
/** Tries at taking the lease when the record changed since it was read but no run holds it (a real-time write). */
const LEASE_ATTEMPTS = 3;

export interface StreamDependencies {
  readonly store: StateStore;
  readonly archive: LogArchive;
  /** Makes the run's reader from the config and its resolved client secret. */
  readonly readerFor: (config: Auth0TenantLogsSourceConfig, clientSecret: string) => TenantLogReader;
  readonly publisher: Publisher;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<StreamSettings>;
}

export interface StreamResult extends PollResult {
  /** Logs archived (and classified) by this run. */
  readonly archived: number;
  /** The run stopped before catching up (its page budget or the Management API's rate limit); the next one continues. */
  readonly behind?: boolean;
}

/** Builds the stream use case from its ports; it reads sources of the `stream` kind (`auth0-tenant-logs`). */
export function makePollStream(deps: StreamDependencies) {
  const settings: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, ...deps.settings };
  const { store, archive, publisher, secrets, clock, logger } = deps;

  return async function pollStream(config: Auth0TenantLogsSourceConfig): Promise<StreamResult> {
    const info: EventSourceInfo = { id: config.id, type: config.type, vendor: 'Auth0', url: config.url, name: config.name };
    const detectorCtx = { source: info, now: clock.now(), settings: tenantDetectorSettings(config.detectors) };
    const threshold = config.failureThreshold ?? settings.failureThreshold;
    const tenant = tenantHostOf(config);
    const started = clock.now();
    const now = started;
    const nowIso = now.toISOString();
    const staleBefore = new Date(now.getTime() - settings.leaseMs).toISOString();
    const ref: OutboxRef = { sourceId: config.id };
    const log = (level: 'info' | 'warn' | 'error', message: string, keys: Record<string, unknown> = {}) =>
      logger[level](message, { source: config.id, ...keys });

    const record = await store.getSource(config.id);
    let state: StreamSourceState = (record?.value as StreamSourceState | undefined) ?? EMPTY_SOURCE_STATE;
    let version = record?.version;
    const published: WatcherEvent[] = [];
    let archived = 0;
    const result = (outcome: PollOutcome, extra: Partial<StreamResult> = {}): StreamResult => ({
      sourceId: config.id,
      url: config.url,
      outcome,
      published,
      archived,
      ...extra,
    });

    const publishAll = (pending: readonly Pending[]): Promise<PublishError | undefined> =>
      publishPending({ store, publisher, log }, pending, published);

    /**
     * One conditional write of the source record with the events it yields in its outbox (writeStreamRecord), then
     * their publishing. False when another run changed the record since (it holds the source now: this run stops).
     */
    let publishFailure: PublishError | undefined;
    async function commit(next: StreamSourceState, events: readonly WatcherEvent[]): Promise<boolean> {
      const done = await writeStreamRecord({ store, sourceId: config.id, expectedVersion: version, nowIso }, next, events);
      if (!done) {
        log('warn', 'source record changed by another run; leaving it to that run');
        return false;
      }
      version = (version ?? 0) + 1;
      state = done.written;
      publishFailure ??= await publishAll(done.entries.map((entry) => ({ ref, entry })));
      return true;
    }

    const progress = (patch: StreamProgress): StreamSourceState => ({ ...state, stream: { ...state.stream, ...patch } });
    const leaseUntil = () => new Date(clock.now().getTime() + settings.leaseMs).toISOString();

    /** A failed run: counted towards `source.failing`; the checkpoint stays where the last archived page left it. */
    async function fail(url: string, reason: string): Promise<StreamResult> {
      log('warn', 'source failed', { url, reason });
      const transition = recordFailure(state, info, { url, reason }, now, threshold);
      await commit({ ...transition.state, leaseUntil: undefined }, transition.events);
      return result('failed', { reason, url });
    }

    // 1. Events an interrupted run left in the source record's outbox go out first.
    publishFailure = await publishLeftovers({ store, publisher, log }, record, ref, { nowIso, staleBefore }, published);

    // 2. Hold the source: an overlapping run backs off, so no two runs archive and move the same checkpoint. A write of
    // the real-time path since the record was read is no run: read it again and take the lease then.
    for (let attempt = 1; ; attempt += 1) {
      const leased: StreamSourceState = { ...state, leaseUntil: leaseUntil() };
      if (await store.putSource(config.id, leased, { expectedVersion: version, leaseFreeAt: nowIso })) {
        version = (version ?? 0) + 1;
        state = leased;
        break;
      }
      const again = attempt < LEASE_ATTEMPTS ? await store.getSource(config.id) : undefined;
      const held = again?.value.leaseUntil;
      if (again === undefined || (held !== undefined && !(held < nowIso))) {
        log('warn', 'another run holds this source');
        return result('busy', { reason: 'another run of this source is in progress' });
      }
      state = again.value as StreamSourceState;
      version = again.version;
    }

    let reader: TenantLogReader;
    try {
      reader = deps.readerFor(config, await secrets.resolve(config.clientSecret));
    } catch (error) {
      if (error instanceof SecretError) return fail(config.url, error.message);
      if (error instanceof ManagementApiError) return fail(error.url, error.reason);
      throw error;
    }

    let pages = 0;
    let caughtUp = false;
    let rateLimited: ManagementApiError | undefined;
    try {
      // 3. The first run starts after the newest log the tenant holds, silently: nothing archived, nothing announced.
      if (state.stream?.checkpoint === undefined) {
        const newest = await reader.newestLogId();
        if (newest === undefined) {
          caughtUp = true;
        } else if (!(await commit({ ...progress({ checkpoint: newest, readThrough: nowIso }), baselineAt: state.baselineAt ?? nowIso }, []))) {
          return result('busy', { reason: 'another run of this source is in progress' });
        }
      }

      // 4. A checkpoint older than the tenant's retention: the logs between are gone; said once, then read on.
      const checkpoint = state.stream?.checkpoint;
      const readThrough = state.stream?.readThrough;
      const retainedFrom = new Date(now.getTime() - config.retentionDays * DAY_MS).toISOString();
      if (checkpoint !== undefined && readThrough !== undefined && readThrough < retainedFrom && state.stream?.gapFrom !== checkpoint) {
        const gap = makeTenantGapEvent(detectorCtx, readThrough, retainedFrom);
        if (!(await commit(progress({ gapFrom: checkpoint }), [gap]))) return result('busy', { reason: 'another run of this source is in progress' });
      }

      // 5. Page by page: archive, classify, then move the checkpoint with the events in one write, then publish.
      while (!caughtUp && state.stream?.checkpoint !== undefined && pages < config.maxPagesPerRun) {
        if (clock.now().getTime() - started.getTime() > settings.leaseMs / 2) break;
        const page = await reader.page(state.stream.checkpoint, PAGE_SIZE);
        if (page.length === 0) {
          caughtUp = true;
          break;
        }
        const first = page[0]!;
        const last = page[page.length - 1]!;
        await archive.putPage({ tenant, day: dayOf(first), firstLogId: first.log_id }, page);
        // The page's logs the real-time path has classified count for the horizon, not again in the detectors.
        const claimed = new Set(state.stream.realtime);
        const fresh = claimed.size === 0 ? page : page.filter((log) => !claimed.has(log.log_id));
        const through = page.reduce<number | undefined>((max, log) => {
          const at = Date.parse(log.date);
          return Number.isNaN(at) ? max : Math.max(max ?? at, at);
        }, undefined);
        const detected = detectTenantLogs(state.stream.detectors, fresh, detectorCtx, through === undefined ? {} : { through });
        const newest = [state.stream.readThrough, isoOf(last)].filter((t): t is string => t !== undefined).sort().at(-1);
        const realtime = state.stream.realtime?.filter((id) => compareLogIds(id, last.log_id) > 0);
        const next = {
          ...progress({
            checkpoint: last.log_id,
            readThrough: newest,
            detectors: detected.state,
            realtime: realtime !== undefined && realtime.length > 0 ? realtime : undefined,
          }),
          leaseUntil: leaseUntil(),
        };
        if (!(await commit(next, detected.events))) return result('busy', { reason: 'another run of this source is in progress' });
        pages += 1;
        archived += page.length;
      }
    } catch (error) {
      if (error instanceof ManagementApiError && error.rateLimited) rateLimited = error;
      else if (error instanceof ManagementApiError || error instanceof FetchError) return fail(error.url, error.reason);
      else throw error;
    }

    // 6. Settle: caught up, the detectors' tick ends episodes that went quiet; the lease is let go.
    const behind = !caughtUp;
    if (rateLimited) log('warn', 'rate limited: stopping early; the next run continues', { reason: rateLimited.reason });
    else if (behind) log('info', 'page budget spent: the next run continues', { pages });
    let events: readonly WatcherEvent[] = [];
    let next: StreamSourceState = { ...state, leaseUntil: undefined };
    if (caughtUp && state.stream?.checkpoint !== undefined) {
      const tick = detectTenantLogs(state.stream.detectors, [], detectorCtx);
      events = tick.events;
      next = { ...next, stream: { ...next.stream, detectors: tick.state, readThrough: nowIso } };
    }
    // A run stopped by a rate limit before reading anything says nothing about the source's health either way.
    if (!rateLimited || pages > 0) {
      const transition = recordSuccess(next, info, now);
      next = transition.state;
      events = [...events, ...transition.events];
    }
    await commit(next, events);
    log('info', 'stream read', { pages, archived, events: published.length, behind });
    if (publishFailure) return result('failed', { reason: publishFailure.message, behind });
    return result(archived > 0 ? 'changed' : 'unchanged', {
      behind,
      ...(rateLimited && { reason: `rate limited: ${rateLimited.reason}` }),
    });
  };
}

/** A log's time as ISO 8601, or undefined when it has none readable. */
function isoOf(log: TenantLog): string | undefined {
  const ms = Date.parse(log.date);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * The archive partition of a page: the UTC day of its first log. A log without a readable date goes to 1970-01-01, so
 * that a page re-read after a crash lands on the same object whatever the time.
 */
function dayOf(log: TenantLog): string {
  return (isoOf(log) ?? '1970-01-01T00:00:00.000Z').slice(0, 10);
}
