// Reads the auth0.com/changelog RSS feed into change-log items, one per entry, with its change type ('auth0-changelog').
import { CHANGE_TYPES, type ChangeType, type ChangelogItem, type ParseResult } from '../../core/model.js';
import { markdownToText } from '../formats/html-text.js';
import { xmlChild, xmlChildren, xmlText } from '../formats/safe-xml.js';
import { readSyndicationFeed, titleText } from '../formats/syndication-feed.js';
import { parseEachDocument } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import { classifyChangeType } from './classify.js';
import type { Auth0ChangelogSourceConfig } from './config-schema.js';

export { classifyChangeType };

/** A `<category>` naming one of the change log's types ("Upcoming Deprecation" → upcoming-deprecation). */
function changeTypeFromCategories(categories: readonly unknown[]): ChangeType | undefined {
  for (const category of categories) {
    const normalized = (xmlText(category) ?? '').trim().toLowerCase().replace(/[\s_]+/g, '-');
    const found = CHANGE_TYPES.find((type) => type === normalized);
    if (found) return found;
  }
  return undefined;
}

export function requests(config: Auth0ChangelogSourceConfig): readonly FetchRequest[] {
  return [{ url: config.url, expect: 'xml' }];
}

export function parse(documents: readonly FetchedDocument[]): ParseResult {
  return parseEachDocument(documents, (document) => parseChangelogFeed(document.body));
}

/** Parses the change log's RSS 2.0 body. */
export function parseChangelogFeed(
  body: string,
): { ok: true; items: ChangelogItem[]; skipped?: string[] } | { ok: false; reason: string } {
  const read = readSyndicationFeed(body, ['rss'], 'an RSS 2.0 feed');
  if (!read.ok) return read;
  const channel = read.feed.head;
  const channelLink = xmlText(xmlChild(channel, 'link'))?.trim();

  const items: ChangelogItem[] = [];
  const skipped: string[] = [];
  for (const [index, item] of read.feed.entries.entries()) {
    const title = titleText(item);
    const name = title ? `item "${title}"` : `item ${index + 1}`;
    // Quirk: every <link> is the feed URL itself; the entry's own address and stable key is the guid.
    const guid = xmlText(xmlChild(item, 'guid'))?.trim();
    // An entry without identity is left out and reported: it cannot be told apart from the next poll's.
    if (!guid) {
      skipped.push(`${name} has no <guid> to key it on`);
      continue;
    }
    if (!title) return { ok: false, reason: `${name} (guid ${guid}) has no title` };
    const pubDate = xmlText(xmlChild(item, 'pubDate'))?.trim();
    const publishedMs = pubDate ? Date.parse(pubDate) : undefined;
    if (pubDate && Number.isNaN(publishedMs)) return { ok: false, reason: `${name} has an unreadable pubDate "${pubDate}"` };
    const text = markdownToText(xmlText(xmlChild(item, 'description')) ?? '');
    const fromFeed = changeTypeFromCategories(xmlChildren(item, 'category'));
    const url = /^https?:\/\//i.test(guid) ? guid : (xmlText(xmlChild(item, 'link'))?.trim() ?? channelLink ?? guid);
    items.push({
      kind: 'changelog',
      itemId: guid,
      title,
      url,
      ...(publishedMs !== undefined ? { publishedAt: new Date(publishedMs).toISOString() } : {}),
      changeType: fromFeed ?? classifyChangeType(title, text),
      changeTypeFrom: fromFeed ? 'feed' : 'classified',
      text,
    });
  }
  if (skipped.length === 0) return { ok: true, items };
  if (items.length === 0) return { ok: false, reason: `every entry was left out: ${skipped[0]}` };
  return { ok: true, items, skipped };
}
