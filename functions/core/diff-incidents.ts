// The diff of incidents and maintenance: their events, stale copies ignored, and their remembered state (pure).
import { incidentFingerprint } from './diff-fingerprint.js';
import { itemSeverity } from './diff-severity.js';
import {
  compareStamps,
  DAY_MS,
  itemEvent,
  laterStamp,
  trackedBase,
  type DiffContext,
  type ItemChange,
} from './diff-shared.js';
import { identifyUpdates, trackedUpdates, updateChangeKey, withLegacyOrdinals } from './diff-update-identity.js';
import { shorten } from './event-factory.js';
import { maxSeverity, type EventType, type IncidentItem, type ItemUpdate, type WatcherEvent } from './model.js';
import { boundedEarlierUpdates, boundedRegions } from './text/event-budgets.js';
import type { TrackedItem, TrackedUpdate } from './tracked.js';

/** Open incidents that vanish from a feed without resolving are forgotten after this long. */
const OPEN_ITEM_RETENTION_DAYS = 180;
const RESOLVED_LABELS = new Set(['resolved', 'completed', 'postmortem']);
const MAINTENANCE_TYPES: Record<string, EventType> = {
  scheduled: 'maintenance.scheduled',
  'in progress': 'maintenance.started',
  completed: 'maintenance.completed',
};

export function newIncident(ctx: DiffContext, item: IncidentItem): ItemChange | undefined {
  const next = trackIncident(ctx, item, undefined);
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
  // An incident first seen with several updates opened at its start, not at its latest update.
  const occurredAt = type === 'incident.opened' ? startOf(item) : update.at;
  const event = incidentEvent(ctx, item, next, type, changeKey, update, occurredAt);
  return { next: rcaAnnounced ? { ...next, rcaAnnounced } : next, events: [event] };
}

/** When an incident began: the start its format states, else its earliest update's time. */
function startOf(item: IncidentItem): string {
  const earliest = item.updates.reduce<string | undefined>(
    (first, u) => (first === undefined || compareStamps(u.at, first) < 0 ? u.at : first),
    undefined,
  );
  return item.startedAt ?? earliest ?? item.updates[0]!.at;
}

export function knownIncident(ctx: DiffContext, known: TrackedItem, item: IncidentItem): ItemChange | undefined {
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
  let next = trackIncident(ctx, item, known, { updates: [...listed, ...unlisted], fingerprint });

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
    // Incidents: the updates before this one (newest first, for the emails' compact history) and the incident's start.
    earlierUpdates: item.kind === 'incident' ? earlierUpdatesOf(item, update) : undefined,
    startedAt: item.kind === 'incident' ? startOf(item) : undefined,
    components: item.components && item.components.length > 0 ? [...item.components] : undefined,
    // A maintenance's window: what ops needs from its every event (the work's time, not the notice's).
    scheduledFor: item.kind === 'maintenance' ? item.scheduledFor : undefined,
    scheduledUntil: item.kind === 'maintenance' ? item.scheduledUntil : undefined,
  });
}

/** The item's updates older than `update` (by time; ties in the feed's order), newest first; undefined when none. */
function earlierUpdatesOf(item: IncidentItem, update: ItemUpdate): ItemUpdate[] | undefined {
  const index = item.updates.indexOf(update);
  const earlier = item.updates.filter(
    (u, i) => u !== update && (compareStamps(u.at, update.at) < 0 || (compareStamps(u.at, update.at) === 0 && i > index)),
  );
  return earlier.length > 0 ? boundedEarlierUpdates(earlier) : undefined;
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

/**
 * The remembered state of an incident or maintenance as of this poll. `incident`: its tracked updates (the listed ones
 * and the unlisted ones kept) and its fingerprint, when already worked out.
 */
function trackIncident(
  ctx: DiffContext,
  item: IncidentItem,
  known: TrackedItem | undefined,
  incident?: { readonly updates: readonly TrackedUpdate[]; readonly fingerprint: string },
): TrackedItem {
  const base = trackedBase(ctx, item, known);
  const latest = item.updates[0];
  const resolvedAt = resolvedUpdateOf(item)?.at;
  const resolvedMs = resolvedAt ? Date.parse(resolvedAt) : NaN;
  const expiresMs = Number.isFinite(resolvedMs)
    ? resolvedMs + ctx.trackResolvedDays * DAY_MS
    : ctx.now.getTime() + OPEN_ITEM_RETENTION_DAYS * DAY_MS;
  const updates = incident?.updates ?? trackedUpdates(item);
  const listedIn = listedRegions(known?.listedIn, ctx.source.region);
  const computed = itemSeverity(ctx, item, regionsOf(item, listedIn));
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
    ...(item.kind === 'maintenance' && item.scheduledFor !== undefined ? { scheduledFor: item.scheduledFor } : {}),
    ...(item.kind === 'maintenance' && item.scheduledUntil !== undefined ? { scheduledUntil: item.scheduledUntil } : {}),
    updatedAt: laterStamp(known?.updatedAt, item.updatedAt),
    expiresAt: Math.floor(expiresMs / 1000),
  };
}

/** The update that resolved the item (the latest one that is not a Postmortem), when its latest update resolves it. */
function resolvedUpdateOf(item: IncidentItem): ItemUpdate | undefined {
  const latest = item.updates[0];
  if (!latest || !RESOLVED_LABELS.has(latest.label.toLowerCase())) return undefined;
  return item.updates.find((u) => u.label.toLowerCase() !== 'postmortem') ?? latest;
}
