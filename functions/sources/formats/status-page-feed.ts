// Atom and RSS feeds of a status page: status.auth0.com's regional feeds and Atlassian Statuspage history feeds (the
// same body markup), read into incidents and maintenances, each with its dated updates from the entry's body.
import type { IncidentItem, ItemUpdate } from '../../core/model.js';
import { htmlToText } from './html-text.js';
import { xmlChild, xmlText } from './safe-xml.js';
import { alternateLinks, childText, linkTexts, readSyndicationFeed, titleText, type SyndicationFeed } from './syndication-feed.js';
import { zoneOffsetMinutes } from './zone-offsets.js';

/** Labels that only maintenances carry. */
export const MAINTENANCE_LABELS = new Set(['scheduled', 'in progress', 'verifying', 'completed']);

/** The incident id in an incident page link; SOURCES.md: 12 characters. Anything else fails the parse. */
export const INCIDENT_LINK = /\/incidents\/([a-z0-9]{12})(?=$|[/?#])/i;

/**
 * Any status page's incident or maintenance link: Statuspage's `/incidents/<12 characters>`, Instatus'
 * `/incident/<25-character id>` and `/maintenance/<id>`, incident.io's `/incidents/<26-character id>`.
 */
export const STATUS_PAGE_LINK = /\/(?:incidents?|maintenances?)\/([a-z0-9]{8,40})(?=$|[/?#])/i;

/** Auth0 region labels ("US-1") named in an entry's title or updates; the statuspage plug-in drops them. */
export const REGION = /\b(?:US|EU|AU|JP|UK|CA)-\d+\b/g;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const STARTS_WITH_MONTH = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s/i;
// "Apr 22, 20:14 UTC", "Dec 23, 10:30 CET", "Jun 2, 01:21:23 GMT+0", "Mar 3, 09:15 -03" (after markup removal),
// tolerating a year. The zone is the page's: an abbreviation, `GMT±h[:mm]`/`UTC±h`, or a bare offset; none means UTC.
const UPDATE_DATE =
  /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([a-z]{1,5}(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{1,2}(?::?\d{2})?))?$/i;

/** An update dated more than this after its entry's own date belongs to an earlier year (Dec → Jan). */
const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_SLACK_MS = 2 * DAY_MS;

// Statuspage's maintenance window at the top of a maintenance entry: "THIS IS A SCHEDULED EVENT Jan 16, 12:00 - 16:00 GMT"
// or, across days, "… Dec 31, 22:00 - Jan 1, 02:00 CET" (after markup removal).
const SCHEDULED_EVENT =
  /THIS IS A SCHEDULED EVENT\s+([a-z]{3}[a-z]*\.?\s+\d{1,2}),?\s+(\d{1,2}:\d{2})\s*-\s*(?:([a-z]{3}[a-z]*\.?\s+\d{1,2}),?\s+)?(\d{1,2}:\d{2})\s*([^\s<]+)?/i;

// The inner part cannot contain another <small> tag, so a stray unclosed one costs a linear scan, not a quadratic one.
const SMALL = /<small\b[^<>]*>([^<]*(?:<(?!\/?small\b)[^<]*)*)<\/small\s*>/gi;
const STRONG = /<strong\b[^>]*>([\s\S]*?)<\/strong\s*>/i;
const SEPARATOR = /^\s*[-\u2013\u2014]\s*/;

/** One entry could not be read; turned into the parse's failure reason in `parseStatusFeed`, never thrown out of this reader. */
class EntryParseError extends Error {
  override readonly name = 'EntryParseError';
}

/** One entry is dated in a zone this reader does not know: that entry is left out and reported, the rest are read. */
class UnknownZoneError extends Error {
  override readonly name = 'UnknownZoneError';
}

/** One entry has no link, id or guid to key it on: that entry is left out and reported, the rest are read. */
class MissingIdentityError extends Error {
  override readonly name = 'MissingIdentityError';
}

interface RawEntry {
  readonly title: string;
  /** Candidate links, most specific first. */
  readonly links: readonly string[];
  /** `<id>` / `<guid>`: the fallback key. */
  readonly ids: readonly string[];
  readonly bodyHtml: string | undefined;
  readonly dateText: string | undefined;
  /** RSS `<maintenanceEndDate>`: the end of a scheduled maintenance's window (its `<pubDate>` is the start). */
  readonly maintenanceEndText?: string;
}

export interface StatusFeedOptions {
  /** Where an entry's key is found in its links, id or guid (group 1: the id). Default: {@link INCIDENT_LINK}. */
  readonly link?: RegExp;
}

export type StatusFeedParse =
  | {
      readonly ok: true;
      readonly items: IncidentItem[];
      /** Entries left out, each with why (an update dated in an unknown zone). */
      readonly skipped: string[];
      /** The feed's own `<title>` ("GitHub Status - Incident History"). */
      readonly title?: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Parses one Atom or RSS 2.0 status feed body into incident and maintenance items. */
export function parseStatusFeed(body: string, options: StatusFeedOptions = {}): StatusFeedParse {
  const read = readSyndicationFeed(body, ['atom', 'rss'], 'an Atom or RSS feed');
  if (!read.ok) return read;
  const entries = read.feed.format === 'atom' ? atomEntries(read.feed) : rssEntries(read.feed);
  const link = options.link ?? INCIDENT_LINK;

  const items: IncidentItem[] = [];
  const skipped: string[] = [];
  for (const raw of entries.raw) {
    try {
      items.push(toItem(raw, entries.feedDate, link));
    } catch (error) {
      if (error instanceof UnknownZoneError || error instanceof MissingIdentityError) {
        skipped.push(error.message);
        continue;
      }
      if (error instanceof EntryParseError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  // Every entry left out is a feed this reader cannot use, not an empty one.
  if (items.length === 0 && skipped.length > 0) return { ok: false, reason: `every entry was left out: ${skipped[0]}` };
  const title = titleText(read.feed.head);
  return { ok: true, items, skipped, ...(title !== '' ? { title } : {}) };
}

/** The page's own name from a history feed's title: "GitHub Status - Incident History" → "GitHub". */
export function pageNameOfFeedTitle(title: string): string | undefined {
  const name = title
    .replace(/\s*[-\u2013\u2014|:]\s*incident history\s*$/i, '')
    .replace(/\s+status(?:\s+page)?\s*$/i, '')
    .trim();
  return name === '' ? undefined : name;
}

function atomEntries(feed: SyndicationFeed): { raw: RawEntry[]; feedDate: string | undefined } {
  const raw = feed.entries.map(
    (entry): RawEntry => ({
      title: titleText(entry),
      links: alternateLinks(entry),
      ids: [xmlText(xmlChild(entry, 'id'))].filter((id): id is string => id !== undefined),
      // An xhtml `<content>` has no text: the entry then has no body (the summary does not stand in).
      bodyHtml: xmlText(xmlChild(entry, 'content') ?? xmlChild(entry, 'summary')),
      dateText: childText(entry, 'updated', 'published'),
    }),
  );
  return { raw, feedDate: childText(feed.head, 'updated') };
}

function rssEntries(feed: SyndicationFeed): { raw: RawEntry[]; feedDate: string | undefined } {
  const raw = feed.entries.map(
    (item): RawEntry => ({
      title: titleText(item),
      links: linkTexts(item),
      ids: [xmlText(xmlChild(item, 'guid'))].filter((id): id is string => id !== undefined),
      // Auth0 sends `<content:encoded>` and no `<description>`; Statuspage sends only `<description>`.
      bodyHtml: childText(item, 'content:encoded', 'description'),
      dateText: childText(item, 'pubDate'),
      maintenanceEndText: childText(item, 'maintenanceEndDate'),
    }),
  );
  return { raw, feedDate: childText(feed.head, 'lastBuildDate', 'pubDate') };
}

function toItem(raw: RawEntry, feedDate: string | undefined, link: RegExp): IncidentItem {
  const name = `entry "${raw.title || '(untitled)'}"`;
  const keyed = findIncidentLink(raw, link);
  if (!keyed) {
    throw new MissingIdentityError(
      link === INCIDENT_LINK
        ? `${name} has no /incidents/<12-character id> link, id or guid`
        : `${name} has no /incidents/<id> or /maintenance/<id> link, id or guid`,
    );
  }
  const entryMs = parseDate(raw.dateText);
  if (raw.dateText !== undefined && entryMs === undefined) {
    throw new EntryParseError(`${name} has an unreadable date "${raw.dateText.trim()}"`);
  }
  const yearBaseMs = entryMs ?? parseDate(feedDate);
  const updates = parseUpdates(raw.bodyHtml ?? '', yearBaseMs, name);
  if (updates.length === 0) {
    throw new EntryParseError(`${name} has no dated update (<small>date</small> <strong>label</strong> - text) in its body`);
  }
  const window = maintenanceWindow(raw, entryMs, yearBaseMs, name);
  const isMaintenance = window !== undefined || updates.some((update) => MAINTENANCE_LABELS.has(update.label.toLowerCase()));
  const regions = [
    ...new Set([raw.title, ...updates.map((update) => update.text)].flatMap((text) => text.match(REGION) ?? [])),
  ];
  return {
    kind: isMaintenance ? 'maintenance' : 'incident',
    itemId: keyed.id,
    title: raw.title,
    url: keyed.url,
    ...(entryMs !== undefined ? { updatedAt: new Date(entryMs).toISOString() } : {}),
    updates,
    regions,
    ...(window?.scheduledFor !== undefined ? { scheduledFor: window.scheduledFor } : {}),
    ...(window?.scheduledUntil !== undefined ? { scheduledUntil: window.scheduledUntil } : {}),
  };
}

/**
 * A maintenance's window: RSS `<pubDate>` to `<maintenanceEndDate>` where the item has one, else the
 * "THIS IS A SCHEDULED EVENT <start> - <end> <zone>" line that opens a Statuspage maintenance's body.
 */
function maintenanceWindow(
  raw: RawEntry,
  entryMs: number | undefined,
  yearBaseMs: number | undefined,
  name: string,
): { scheduledFor?: string; scheduledUntil?: string } | undefined {
  const endMs = parseDate(raw.maintenanceEndText);
  if (endMs !== undefined && entryMs !== undefined) {
    return { scheduledFor: new Date(entryMs).toISOString(), scheduledUntil: new Date(endMs).toISOString() };
  }
  const text = raw.bodyHtml === undefined || !/SCHEDULED EVENT/i.test(raw.bodyHtml) ? undefined : htmlToText(raw.bodyHtml);
  const match = text === undefined ? null : SCHEDULED_EVENT.exec(text);
  if (!match) return undefined;
  const zone = match[5] === undefined ? '' : ` ${match[5]}`;
  const yearBase = yearBaseMs === undefined ? undefined : { ms: yearBaseMs, year: new Date(yearBaseMs).getUTCFullYear() };
  const start = updateDate(`${match[1]}, ${match[2]}${zone}`, yearBase, name, true);
  let end = updateDate(`${match[3] ?? match[1]}, ${match[4]}${zone}`, yearBase, name, true);
  // "22:00 - 02:00" on one date ends the next day.
  if (end < start && match[3] === undefined) end = new Date(Date.parse(end) + DAY_MS).toISOString();
  return { scheduledFor: start, scheduledUntil: end };
}

function findIncidentLink(raw: RawEntry, link: RegExp): { id: string; url: string } | undefined {
  for (const candidate of [...raw.links, ...raw.ids]) {
    const match = link.exec(candidate.trim());
    if (match?.[1]) {
      const url = /^https?:\/\//i.test(candidate.trim()) ? candidate.trim() : `https://status.auth0.com/incidents/${match[1]}`;
      return { id: match[1], url };
    }
  }
  return undefined;
}

function parseDate(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The update history, newest first as listed. Each update starts at a `<small>` holding a date and runs to the
 * next one, so multi-paragraph updates stay whole and a leading undated paragraph (Statuspage's "THIS IS A
 * SCHEDULED EVENT …") is left out.
 */
export function parseUpdates(html: string, yearBaseMs: number | undefined, name: string): ItemUpdate[] {
  const starts: { index: number; end: number; dateText: string }[] = [];
  for (const match of html.matchAll(SMALL)) {
    const dateText = htmlToText(match[1] ?? '');
    if (STARTS_WITH_MONTH.test(dateText)) {
      starts.push({ index: match.index, end: match.index + match[0].length, dateText });
    }
  }
  // The entry's year, for dates written without one (worked out once: thousands of updates share a few entries).
  const yearBase = yearBaseMs === undefined ? undefined : { ms: yearBaseMs, year: new Date(yearBaseMs).getUTCFullYear() };
  return starts.map((start, position) => {
    const next = starts[position + 1];
    const rest = html.slice(start.end, next ? next.index : html.length);
    const at = updateDate(start.dateText, yearBase, name);
    const strong = STRONG.exec(rest);
    if (!strong || htmlToText(rest.slice(0, strong.index)) !== '') {
      throw new EntryParseError(`${name}: the update dated "${start.dateText}" has no <strong> label`);
    }
    const label = htmlToText(strong[1] ?? '');
    const text = htmlToText(rest.slice(strong.index + strong[0].length)).replace(SEPARATOR, '');
    return { label, at, text };
  });
}

/**
 * An update's date as an ISO instant. Dates without a year take the entry's: the latest year (of the one before, the
 * entry's own and the one after, so a page in a zone ahead of UTC keeps its New Year's updates) that does not put the
 * update after the entry; with `nearest`, the year that puts it closest to the entry (a maintenance window, which can
 * lie ahead). The zone is the page's; an unknown one leaves the entry out ({@link UnknownZoneError}).
 */
function updateDate(dateText: string, yearBase: { ms: number; year: number } | undefined, name: string, nearest = false): string {
  const match = UPDATE_DATE.exec(dateText);
  const month = MONTHS.indexOf(match?.[1]?.toLowerCase() ?? '');
  if (!match || month < 0) {
    throw new EntryParseError(`${name}: cannot read the update date "${dateText}" (expected like "Apr 22, 20:14 UTC")`);
  }
  const day = Number(match[2]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const zone = match[7];
  const offset = zone === undefined ? 0 : zoneOffsetMinutes(zone);
  if (offset === undefined) {
    throw new UnknownZoneError(`${name}: the update date "${dateText}" is in the time zone "${zone}", which the watcher does not know`);
  }
  const instant = (year: number): number => Date.UTC(year, month, day, hour, minute, second) - offset * 60_000;
  let year: number;
  if (match[3] !== undefined) {
    year = Number(match[3]);
  } else {
    if (yearBase === undefined) {
      throw new EntryParseError(`${name}: the update date "${dateText}" has no year and the entry has no date to take it from`);
    }
    const candidates = [yearBase.year + 1, yearBase.year, yearBase.year - 1];
    if (nearest) {
      const distance = (candidate: number): number => Math.abs(instant(candidate) - yearBase.ms);
      year = candidates.reduce((best, candidate) => (distance(candidate) < distance(best) ? candidate : best));
    } else {
      year = candidates.find((candidate) => instant(candidate) <= yearBase.ms + YEAR_SLACK_MS) ?? yearBase.year - 1;
    }
  }
  const local = new Date(Date.UTC(year, month, day, hour, minute, second));
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month || hour > 23 || minute > 59 || second > 59) {
    throw new EntryParseError(`${name}: the update date "${dateText}" is not a real date in ${year}`);
  }
  const date = new Date(instant(year));
  const fullYear = date.getUTCFullYear();
  // What toISOString writes for a checked four-digit-year date, without its cost (a few thousand dates a feed).
  if (fullYear < 1000 || fullYear > 9999) return date.toISOString();
  return (
    `${fullYear}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())}T` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())}.000Z`
  );
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
