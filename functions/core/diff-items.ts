// The heart of the watcher: compares a poll's items with what was remembered and derives the events, purely.
import { contentHash, makeEvent, shorten, type EventSourceInfo } from './event-factory.js';
import {
  ATTENTION_CHANGE_TYPES,
  SEVERITIES,
  type AdvisoryItem,
  type ChangelogItem,
  type EventType,
  type IncidentItem,
  type Item,
  type ItemUpdate,
  type Severity,
  type WatcherEvent,
} from './model.js';
import type { TrackedItem, TrackedUpdate } from './tracked.js';

export interface DiffContext {
  readonly source: EventSourceInfo;
  /** True until the source's first successful poll: known history is recorded silently. */
  readonly baseline: boolean;
  readonly now: Date;
  /** Days a resolved incident stays tracked (to catch a late RCA). */
  readonly trackResolvedDays: number;
}

/** One item whose remembered state changes, with the events the change yields (possibly none). */
export interface ItemChange {
  readonly previous?: TrackedItem;
  readonly next: TrackedItem;
  readonly events: readonly WatcherEvent[];
}

const DAY_MS = 86_400_000;
/** Open incidents that vanish from a feed without resolving are forgotten after this long. */
const OPEN_ITEM_RETENTION_DAYS = 180;
const RESOLVED_LABELS = new Set(['resolved', 'completed', 'postmortem']);
const MAINTENANCE_TYPES: Record<string, EventType> = {
  scheduled: 'maintenance.scheduled',
  'in progress': 'maintenance.started',
  completed: 'maintenance.completed',
};
const CRITICAL_WORDS =
  /\b(outage|unavailab\w*|service disruption|down(time)?|unable to (log ?in|sign ?in|authenticate)|cannot (log ?in|sign ?in|authenticate))\b/i;

/**
 * Compares the items of one poll with the remembered ones and returns the items whose state changes,
 * each with its events. Items that disappeared from the feed are left alone: feeds are windows, not lists.
 */
export function diffItems(
  ctx: DiffContext,
  previous: ReadonlyMap<string, TrackedItem>,
  items: readonly Item[],
): ItemChange[] {
  const changes: ItemChange[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.itemId)) continue; // a feed listing an entry twice must not announce it twice
    seen.add(item.itemId);
    const known = previous.get(item.itemId);
    const stillTracked = known && !(known.expiresAt !== undefined && known.expiresAt * 1000 <= ctx.now.getTime());
    const change = stillTracked ? diffKnown(ctx, known, item) : diffNew(ctx, item);
    if (change) changes.push(change);
  }
  return changes;
}

function diffNew(ctx: DiffContext, item: Item): ItemChange | undefined {
  switch (item.kind) {
    case 'incident':
    case 'maintenance':
      return newIncident(ctx, item);
    case 'changelog':
      return newChangelogEntry(ctx, item);
    case 'advisory':
      return newAdvisory(ctx, item);
  }
}

function diffKnown(ctx: DiffContext, known: TrackedItem, item: Item): ItemChange | undefined {
  switch (item.kind) {
    case 'incident':
    case 'maintenance':
      return knownIncident(ctx, known, item);
    case 'changelog':
    case 'advisory': {
      const fingerprint = item.kind === 'changelog' ? changelogFingerprint(item) : advisoryFingerprint(item);
      if (fingerprint === known.fingerprint) return undefined; // unchanged: the common case, decided on the hash alone
      const next = track(ctx, item, known);
      const events = item.kind === 'advisory' ? advisoryChangeEvents(ctx, known, item, next) : [];
      return { previous: known, next, events };
    }
  }
}

// ---------------------------------------------------------------- incidents and maintenance

