// The heart of the watcher: compares a poll's items with what was remembered and derives the events, purely.
import { contentHash, makeEvent, shorten, type EventBody, type EventSourceInfo } from './event-factory.js';
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
import { boundedRegions, boundedTitle, boundedUrl, fitItemEvents } from './text/event-budgets.js';
import type { TrackedItem, TrackedUpdate } from './tracked.js';

export interface DiffContext {
  readonly source: EventSourceInfo;
  /**
   * The scope the items are tracked under when the source shares them with other sources (see `SourceModule.itemScope`);
   * undefined when they are the source's own. Events of a scope's items carry it, and their ids are computed over it.
   */
  readonly scope?: string;
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
 * A copy of an item older than the one already processed (a stale edge cache) changes nothing; an item listed
 * twice counts once, as its most advanced copy.
 */
export function diffItems(
  ctx: DiffContext,
  previous: ReadonlyMap<string, TrackedItem>,
  items: readonly Item[],
): ItemChange[] {
  const changes: ItemChange[] = [];
  for (const item of mostAdvancedListings(items)) {
    const known = previous.get(item.itemId);
    const stillTracked = known && !(known.expiresAt !== undefined && known.expiresAt * 1000 <= ctx.now.getTime());
    const change = stillTracked ? diffKnown(ctx, known, item) : diffNew(ctx, item);
    // One item's events go into its outbox in one write: distinct ids, and within the item's byte budget together.
    if (change) changes.push({ ...change, events: fitItemEvents(uniqueById(change.events)) });
  }
  return changes;
}

/**
 * One listing per item, in the order items first appear. A feed listing an item twice (a repeated entry, the two
 * copies possibly of different age and swapping places between polls) yields its most advanced copy, whichever
 * comes first: the one with more updates, then the later vendor stamp, then the later newest update; identical
 * progress is decided on the content, so the choice never depends on the order.
 */
function mostAdvancedListings(items: readonly Item[]): Item[] {
  const chosen = new Map<string, Item>();
  for (const item of items) {
    const other = chosen.get(item.itemId);
    chosen.set(item.itemId, other === undefined ? item : moreAdvanced(other, item));
  }
  return [...chosen.values()];
}

function moreAdvanced(a: Item, b: Item): Item {
  const pa = progressOf(a);
  const pb = progressOf(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const difference = (pa[i] ?? -Infinity) - (pb[i] ?? -Infinity);
    if (difference !== 0 && !Number.isNaN(difference)) return difference > 0 ? a : b;
  }
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja >= jb ? a : b;
}

function progressOf(item: Item): number[] {
  switch (item.kind) {
    case 'incident':
    case 'maintenance':
      return [item.updates.length, stampMs(item.updatedAt), stampMs(item.updates[0]?.at)];
    case 'advisory':
      return [stampMs(item.updatedAt), item.withdrawnAt ? 1 : 0];
    case 'changelog':
      return [];
  }
}

function stampMs(iso: string | undefined): number {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : -Infinity;
}

/** -1 when `listed` is stamped before `tracked`, 1 after, 0 when equal or either is missing. */
function compareStamps(listed: string | undefined, tracked: string | undefined): number {
  const a = stampMs(listed);
  const b = stampMs(tracked);
  if (a === -Infinity || b === -Infinity || a === b) return 0;
  return a < b ? -1 : 1;
}

/** The later of two vendor stamps (either may be missing): the tracked stamp never goes backwards. */
function laterStamp(tracked: string | undefined, listed: string | undefined): string | undefined {
  if (listed === undefined) return tracked;
  return compareStamps(listed, tracked) < 0 ? tracked : listed;
}

function uniqueById(events: readonly WatcherEvent[]): WatcherEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
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
      // A copy stamped before the one processed is stale (an edge cache): going back to it would announce it again.
      if (item.kind === 'advisory' && compareStamps(item.updatedAt, known.updatedAt) < 0) return undefined;
      const next = track(ctx, item, known);
      const events = item.kind === 'advisory' ? advisoryChangeEvents(ctx, known, item, next) : [];
      return { previous: known, next, events };
    }
  }
}

// ---------------------------------------------------------------- incidents and maintenance

