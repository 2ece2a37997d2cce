// Atom and RSS feeds of a status page: status.auth0.com's regional feeds and Atlassian Statuspage history feeds (the
// same body markup), read into incidents and maintenances, each with its dated updates from the entry's body.
import type { IncidentItem, ItemUpdate } from '../../core/model.js';
import { htmlToText } from './html-text.js';
import { xmlChild, xmlText } from './safe-xml.js';
import { alternateLinks, childText, linkTexts, readSyndicationFeed, titleText, type SyndicationFeed } from './syndication-feed.js';

/** Labels that only maintenances carry. */
export const MAINTENANCE_LABELS = new Set(['scheduled', 'in progress', 'verifying', 'completed']);

/** The incident id in an incident page link; SOURCES.md: 12 characters. Anything else fails the parse. */
export const INCIDENT_LINK = /\/incidents\/([a-z0-9]{12})(?=$|[/?#])/i;

/** Auth0 region labels ("US-1") named in an entry's title or updates; the statuspage plug-in drops them. */
export const REGION = /\b(?:US|EU|AU|JP|UK|CA)-\d+\b/g;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const STARTS_WITH_MONTH = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s/i;
// "Apr 22, 20:14 UTC", "Aug 21, 00:37 UTC" (after markup removal), tolerating a year and "GMT".
const UPDATE_DATE =
  /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?:\s*(UTC|GMT|Z))?$/i;

/** An update dated more than this after its entry's own date belongs to the previous year (Dec → Jan). */
const YEAR_SLACK_MS = 2 * 24 * 60 * 60 * 1000;

// The inner part cannot contain another <small> tag, so a stray unclosed one costs a linear scan, not a quadratic one.
const SMALL = /<small\b[^<>]*>([^<]*(?:<(?!\/?small\b)[^<]*)*)<\/small\s*>/gi;
const STRONG = /<strong\b[^>]*>([\s\S]*?)<\/strong\s*>/i;
const SEPARATOR = /^\s*[-\u2013\u2014]\s*/;

/** One entry could not be read; turned into the parse's failure reason in `parseStatusFeed`, never thrown out of this reader. */
class EntryParseError extends Error {
  override readonly name = 'EntryParseError';
}

interface RawEntry {
  readonly title: string;
  /** Candidate links, most specific first. */
  readonly links: readonly string[];
  /** `<id>` / `<guid>`: the fallback key. */
  readonly ids: readonly string[];
  readonly bodyHtml: string | undefined;
  readonly dateText: string | undefined;
}

/** Parses one Atom or RSS 2.0 status feed body into incident and maintenance items. */
export function parseStatusFeed(body: string): { ok: true; items: IncidentItem[] } | { ok: false; reason: string } {
  const read = readSyndicationFeed(body, ['atom', 'rss'], 'an Atom or RSS feed');
  if (!read.ok) return read;
  const entries = read.feed.format === 'atom' ? atomEntries(read.feed) : rssEntries(read.feed);

  const items: IncidentItem[] = [];
  for (const raw of entries.raw) {
    try {
      items.push(toItem(raw, entries.feedDate));
    } catch (error) {
      if (error instanceof EntryParseError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  return { ok: true, items };
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
    }),
  );
  return { raw, feedDate: childText(feed.head, 'lastBuildDate', 'pubDate') };
}

function toItem(raw: RawEntry, feedDate: string | undefined): IncidentItem {
  const name = `entry "${raw.title || '(untitled)'}"`;
  const keyed = findIncidentLink(raw);
  if (!keyed) {
    throw new EntryParseError(`${name} has no /incidents/<12-character id> link, id or guid`);
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
  const isMaintenance = updates.some((update) => MAINTENANCE_LABELS.has(update.label.toLowerCase()));
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
  };
}

function findIncidentLink(raw: RawEntry): { id: string; url: string } | undefined {
  for (const candidate of [...raw.links, ...raw.ids]) {
    const match = INCIDENT_LINK.exec(candidate.trim());
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

function updateDate(dateText: string, yearBase: { ms: number; year: number } | undefined, name: string): string {
  const match = UPDATE_DATE.exec(dateText);
  const month = MONTHS.indexOf(match?.[1]?.toLowerCase() ?? '');
  if (!match || month < 0) {
    throw new EntryParseError(`${name}: cannot read the update date "${dateText}" (expected like "Apr 22, 20:14 UTC")`);
  }
  const day = Number(match[2]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  let year: number;
  if (match[3] !== undefined) {
    year = Number(match[3]);
  } else {
    if (yearBase === undefined) {
      throw new EntryParseError(`${name}: the update date "${dateText}" has no year and the entry has no date to take it from`);
    }
    // The body's dates carry no year: take the entry's, and step back one when that puts the update in the future.
    year = yearBase.year;
    if (Date.UTC(year, month, day, hour, minute) > yearBase.ms + YEAR_SLACK_MS) year -= 1;
  }
  const date = new Date(Date.UTC(year, month, day, hour, minute));
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month || hour > 23 || minute > 59) {
    throw new EntryParseError(`${name}: the update date "${dateText}" is not a real date in ${year}`);
  }
  // What toISOString writes for a checked four-digit-year date, without its cost (a few thousand dates a feed).
  if (year < 1000 || year > 9999) return date.toISOString();
  return `${year}-${twoDigits(month + 1)}-${twoDigits(day)}T${twoDigits(hour)}:${twoDigits(minute)}:00.000Z`;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