function newIncident(ctx: DiffContext, item: IncidentItem): ItemChange | undefined {
  const next = track(ctx, item, undefined);
  const latest = item.updates[0];
  const resolved = next.resolvedAt !== undefined;
  if (resolved && Date.parse(next.resolvedAt!) < ctx.now.getTime() - ctx.trackResolvedDays * DAY_MS) {
    return undefined; // resolved before the tracking window: history, not news
  }
  if (!latest || (ctx.baseline && resolved)) return { next, events: [] };

  let type: EventType;
  let changeKey: string;
  let rcaAnnounced = false;
  if (item.kind === 'maintenance') {
    type = MAINTENANCE_TYPES[latest.label.toLowerCase()] ?? 'maintenance.started';
    changeKey = `update:${latest.label}:${latest.at}`;
  } else if (!resolved) {
    type = 'incident.opened';
    changeKey = 'opened';
  } else if (latest.label.toLowerCase() === 'postmortem') {
    type = 'incident.rca_published';
    changeKey = 'rca';
    rcaAnnounced = true;
  } else {
    type = 'incident.resolved';
    changeKey = `update:${latest.label}:${latest.at}`;
  }
  const event = incidentEvent(ctx, item, next, type, changeKey, latest, latest.at);
  return { next: rcaAnnounced ? { ...next, rcaAnnounced } : next, events: [event] };
}

function knownIncident(ctx: DiffContext, known: TrackedItem, item: IncidentItem): ItemChange | undefined {
  const updates = trackedUpdates(item);
  if (incidentFingerprint(item, updates) === known.fingerprint) return undefined; // unchanged: decided on the hash alone
  let next = track(ctx, item, known, updates);

  const before = new Map((known.updates ?? []).map((u) => [u.key, u.hash]));
  const events: WatcherEvent[] = [];
  let rcaAnnounced = known.rcaAnnounced === true;

  // Each new update yields exactly one event, oldest first, typed by what it does.
  const added = item.updates.filter((u) => !before.has(updateKey(u))).reverse();
  for (const update of added) {
    const label = update.label.toLowerCase();
    let type: EventType;
    let changeKey = `update:${update.label}:${update.at}`;
    if (item.kind === 'maintenance') {
      type = MAINTENANCE_TYPES[label] ?? 'maintenance.updated';
    } else if (label === 'resolved') {
      type = 'incident.resolved';
    } else if (label === 'postmortem' && !rcaAnnounced) {
      type = 'incident.rca_published';
      changeKey = 'rca';
      rcaAnnounced = true;
    } else {
      type = 'incident.updated';
    }
    events.push(incidentEvent(ctx, item, next, type, changeKey, update, update.at));
  }

  // An RCA often arrives as the text of an existing update rewritten after resolution.
  const rewritten = item.updates.filter((u) => {
    const hash = before.get(updateKey(u));
    return hash !== undefined && hash !== updateHash(u);
  });
  if (rewritten.length > 0 && item.kind === 'incident' && known.resolvedAt !== undefined && !rcaAnnounced) {
    rcaAnnounced = true;
    const update = rewritten[0]!;
    events.push(incidentEvent(ctx, item, next, 'incident.rca_published', 'rca', update, item.updatedAt ?? ctx.now.toISOString()));
  }
  if (rcaAnnounced) next = { ...next, rcaAnnounced };
  return { previous: known, next, events };
}

function incidentEvent(
  ctx: DiffContext,
  item: IncidentItem,
  tracked: TrackedItem,
  type: EventType,
  changeKey: string,
  update: ItemUpdate,
  occurredAt: string,
): WatcherEvent {
  return makeEvent(ctx.source, type, changeKey, ctx.now, {
    itemId: item.itemId,
    title: item.title,
    url: item.url,
    severity: tracked.severity,
    occurredAt,
    summary: shorten(`${update.label}: ${update.text}`, 500),
    status: tracked.status,
    regions: regionsOf(ctx, item),
    update,
    components: item.components && item.components.length > 0 ? [...item.components] : undefined,
  });
}

function regionsOf(ctx: DiffContext, item: IncidentItem): string[] {
  if (item.regions.length > 0) return [...item.regions];
  return ctx.source.region ? [ctx.source.region] : [];
}

// ---------------------------------------------------------------- change log

