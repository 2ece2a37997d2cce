// The digest use case: the period since the previous digest, exactly once, under a watermark and a lease.
import type { DigestStore, DigestWatermark } from './digest-store.js';
import type { DigestConfig, SourceConfig } from '../config/config.js';
import { renderDigest, type Digest, type DigestOpenItem, type DigestRcaOwed, type DigestSourceHealth } from '../core/digest.js';
import { threadKeyOf } from '../core/event-chain.js';
import type { Clock, Logger, StateStore, StoredRecord } from '../core/ports.js';
import {
  assessSubscriptions,
  SubscriptionListError,
  type ExpectedSubscription,
  type SubscriptionHealth,
  type SubscriptionLister,
  type TopicListing,
  type TopicRole,
} from '../core/subscription-health.js';
import type { TrackedItem } from '../core/tracked.js';
import type { TenantArchiveSummary, TenantDeprecation } from '../core/digest-tenant.js';
import { activeDeprecations, tenantDetectorSettings } from '../core/tenant/index.js';
import { isTenantLogsSource, tenantHostOf } from '../sources/auth0-tenant-logs/config-schema.js';
import { isDeprecationsSource } from '../sources/auth0-deprecations/config-schema.js';
import { endsOfLifeAhead } from '../core/deprecations/countdown.js';
import type { DigestEndsOfLife } from '../core/digest-eol.js';
import type { ProbeSourceState } from '../probe/run-probe.js';
import type { StreamSourceState } from '../stream/poll-stream.js';
import type { LogArchive } from '../stream/ports.js';

/** A digest with its period, as outputs receive it. */
export interface DigestMessage extends Digest {
  readonly from: string;
  readonly to: string;
  /** The events this digest took from the event log: each event is in exactly one digest. */
  readonly eventIds: readonly string[];
}

/** Where a digest goes: the digest topic on AWS; console and jsonl outputs locally. */
export interface DigestPublisher {
  publish(digest: DigestMessage): Promise<void>;
}

export interface DigestSettings {
  /**
   * A period ends this long before the run, so that events are reported in the period they were detected in: they are
   * logged within moments of detection (at worst after a poller's lease). Correctness does not depend on it: an event
   * first logged after its period was taken (held up behind a failed publish, or a clock stepped back) is taken by the
   * next digest, never lost.
   */
  readonly settleMs: number;
  /** How long a run holds the digest; must exceed the longest run. */
  readonly leaseMs: number;
}

/** The lease outlives a 60 s Lambda run, and expires before Lambda's second async retry (about 3 minutes later). */
export const DEFAULT_DIGEST_SETTINGS: DigestSettings = { settleMs: 10 * 60_000, leaseMs: 90_000 };

export type DigestOutcome =
  | { readonly outcome: 'sent'; readonly digest: DigestMessage }
  /** A quiet period with `quiet: "skip"`: nothing sent, the watermark moves on. */
  | { readonly outcome: 'skipped-quiet'; readonly from: string; readonly to: string }
  /** Another run holds the digest. */
  | { readonly outcome: 'busy' }
  /** The previous digest ended less than a minute before this period would end: nothing to cover yet. */
  | { readonly outcome: 'nothing-due' };

/** What subscription health compares: the watcher's topics as SNS lists them, and what the config expects on them. */
export interface SubscriptionCheck {
  readonly lister: SubscriptionLister;
  /** The topics to list: the event topic (alert addresses) and the digest topic (digest addresses). */
  readonly topics: readonly { readonly topic: TopicRole; readonly topicArn: string }[];
  readonly expected: readonly ExpectedSubscription[];
}

/** A configured source as the digest reads it. */
export type DigestSource = SourceConfig & { readonly itemScope?: string };

export interface DigestDependencies {
  readonly digestStore: DigestStore;
  readonly stateStore: StateStore;
  readonly publisher: DigestPublisher;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The configured sources; `itemScope` where a source shares its items with others (`withItemScopes` in
   * sources/registry.ts: the stack compiles it in, the CLI fills it in), so this bundle needs no source module.
   */
  readonly sources: readonly DigestSource[];
  readonly digest: DigestConfig;
  /** Reports the email subscriptions in the digest; absent locally, where there are none. */
  readonly subscriptionCheck?: SubscriptionCheck;
  /**
   * Where the `auth0-tenant-logs` sources' pages are archived (the archive bucket on AWS, `<stateDir>/archive/` locally):
   * each one's size and oldest day go under YOUR TENANT. Absent where there is no archive to read.
   */
  readonly tenantArchive?: LogArchive;
  readonly settings?: Partial<DigestSettings>;
}

const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;
/** The shortest period a digest covers. */
const MIN_PERIOD_MS = 60_000;

