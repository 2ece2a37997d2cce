// Judges a read of ip-ranges.json against the list the previous run kept (pure): which watched regions changed, with
// their added and removed CIDRs and the changelog entries about them, or why the list cannot be trusted. A first run
// (or a region watched for the first time) is a baseline: remembered, not announced.
import type { Validators } from '../../core/ports.js';
import { cleanLine } from '../../core/text/clean-line.js';
import { listWithMore } from '../../core/text/words.js';
import { sortCidrs, type IpRangesChangelogEntry, type IpRangesDocument } from './ip-ranges-document.js';

/** What one run keeps for the next (stored as the probe's state: plain JSON, a few KB for the whole list). */
export interface IpRangesState {
  readonly version: 1;
  /** The URL the list was read from: validators and lists of another URL are not reused. */
  readonly url: string;
  /** The regions watched when it was read: `all`, or the configured ones (upper case). */
  readonly watch: 'all' | readonly string[];
  /** The answer's ETag / Last-Modified, sent back for a conditional GET (304: nothing changed). */
  readonly validators?: Validators;
  readonly lastUpdatedAt: string;
  /** Watched region → its CIDRs, in address order. */
  readonly regions: Readonly<Record<string, readonly string[]>>;
}

/** One watched region whose list changed. */
export interface RegionChange {
  readonly region: string;
  /** In address order. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Auth0's changelog entries about these CIDRs in this region, one cleaned line each (at most {@link MAX_CHANGELOG_LINES}). */
  readonly changelog: readonly string[];
  /** The earliest date those entries give, `YYYY-MM-DD`. */
  readonly effectiveFrom?: string;
  /** The region's list before and after, for the change's identity. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export type IpRangesJudgement =
  | { readonly ok: true; readonly regions: Readonly<Record<string, readonly string[]>>; readonly changes: readonly RegionChange[] }
  | { readonly ok: false; readonly reason: string };

export const MAX_CHANGELOG_LINES = 10;
const CIDRS_PER_CHANGELOG_LINE = 5;

/** The regions a config watches, as the state records them. */
export function watchOf(regions: readonly string[] | undefined): IpRangesState['watch'] {
  return regions === undefined ? 'all' : [...new Set(regions.map((region) => region.toUpperCase()))].sort();
}

const sameWatch = (a: IpRangesState['watch'], b: IpRangesState['watch']): boolean =>
  a === 'all' || b === 'all' ? a === b : a.length === b.length && a.every((region, index) => region === b[index]);

/**
 * The previous run's state, when it is one this plug-in wrote (anything else, such as a hand-edited record, is no
 * state: the run becomes a baseline).
 */
export function readIpRangesState(value: unknown): IpRangesState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const state = value as Partial<Record<keyof IpRangesState, unknown>>;
  const isStrings = (list: unknown): list is string[] => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (state.version !== 1 || typeof state.url !== 'string' || typeof state.lastUpdatedAt !== 'string') return undefined;
  if (state.watch !== 'all' && !isStrings(state.watch)) return undefined;
  const regions = state.regions;
  if (typeof regions !== 'object' || regions === null || !Object.values(regions).every(isStrings)) return undefined;
  const validators = state.validators as Validators | undefined;
  const validatorsOk =
    validators === undefined ||
    (typeof validators === 'object' &&
      validators !== null &&
      ['etag', 'lastModified'].every((key) => ['undefined', 'string'].includes(typeof (validators as Record<string, unknown>)[key])));
  return validatorsOk ? (state as IpRangesState) : undefined;
}

/** The validators to send: only for the same URL and the same regions, so that a changed config reads the list anew. */
export function validatorsToSend(previous: IpRangesState | undefined, url: string, watch: IpRangesState['watch']): Validators | undefined {
  return previous && previous.url === url && sameWatch(previous.watch, watch) ? previous.validators : undefined;
}

/**
 * The watched regions' lists and what changed since `previous`. Fails when a watched region is missing, or lists no
 * CIDRs where it had some (or where the config names it), or when nothing watched lists any CIDR: a broken list must
 * fail the source, never read as "no addresses".
 */
export function judgeIpRanges(
  previous: IpRangesState | undefined,
  document: IpRangesDocument,
  watch: IpRangesState['watch'],
): IpRangesJudgement {
  const listed = Object.keys(document.regions);
  const prior = previous?.regions;
  const watched = watch === 'all' ? listed : watch;
  for (const region of watched) {
    const cidrs = document.regions[region];
    if (cidrs === undefined) return { ok: false, reason: `region ${region} is not in the list (it has ${listed.join(', ')})` };
    const before = prior?.[region]?.length ?? 0;
    if (cidrs.length === 0 && (watch !== 'all' || before > 0)) {
      return { ok: false, reason: `region ${region} lists no CIDRs${before > 0 ? ` (it had ${before})` : ''}` };
    }
  }
  if (watch === 'all' && previous?.watch === 'all' && prior) {
    const gone = Object.keys(prior).find((region) => document.regions[region] === undefined && (prior[region]?.length ?? 0) > 0);
    if (gone) return { ok: false, reason: `region ${gone} is missing from the list (it had ${prior[gone]?.length} CIDRs)` };
  }
  if (watched.every((region) => (document.regions[region]?.length ?? 0) === 0)) {
    return { ok: false, reason: 'the list has no CIDRs in any watched region' };
  }

  const regions: Record<string, readonly string[]> = {};
  const changes: RegionChange[] = [];
  // A region counts as new (every CIDR added) only when the whole list was watched before and now; a region newly
  // watched because the config changed is a baseline.
  const newRegionsAreChanges = watch === 'all' && previous?.watch === 'all';
  for (const region of watched) {
    const after = document.regions[region] ?? [];
    regions[region] = after;
    const before = prior?.[region];
    if (!prior || (before === undefined && !newRegionsAreChanges)) continue;
    const was = new Set(before ?? []);
    const now = new Set(after);
    const added = after.filter((cidr) => !was.has(cidr));
    const removed = (before ?? []).filter((cidr) => !now.has(cidr));
    if (added.length === 0 && removed.length === 0) continue;
    changes.push({ region, added, removed, before: before ?? [], after, ...changelogAbout(document.changelog, region, added, removed) });
  }
  return { ok: true, regions, changes };
}

/** Auth0's changelog entries about these CIDRs in this region, as lines, and the earliest date they give. */
function changelogAbout(
  changelog: readonly IpRangesChangelogEntry[],
  region: string,
  added: readonly string[],
  removed: readonly string[],
): { changelog: string[]; effectiveFrom?: string } {
  const addedSet = new Set(added);
  const removedSet = new Set(removed);
  const relevant = changelog.filter(
    (entry) =>
      entry.region === region &&
      entry.cidrs.some((cidr) =>
        entry.action === 'add' ? addedSet.has(cidr) : entry.action === 'remove' ? removedSet.has(cidr) : addedSet.has(cidr) || removedSet.has(cidr),
      ),
  );
  const dates = relevant.flatMap((entry) => (entry.date === undefined ? [] : [entry.date])).sort();
  const lines = relevant
    .slice(0, MAX_CHANGELOG_LINES)
    .map((entry) =>
      cleanLine(`${entry.date ?? 'undated'} ${entry.region} ${entry.action} ${listWithMore(sortCidrs(entry.cidrs), CIDRS_PER_CHANGELOG_LINE)}`, 300),
    );
  return dates[0] === undefined ? { changelog: lines } : { changelog: lines, effectiveFrom: dates[0] };
}