function newChangelogEntry(ctx: DiffContext, item: ChangelogItem): ItemChange {
  const next = track(ctx, item, undefined);
  if (ctx.baseline) return { next, events: [] };
  const event = makeEvent(ctx.source, 'changelog.published', 'published', ctx.now, {
    itemId: item.itemId,
    title: item.title,
    url: item.url,
    severity: next.severity,
    occurredAt: item.publishedAt ?? ctx.now.toISOString(),
    summary: shorten(item.text || item.title, 500),
    changeType: item.changeType,
  });
  return { next, events: [event] };
}

// ---------------------------------------------------------------- advisories

function newAdvisory(ctx: DiffContext, item: AdvisoryItem): ItemChange {
  const next = track(ctx, item, undefined);
  if (ctx.baseline || item.withdrawnAt) return { next, events: [] };
  return { next, events: [advisoryEvent(ctx, item, next, 'advisory.published', 'published', item.publishedAt)] };
}

function advisoryChangeEvents(ctx: DiffContext, known: TrackedItem, item: AdvisoryItem, next: TrackedItem): WatcherEvent[] {
  if (item.withdrawnAt && !known.withdrawn) {
    return [advisoryEvent(ctx, item, next, 'advisory.withdrawn', 'withdrawn', item.withdrawnAt)];
  }
  if (item.withdrawnAt) return [];
  return [advisoryEvent(ctx, item, next, 'advisory.updated', `updated:${next.fingerprint}`, item.updatedAt)];
}

function advisoryEvent(
  ctx: DiffContext,
  item: AdvisoryItem,
  tracked: TrackedItem,
  type: EventType,
  changeKey: string,
  occurredAt: string | undefined,
): WatcherEvent {
  const names = item.packages.map((p) => p.name);
  const affects = names.length > 0 ? ` affecting ${shorten(names.join(', '), 200)}` : '';
  return makeEvent(ctx.source, type, changeKey, ctx.now, {
    itemId: item.itemId,
    title: item.title,
    url: item.url,
    severity: tracked.severity,
    occurredAt: occurredAt ?? ctx.now.toISOString(),
    summary: shorten(`${item.vendorSeverity} severity advisory${affects}${item.cveId ? ` (${item.cveId})` : ''}: ${item.title}`, 500),
    packages: item.packages,
  });
}

// ---------------------------------------------------------------- tracked state

/** The remembered state of an item as of this poll (`updates`: the incident's, when already worked out). */
function track(
  ctx: DiffContext,
  item: Item,
  known: TrackedItem | undefined,
  updates: TrackedUpdate[] = item.kind === 'incident' || item.kind === 'maintenance' ? trackedUpdates(item) : [],
): TrackedItem {
  const nowIso = ctx.now.toISOString();
  const base = {
    itemId: item.itemId,
    kind: item.kind,
    title: item.title,
    url: item.url,
    firstSeenAt: known?.firstSeenAt ?? nowIso,
    changedAt: nowIso,
  };
  switch (item.kind) {
    case 'incident':
    case 'maintenance': {
      const latest = item.updates[0];
      const resolvedUpdate = latest && RESOLVED_LABELS.has(latest.label.toLowerCase())
        ? item.updates.find((u) => u.label.toLowerCase() !== 'postmortem') ?? latest
        : undefined;
      const resolvedAt = resolvedUpdate?.at;
      const resolvedMs = resolvedAt ? Date.parse(resolvedAt) : NaN;
      const expiresMs = Number.isFinite(resolvedMs)
        ? resolvedMs + ctx.trackResolvedDays * DAY_MS
        : ctx.now.getTime() + OPEN_ITEM_RETENTION_DAYS * DAY_MS;
      const computed = item.kind === 'maintenance' ? 'info' : (item.impact ?? incidentSeverity(item));
      return {
        ...base,
        severity: maxSeverity(known?.severity, computed),
        fingerprint: incidentFingerprint(item, updates),
        updates,
        status: latest ? latest.label.toLowerCase().replace(/\s+/g, '_') : undefined,
        regions: regionsOf(ctx, item),
        resolvedAt,
        rcaAnnounced: known?.rcaAnnounced,
        expiresAt: Math.floor(expiresMs / 1000),
      };
    }
    case 'changelog':
      return {
        ...base,
        severity: ATTENTION_CHANGE_TYPES.includes(item.changeType) ? 'major' : 'info',
        fingerprint: changelogFingerprint(item),
      };
    case 'advisory':
      return {
        ...base,
        severity: advisorySeverity(item),
        fingerprint: advisoryFingerprint(item),
        withdrawn: item.withdrawnAt ? true : undefined,
      };
  }
}