export function makeRunDigest(deps: DigestDependencies) {
  const settings = { ...DEFAULT_DIGEST_SETTINGS, ...deps.settings };
  const { digestStore, stateStore, publisher, clock, logger, sources, digest: config } = deps;
  const name = config.frequency;

  return async function runDigest(): Promise<DigestOutcome> {
    const now = clock.now();
    const nowIso = now.toISOString();
    const record = await digestStore.getWatermark(name);
    const watermark: DigestWatermark = record?.value ?? {};
    if (watermark.leaseUntil && watermark.leaseUntil >= nowIso) return { outcome: 'busy' };

    // A run that died left its period behind: cover exactly that one again. Otherwise: since the last digest. A clock
    // that reads earlier than the last period's end gives no period ('nothing-due'): periods never move backwards.
    const to = new Date(now.getTime() - settings.settleMs).toISOString();
    const period = watermark.pending ?? {
      from: watermark.lastTo ?? new Date(Date.parse(to) - PERIOD_MS[name]).toISOString(),
      to,
    };
    // A run moments after the last one (a manual rerun) has nothing worth a message yet.
    if (!watermark.pending && Date.parse(period.to) - Date.parse(period.from) < MIN_PERIOD_MS) return { outcome: 'nothing-due' };

    const leaseUntil = new Date(now.getTime() + settings.leaseMs).toISOString();
    const held = { ...watermark, pending: period, leaseUntil };
    if (!(await digestStore.putWatermark(name, held, { expectedVersion: record?.version, leaseFreeAt: nowIso }))) {
      return { outcome: 'busy' };
    }
    const version = (record?.version ?? 0) + 1;

    const [events, state, subscriptions, tenantArchive] = await Promise.all([
      digestStore.closePeriod(name, period),
      currentState(now),
      checkSubscriptions(),
      archiveSummaries(),
    ]);
    const rendered = renderDigest({
      frequency: name,
      from: period.from,
      to: period.to,
      generatedAt: nowIso,
      timeZone: config.timeZone,
      events,
      ...state,
      subscriptions,
      ...(tenantArchive && { tenantArchive }),
    });
    const message: DigestMessage = { ...rendered, from: period.from, to: period.to, eventIds: events.map((e) => e.id) };
    const skip = rendered.quiet && config.quiet === 'skip';
    if (!skip) await publisher.publish(message);

    const done: DigestWatermark = { lastTo: period.to, lastSentAt: skip ? watermark.lastSentAt : nowIso };
    if (!(await digestStore.putWatermark(name, done, { expectedVersion: version }))) {
      logger.warn('digest watermark changed by another run after this digest was sent', { digest: name, ...period });
    }
    logger.info(skip ? 'quiet digest skipped' : 'digest sent', { digest: name, ...period, events: events.length });
    return skip ? { outcome: 'skipped-quiet', ...period } : { outcome: 'sent', digest: message };
  };

  /** The email subscriptions against the config. A topic that cannot be listed is reported, never fatal: the digest still goes out. */
  async function checkSubscriptions(): Promise<SubscriptionHealth | undefined> {
    const check = deps.subscriptionCheck;
    if (!check) return undefined;
    const listings = await Promise.all(
      check.topics.map(async ({ topic, topicArn }): Promise<TopicListing> => {
        try {
          return { topic, topicArn, outcome: 'listed', subscriptions: await check.lister.listSubscriptions(topicArn) };
        } catch (error) {
          if (!(error instanceof SubscriptionListError)) throw error;
          logger.warn('subscription health could not be checked', { topicArn, reason: error.reason });
          return { topic, topicArn, outcome: 'failed', reason: error.reason };
        }
      }),
    );
    return assessSubscriptions(check.expected, listings);
  }

  /**
   * The archive's size and oldest day of each tenant-log source; undefined without an archive or such a source. An
   * archive that cannot be read is left out of this digest, never fatal: the digest still goes out.
   */
  async function archiveSummaries(): Promise<TenantArchiveSummary[] | undefined> {
    const archive = deps.tenantArchive;
    const tenants = sources.filter(isTenantLogsSource);
    if (!archive || tenants.length === 0) return undefined;
    const summaries: TenantArchiveSummary[] = [];
    for (const source of tenants) {
      try {
        const summary = await archive.summary(tenantHostOf(source));
        if (summary) summaries.push({ source: source.id, ...summary });
      } catch (error) {
        logger.warn('tenant-log archive could not be summarised; this digest goes without it', {
          source: source.id,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return summaries;
  }

  /**
   * What is true now: open items, RCAs owed and each source's health, read from the poller's records. Sources of one
   * scope share their items: those are read once, from the scope, and listed once. Items a source's earlier version kept
   * under its own id count where the scope has none, until the poller has moved them (`SourceState.itemScope`).
   */
  async function currentState(now: Date) {
    const health: DigestSourceHealth[] = [];
    /** Deprecation notices still active, from each tenant-log source's detector state; undefined without such a source. */
    let tenantDeprecations: TenantDeprecation[] | undefined;
    /** Ends of life coming up, from each deprecations source's state; undefined without such a source. */
    let endsOfLife: { upcoming: DigestEndsOfLife['upcoming'][number][]; unreadable: DigestEndsOfLife['unreadable'][number][] } | undefined;
    const nowS = now.getTime() / 1000;
    /** Per item key: the item, its source (the first configured of its scope) and its scope. */
    const tracked = new Map<string, { readonly item: TrackedItem; readonly source: string; readonly scope?: string }>();
    const readScopes = new Set<string>();
    const take = (records: ReadonlyArray<StoredRecord<TrackedItem>>, source: string, scope: string | undefined) => {
      for (const { value: item } of records) {
        const key = threadKeyOf({ source, scope, itemId: item.itemId });
        if (!tracked.has(key)) tracked.set(key, { item, source, scope });
      }
    };
    for (const source of sources) {
      const scope = source.itemScope ?? source.id;
      const scoped = scope !== source.id;
      const [record, ownItems] = await Promise.all([
        stateStore.getSource(source.id),
        scoped ? undefined : stateStore.listItems(source.id),
      ]);
      const state = record?.value;
      health.push({
        id: source.id,
        name: source.name,
        type: source.type,
        url: source.url,
        lastSuccessAt: state?.lastSuccessAt,
        // Set where the deployment knows the cadence (the stack compiles it in): a source silent for longer is flagged.
        everyMinutes: source.everyMinutes,
        // A source counts as failing once it has reached its failure threshold (and source.failing went out),
        // so one transient error just before the digest does not make it look broken.
        consecutiveFailures: state?.failingAnnounced ? state.consecutiveFailures : 0,
        failingSince: state?.failingAnnounced ? state.failingSince : undefined,
        lastError: state?.lastError && { at: state.lastError.at, reason: state.lastError.reason },
      });
      if (isDeprecationsSource(source)) {
        const ahead = endsOfLifeAhead((state as ProbeSourceState | undefined)?.probe, now);
        endsOfLife ??= { upcoming: [], unreadable: [] };
        endsOfLife.upcoming.push(...ahead.upcoming.map((entry) => ({ source: source.id, ...entry })));
        endsOfLife.unreadable.push(...ahead.unreadable.map((entry) => ({ source: source.id, ...entry })));
      }
      if (isTenantLogsSource(source)) {
        const detectors = (state as StreamSourceState | undefined)?.stream?.detectors;
        const active = activeDeprecations(detectors, now, tenantDetectorSettings(source.detectors));
        tenantDeprecations = [...(tenantDeprecations ?? []), ...active.map(({ key: _key, ...notice }) => ({ source: source.id, ...notice }))];
      }
      if (ownItems) {
        take(ownItems, source.id, undefined);
        continue;
      }
      if (!readScopes.has(scope)) {
        readScopes.add(scope);
        take(await stateStore.listItems(scope), source.id, scope);
      }
      // Records kept under the source's own id before scopes, where the scope has none (the scope's come first).
      if (record && state?.itemScope !== scope) take(await stateStore.listItems(source.id), source.id, scope);
    }
    const openItems: DigestOpenItem[] = [];
    const rcaOwed: DigestRcaOwed[] = [];
    for (const { item, source, scope } of tracked.values()) {
      if (item.expiresAt !== undefined && item.expiresAt <= nowS) continue;
      if (item.kind !== 'incident' && item.kind !== 'maintenance') continue;
      const common = { source, ...(scope !== undefined && { scope }), itemId: item.itemId, title: item.title, url: item.url };
      if (item.resolvedAt === undefined) {
        openItems.push({
          ...common,
          kind: item.kind,
          status: item.status,
          severity: item.severity,
          regions: item.regions ?? [],
          openedAt: earliestUpdate(item) ?? item.firstSeenAt,
          ...(item.scheduledFor !== undefined && { scheduledFor: item.scheduledFor }),
          ...(item.scheduledUntil !== undefined && { scheduledUntil: item.scheduledUntil }),
        });
      } else if (item.kind === 'incident' && !item.rcaAnnounced) {
        rcaOwed.push({ ...common, resolvedAt: item.resolvedAt });
      }
    }
    return { openItems, rcaOwed, sources: health, ...(tenantDeprecations && { tenantDeprecations }), ...(endsOfLife && { endsOfLife }) };
  }
}

/** When the vendor's first listed update was made (update keys are `label|time`). */
function earliestUpdate(item: TrackedItem): string | undefined {
  const times = (item.updates ?? []).map((u) => u.key.slice(u.key.lastIndexOf('|') + 1)).filter((t) => !Number.isNaN(Date.parse(t)));
  return times.sort()[0];
}
