// Reads the auth0.com/changelog RSS feed into change-log items, one per entry, with its change type ('auth0-changelog').
import { CHANGE_TYPES, type ChangeType, type ChangelogItem, type ParseResult } from '../../core/model.js';
import { markdownToText } from '../formats/html-text.js';
import { xmlChild, xmlChildren, xmlText } from '../formats/safe-xml.js';
import { readSyndicationFeed, titleText } from '../formats/syndication-feed.js';
import { parseEachDocument } from '../parse-documents.js';
import type { FetchedDocument, FetchRequest } from '../source.js';
import type { Auth0ChangelogSourceConfig } from './config-schema.js';

interface ClassificationRule {
  readonly type: ChangeType;
  readonly pattern: RegExp;
}

/**
 * Keyword rules, first match wins, tried on the title before the description. Tense matters: an announced
 * future deprecation or removal ("will be removed", "will no longer") is upcoming-deprecation; a removal
 * that happened ("has been removed", "Remove unused field") is removed; a deprecation announced now
 * ("deprecated", "is ending", "end of life") is deprecated. A bare future "will remove" is weaker evidence
 * than a present "is ending", so it is tried after the deprecation words.
 */
const CLASSIFICATION_RULES: readonly ClassificationRule[] = [
  {
    type: 'upcoming-deprecation',
    pattern:
      /\bwill be (?:deprecated|removed|retired|sunset|discontinued|disabled|turned off)\b|\bwill no longer\b|\bwill impose\b|\b(?:upcoming|planned|scheduled|future) (?:deprecation|removal|retirement|end[- ]of[- ]life|sunset)\b|\bdeprecation (?:date|timeline|schedule)\b/i,
  },
  {
    type: 'removed',
    pattern: /(?<!\bwill )(?<!\bwill be )(?<!\bto )(?<!\bto be )\b(?:remov(?:e|es|ed|al)|sunset(?:ted)?)\b|(?<!\bwill )\bno longer (?:be )?(?:available|supported)\b/i,
  },
  {
    type: 'deprecated',
    pattern: /\bdeprecat\w*|\bend[- ]of[- ](?:life|support|availability)\b|\bending\b|\bdiscontinu\w*|\bretir(?:e|ed|es|ing|ement)\b/i,
  },
  {
    type: 'upcoming-deprecation',
    pattern: /\bwill (?:remove|retire|discontinue|disable|deprecate|sunset|stop supporting|end support)\b/i,
  },
  {
    type: 'changed',
    pattern: /\bchang(?:e|es|ed|ing)\b|\bstricter\b|\bbreaking\b|\bnow (?:requires?|enforces?|rejects?)\b/i,
  },
  {
    type: 'fixed',
    pattern: /\bfix(?:es|ed|ing)?\b|\bbugs?\b|\bissue where\b/i,
  },
  {
    type: 'updated',
    pattern: /\bnow generally available\b|\bimprov\w*|\benhanc\w*|\bupdat\w*/i,
  },
];

/**
 * Classifies a change-log entry that carries no type: keyword rules over the title first, then the
 * description (URLs ignored); `added` when nothing matches.
 */
export function classifyChangeType(title: string, text: string): ChangeType {
  const fromTitle = CLASSIFICATION_RULES.find((candidate) => candidate.pattern.test(title));
  if (fromTitle) return fromTitle.type;
  // The description only when the title says nothing (most titles do), so its URLs are dropped only then.
  const description = text.replace(/https?:\/\/\S+/g, ' ');
  return CLASSIFICATION_RULES.find((candidate) => candidate.pattern.test(description))?.type ?? 'added';
}

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
export function parseChangelogFeed(body: string): { ok: true; items: ChangelogItem[] } | { ok: false; reason: string } {
  const read = readSyndicationFeed(body, ['rss'], 'an RSS 2.0 feed');
  if (!read.ok) return read;
  const channel = read.feed.head;
  const channelLink = xmlText(xmlChild(channel, 'link'))?.trim();

  const items: ChangelogItem[] = [];
  for (const [index, item] of read.feed.entries.entries()) {
    const title = titleText(item);
    const name = title ? `item "${title}"` : `item ${index + 1}`;
    // Quirk: every <link> is the feed URL itself; the entry's own address and stable key is the guid.
    const guid = xmlText(xmlChild(item, 'guid'))?.trim();
    if (!guid) return { ok: false, reason: `${name} has no <guid> to key it on` };
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
  return { ok: true, items };
}