function newIncident(ctx: DiffContext, item: IncidentItem): ItemChange | undefined {
  const next = track(ctx, item, undefined);
  const latest = identifyUpdates(item.updates)[0];
  const resolved = next.resolvedAt !== undefined;
  if (resolved && Date.parse(next.resolvedAt!) < ctx.now.getTime() - ctx.trackResolvedDays * DAY_MS) {
    return undefined; // resolved before the tracking window: history, not news
  }
  if (!latest || (ctx.baseline && resolved)) return { next, events: [] };

  const { update } = latest;
  let type: EventType;
  let changeKey: string;
  let rcaAnnounced = false;
  if (item.kind === 'maintenance') {
    type = MAINTENANCE_TYPES[update.label.toLowerCase()] ?? 'maintenance.started';
    changeKey = updateChangeKey(latest);
  } else if (!resolved) {
    type = 'incident.opened';
    changeKey = 'opened';
  } else if (update.label.toLowerCase() === 'postmortem') {
    type = 'incident.rca_published';
    changeKey = 'rca';
    rcaAnnounced = true;
  } else {
    type = 'incident.resolved';
    changeKey = updateChangeKey(latest);
  }
  const event = incidentEvent(ctx, item, next, type, changeKey, update, update.at);
  return { next: rcaAnnounced ? { ...next, rcaAnnounced } : next, events: [event] };
}

