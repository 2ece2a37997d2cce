// The digest's YOUR TENANT section: what the tenant's own logs showed in the period (rate-limit episodes, login
// failures by connection, failing extensibility, security signals, gaps), the deprecation notices still active (from
// the detectors' state, whenever they were announced, with the period's announcements) and the log archive's size and
// oldest day where the digest is given them (pure).
import { threadKeyOf } from './event-chain.js';
import { EVENT_TYPE_FACTS } from './event-types.js';
import type { WatcherEvent } from './model.js';
import { cleanLine } from './text/clean-line.js';
import { formatTime, formatWindow } from './text/time.js';
import { compareText, plural } from './text/words.js';
import { wrap } from './text/wrap.js';

/** The archive of one tenant-log source, as the archive reports it. */
export interface TenantArchiveSummary {
  readonly source: string;
  readonly bytes: number;
  readonly objects: number;
  /** `YYYY-MM-DD`. */
  readonly oldestDay: string;
}

/** A deprecation notice still active on one `auth0-tenant-logs` source (see `activeDeprecations` in core/tenant/). */
export interface TenantDeprecation {
  /** The source's id. */
  readonly source: string;
  readonly feature: { readonly id: string; readonly name?: string };
  readonly clientId?: string;
  readonly clientName?: string;
  /** ISO 8601: the newest notice seen. */
  readonly lastSeenAt: string;
  /** Notices seen since it was announced. */
  readonly count?: number;
  /** ISO 8601: when it was announced. */
  readonly announcedAt?: string;
}

/** A deprecation line: a notice still active, the period's announcement of it, or both. */
export interface DeprecationEntry {
  readonly active?: TenantDeprecation;
  readonly announced?: WatcherEvent;
}

/** One rate-limit episode of the period: its announcement (a limit over a warning) and its recovery, where seen. */
export interface RateEpisode {
  readonly announced?: WatcherEvent;
  readonly recovered?: WatcherEvent;
}

/** Login-failure spikes of one connection in the period, oldest first. */
export interface ConnectionSpikes {
  readonly key: string;
  readonly spikes: readonly WatcherEvent[];
}

export interface TenantDigest {
  readonly rateEpisodes: readonly RateEpisode[];
  /** The period's `tenant.deprecation_notice` events. */
  readonly deprecations: readonly WatcherEvent[];
  /**
   * Deprecation notices still active, each with its announcement where it fell in the period, most recently seen
   * first; without the detectors' state, the period's announcements alone.
   */
  readonly activeDeprecations: readonly DeprecationEntry[];
  /** The detectors' state was read: "none" then means none is active, not only none announced. */
  readonly deprecationStateKnown: boolean;
  readonly loginFailures: readonly ConnectionSpikes[];
  /** Extensibility failures, security signals and gaps, oldest first. */
  readonly others: readonly WatcherEvent[];
  readonly archives: readonly TenantArchiveSummary[];
  readonly eventCount: number;
}

/** Groups the period's tenant events (sorted oldest first) and the archive summaries. */
export function prepareTenantDigest(
  events: readonly WatcherEvent[],
  archives: readonly TenantArchiveSummary[] | undefined,
  active?: readonly TenantDeprecation[],
): TenantDigest {
  const tenant = events.filter((event) => EVENT_TYPE_FACTS[event.type].digest.section === 'tenant');
  const episodes = new Map<string, { announced?: WatcherEvent; recovered?: WatcherEvent }>();
  const spikes = new Map<string, WatcherEvent[]>();
  const deprecations: WatcherEvent[] = [];
  const others: WatcherEvent[] = [];
  for (const event of tenant) {
    if (event.type.startsWith('tenant.rate_limit')) {
      // An episode's events share its first log's time.
      const key = `${threadKeyOf(event)}|${event.tenant?.from ?? event.occurredAt}`;
      const episode = episodes.get(key) ?? {};
      if (event.type === 'tenant.rate_limit_recovered') episode.recovered = event;
      else if (episode.announced === undefined || event.type === 'tenant.rate_limited') episode.announced = event;
      episodes.set(key, episode);
    } else if (event.type === 'tenant.deprecation_notice') deprecations.push(event);
    else if (event.type === 'tenant.login_failures_spike') {
      const key = threadKeyOf(event);
      spikes.set(key, [...(spikes.get(key) ?? []), event]);
    } else others.push(event);
  }
  return {
    rateEpisodes: [...episodes.values()],
    deprecations,
    activeDeprecations: deprecationEntries(deprecations, active),
    deprecationStateKnown: active !== undefined,
    loginFailures: [...spikes.entries()]
      .map(([key, list]) => ({ key, spikes: list }))
      .sort((a, b) => peak(b) - peak(a) || compareText(a.key, b.key)),
    others,
    archives: [...(archives ?? [])].sort((a, b) => compareText(a.source, b.source)),
    eventCount: tenant.length,
  };
}

