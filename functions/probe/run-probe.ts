// The probe use case: runs one probe source's check (a synthetic login, the IP allow-list, tenant checks, a
// documentation page) through its plug-in, judges it against the state the previous run left, and writes the new state
// with the events (the outbox) in one conditional write of the source record before publishing them. A check that
// cannot read what it checks counts toward `source.failing` and changes nothing else. A crash at any step delays,
// never drops nor repeats: events are published from the outbox as the feed poller's are.
import { chainThreads } from '../core/event-chain.js';
import { FetchError, ManagementApiError, ProbeError, PublishError, SecretError } from '../core/errors.js';
import type { EventSourceInfo } from '../core/event-factory.js';
import type { EventLink, WatcherEvent } from '../core/model.js';
import type { Clock, ConnectManagementApi, Fetcher, Logger, OutboxRef, Publisher, SecretResolver, StateStore } from '../core/ports.js';
import { recordFailure, recordSuccess } from '../core/source-health.js';
import { EMPTY_SOURCE_STATE, type OutboxEntry, type SourceState } from '../core/tracked.js';
import type { Pending } from '../poll/poll-items.js';
import type { PollOutcome, PollResult } from '../poll/poll-source.js';
import { publishLeftovers, publishPending } from '../poll/publish-pending.js';
import type { SourceConfigBase, ProbeSourceModule, ProbeState } from '../sources/source.js';

/** What a probe source's record holds besides its health. */
export interface ProbeSourceState extends SourceState {
  /** The plug-in's own state, as its last successful run returned it. */
  readonly probe?: ProbeState;
  /** The last event announced per item thread (`itemId`), which the thread's next event names as `previous`. */
  readonly threads?: Readonly<Record<string, EventLink>>;
}

export interface ProbeSettings {
  /** Consecutive failed runs before `source.failing` (a source's `failureThreshold` overrides it). */
  readonly failureThreshold: number;
  /** How long an outbox entry claimed by a run that crashed stays its own before the next run takes it over. */
  readonly claimStaleMs: number;
}

export const DEFAULT_PROBE_SETTINGS: ProbeSettings = { failureThreshold: 3, claimStaleMs: 2 * 60_000 };

export interface ProbeDependencies {
  readonly store: StateStore;
  readonly publisher: Publisher;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  /** WHATWG fetch for the plug-ins' own requests; tests point it at loopback servers. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** The feeds' HTTP fetcher, for plug-ins' GETs of documents. */
  readonly fetcher: Fetcher;
  /** Auth0's Management API client, for plug-ins that read it (tenant checks). */
  readonly managementApi?: ConnectManagementApi;
  /** The plug-in of a configured probe source (sources/registry.ts's `sourceModuleFor`, or a test's). */
  readonly moduleFor: (config: SourceConfigBase) => ProbeSourceModule<SourceConfigBase>;
  readonly settings?: Partial<ProbeSettings>;
}

export interface ProbeResult extends PollResult {
  /** What the run measured (a synthetic login's `latencyMs`). */
  readonly measurements?: Readonly<Record<string, number>>;
  /** The check did not run (a paused probe), and why. */
  readonly skipped?: string;
}

