// Judges one read of the Deprecations and Migrations page against what the previous run remembered (pure):
// `deprecation.announced` for an entry not seen before (the first run is a silent baseline), and
// `deprecation.eol_approaching` when an entry's end of life comes within 90, 30 and 7 days, once per threshold.
//
// - A run that finds an end of life already inside a band (the first run 20 days before it, a run after days of
//   failures, a new entry, a moved date) sends that band's warning once and counts the farther bands as passed: the
//   operator hears once, not three times in a row.
// - An end of life the page moves (or writes in words, or gives a date to after "TBA") restarts that entry's countdown:
//   the band the new date falls in is warned about again, naming the date it moved from.
// - A page with no entries fails the source: never "all deprecations removed". Entries that leave the page are
//   forgotten silently (Auth0 moves finished migrations to its "Past migrations" page); a reworded heading with the
//   same two dates as an entry that left is that entry, renamed.
import { ProbeError } from '../../core/errors.js';
import { makeEvent, type EventSourceInfo } from '../../core/event-factory.js';
import {
  daysUntil,
  EOL_THRESHOLDS,
  eolBand,
  type DeprecationsProbeState,
  type EolThreshold,
  type RememberedDeprecation,
} from '../../core/deprecations/countdown.js';
import type { Severity, WatcherEvent } from '../../core/model.js';
import type { PageDate, PageEntry } from './page.js';

export interface JudgeContext {
  readonly source: EventSourceInfo;
  readonly now: Date;
  /** The address read, for errors. */
  readonly url: string;
}

export interface Judgement {
  readonly state: DeprecationsProbeState;
  readonly events: readonly WatcherEvent[];
  /** "<title>: end of life "TBA" is not a date", one per date the page writes in words. */
  readonly unreadable: readonly string[];
  /** Entries the previous run knew that the page no longer lists. */
  readonly removed: readonly string[];
}

/** A warning's severity rises as the end of life nears; never critical, since the page does not say whether this tenant is affected. */
export const EOL_SEVERITY: Readonly<Record<EolThreshold, Severity>> = { 90: 'info', 30: 'minor', 7: 'major' };

export function judgeDeprecations(entries: readonly PageEntry[], previous: unknown, ctx: JudgeContext): Judgement {
  const known = rememberedEntries(previous);
  const knownCount = known === undefined ? 0 : Object.keys(known).length;
  if (entries.length === 0) {
    throw new ProbeError(
      ctx.url,
      knownCount > 0
        ? `the page lists no deprecations where the last read listed ${knownCount}: its format may have changed`
        : 'the page lists no deprecations: its format may have changed',
    );
  }
  const baseline = known === undefined;
  const nowIso = ctx.now.toISOString();
  const events: WatcherEvent[] = [];
  const unreadable: string[] = [];
  const next: Record<string, RememberedDeprecation> = {};
  const renamedFrom = renames(entries, known ?? {});
  for (const entry of entries) {
    const before = known?.[entry.id] ?? known?.[renamedFrom.get(entry.id) ?? ''];
    const endOfLife = entry.endOfLife?.day;
    const moved = before !== undefined && (before.endOfLife !== endOfLife || (endOfLife === undefined && before.endOfLifeText !== entry.endOfLife?.text));
    const movedFrom = moved ? (before.endOfLife ?? before.endOfLifeText) : before?.movedFrom;
    let warned: readonly EolThreshold[] = before === undefined || moved ? [] : before.warned;
    for (const [label, date] of [['deprecation date', entry.deprecated], ['end of life', entry.endOfLife]] as const) {
      if (date !== undefined && date.day === undefined) unreadable.push(`${entry.title}: ${label} "${date.text}" is not a date`);
    }
    const daysLeft = endOfLife === undefined ? undefined : daysUntil(endOfLife, ctx.now);
    if (!baseline && before === undefined) events.push(announcement(entry, daysLeft, ctx));
    const band = daysLeft === undefined ? undefined : eolBand(daysLeft);
    if (band !== undefined && !warned.includes(band)) {
      events.push(warning(entry, band, daysLeft!, movedFrom, ctx));
      warned = EOL_THRESHOLDS.filter((threshold) => threshold >= band);
    }
    next[entry.id] = {
      title: entry.title,
      url: entry.url,
      ...(entry.deprecated?.day !== undefined && { deprecatedOn: entry.deprecated.day }),
      ...(endOfLife !== undefined && { endOfLife }),
      ...(entry.endOfLife !== undefined && endOfLife === undefined && { endOfLifeText: entry.endOfLife.text }),
      warned,
      ...(movedFrom !== undefined && { movedFrom }),
      firstSeenAt: before?.firstSeenAt ?? nowIso,
    };
  }
  const renamed = new Set(renamedFrom.values());
  const removed = Object.entries(known ?? {})
    .filter(([id]) => next[id] === undefined && !renamed.has(id))
    .map(([, entry]) => entry.title);
  return { state: { entries: next }, events, unreadable, removed };
}

/**
 * Headings the page reworded: a new anchor whose dates are exactly those of one entry that left the page in the same
 * read ("Deprecate Opt-in to WCAG 2.2 …" became "Opt-in to WCAG 2.2 …"). Such an entry keeps its countdown and is not
 * announced again; where two candidates match, neither is taken for the other.
 */
