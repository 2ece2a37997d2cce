// Source 'feed': any RSS 2.0 or Atom feed of incidents (Meta, Azure, AWS, Slack), one incident item per entry.
// Such feeds carry no status field: a configured pattern on the entry's title and text decides "resolved".
import type { FeedSourceConfig } from '../config/config.js';
import type { IncidentItem, ParseResult } from '../core/model.js';
import { htmlToText } from './html-text.js';
import { parseEachDocument, type DocumentParse } from './parse-documents.js';
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
import type { FetchedDocument, FetchRequest, SourceModule } from './source.js';

/**
 * `Date.parse` reads "garbage 2023" as a date; a feed date must at least hold a four-digit year and a time of day,
 * and be short (which also bounds this pattern's backtracking).
 */
const LOOKS_LIKE_DATE = /\d{4}[\s\S]*\d{1,2}:\d{2}|\d{1,2}:\d{2}[\s\S]*\d{4}/;
const MAX_DATE_LENGTH = 80;

const OPEN_LABEL = 'Investigating';
const RESOLVED_LABEL = 'Resolved';

/** One entry could not be read; turned into the parse's failure reason, never thrown out of the module. */
class FeedEntryError extends Error {
  override readonly name = 'FeedEntryError';
}

interface RawEntry {
  /** `<guid>` (RSS) or `<id>` (Atom): the key; the link keys the item when there is none. */
  readonly id: string | undefined;
  readonly title: string;
  readonly link: string | undefined;
  readonly html: string;
  readonly dateText: string | undefined;
}

interface RawFeed {
  readonly entries: readonly RawEntry[];
  /** The page the feed belongs to (RSS channel `<link>`, Atom feed alternate link): where an entry without a link points. */
  readonly homeLink: string | undefined;
}

function requests(config: FeedSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'xml' }];
}

function parse(documents: readonly FetchedDocument[], config: FeedSourceConfig): ParseResult {
  return parseEachDocument(documents, (document) => parseIncidentFeed(document.body, config));
}

/**
 * Parses one RSS 2.0 or Atom body into incidents, one per entry, keyed on its `<guid>` / `<id>` or else its link
 * (made absolute against the feed URL); an entry with none of them fails the parse. Each has exactly one update: the entry's text,
 * dated by its pubDate (RSS) or updated/published (Atom), labelled Resolved when `config.resolvedPattern` (case-
 * insensitive) matches the title or the text, Investigating otherwise. An empty feed is a successful parse with no
 * items; whether that is healthy is the poller's call (`emptyWhenHealthy`).
 *
 * How edits surface, given that the core keys an update by label and time and compares its text by hash:
 * - an open entry rewritten to say resolved, same date: a new key (Resolved + the same time) → `incident.resolved`;
 * - an entry whose date moves: a new key → `incident.updated` while open, `incident.resolved` once it matches the
 *   pattern (again on every later move of a resolved entry's date);
 * - a resolved entry's text rewritten with its date kept: same key, new text → `incident.rca_published`, once;
 * - an open entry's text rewritten with its date kept and still not resolved: remembered, but no event.
 * A feed of open events only (Meta) may simply drop an event once it is over; the core leaves vanished items alone.
 */
