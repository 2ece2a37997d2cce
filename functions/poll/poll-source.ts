// The poll use case: fetch a source, parse, diff against the store, write state with an outbox, publish, settle.
// The item step (diff, item writes with their outbox) is in poll-items.ts.
import { chainEvents } from '../core/event-chain.js';
import { FetchError, PublishError, SecretError } from '../core/errors.js';
import { contentHash, type EventSourceInfo } from '../core/event-factory.js';
import type { Item, WatcherEvent } from '../core/model.js';
import type {
  Clock,
  Fetcher,
  Logger,
  OutboxRef,
  Publisher,
  SecretResolver,
  StateStore,
  Validators,
} from '../core/ports.js';
import type { SeverityRule } from '../core/severity-rules.js';
import { recordFailure, recordSuccess } from '../core/source-health.js';
import { EMPTY_SOURCE_STATE, type OutboxEntry, type SourceState } from '../core/tracked.js';
import { FEED_SOURCE_REGISTRY } from '../sources/feed-registry.js';
import type { SourceConfig } from '../sources/registry.js';
import type { FetchedDocument, SourceConfigBase } from '../sources/source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { describeRefused, writeItems, type Pending } from './poll-items.js';
import { publishPending } from './publish-pending.js';

export interface PollSettings {
  /** Consecutive failures before `source.failing`. */
  readonly failureThreshold: number;
  /** Days a resolved incident stays tracked. */
  readonly trackResolvedDays: number;
  /** How long a changed-body poll holds the source; must exceed the longest run (the Lambda timeout). */
  readonly leaseMs: number;
  /** An unchanged poll writes nothing, except a `lastSuccessAt` heartbeat this often. */
  readonly heartbeatMs: number;
  /** The config's `severityRules`: the first that matches an item sets its severity. */
  readonly severityRules: readonly SeverityRule[];
}

export const DEFAULT_POLL_SETTINGS: PollSettings = {
  failureThreshold: 3,
  trackResolvedDays: 60,
  leaseMs: 2 * 60_000,
  heartbeatMs: 60 * 60_000,
  severityRules: [],
};

export interface PollDependencies<C extends SourceConfigBase = SourceConfig> {
  /** The source plug-ins, asked for everything that depends on a source's type. @default the watcher's feeds (sources/feed-registry.ts) */
  readonly sources?: SourceRegistry<C>;
  readonly store: StateStore;
  readonly fetcher: Fetcher;
  readonly publisher: Publisher;
  readonly secrets: SecretResolver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<PollSettings>;
}

export type PollOutcome =
  /** Nothing new: the server said 304 or the body hash is the one already processed. */
  | 'unchanged'
  /** The body changed and was processed (possibly without any event). */
  | 'changed'
  /**
   * The source could not be read, an item could not be stored, or events could not be published; nothing was lost
   * (what was not done is retried by the next poll).
   */
  | 'failed'
  /** Another run holds this source right now. */
  | 'busy';

export interface PollResult {
  readonly sourceId: string;
  readonly url: string;
  readonly outcome: PollOutcome;
  /** Why the poll failed or was skipped. */
  readonly reason?: string;
  /** Events published by this run (including ones left over by an earlier, interrupted run). */
  readonly published: readonly WatcherEvent[];
  readonly itemCount?: number;
}