function renames(entries: readonly PageEntry[], known: Readonly<Record<string, RememberedDeprecation>>): Map<string, string> {
  const onPage = new Set(entries.map((entry) => entry.id));
  const datesOf = (deprecatedOn: string | undefined, endOfLife: string | undefined) =>
    deprecatedOn === undefined || endOfLife === undefined ? undefined : `${deprecatedOn}/${endOfLife}`;
  const gone = new Map<string, string[]>();
  for (const [id, entry] of Object.entries(known)) {
    const dates = datesOf(entry.deprecatedOn, entry.endOfLife);
    if (onPage.has(id) || dates === undefined) continue;
    gone.set(dates, [...(gone.get(dates) ?? []), id]);
  }
  const fresh = new Map<string, string[]>();
  for (const entry of entries) {
    const dates = datesOf(entry.deprecated?.day, entry.endOfLife?.day);
    if (known[entry.id] !== undefined || dates === undefined) continue;
    fresh.set(dates, [...(fresh.get(dates) ?? []), entry.id]);
  }
  const renamed = new Map<string, string>();
  for (const [dates, ids] of fresh) {
    const old = gone.get(dates);
    if (ids.length === 1 && old?.length === 1) renamed.set(ids[0]!, old[0]!);
  }
  return renamed;
}

function announcement(entry: PageEntry, daysLeft: number | undefined, ctx: JudgeContext): WatcherEvent {
  const band = daysLeft === undefined ? undefined : eolBand(daysLeft);
  return makeEvent(ctx.source, 'deprecation.announced', 'announced', ctx.now, {
    itemId: entry.id,
    title: entry.title,
    url: entry.url,
    severity: band === undefined ? 'info' : EOL_SEVERITY[band],
    occurredAt: ctx.now.toISOString(),
    summary: joinSentences(`Deprecated ${dateWords(entry.deprecated)}; end of life ${dateWords(entry.endOfLife)}${daysLeftWords(daysLeft)}.`, entry.summary),
    deprecation: deprecationFacts(entry, daysLeft),
  });
}

function warning(entry: PageEntry, band: EolThreshold, daysLeft: number, movedFrom: string | undefined, ctx: JudgeContext): WatcherEvent {
  const endOfLife = entry.endOfLife!.day!;
  const moved = movedFrom === undefined ? '' : ` (moved from ${movedFrom})`;
  return makeEvent(ctx.source, 'deprecation.eol_approaching', `eol:${endOfLife}:${band}`, ctx.now, {
    itemId: entry.id,
    title: entry.title,
    url: entry.url,
    severity: EOL_SEVERITY[band],
    occurredAt: ctx.now.toISOString(),
    summary: joinSentences(
      `End of life ${daysLeft === 0 ? 'today' : `in ${daysLeft === 1 ? '1 day' : `${daysLeft} days`}`}, on ${endOfLife}${moved}: the ${band}-day warning.`,
      entry.summary,
    ),
    deprecation: deprecationFacts(entry, daysLeft),
  });
}

function deprecationFacts(entry: PageEntry, daysLeft: number | undefined): NonNullable<WatcherEvent['deprecation']> {
  return {
    ...(entry.deprecated?.day !== undefined && { deprecatedOn: entry.deprecated.day }),
    ...(entry.endOfLife?.day !== undefined && { endOfLife: entry.endOfLife.day }),
    ...(daysLeft !== undefined && { daysLeft }),
  };
}

/** "on 2026-06-10", "\"TBA\" (not a date the watcher can read)", "not given". */
function dateWords(date: PageDate | undefined): string {
  if (date === undefined) return 'not given';
  return date.day !== undefined ? `on ${date.day}` : `"${date.text}" (not a date the watcher can read)`;
}

function daysLeftWords(daysLeft: number | undefined): string {
  if (daysLeft === undefined) return '';
  if (daysLeft < 0) return ', already passed';
  return daysLeft === 0 ? ', today' : ` (${daysLeft === 1 ? '1 day' : `${daysLeft} days`} left)`;
}

function joinSentences(first: string, rest: string): string {
  return rest === '' ? first : `${first} ${rest}`;
}

/** The previous run's entries; undefined before the first good read (a baseline). Malformed records are dropped. */
function rememberedEntries(previous: unknown): Record<string, RememberedDeprecation> | undefined {
  if (typeof previous !== 'object' || previous === null) return undefined;
  const entries = (previous as { entries?: unknown }).entries;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return undefined;
  const known: Record<string, RememberedDeprecation> = {};
  for (const [id, value] of Object.entries(entries as Record<string, Partial<RememberedDeprecation> | null>)) {
    if (typeof value?.title !== 'string' || typeof value.url !== 'string') continue;
    const warned = Array.isArray(value.warned) ? value.warned.filter((t): t is EolThreshold => (EOL_THRESHOLDS as readonly number[]).includes(t)) : [];
    known[id] = { ...(value as RememberedDeprecation), warned, firstSeenAt: typeof value.firstSeenAt === 'string' ? value.firstSeenAt : '' };
  }
  return known;
}
