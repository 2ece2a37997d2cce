// Source 'auth0-status': the status.auth0.com Atom/RSS feed of one region, parsed into incidents and maintenances.
// The same parser reads Atlassian Statuspage history feeds (same body markup), which the tests use as real inputs.
import type { Auth0StatusSourceConfig } from '../config/config.js';
import type { IncidentItem, ItemUpdate, ParseResult } from '../core/model.js';
import { htmlToText } from './html-text.js';
import {
  parseXmlSafely,
  rootElementOf,
  sniffRootElement,
  xmlAttr,
  xmlChild,
  xmlChildren,
  xmlText,
  type XmlDocument,
} from './safe-xml.js';
import { parseEachDocument } from './parse-documents.js';
import type { FetchedDocument, FetchRequest, SourceModule } from './source.js';

/** Labels that only maintenances carry. */
export const MAINTENANCE_LABELS = new Set(['scheduled', 'in progress', 'verifying', 'completed']);

/** The incident id in an incident page link; SOURCES.md: 12 characters. Anything else fails the parse. */
export const INCIDENT_LINK = /\/incidents\/([a-z0-9]{12})(?=$|[/?#])/i;

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

/** One entry could not be read; turned into the parse's failure reason in `parseStatusFeed`, never thrown out of the module. */
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

function requests(config: Auth0StatusSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'xml' }];
}

/**
 * One status page lists a global incident in the feed of every region it affects, under the same id: the regional
 * feeds of one page (one host, whatever the tenant domain, Atom or RSS) share their incidents. A page on another host
 * (a private cloud's) is a scope of its own.
 */
function itemScope(config: Auth0StatusSourceConfig): string {
  return `@${new URL(config.url).host}`;
}

function parse(documents: readonly FetchedDocument[]): ParseResult {
  // A feed lists each incident once; should a page repeat one, the first (newest) listing wins.
  return parseEachDocument(documents, (document) => parseStatusFeed(document.body));
}

/** Parses one Atom or RSS 2.0 status feed body into incident and maintenance items. */
export function parseStatusFeed(body: string): { ok: true; items: IncidentItem[] } | { ok: false; reason: string } {
  const sniffed = sniffRootElement(body);
  if (sniffed !== undefined && sniffed !== 'feed' && sniffed !== 'rss') {
    return { ok: false, reason: `not an Atom or RSS feed (root element <${sniffed}>)` };
  }
  const parsed = parseXmlSafely(body);
  if (!parsed.ok) return parsed;
  const root = rootElementOf(parsed.doc);
  let entries: { raw: readonly RawEntry[]; feedDate: string | undefined };
  if (root === 'feed') entries = atomEntries(parsed.doc);
  else if (root === 'rss') entries = rssEntries(parsed.doc);
  else return { ok: false, reason: `not an Atom or RSS feed (root element <${root ?? 'none'}>)` };

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

function textOrHtml(node: unknown): string {
  return htmlToText(xmlText(node) ?? '');
}

function atomEntries(doc: XmlDocument): { raw: RawEntry[]; feedDate: string | undefined } {
  const feed = doc['feed'];
  const raw = xmlChildren(feed, 'entry').map((entry): RawEntry => {
    const links = xmlChildren(entry, 'link')
      .filter((link) => {
        const rel = xmlAttr(link, 'rel');
        return rel === undefined || rel === 'alternate';
      })
      .map((link) => xmlAttr(link, 'href') ?? xmlText(link))
      .filter((href): href is string => href !== undefined);
    const content = xmlChild(entry, 'content') ?? xmlChild(entry, 'summary');
    return {
      title: textOrHtml(xmlChild(entry, 'title')),
      links,
      ids: [xmlText(xmlChild(entry, 'id'))].filter((id): id is string => id !== undefined),
      bodyHtml: xmlText(content),
      dateText: xmlText(xmlChild(entry, 'updated')) ?? xmlText(xmlChild(entry, 'published')),
    };
  });
  return { raw, feedDate: xmlText(xmlChild(feed, 'updated')) };
}

function rssEntries(doc: XmlDocument): { raw: RawEntry[]; feedDate: string | undefined } {
  const channel = xmlChild(doc['rss'], 'channel');
  const raw = xmlChildren(channel, 'item').map(
    (item): RawEntry => ({
      title: textOrHtml(xmlChild(item, 'title')),
      links: xmlChildren(item, 'link')
        .map((link) => xmlText(link))
        .filter((link): link is string => link !== undefined),
      ids: [xmlText(xmlChild(item, 'guid'))].filter((id): id is string => id !== undefined),
      // Auth0 sends `<content:encoded>` and no `<description>`; Statuspage sends only `<description>`.
      bodyHtml: xmlText(xmlChild(item, 'content:encoded')) ?? xmlText(xmlChild(item, 'description')),
      dateText: xmlText(xmlChild(item, 'pubDate')),
    }),
  );
  return {
    raw,
    feedDate: xmlText(xmlChild(channel, 'lastBuildDate')) ?? xmlText(xmlChild(channel, 'pubDate')),
  };
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

export const auth0StatusSource: SourceModule<Auth0StatusSourceConfig> = {
  type: 'auth0-status',
  vendor: 'Auth0',
  requests,
  parse,
  itemScope,
};