function trackedUpdates(item: IncidentItem): TrackedUpdate[] {
  return item.updates.map((u) => ({ key: updateKey(u), hash: updateHash(u) }));
}

function incidentFingerprint(item: IncidentItem, updates: readonly TrackedUpdate[]): string {
  return contentHash(normalize(item.title) + '\u0000' + updates.map((u) => `${u.key}=${u.hash}`).join('\u0000'));
}

function changelogFingerprint(item: ChangelogItem): string {
  return contentHash([item.title, item.changeType, item.text].map(normalize).join('\u0000'));
}

function advisoryFingerprint(item: AdvisoryItem): string {
  return contentHash(
    [
      item.title,
      item.text,
      item.vendorSeverity,
      item.withdrawnAt ?? '',
      ...item.packages.map((p) => `${p.ecosystem}/${p.name}@${p.vulnerableRange ?? ''}>${p.firstPatchedVersion ?? ''}`),
    ]
      .map(normalize)
      .join('\u0000'),
  );
}

function updateKey(update: ItemUpdate): string {
  return `${update.label.toLowerCase()}|${update.at}`;
}

function updateHash(update: ItemUpdate): string {
  return contentHash(normalize(update.text));
}

const NON_ASCII = /[^\u0000-\u007f]/;
/**
 * A character outside the ones NFKC maps to themselves in any context: C0/C1 controls and ASCII, the Latin-1
 * letters, and the typographic quotes and dashes folded below. Text made only of those is its own NFKC form (no
 * compatibility mapping, no combining class, and no pair of them composes), so it skips the costly normalization.
 */
const MAY_CHANGE_UNDER_NFKC = /[^\u0000-\u009f\u00c0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d]/;
/** Typographic quotes, primes and dashes, and the plain character each folds to. */
const TYPOGRAPHIC = /[\u2018\u2019\u201A\u2032\u201C\u201D\u201E\u2033\u2013\u2014]/g;
const TYPOGRAPHIC_PLAIN: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u2032': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2033': '"',
  '\u2013': '-',
  '\u2014': '-',
};
/** White space other than a lone space: what folding runs of white space into one space changes. */
const FOLDABLE_SPACE = /[^\S ]\s*| \s+/g;

/** Folds what markup and editors change without changing meaning: white space, Unicode forms, typographic quotes. */
export function normalize(text: string): string {
  let folded = text;
  // ASCII text is its own NFKC form and holds none of the quotes and dashes replaced here.
  if (NON_ASCII.test(folded)) {
    if (MAY_CHANGE_UNDER_NFKC.test(folded)) folded = folded.normalize('NFKC');
    folded = folded.replace(TYPOGRAPHIC, (char) => TYPOGRAPHIC_PLAIN[char] ?? char);
  }
  return folded.replace(FOLDABLE_SPACE, ' ').trim();
}

function incidentSeverity(item: IncidentItem): Severity {
  const text = [item.title, ...item.updates.map((u) => u.text)].join('\n');
  return CRITICAL_WORDS.test(text) ? 'critical' : 'major';
}

function advisorySeverity(item: AdvisoryItem): Severity {
  switch (item.vendorSeverity) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'major';
    case 'medium':
      return 'minor';
    case 'low':
      return 'info';
    case 'unknown':
      return 'major'; // Auth0 security bulletins carry no severity; treat them as worth attention
  }
}

function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  if (!a) return b;
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}