/** Builds the probe use case from its ports; it runs sources of the `probe` kind. */
export function makeRunProbe(deps: ProbeDependencies) {
  const settings: ProbeSettings = { ...DEFAULT_PROBE_SETTINGS, ...deps.settings };
  const { store, publisher, secrets, clock, logger, fetcher } = deps;
  const fetchFn = deps.fetch ?? globalThis.fetch;

  return async function runProbe(config: SourceConfigBase): Promise<ProbeResult> {
    const module = deps.moduleFor(config);
    const info: EventSourceInfo = {
      id: config.id,
      type: config.type,
      vendor: module.vendorOf?.(config) ?? module.vendor,
      url: config.url,
      name: config.name,
      ...(module.regionOf?.(config) !== undefined && { region: module.regionOf(config) }),
    };
    const threshold = config.failureThreshold ?? settings.failureThreshold;
    const now = clock.now();
    const nowIso = now.toISOString();
    const staleBefore = new Date(now.getTime() - settings.claimStaleMs).toISOString();
    const ref: OutboxRef = { sourceId: config.id };
    const log = (level: 'info' | 'warn' | 'error', message: string, keys: Record<string, unknown> = {}) =>
      logger[level](message, { source: config.id, ...keys });
    const published: WatcherEvent[] = [];
    const result = (outcome: PollOutcome, extra: Partial<ProbeResult> = {}): ProbeResult => ({
      sourceId: config.id,
      url: config.url,
      outcome,
      published,
      ...extra,
    });
    const publishAll = (pending: readonly Pending[]): Promise<PublishError | undefined> =>
      publishPending({ store, publisher, log }, pending, published);

    // 1. Events an interrupted run left in the source record's outbox go out first.
    const record = await store.getSource(config.id);
    let publishFailure = await publishLeftovers({ store, publisher, log }, record, ref, { nowIso, staleBefore }, published);
    const state: ProbeSourceState = (record?.value as ProbeSourceState | undefined) ?? EMPTY_SOURCE_STATE;

    /** One conditional write of the record with its events in the outbox, then their publishing; false on a lost race. */
    async function commit(next: ProbeSourceState, events: readonly WatcherEvent[]): Promise<boolean> {
      const chained = chainThreads(events, { health: next.lastEvent, threads: next.threads ?? {} }, config.id);
      const { threads } = chained.links;
      const written: ProbeSourceState = {
        ...next,
        lastEvent: chained.links.health,
        threads: Object.keys(threads).length > 0 ? threads : undefined,
      };
      const entries = chained.events.map((event, seq): OutboxEntry => ({ event, seq, claimedAt: nowIso }));
      if (!(await store.putSource(config.id, written, { expectedVersion: record?.version, outbox: entries }))) {
        log('warn', 'source record changed by another run; leaving it to that run');
        return false;
      }
      publishFailure ??= await publishAll(entries.map((entry) => ({ ref, entry })));
      return true;
    }

    // 2. The check, with its secrets; what it cannot read is a failure of the source, and nothing else changes.
    let run: Awaited<ReturnType<typeof module.run>>;
    try {
      const resolved: Record<string, string> = {};
      for (const { field, ref: secretRef } of module.secretRefsOf?.(config) ?? []) resolved[field] = await secrets.resolve(secretRef);
      const managementApi = deps.managementApi === undefined ? {} : { managementApi: deps.managementApi };
      run = await module.run(config, state.probe, { source: info, now, secrets: resolved, fetch: fetchFn, fetcher, logger, ...managementApi });
    } catch (error) {
      const failure = failureOf(error, config.url);
      if (failure === undefined) throw error;
      log('warn', 'source failed', failure);
      const transition = recordFailure(state, info, failure, now, threshold);
      const kept: ProbeSourceState = { ...transition.state, probe: state.probe, threads: state.threads };
      if (!(await commit(kept, transition.events))) return result('busy', { reason: 'another run of this source is in progress' });
      return result('failed', failure);
    }

    // 3. The judged state and its events, with the source's health, in one write.
    const transition = recordSuccess({ ...state, baselineAt: state.baselineAt ?? nowIso }, info, now);
    const next: ProbeSourceState = { ...transition.state, probe: run.state, threads: state.threads };
    if (!(await commit(next, [...run.events, ...transition.events]))) {
      return result('busy', { reason: 'another run of this source is in progress' });
    }
    if (run.skipped !== undefined) log('info', 'probe skipped', { reason: run.skipped });
    log('info', 'probe run', { events: published.length, ...run.measurements });
    const extra: Partial<ProbeResult> = {
      ...(run.measurements !== undefined && { measurements: run.measurements }),
      ...(run.skipped !== undefined && { skipped: run.skipped }),
    };
    if (publishFailure) return result('failed', { reason: publishFailure.message, ...extra });
    return result(run.events.length > 0 ? 'changed' : 'unchanged', extra);
  };
}

/** The URL and reason of an error that means the probe could not read what it checks; undefined for a defect. */
function failureOf(error: unknown, sourceUrl: string): { url: string; reason: string } | undefined {
  if (error instanceof ProbeError || error instanceof FetchError || error instanceof ManagementApiError) {
    return { url: error.url, reason: error.reason };
  }
  if (error instanceof SecretError) return { url: sourceUrl, reason: error.message };
  return undefined;
}