const deprecationKey = (source: string, featureId: string, clientId: string | undefined): string =>
  `${source}\u0000${featureId}\u0000${clientId ?? ''}`;

/** The active notices with the period's announcement of each, then any announcement of the period not among them. */
function deprecationEntries(events: readonly WatcherEvent[], active: readonly TenantDeprecation[] | undefined): DeprecationEntry[] {
  const announced = new Map<string, WatcherEvent>();
  for (const event of events) {
    const feature = event.tenant?.feature;
    if (feature !== undefined) announced.set(deprecationKey(event.source, feature.id, event.tenant?.clientId), event);
  }
  const entries: DeprecationEntry[] = [...(active ?? [])]
    .sort(
      (a, b) =>
        compareText(b.lastSeenAt, a.lastSeenAt) ||
        compareText(deprecationKey(a.source, a.feature.id, a.clientId), deprecationKey(b.source, b.feature.id, b.clientId)),
    )
    .map((notice) => {
      const key = deprecationKey(notice.source, notice.feature.id, notice.clientId);
      const event = announced.get(key);
      announced.delete(key);
      return { active: notice, ...(event !== undefined && { announced: event }) };
    });
  const listed = new Set(entries.map((entry) => entry.announced));
  for (const event of events) if (!listed.has(event)) entries.push({ announced: event });
  return entries;
}

/** Whether YOUR TENANT has anything to say: tenant events in the period, an active deprecation notice or an archive. */
export function hasTenantSection(tenant: TenantDigest): boolean {
  return tenant.eventCount > 0 || tenant.activeDeprecations.length > 0 || tenant.archives.length > 0;
}

const peak = (entry: ConnectionSpikes): number => Math.max(...entry.spikes.map((event) => event.tenant?.count ?? 0));

type ListRenderer = <T>(items: readonly T[], render: (item: T) => string[], more: string) => string[];

/**
 * YOUR TENANT: rate-limit episodes, deprecation notices, login failures by connection, the rest, the archive; times in
 * `zone` (default UTC).
 */
export function tenantSection(tenant: TenantDigest, list: ListRenderer, zone = 'UTC'): string[] {
  const lines = [`YOUR TENANT (${plural(tenant.eventCount, 'event')} from the tenant logs)`];
  lines.push(`Rate-limit episodes (${tenant.rateEpisodes.length}):`);
  if (tenant.rateEpisodes.length === 0) lines.push('  None.');
  lines.push(...list(tenant.rateEpisodes, (episode) => rateEntry(episode, zone), 'see the tenant logs'));
  lines.push(`Deprecation notices still active (${tenant.activeDeprecations.length}):`);
  if (tenant.activeDeprecations.length === 0) lines.push(tenant.deprecationStateKnown ? '  None.' : '  None in this period.');
  lines.push(...list(tenant.activeDeprecations, (entry) => deprecationEntry(entry, zone), 'see the tenant logs'));
  lines.push(`Login failures by connection (${tenant.loginFailures.length}):`);
  if (tenant.loginFailures.length === 0) lines.push('  No spike.');
  lines.push(...list(tenant.loginFailures, (entry) => spikeEntry(entry, zone), 'see the tenant logs'));
  if (tenant.others.length > 0) {
    lines.push(`Extensibility, security and gaps (${tenant.others.length}):`);
    lines.push(...list(tenant.others, (event) => otherEntry(event, zone), 'see the tenant logs'));
  }
  if (tenant.archives.length > 0) {
    lines.push('Log archive:');
    for (const archive of tenant.archives) {
      lines.push(
        ...wrap(
          `${cleanLine(archive.source, 80)}: ${formatSize(archive.bytes)} in ${plural(archive.objects, 'object')}, ` +
            `oldest day archived ${cleanLine(archive.oldestDay, 20) || 'unknown'}`,
          '  - ',
          '    ',
        ),
      );
    }
  }
  return lines;
}