function knownIncident(ctx: DiffContext, known: TrackedItem, item: IncidentItem): ItemChange | undefined {
  const identified = identifyUpdates(item.updates);
  const listed = identified.map(({ key, hash }): TrackedUpdate => ({ key, hash }));
  const fingerprint = incidentFingerprint(item, listed);
  if (fingerprint === known.fingerprint) {
    // Unchanged: decided on the hash alone. Another region's feed listing it for the first time is remembered, silently:
    // the next event about it names that region too.
    const listedIn = listedRegions(known.listedIn, ctx.source.region);
    if (listedIn === known.listedIn) return undefined;
    return { previous: known, next: { ...known, listedIn, regions: regionsOf(item, listedIn), changedAt: ctx.now.toISOString() }, events: [] };
  }
  const remembered = withLegacyOrdinals(known.updates ?? []);
  // An older copy changes nothing, not even the fingerprint: the fresh copy served after it is then "unchanged".
  if (isStaleCopy(known, remembered, item, listed)) return undefined;

  // Known updates are never forgotten while the item is tracked: one the vendor stops listing (deleted as wrong, or
  // missing from a copy taken for its later stamp or new update) is kept, marked unlisted, and never announced again.
  const listedKeys = new Set(listed.map((u) => u.key));
  const unlisted = remembered
    .filter((u) => !listedKeys.has(u.key))
    .map((u): TrackedUpdate => (u.unlisted ? u : { ...u, unlisted: true }));
  let next = track(ctx, item, known, { updates: [...listed, ...unlisted], fingerprint });

  const before = new Map(remembered.map((u) => [u.key, u.hash]));
  const events: WatcherEvent[] = [];
  let rcaAnnounced = known.rcaAnnounced === true;

  // Each new update yields exactly one event, oldest first, typed by what it does.
  const added = identified.filter((u) => !before.has(u.key)).reverse();
  for (const identity of added) {
    const { update } = identity;
    const label = update.label.toLowerCase();
    let type: EventType;
    let changeKey = updateChangeKey(identity);
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
  const rewritten = identified.filter((u) => {
    const hash = before.get(u.key);
    return hash !== undefined && hash !== u.hash;
  });
  if (rewritten.length > 0 && item.kind === 'incident' && known.resolvedAt !== undefined && !rcaAnnounced) {
    rcaAnnounced = true;
    const { update } = rewritten[0]!;
    events.push(incidentEvent(ctx, item, next, 'incident.rca_published', 'rca', update, item.updatedAt ?? ctx.now.toISOString()));
  }
  if (rcaAnnounced) next = { ...next, rcaAnnounced };
  return { previous: known, next, events };
}

/**
 * Whether the listed copy of a tracked incident is older than what was already processed: status pages sit behind
 * CDNs, and an edge can serve an old copy between fresh ones. Going back to it would forget updates and resolutions
 * and announce them again when the fresh copy returns. A copy that lists an update never seen is never stale.
 * Otherwise it is stale when the vendor stamped it earlier than the tracked copy, or, stamped no later (or not at all),
 * when it lacks a listed known update, or has fallen back from resolved to open with fewer updates.
 */
function isStaleCopy(
  known: TrackedItem,
  remembered: readonly TrackedUpdate[],
  item: IncidentItem,
  listed: readonly TrackedUpdate[],
): boolean {
  const rememberedKeys = new Set(remembered.map((u) => u.key));
  if (listed.some((u) => !rememberedKeys.has(u.key))) return false;
  const stamp = compareStamps(item.updatedAt, known.updatedAt);
  if (stamp !== 0) return stamp < 0;
  const listedKeys = new Set(listed.map((u) => u.key));
  // An update already taken as unlisted (the vendor deleted it) does not make every later copy stale.
  if (remembered.some((u) => !u.unlisted && !listedKeys.has(u.key))) return true;
  return known.resolvedAt !== undefined && resolvedUpdateOf(item) === undefined && item.updates.length < remembered.length;
}

/** An update with its identity: the n-th (oldest first) of the item's updates with its label and time. */
interface IdentifiedUpdate {
  readonly update: ItemUpdate;
  readonly ordinal: number;
  readonly key: string;
  readonly hash: string;
}

/**
 * Identities of an item's updates (newest first, as listed). An update is known by its label and time; two with the
 * same label and time (minute-precise feeds: two "Update"s posted in one minute) are told apart by an ordinal counted
 * from the oldest. The first keeps the plain key, so keys (and event ids) stored before ordinals existed still match.
 */
function identifyUpdates(updates: readonly ItemUpdate[]): IdentifiedUpdate[] {
  const counts = new Map<string, number>();
  const identified: IdentifiedUpdate[] = new Array(updates.length);
  for (let index = updates.length - 1; index >= 0; index -= 1) {
    const update = updates[index]!;
    const base = updateKey(update);
    const ordinal = (counts.get(base) ?? 0) + 1;
    counts.set(base, ordinal);
    identified[index] = { update, ordinal, key: ordinal === 1 ? base : `${base}|${ordinal}`, hash: updateHash(update) };
  }
  return identified;
}

/**
 * Tracked updates as stored by versions without ordinals, where two updates with one label and time shared one key:
 * the same ordinals as {@link identifyUpdates} gives them (oldest first), so such an item announces nothing anew.
 */
function withLegacyOrdinals(updates: readonly TrackedUpdate[]): readonly TrackedUpdate[] {
  if (new Set(updates.map((u) => u.key)).size === updates.length) return updates;
  const counts = new Map<string, number>();
  const renamed = [...updates];
  for (let index = updates.length - 1; index >= 0; index -= 1) {
    const update = updates[index]!;
    const ordinal = (counts.get(update.key) ?? 0) + 1;
    counts.set(update.key, ordinal);
    if (ordinal > 1) renamed[index] = { ...update, key: `${update.key}|${ordinal}` };
  }
  return renamed;
}

/** The event id's change key of a new update; unchanged from before ordinals for the first (and usually only) one. */
function updateChangeKey({ update, ordinal }: IdentifiedUpdate): string {
  const key = `update:${update.label}:${update.at}`;
  return ordinal === 1 ? key : `${key}:${ordinal}`;
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
  return itemEvent(ctx, type, changeKey, {
    itemId: item.itemId,
    title: item.title,
    url: item.url,
    severity: tracked.severity,
    occurredAt,
    summary: shorten(`${update.label}: ${update.text}`, 500),
    status: tracked.status,
    regions: [...(tracked.regions ?? [])],
    update,
    components: item.components && item.components.length > 0 ? [...item.components] : undefined,
  });
}

/**
 * The regions an incident's events carry: those it names, else those it is listed in. The regional feeds of one status
 * page list the same incident, so a global one that names no region is the sum of the feeds listing it ("EU-1", "US-1"),
 * and one that names its regions is those, whichever feeds list it (what a single-region deployment always reported).
 */
function regionsOf(item: IncidentItem, listedIn: readonly string[] | undefined): string[] {
  return boundedRegions(item.regions.length > 0 ? item.regions : (listedIn ?? []));
}

/**
 * The regions an item is listed in, with the source's own configured region added (sorted, each once); `known`
 * itself, the same array, when that adds nothing (and when the source has no region).
 */
function listedRegions(known: readonly string[] | undefined, region: string | undefined): readonly string[] | undefined {
  if (region === undefined || known?.includes(region)) return known;
  return [...(known ?? []), region].sort();
}

/** An event about an item of this poll: the item's scope, when it has one, goes into the event (and its id). */
function itemEvent(
  ctx: DiffContext,
  type: EventType,
  changeKey: string,
  body: Omit<EventBody, 'scope'>,
): WatcherEvent {
  return makeEvent(ctx.source, type, changeKey, ctx.now, { ...body, scope: ctx.scope });
}

// ---------------------------------------------------------------- change log

function newChangelogEntry(ctx: DiffContext, item: ChangelogItem): ItemChange {
  const next = track(ctx, item, undefined);
  if (ctx.baseline) return { next, events: [] };
  const event = itemEvent(ctx, 'changelog.published', 'published', {
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
  return itemEvent(ctx, type, changeKey, {
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

/**
 * The remembered state of an item as of this poll. `incident`: an incident's tracked updates (the listed ones and the
 * unlisted ones kept) and its fingerprint, when already worked out.
 */
function track(
  ctx: DiffContext,
  item: Item,
  known: TrackedItem | undefined,
  incident?: { readonly updates: readonly TrackedUpdate[]; readonly fingerprint: string },
): TrackedItem {
  const nowIso = ctx.now.toISOString();
  const base = {
    itemId: item.itemId,
    kind: item.kind,
    // Cut like the events' (the fingerprint hashes the full title), so that no title can outgrow the record.
    title: boundedTitle(item.title),
    url: boundedUrl(item.url, ctx.source.url),
    firstSeenAt: known?.firstSeenAt ?? nowIso,
    changedAt: nowIso,
  };
  switch (item.kind) {
    case 'incident':
    case 'maintenance': {
      const latest = item.updates[0];
      const resolvedAt = resolvedUpdateOf(item)?.at;
      const resolvedMs = resolvedAt ? Date.parse(resolvedAt) : NaN;
      const expiresMs = Number.isFinite(resolvedMs)
        ? resolvedMs + ctx.trackResolvedDays * DAY_MS
        : ctx.now.getTime() + OPEN_ITEM_RETENTION_DAYS * DAY_MS;
      const computed = item.kind === 'maintenance' ? 'info' : (item.impact ?? incidentSeverity(item));
      const updates = incident?.updates ?? trackedUpdates(item);
      const listedIn = listedRegions(known?.listedIn, ctx.source.region);
      return {
        ...base,
        severity: maxSeverity(known?.severity, computed),
        fingerprint: incident?.fingerprint ?? incidentFingerprint(item, updates),
        updates,
        status: latest ? latest.label.toLowerCase().replace(/\s+/g, '_') : undefined,
        regions: regionsOf(item, listedIn),
        listedIn,
        resolvedAt,
        rcaAnnounced: known?.rcaAnnounced,
        updatedAt: laterStamp(known?.updatedAt, item.updatedAt),
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
        updatedAt: laterStamp(known?.updatedAt, item.updatedAt),
      };
  }
}

/** The update that resolved the item (the latest one that is not a Postmortem), when its latest update resolves it. */
function resolvedUpdateOf(item: IncidentItem): ItemUpdate | undefined {
  const latest = item.updates[0];
  if (!latest || !RESOLVED_LABELS.has(latest.label.toLowerCase())) return undefined;
  return item.updates.find((u) => u.label.toLowerCase() !== 'postmortem') ?? latest;
}

function trackedUpdates(item: IncidentItem): TrackedUpdate[] {
  return identifyUpdates(item.updates).map(({ key, hash }) => ({ key, hash }));
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

/** Hash of the full normalized text, never of the text cut for an event: an edit beyond the cut is still an edit. */
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
      return 'major'; // an advisory without a severity is treated as worth attention
  }
}

function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  if (!a) return b;
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}
