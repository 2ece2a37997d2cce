// Atom and RSS 2.0, read once for every plug-in that takes a feed: which of the two a body is, its entries, and the
// conventions both formats share (titles with markup, alternate links, the first child holding text). Plug-ins map
// the entries to their items; where they read a field differently, they say so.
import { htmlToText } from './html-text.js';
import { parseXmlSafely, rootElementOf, sniffRootElement, xmlAttr, xmlChild, xmlChildren, xmlText } from './safe-xml.js';

export type FeedFormat = 'atom' | 'rss';

const ROOT_ELEMENT: Readonly<Record<FeedFormat, string>> = { atom: 'feed', rss: 'rss' };

export interface SyndicationFeed {
  readonly format: FeedFormat;
  /** `<feed>` (Atom) or `<channel>` (RSS; undefined when the document has none). */
  readonly head: unknown;
  /** `<entry>` (Atom) or `<item>` (RSS) elements, in document order. */
  readonly entries: readonly unknown[];
}

export type FeedReadResult = { readonly ok: true; readonly feed: SyndicationFeed } | { readonly ok: false; readonly reason: string };

/**
 * Reads a body as one of the `accepted` formats. A body whose first element is another one (an HTML error page) fails
 * before parsing, a body that is not safe, well-formed XML fails with the parser's reason; `expected` words the failure
 * ("not an Atom or RSS feed (root element <html>)").
 */
export function readSyndicationFeed(body: string, accepted: readonly FeedFormat[], expected: string): FeedReadResult {
  const sniffed = sniffRootElement(body);
  if (sniffed !== undefined && !accepted.some((format) => ROOT_ELEMENT[format] === sniffed)) {
    return { ok: false, reason: `not ${expected} (root element <${sniffed}>)` };
  }
  const parsed = parseXmlSafely(body);
  if (!parsed.ok) return parsed;
  const root = rootElementOf(parsed.doc);
  const format = accepted.find((candidate) => ROOT_ELEMENT[candidate] === root);
  if (format === undefined) return { ok: false, reason: `not ${expected} (root element <${root ?? 'none'}>)` };
  if (format === 'atom') {
    const feed = parsed.doc['feed'];
    return { ok: true, feed: { format, head: feed, entries: xmlChildren(feed, 'entry') } };
  }
  const channel = xmlChild(parsed.doc['rss'], 'channel');
  return { ok: true, feed: { format, head: channel, entries: xmlChildren(channel, 'item') } };
}

/** An entry's (or a feed's) `<title>` as plain text; feeds put markup and entities in titles. */
export function titleText(node: unknown): string {
  return htmlToText(xmlText(xmlChild(node, 'title')) ?? '');
}

/** The text of the first of the `names` children that has text, as written. */
export function childText(node: unknown, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const text = xmlText(xmlChild(node, name));
    if (text !== undefined) return text;
  }
  return undefined;
}

/** The text of the first of the `names` children whose text is not blank, trimmed. */
export function trimmedChildText(node: unknown, ...names: readonly string[]): string | undefined {
  for (const name of names) {
    const text = xmlText(xmlChild(node, name))?.trim();
    if (text) return text;
  }
  return undefined;
}

/** Atom: the address of each `rel="alternate"` (or rel-less) `<link>`, its `href` or else its text, as written. */
export function alternateLinks(node: unknown): string[] {
  return xmlChildren(node, 'link')
    .filter((link) => {
      const rel = xmlAttr(link, 'rel');
      return rel === undefined || rel === 'alternate';
    })
    .map((link) => xmlAttr(link, 'href') ?? xmlText(link))
    .filter((href): href is string => href !== undefined);
}

/** RSS: the text of each `<link>`, as written. */
export function linkTexts(node: unknown): string[] {
  return xmlChildren(node, 'link')
    .map((link) => xmlText(link))
    .filter((link): link is string => link !== undefined);
}
