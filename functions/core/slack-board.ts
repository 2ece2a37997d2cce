// The Slack status board's state: what the board shows now, folded from the events its route receives one by one
// (pure, like slack-thread-state.ts). One row per Auth0 region, per dependency, per synthetic login, per tenant-check
// source and one for the watcher's own health; in each row the items still open, the worst of which colours it.
import { DELIVERY_CHECK_TITLE, TEST_EVENT_TITLE } from './delivery-check.js';
import { EVENT_TYPE_FACTS, familyOf } from './event-types.js';
import type { Severity, WatcherEvent } from './model.js';

/** 🟢 nothing open; 🟠 a minor or major incident open, maintenance under way, a slow or paused probe; 🔴 the rest. */
export type BoardLight = 'green' | 'amber' | 'red';

/** What kind of row: the order the board lists them in. */
export const BOARD_ROW_KINDS = ['auth0', 'dependency', 'synthetic', 'checks', 'watcher'] as const;
export type BoardRowKind = (typeof BOARD_ROW_KINDS)[number];

/** One item of a row (an incident, a probe, a check, a source's health) as its latest event left it. */
export interface BoardItem {
  /** `amber` or `red` while open; `green` once over (kept a while, so that a late older event cannot reopen it). */
  readonly light: BoardLight;
  /** A short state in our words, with the vendor's status where it gave one (vendor text: escape when shown). */
  readonly state: string;
  /** The item's title (vendor text). */
  readonly title: string;
  readonly severity: Severity;
  /** The latest event time folded in (`occurredAt`), ISO 8601. */
  readonly at: string;
  /** The Slack ts of the item's thread root in the board's channel, where the route posted one. */
  readonly threadTs?: string;
}

export interface BoardRow {
  readonly kind: BoardRowKind;
  /** The row's name (vendor text for dependencies: escape when shown). */
  readonly name: string;
  /** By thread key (`<source or scope>#<itemId>`). */
  readonly items: Readonly<Record<string, BoardItem>>;
}

export interface BoardState {
  /** By row key (`auth0:US-1`, `dependency:GitHub`, `synthetic:<source>`, `checks:<source>`, `watcher`). */
  readonly rows: Readonly<Record<string, BoardRow>>;
  /** The latest `detectedAt` folded in: when the board last learnt something. */
  readonly updatedAt?: string;
}

export const EMPTY_BOARD: BoardState = { rows: {} };

/**
 * A row the board shows from the start, before anything about it is heard: each watched Auth0 region, each
 * dependency, each synthetic login and tenant-check source, and the watcher itself (config/board-rows.ts derives them
 * from the sources). Keys and kinds as {@link boardRowsOf} gives them.
 */
export interface BoardRowSeed {
  readonly key: string;
  readonly kind: BoardRowKind;
  readonly name: string;
}

/** Items over for longer than this before the newest event folded in are forgotten (ordering needs minutes, not weeks). */
const CLOSED_ITEM_MEMORY_MS = 7 * 86_400_000;
/** At most this many items per row are kept (the oldest closed ones go first): the stored state stays small. */
const MAX_ITEMS_PER_ROW = 40;

/**
 * The rows an event belongs to, with their kinds and names; none for families the board does not show, nor for the
 * test events of `npm start -- test` and `check-deploy` (nothing happened: nothing to show).
 */
export function boardRowsOf(event: WatcherEvent): Array<{ readonly key: string; readonly kind: BoardRowKind; readonly name: string }> {
  if (event.title === TEST_EVENT_TITLE || event.title === DELIVERY_CHECK_TITLE) return [];
  switch (familyOf(event.type)) {
    case 'incident':
    case 'maintenance': {
      // A dependency is its source (one row per configured third-party page, named by its vendor).
      if (event.vendor !== 'Auth0') return [{ key: `dependency:${event.source}`, kind: 'dependency', name: event.vendor }];
      const regions = event.regions && event.regions.length > 0 ? event.regions : [''];
      return regions.map((region) => ({ key: `auth0:${region}`, kind: 'auth0', name: region ? `Auth0 ${region}` : 'Auth0' }));
    }
    case 'synthetic':
      return [{ key: `synthetic:${event.source}`, kind: 'synthetic', name: `Synthetic login (${event.source})` }];
    case 'tenant':
      return event.type === 'tenant.check_failed' || event.type === 'tenant.check_passed'
        ? [{ key: `checks:${event.source}`, kind: 'checks', name: `Tenant checks (${event.source})` }]
        : [];
    case 'source':
      return [{ key: 'watcher', kind: 'watcher', name: 'Watcher' }];
    default:
      return [];
  }
}

