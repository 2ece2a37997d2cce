// Reads any RSS 2.0 or Atom feed of incidents (Meta, Azure, AWS, Slack) into one incident item per entry, or per
// group of entries where a configured pattern joins the posts of one event ('feed'). Such feeds carry no status
// field: a configured pattern on the entry's title and text decides "resolved".
import type { IncidentItem, ParseResult } from '../../core/model.js';
import { cleanLine } from '../../core/text/clean-line.js';
import { htmlToText } from '../formats/html-text.js';
import {
  alternateLinks,
  childText,
  readSyndicationFeed,
  titleText,
  trimmedChildText,
  type SyndicationFeed,
} from '../formats/syndication-feed.js';
import { parseEachDocument, type DocumentParse } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import type { FeedSourceConfig } from './config-schema.js';
import { incidentsOf, type FeedPost } from './group-posts.js';

/**
 * `Date.parse` reads "garbage 2023" as a date; a feed date must at least hold a four-digit year and a time of day,
 * and be short (which also bounds this pattern's backtracking).
 */
const LOOKS_LIKE_DATE = /\d{4}[\s\S]*\d{1,2}:\d{2}|\d{1,2}:\d{2}[\s\S]*\d{4}/;
const MAX_DATE_LENGTH = 80;

const HOUR_MS = 60 * 60 * 1000;

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

export function requests(config: FeedSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'xml' }];
}

export function parse(documents: readonly FetchedDocument[], config: FeedSourceConfig): ParseResult {
  return parseEachDocument(documents, (document) => parseIncidentFeed(document.body, config));
}

/**
 * Parses one RSS 2.0 or Atom body into incidents, one per entry, keyed on its `<guid>` / `<id>` or else its link
 * (made absolute against the feed URL). An entry with none of them cannot be told apart from the others: it is left
 * out and named in the result's `skipped`, and the rest of the feed is read. Each has exactly one update: the entry's text,
 * dated by its pubDate (RSS) or updated/published (Atom), labelled Resolved when `config.resolvedPattern` (case-
 * insensitive) matches the title or the text, Investigating otherwise. An empty feed is a successful parse with no
 * items; whether that is healthy is the poller's call (`emptyWhenHealthy`). With `config.groupPattern`, the entries it
 * matches are joined into incidents by the key it gives (see `incidentsOf`).
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
  const read = readSyndicationFeed(body, ['rss', 'atom'], 'an RSS 2.0 or Atom feed');
  if (!read.ok) return read;
  if (read.feed.format === 'rss' && read.feed.head === undefined) return { ok: false, reason: 'RSS feed without a <channel>' };
  const raw = read.feed.format === 'rss' ? rssFeed(read.feed) : atomFeed(read.feed);

  const resolved = new RegExp(config.resolvedPattern, 'i');
  const posts: FeedPost[] = [];
  const skipped: string[] = [];
  // An entry without a link points at the feed's own page, or at the feed when that is not a web address either.
  const home = webAddress(raw.homeLink, config.url) ?? config.url;
  for (const [index, entry] of raw.entries.entries()) {
    try {
      const post = toPost(entry, index, resolved, config.url, home);
      if (typeof post === 'string') skipped.push(post);
      else posts.push(post);
    } catch (error) {
      if (error instanceof FeedEntryError) return { ok: false, reason: error.message };
      throw error;
    }
  }
  const gapMs = config.groupGapHours === undefined ? undefined : config.groupGapHours * HOUR_MS;
  const rule = config.groupPattern ? { pattern: new RegExp(config.groupPattern, 'i'), gapMs } : undefined;
  const items = incidentsOf(posts, rule);
  if (skipped.length === 0) return { ok: true, items };
  // Every entry left out is a feed this reader cannot use, not an empty one.
  if (items.length === 0) return { ok: false, reason: `every entry was left out: ${skipped[0]}` };
  return { ok: true, items, skipped };
}

function rssFeed(feed: SyndicationFeed): RawFeed {
  const entries = feed.entries.map(
    (item): RawEntry => ({
      id: trimmedChildText(item, 'guid'),
      title: titleText(item),
      link: trimmedChildText(item, 'link'),
      html: childText(item, 'description', 'content:encoded') ?? '',
      dateText: trimmedChildText(item, 'pubDate', 'dc:date'),
    }),
  );
  return { entries, homeLink: trimmedChildText(feed.head, 'link') };
}

/** The first `rel="alternate"` (or rel-less) `<link>` address that is not blank, trimmed. */
function alternateLink(node: unknown): string | undefined {
  return alternateLinks(node)
    .map((href) => href.trim())
    .find((href) => href !== '');
}

function atomFeed(feed: SyndicationFeed): RawFeed {
  const entries = feed.entries.map(
    (entry): RawEntry => ({
      id: trimmedChildText(entry, 'id'),
      title: titleText(entry),
      link: alternateLink(entry),
      // `type="xhtml"` content is markup, not text, and reads as absent: the summary stands in for it.
      html: childText(entry, 'content', 'summary') ?? '',
      dateText: trimmedChildText(entry, 'updated', 'published'),
    }),
  );
  return { entries, homeLink: alternateLink(feed.head) };
}

/** One entry as a dated post, or, for an entry with nothing to key it on, why it is skipped. */
function toPost(entry: RawEntry, index: number, resolved: RegExp, feedUrl: string, home: string): FeedPost | string {
  const name = entry.title ? `entry ${index + 1} "${cleanLine(entry.title, 120)}"` : `entry ${index + 1}`;
  const link = webAddress(entry.link, feedUrl);
  const identity = entry.id ?? link;
  if (identity === undefined) return `${name} has no guid, id or link to key it on; skipped`;
  if (entry.dateText === undefined) throw new FeedEntryError(`${name} has no date (pubDate, updated or published)`);
  const ms =
    entry.dateText.length <= MAX_DATE_LENGTH && LOOKS_LIKE_DATE.test(entry.dateText) ? Date.parse(entry.dateText) : NaN;
  if (Number.isNaN(ms)) {
    throw new FeedEntryError(`${name} has an unreadable date ${JSON.stringify(entry.dateText.slice(0, MAX_DATE_LENGTH))}`);
  }
  const text = htmlToText(entry.html);
  const title = entry.title || identity;
  // A guid is often an opaque key ("12345", "tag:…"): only one that is itself a web address serves as the link.
  const guidLink = /^https?:\/\//i.test(identity) ? webAddress(identity, undefined) : undefined;
  return {
    index,
    identity,
    title,
    url: link ?? guidLink ?? home,
    at: new Date(ms).toISOString(),
    text,
    resolved: resolved.test(title) || resolved.test(text),
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