function rateEntry(episode: RateEpisode, zone: string): string[] {
  const event = episode.announced ?? episode.recovered;
  if (event === undefined) return [];
  const facts = (episode.recovered ?? event).tenant;
  const client = [cleanLine(facts?.clientName ?? '', 100), cleanLine(facts?.clientId ?? '', 100)].filter(Boolean);
  const span = formatWindow(facts?.from, facts?.to, zone);
  const details = [
    `${plural(facts?.count ?? 0, 'log')}${span === undefined ? '' : ` ${span}`}`,
    ...(client.length > 0 ? [`client ${client.length === 2 ? `${client[0]} (${client[1]})` : client[0]}`] : []),
    episode.recovered === undefined ? 'not recovered by the end of the period' : `recovered (detected ${formatTime(episode.recovered.detectedAt, zone)})`,
  ];
  return [...wrap(headline(event), '  - ', '    '), ...wrap(details.join('; '), '    ')];
}

/** Feature, client and last seen; the period's announcement as its headline where there is one. Vendor text cleaned. */
function deprecationEntry({ active, announced }: DeprecationEntry, zone: string): string[] {
  const feature = active?.feature ?? announced?.tenant?.feature;
  const id = cleanLine(feature?.id ?? '', 100);
  const name = cleanLine(feature?.name ?? '', 200);
  const clientId = cleanLine(active?.clientId ?? announced?.tenant?.clientId ?? '', 100);
  const clientName = cleanLine(active?.clientName ?? announced?.tenant?.clientName ?? '', 100);
  const client = clientName !== '' && clientId !== '' ? `${clientName} (${clientId})` : clientName || clientId || 'the tenant';
  const title =
    announced !== undefined
      ? headline(announced)
      : `Deprecated feature in use by ${client}: ${name === '' || name === id ? id || '(unnamed)' : `${name} (${id})`}`;
  const count = active?.count;
  const details = [
    ...(announced !== undefined ? [`first noticed ${formatTime(announced.occurredAt, zone)}`] : []),
    ...(id === '' ? [] : [`feature ${id}`]),
    ...(announced !== undefined && active === undefined ? [] : [`client ${client}`]),
    ...(active === undefined ? [] : [`last seen ${formatTime(active.lastSeenAt, zone)}${count !== undefined && count > 1 ? ` (${plural(count, 'notice')} since announced)` : ''}`]),
    ...(active === undefined ? [] : [`source ${cleanLine(active.source, 80)}`]),
  ];
  return [...wrap(title, '  - ', '    '), ...wrap(details.join('; '), '    ')];
}

function spikeEntry(entry: ConnectionSpikes, zone: string): string[] {
  const latest = entry.spikes[entry.spikes.length - 1];
  if (latest === undefined) return [];
  const window = latest.tenant?.windowMinutes;
  const details =
    `${plural(entry.spikes.length, 'spike')}, peak ${plural(peak(entry), 'failed login')}` +
    `${window === undefined ? '' : ` in ${window} min`}` +
    `${latest.tenant?.baseline === undefined ? '' : ` (usually ${latest.tenant.baseline})`}; latest ${formatTime(latest.occurredAt, zone)}`;
  return [...wrap(headline(latest), '  - ', '    '), ...wrap(details, '    ')];
}

function otherEntry(event: WatcherEvent, zone: string): string[] {
  const count = event.tenant?.count ?? 0;
  const when =
    count > 0
      ? `${plural(count, 'log')} since ${formatTime(event.occurredAt, zone)}`
      : (formatWindow(event.tenant?.from, event.tenant?.to, zone) ?? formatTime(event.occurredAt, zone));
  return [...wrap(headline(event), '  - ', '    '), ...wrap(when, '    ')];
}

function headline(event: WatcherEvent): string {
  return `[${event.severity.toUpperCase()}] ${cleanLine(event.title, 200) || '(untitled)'}`;
}

/** "512 B", "3.4 KB", "12.0 MB", "1.2 GB" (powers of 1,024). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes) || 0)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