export function parseIncidentFeed(
  body: string,
  config: FeedSourceConfig,
): DocumentParse<IncidentItem> {
  const sniffed = sniffRootElement(body);
  if (sniffed !== undefined && sniffed !== 'rss' && sniffed !== 'feed') {
    return { ok: false, reason: `not an RSS 2.0 or Atom feed (root element <${sniffed}>)` };
  }
  const parsed = parseXmlSafely(body);
  if (!parsed.ok) return parsed;
  const root = rootElementOf(parsed.doc);
  let raw: RawFeed;
  if (root === 'rss') {
    const channel = xmlChild(parsed.doc['rss'], 'channel');
    if (channel === undefined) return { ok: false, reason: 'RSS feed without a <channel>' };
    raw = rssFeed(channel);
  } else if (root === 'feed') {
    raw = atomFeed(parsed.doc);
  } else {
    return { ok: false, reason: `not an RSS 2.0 or Atom feed (root element <${root ?? 'none'}>)` };
  }

  const resolved = new RegExp(config.resolvedPattern, 'i');
  const items: IncidentItem[] = [];
  // An entry without a link points at the feed's own page, or at the feed when that is not a web address either.
  const home = webAddress(raw.homeLink, config.url) ?? config.url;
  for (const [index, entry] of raw.entries.entries()) {
    try {
      items.push(toItem(entry, index, resolved, config.url, home));
    } catch (error) {
      if (error instanceof FeedEntryError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  return { ok: true, items };
}

function trimmed(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value ? value : undefined;
}

function rssFeed(channel: unknown): RawFeed {
  const entries = xmlChildren(channel, 'item').map(
    (item): RawEntry => ({
      id: trimmed(xmlText(xmlChild(item, 'guid'))),
      title: htmlToText(xmlText(xmlChild(item, 'title')) ?? ''),
      link: trimmed(xmlText(xmlChild(item, 'link'))),
      html: xmlText(xmlChild(item, 'description')) ?? xmlText(xmlChild(item, 'content:encoded')) ?? '',
      dateText: trimmed(xmlText(xmlChild(item, 'pubDate'))) ?? trimmed(xmlText(xmlChild(item, 'dc:date'))),
    }),
  );
  return { entries, homeLink: trimmed(xmlText(xmlChild(channel, 'link'))) };
}

/** The `href` of the first `rel="alternate"` (or rel-less) `<link>`. */
function alternateLink(node: unknown): string | undefined {
  return xmlChildren(node, 'link')
    .filter((candidate) => {
      const rel = xmlAttr(candidate, 'rel');
      return rel === undefined || rel === 'alternate';
    })
    .map((candidate) => trimmed(xmlAttr(candidate, 'href') ?? xmlText(candidate)))
    .find((href): href is string => href !== undefined);
}

function atomFeed(doc: XmlDocument): RawFeed {
  const feed = doc['feed'];
  const entries = xmlChildren(feed, 'entry').map(
    (entry): RawEntry => ({
      id: trimmed(xmlText(xmlChild(entry, 'id'))),
      title: htmlToText(xmlText(xmlChild(entry, 'title')) ?? ''),
      link: alternateLink(entry),
      // `type="xhtml"` content is markup, not text, and reads as absent: the summary stands in for it.
      html: xmlText(xmlChild(entry, 'content')) ?? xmlText(xmlChild(entry, 'summary')) ?? '',
      dateText: trimmed(xmlText(xmlChild(entry, 'updated'))) ?? trimmed(xmlText(xmlChild(entry, 'published'))),
    }),
  );
  return { entries, homeLink: alternateLink(feed) };
}

function toItem(entry: RawEntry, index: number, resolved: RegExp, feedUrl: string, home: string): IncidentItem {
  const name = entry.title ? `entry ${index + 1} "${entry.title}"` : `entry ${index + 1}`;
  const link = webAddress(entry.link, feedUrl);
  const itemId = entry.id ?? link;
  if (itemId === undefined) throw new FeedEntryError(`${name} has no guid, id or link to key it on`);
  if (entry.dateText === undefined) throw new FeedEntryError(`${name} has no date (pubDate, updated or published)`);
  const ms =
    entry.dateText.length <= MAX_DATE_LENGTH && LOOKS_LIKE_DATE.test(entry.dateText) ? Date.parse(entry.dateText) : NaN;
  if (Number.isNaN(ms)) {
    throw new FeedEntryError(`${name} has an unreadable date ${JSON.stringify(entry.dateText.slice(0, MAX_DATE_LENGTH))}`);
  }
  const at = new Date(ms).toISOString();
  const text = htmlToText(entry.html);
  const title = entry.title || itemId;
  // A guid is often an opaque key ("12345", "tag:…"): only one that is itself a web address serves as the link.
  const guidLink = /^https?:\/\//i.test(itemId) ? webAddress(itemId, undefined) : undefined;
  return {
    kind: 'incident',
    itemId,
    title,
    url: link ?? guidLink ?? home,
    updatedAt: at,
    updates: [{ label: resolved.test(title) || resolved.test(text) ? RESOLVED_LABEL : OPEN_LABEL, at, text }],
    regions: [],
  };
}

/** `value` as an absolute http(s) address (relative ones resolved against `base`); undefined for anything else. */
function webAddress(value: string | undefined, base: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export const genericFeedSource: SourceModule<FeedSourceConfig> = {
  type: 'feed',
  vendor: 'Feed',
  requests,
  parse,
};
