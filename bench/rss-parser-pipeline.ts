// The comparison pipeline: the same normalisation as functions/sources/auth0-status/ and auth0-changelog/, built on
// rss-parser (xml2js underneath) instead of the watcher's own reader (fast-xml-parser behind the checks of
// functions/sources/formats/safe-xml.ts).
// Everything after the XML reader is the same: the same regexes to split updates, the same htmlToText / markdownToText,
// the same change-type classifier. The benchmark checks that both pipelines produce identical items.
import Parser from 'rss-parser';
import { CHANGE_TYPES, type ChangeType, type ChangelogItem, type IncidentItem } from '../functions/core/model.js';
import { classifyChangeType } from '../functions/sources/auth0-changelog/reader.js';
import { INCIDENT_LINK, MAINTENANCE_LABELS, parseUpdates, REGION } from '../functions/sources/formats/status-page-feed.js';
import { htmlToText, markdownToText } from '../functions/sources/formats/html-text.js';

// The same normalisation as auth0StatusSource, shared with it: only the XML reading differs between the pipelines.

type Entry = { title?: string; link?: string; id?: string; guid?: string; content?: string; pubDate?: string; isoDate?: string };

const parser: Parser<Record<string, unknown>, Entry & { categories?: unknown[] }> = new Parser();

/** rss-parser + the status normalisation: the items `auth0StatusSource.parse` produces for the same body. */
export async function parseStatusWithRssParser(body: string): Promise<IncidentItem[]> {
  const feed = await parser.parseString(body);
  return feed.items.map((entry) => {
    const title = htmlToText(entry.title ?? '');
    const name = `entry "${title || '(untitled)'}"`;
    const keyed = [entry.link, entry.id ?? entry.guid]
      .filter((c): c is string => typeof c === 'string')
      .map((c) => ({ c: c.trim(), m: INCIDENT_LINK.exec(c.trim()) }))
      .find((x) => x.m?.[1]);
    if (!keyed?.m?.[1]) throw new Error(`${name} has no /incidents/<id> link`);
    const id = keyed.m[1];
    const url = /^https?:\/\//i.test(keyed.c) ? keyed.c : `https://status.auth0.com/incidents/${id}`;
    const entryMs = entry.pubDate ? Date.parse(entry.pubDate) : undefined;
    const updates = parseUpdates(entry.content ?? '', entryMs, name);
    const isMaintenance = updates.some((u) => MAINTENANCE_LABELS.has(u.label.toLowerCase()));
    const regions = [...new Set([title, ...updates.map((u) => u.text)].flatMap((t) => t.match(REGION) ?? []))];
    return {
      kind: isMaintenance ? 'maintenance' : 'incident',
      itemId: id,
      title,
      url,
      ...(entryMs !== undefined ? { updatedAt: new Date(entryMs).toISOString() } : {}),
      updates,
      regions,
    } satisfies IncidentItem;
  });
}

/** rss-parser + the change-log normalisation: the items `auth0ChangelogSource.parse` produces for the same body. */
export async function parseChangelogWithRssParser(body: string): Promise<ChangelogItem[]> {
  const feed = await parser.parseString(body);
  return feed.items.map((item) => {
    const title = htmlToText(item.title ?? '');
    const guid = typeof item.guid === 'string' ? item.guid.trim() : undefined;
    if (!guid) throw new Error(`item "${title}" has no guid`);
    const publishedMs = item.pubDate ? Date.parse(item.pubDate.trim()) : undefined;
    const text = markdownToText(item.content ?? '');
    const fromFeed = changeTypeFromCategories(item.categories ?? []);
    const url = /^https?:\/\//i.test(guid) ? guid : (item.link?.trim() ?? guid);
    return {
      kind: 'changelog',
      itemId: guid,
      title,
      url,
      ...(publishedMs !== undefined ? { publishedAt: new Date(publishedMs).toISOString() } : {}),
      changeType: fromFeed ?? classifyChangeType(title, text),
      changeTypeFrom: fromFeed ? 'feed' : 'classified',
      text,
    } satisfies ChangelogItem;
  });
}

function changeTypeFromCategories(categories: readonly unknown[]): ChangeType | undefined {
  for (const category of categories) {
    const raw = typeof category === 'string' ? category : ((category as { _?: string })?._ ?? '');
    const normalized = raw.trim().toLowerCase().replace(/[\s_]+/g, '-');
    const found = CHANGE_TYPES.find((type) => type === normalized);
    if (found) return found;
  }
  return undefined;
}