/** Builds the poll use case from its ports; it reads sources of the `feed` kind. */
export function makePollSource<C extends SourceConfigBase = SourceConfig>(deps: PollDependencies<C>) {
  const settings: PollSettings = { ...DEFAULT_POLL_SETTINGS, ...deps.settings };
  const { store, fetcher, publisher, secrets, clock, logger } = deps;
  // Without a registry of its own: the watcher's feeds (a stream or probe source has its own use case, and its type is
  // refused here as one no plug-in of this registry reads), so the poll function's bundle carries only the feed readers.
  const sources = deps.sources ?? (FEED_SOURCE_REGISTRY as unknown as SourceRegistry<C>);

  return async function pollSource(config: C): Promise<PollResult> {
    const module = sources.moduleFor(config);
    // Streams are read on from a checkpoint (functions/stream/poll-stream.ts); handlers dispatch on the module's kind.
    if (module.kind !== 'feed') throw new Error(`source "${config.id}" is a ${module.kind} source: the poll use case reads feeds`);
    // Sources of one scope (the regional feeds of one status page) track their items once, together, under the scope;
    // the source record (health, cache validators, lease, baseline) stays the source's own.
    const scope = sources.itemScopeOf(config);
    const scoped = scope !== config.id;
    const info: EventSourceInfo = {
      id: config.id,
      type: config.type,
      vendor: sources.vendorOf(config),
      url: config.url,
      name: config.name,
      region: module.regionOf?.(config),
    };
    const threshold = config.failureThreshold ?? settings.failureThreshold;
    const trackResolvedDays = config.trackResolvedDays ?? settings.trackResolvedDays;
    const now = clock.now();
    const nowIso = now.toISOString();
    const staleBefore = new Date(now.getTime() - settings.leaseMs).toISOString();
    const log = (level: 'info' | 'warn' | 'error', message: string, keys: Record<string, unknown> = {}) =>
      logger[level](message, { source: config.id, ...keys });

    const record = await store.getSource(config.id);
    let state: SourceState = record?.value ?? EMPTY_SOURCE_STATE;
    // A source without a record has never written an item under its own id: its items are the scope's from the start.
    if (scoped && !record) state = { ...state, itemScope: scope };
    /** Items an earlier version tracked under the source's own id may still count (see `SourceState.itemScope`). */
    const readsOwnItems = scoped && state.itemScope !== scope;
    let version = record?.version;
    const published: WatcherEvent[] = [];

    const result = (outcome: PollOutcome, extra: Partial<PollResult> = {}): PollResult => ({
      sourceId: config.id,
      url: config.url,
      outcome,
      published,
      ...extra,
    });

    /** Publishes in order; on the first failure gives the rest back to the outbox and reports it. */
    const publishAll = (pending: Pending[]): Promise<PublishError | undefined> => publishPending({ store, publisher, log }, pending, published);

    /** Takes over outbox entries an interrupted run left behind; counts those another live run still holds. */
    async function claimLeftovers(ref: OutboxRef, entries: readonly OutboxEntry[]): Promise<{ taken: Pending[]; held: number }> {
      const taken: Pending[] = [];
      let held = 0;
      for (const entry of entries) {
        if (await store.claimOutbox(ref, entry.event.id, nowIso, staleBefore)) taken.push({ ref, entry });
        else held += 1;
      }
      return { taken, held };
    }

    const claimed = (events: readonly WatcherEvent[], from = 0): OutboxEntry[] =>
      events.map((event, index) => ({ event, seq: from + index, claimedAt: nowIso }));

    /** Writes the source record (health, settle or failure) and publishes the health events it carries. */
    async function writeSource(next: SourceState, events: readonly WatcherEvent[], leaseFreeAt?: string): Promise<boolean> {
      // Health events are a thread of their own: chained from the source record, in the same write as their outbox.
      const chain = chainEvents(state.lastEvent, events);
      const entries = claimed(chain.events);
      next = chain.last ? { ...next, lastEvent: chain.last } : next;
      const ok = await store.putSource(config.id, next, { expectedVersion: version, outbox: entries, leaseFreeAt });
      if (!ok) {
        log('warn', 'source record changed by another run; leaving it to that run');
        return false;
      }
      version = (version ?? 0) + 1;
      state = next;
      await publishAll(entries.map((entry) => ({ ref: { sourceId: config.id }, entry })));
      return true;
    }

    async function fail(url: string, reason: string): Promise<PollResult> {
      log('warn', 'source failed', { url, reason });
      const transition = recordFailure(state, info, { url, reason }, now, threshold);
      await writeSource(transition.state, transition.events, nowIso);
      return result('failed', { reason, url });
    }

    async function unchanged(validators: Readonly<Record<string, Validators>> | undefined): Promise<PollResult> {
      const lastSuccess = state.lastSuccessAt ? Date.parse(state.lastSuccessAt) : 0;
      if (state.consecutiveFailures > 0 || now.getTime() - lastSuccess >= settings.heartbeatMs) {
        const transition = recordSuccess(state, info, now);
        await writeSource({ ...transition.state, validators: validators ?? state.validators }, transition.events, nowIso);
      }
      return result('unchanged', { itemCount: state.itemCount });
    }

    // 1. Events an interrupted run left in the source record's outbox go out first.
    if (record && record.outbox.length > 0) {
      const leftovers = await claimLeftovers({ sourceId: config.id }, record.outbox);
      await publishAll(leftovers.taken);
    }

    // 2. Fetch, conditionally when the last body was fully processed.
    const settled = state.bodyHash !== undefined;
    const requests = module.requests(config);
    const documents: FetchedDocument[] = [];
    const validators: Record<string, Validators> = {};
    let currentUrl = config.url;
    try {
      const bearerToken = await resolveToken(requests.find((r) => r.bearerToken)?.bearerToken);
      const outcomes = await Promise.all(
        requests.map((request) =>
          fetcher.fetch(request, {
            validators: settled ? state.validators?.[request.url] : undefined,
            bearerToken: request.bearerToken ? bearerToken : undefined,
            timeoutMs: config.timeoutMs,
            maxBytes: config.maxBytes,
          }),
        ),
      );
      if (outcomes.every((o) => o.status === 'not-modified')) return await unchanged(undefined);
      for (const [index, request] of requests.entries()) {
        currentUrl = request.url;
        let outcome = outcomes[index]!;
        if (outcome.status === 'not-modified') {
          // Another request of this source changed: its body is needed too.
          outcome = await fetcher.fetch(request, {
            bearerToken: request.bearerToken ? bearerToken : undefined,
            timeoutMs: config.timeoutMs,
            maxBytes: config.maxBytes,
          });
        }
        if (outcome.status !== 'ok') return await fail(request.url, 'answered 304 Not Modified to an unconditional request');
        documents.push(...outcome.documents);
        if (outcome.validators) validators[request.url] = outcome.validators;
      }
    } catch (error) {
      if (error instanceof FetchError) return await fail(error.url, error.reason);
      if (error instanceof SecretError) return await fail(currentUrl, error.message);
      throw error;
    }

    // 3. The same body as last time: nothing to parse.
    const bodyHash = contentHash(documents.map((d) => d.body).join('\u0000'));
    if (settled && bodyHash === state.bodyHash) return await unchanged(validators);

    // 4. Parse; a body that cannot be read, or a list that suddenly empties, fails the source and changes nothing.
    const parsed = module.parse(documents, config);
    if (!parsed.ok) {
      const redirected = documents.find((d) => d.finalUrl !== d.url);
      const where = redirected && !parsed.reason.includes(redirected.finalUrl) ? ` (after a redirect to ${redirected.finalUrl})` : '';
      return await fail(config.url, `${parsed.reason}${where}`);
    }
    const items: readonly Item[] = parsed.items;
    // A page that names itself (a status page whose config names no vendor): its events carry that name.
    const itemInfo: EventSourceInfo = parsed.vendor !== undefined ? { ...info, vendor: parsed.vendor } : info;
    // An entry that cannot be read on its own (nothing to key it on) is left out, not fatal to the source: said here.
    for (const reason of parsed.skipped ?? []) log('warn', 'source entry skipped', { url: config.url, reason });
    // The bodies (up to maxBytes each) are not needed past the parse: let them go before the writes.
    documents.length = 0;
    // Some lists are rightly empty (feeds of open events only, lists narrowed to a few components): the module says.
    if (items.length === 0 && (state.itemCount ?? 0) > 0 && !module.emptyIsNormal?.(config)) {
      return await fail(config.url, `suddenly empty: no items where the last good poll had ${state.itemCount}`);
    }

    // 5. Hold the source: unsettle it under a lease, so an overlapping run backs off and a crash forces a full re-poll.
    const leaseUntil = new Date(now.getTime() + settings.leaseMs).toISOString();
    const leased: SourceState = { ...state, bodyHash: undefined, validators: undefined, leaseUntil };
    if (!(await store.putSource(config.id, leased, { expectedVersion: version, leaseFreeAt: nowIso }))) {
      log('warn', 'another run holds this source');
      return result('busy', { reason: 'another poll of this source is in progress' });
    }
    version = (version ?? 0) + 1;
    state = leased;

    // 6. Diff and write each changed item together with its events (the outbox), then publish.
    const { changes, pending, held, contended, refused } = await writeItems(
      {
        store,
        sourceId: config.id,
        scope,
        scoped,
        readsOwnItems,
        info: itemInfo,
        baseline: !state.baselineAt,
        now,
        trackResolvedDays,
        severityRules: settings.severityRules,
        log,
        claimLeftovers,
        claimed,
      },
      items,
    );
    const publishFailure = await publishAll(pending);

    // 7. Settle: only when every event of this body is out may the fast path (hash, validators) skip it next time.
    const done = !publishFailure && held === 0 && contended === 0 && refused.length === 0;
    const storeFailure = refused.length > 0 ? describeRefused(refused) : undefined;
    const transition = storeFailure
      ? recordFailure(state, info, { url: config.url, reason: storeFailure }, now, threshold)
      : recordSuccess(state, info, now);
    await writeSource(
      {
        ...transition.state,
        bodyHash: done ? bodyHash : undefined,
        validators: done ? validators : undefined,
        itemCount: items.length,
        // Set even when an item was refused: holding the baseline back would silence the source's news for as long
        // as that item stays refused; the refused item is then announced as new once it can be stored.
        baselineAt: state.baselineAt ?? nowIso,
        // Once every own record is under the scope (or expired) and its outbox is out, later polls read the scope alone.
        itemScope: scoped && done ? scope : state.itemScope,
        leaseUntil: undefined,
      },
      transition.events,
    );
    if (storeFailure || publishFailure) {
      const reason = [storeFailure, publishFailure?.message].filter((part) => part !== undefined).join('; ');
      return result('failed', { reason, itemCount: items.length });
    }
    log('info', 'source polled', { changedItems: changes.length, events: published.length, items: items.length });
    return result('changed', { itemCount: items.length });
  };

  async function resolveToken(ref: string | undefined): Promise<string | undefined> {
    return ref ? secrets.resolve(ref) : undefined;
  }
}