/** How the event leaves its item: its light and short state. */
function itemFrom(event: WatcherEvent): Pick<BoardItem, 'light' | 'state'> {
  const ends = EVENT_TYPE_FACTS[event.type].endsItem || event.type === 'incident.rca_published';
  if (ends) return { light: 'green', state: EVENT_TYPE_FACTS[event.type].impliedStatus };
  const status = event.status ?? EVENT_TYPE_FACTS[event.type].impliedStatus;
  switch (event.type) {
    case 'maintenance.scheduled':
      return { light: 'green', state: 'maintenance scheduled' };
    case 'maintenance.started':
    case 'maintenance.updated':
      return { light: 'amber', state: `maintenance, ${status}` };
    case 'synthetic.failing':
      return { light: 'red', state: 'login failing' };
    case 'synthetic.degraded':
      return { light: 'amber', state: event.synthetic?.latencyMs !== undefined ? `login slow (${event.synthetic.latencyMs} ms)` : 'login slow' };
    case 'synthetic.misconfigured':
      return { light: 'amber', state: 'probe paused: misconfigured' };
    case 'tenant.check_failed':
      return { light: 'red', state: `check failing: ${event.check ?? event.itemId}` };
    case 'source.failing':
      return { light: 'red', state: `cannot read ${event.source}` };
    default:
      return { light: event.severity === 'critical' ? 'red' : 'amber', state: `${event.severity}, ${status}` };
  }
}

/** True when `a` is a readable time strictly before readable `b`. */
function isBefore(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

/**
 * Folds one event into the board, with the ts of its thread's root where the route posted one. The newest event of
 * an item (by `occurredAt`) sets its light; an older one arriving late changes nothing, and at the same time the event
 * that ends the item wins, so a redelivered or late update cannot reopen what was resolved. Folding the same event
 * twice gives the same state. Events of families the board does not show leave it unchanged.
 */
export function boardStateFrom(previous: BoardState, event: WatcherEvent, threadTs?: string): BoardState {
  const rowsOf = boardRowsOf(event);
  if (rowsOf.length === 0) return previous;
  const itemKey = `${event.scope ?? event.source}#${event.itemId}`;
  const next = itemFrom(event);
  const rows: Record<string, BoardRow> = { ...previous.rows };
  for (const { key, kind, name } of rowsOf) {
    const row = rows[key] ?? { kind, name, items: {} };
    const known = row.items[itemKey];
    const older = known !== undefined && isBefore(event.occurredAt, known.at);
    const reopensAtSameTime = known !== undefined && known.light === 'green' && next.light !== 'green' && !isBefore(known.at, event.occurredAt);
    const item: BoardItem =
      older || reopensAtSameTime
        ? { ...known!, threadTs: known!.threadTs ?? threadTs }
        : {
            ...next,
            title: event.title,
            severity: event.severity,
            at: event.occurredAt,
            ...((threadTs ?? known?.threadTs) !== undefined && { threadTs: threadTs ?? known?.threadTs }),
          };
    rows[key] = { ...row, items: pruned({ ...row.items, [itemKey]: item }, event.occurredAt) };
  }
  const updatedAt = previous.updatedAt === undefined || isBefore(previous.updatedAt, event.detectedAt) ? event.detectedAt : previous.updatedAt;
  return { rows, updatedAt };
}

/** Forgets items over for a week before `now`, and the oldest over ones beyond the per-row cap. */
function pruned(items: Record<string, BoardItem>, now: string): Record<string, BoardItem> {
  const cutoff = Date.parse(now) - CLOSED_ITEM_MEMORY_MS;
  const kept = Object.entries(items).filter(([, item]) => item.light !== 'green' || !(Date.parse(item.at) < cutoff));
  if (kept.length > MAX_ITEMS_PER_ROW) {
    const closed = kept.filter(([, item]) => item.light === 'green').sort(([, a], [, b]) => Date.parse(a.at) - Date.parse(b.at));
    const drop = new Set(closed.slice(0, kept.length - MAX_ITEMS_PER_ROW).map(([key]) => key));
    return Object.fromEntries(kept.filter(([key]) => !drop.has(key)));
  }
  return Object.fromEntries(kept);
}

const LIGHT_RANK: Readonly<Record<BoardLight, number>> = { green: 0, amber: 1, red: 2 };

/** A row's light: its worst open item's, green when nothing is open. */
export function rowLight(row: BoardRow): BoardLight {
  return openItems(row)[0]?.[1].light ?? 'green';
}

/** A row's open items, worst first (red before amber, then the more severe, then the latest). */
export function openItems(row: BoardRow): Array<[string, BoardItem]> {
  const severityRank = (s: Severity) => ['critical', 'major', 'minor', 'info'].indexOf(s);
  return Object.entries(row.items)
    .filter(([, item]) => item.light !== 'green')
    .sort(
      ([ka, a], [kb, b]) =>
        LIGHT_RANK[b.light] - LIGHT_RANK[a.light] ||
        severityRank(a.severity) - severityRank(b.severity) ||
        Date.parse(b.at) - Date.parse(a.at) ||
        (ka < kb ? -1 : ka > kb ? 1 : 0),
    );
}

/** The rows in the board's order: by kind, then by name; the seeds nothing has been heard about yet show green. */
export function orderedRows(state: BoardState, seeds: readonly BoardRowSeed[] = []): BoardRow[] {
  const rows: Record<string, BoardRow> = {};
  for (const seed of seeds) rows[seed.key] = { kind: seed.kind, name: seed.name, items: {} };
  Object.assign(rows, state.rows);
  return Object.values(rows).sort(
    (a, b) => BOARD_ROW_KINDS.indexOf(a.kind) - BOARD_ROW_KINDS.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
