// The comparison pipeline: the same normalisation as functions/sources/auth0-status.ts and auth0-changelog.ts, built on
// rss-parser (xml2js underneath) instead of the watcher's own reader (fast-xml-parser behind safe-xml.ts's checks).
// Everything after the XML reader is the same: the same regexes to split updates, the same htmlToText / markdownToText,
// the same change-type classifier. The benchmark checks that both pipelines produce identical items.
import Parser from 'rss-parser';
import { CHANGE_TYPES, type ChangeType, type ChangelogItem, type IncidentItem, type ItemUpdate } from '../functions/core/model.js';
import { classifyChangeType } from '../functions/sources/auth0-changelog.js';
import { htmlToText, markdownToText } from '../functions/sources/html-text.js';

// Copied from functions/sources/auth0-status.ts (module-private there).
const MAINTENANCE_LABELS = new Set(['scheduled', 'in progress', 'verifying', 'completed']);
const INCIDENT_LINK = /\/incidents\/([a-z0-9]{12})(?=$|[/?#])/i;
const REGION = /\b(?:US|EU|AU|JP|UK|CA)-\d+\b/g;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const STARTS_WITH_MONTH = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s/i;
const UPDATE_DATE =
  /^([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?:\s*(UTC|GMT|Z))?$/i;
const YEAR_SLACK_MS = 2 * 24 * 60 * 60 * 1000;
const SMALL = /<small\b[^<>]*>([^<]*(?:<(?!\/?small\b)[^<]*)*)<\/small\s*>/gi;
const STRONG = /<strong\b[^>]*>([\s\S]*?)<\/strong\s*>/i;
const SEPARATOR = /^\s*[-\u2013\u2014]\s*/;

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

function parseUpdates(html: string, yearBaseMs: number | undefined, name: string): ItemUpdate[] {
  const starts: { index: number; end: number; dateText: string }[] = [];
  for (const match of html.matchAll(SMALL)) {
    const dateText = htmlToText(match[1] ?? '');
    if (STARTS_WITH_MONTH.test(dateText)) starts.push({ index: match.index, end: match.index + match[0].length, dateText });
  }
  return starts.map((start, position) => {
    const next = starts[position + 1];
    const rest = html.slice(start.end, next ? next.index : html.length);
    const at = updateDate(start.dateText, yearBaseMs, name);
    const strong = STRONG.exec(rest);
    if (!strong || htmlToText(rest.slice(0, strong.index)) !== '') throw new Error(`${name}: update without a label`);
    const label = htmlToText(strong[1] ?? '');
    const text = htmlToText(rest.slice(strong.index + strong[0].length)).replace(SEPARATOR, '');
    return { label, at, text };
  });
}

function updateDate(dateText: string, yearBaseMs: number | undefined, name: string): string {
  const match = UPDATE_DATE.exec(dateText);
  const month = MONTHS.indexOf(match?.[1]?.toLowerCase() ?? '');
  if (!match || month < 0) throw new Error(`${name}: cannot read the update date "${dateText}"`);
  const day = Number(match[2]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  let year: number;
  if (match[3] !== undefined) {
    year = Number(match[3]);
  } else {
    if (yearBaseMs === undefined) throw new Error(`${name}: no year`);
    year = new Date(yearBaseMs).getUTCFullYear();
    if (Date.UTC(year, month, day, hour, minute) > yearBaseMs + YEAR_SLACK_MS) year -= 1;
  }
  return new Date(Date.UTC(year, month, day, hour, minute)).toISOString();
}
