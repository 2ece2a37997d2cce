import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_XML_DEPTH, parseXmlSafely, sniffRootElement, xmlChild, xmlChildren, xmlText } from '../../../functions/sources/safe-xml.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

function nested(depth: number): string {
  return `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;
}

describe('parseXmlSafely', () => {
  it('parses a feed keeping attributes, CDATA text and string values', () => {
    const result = parseXmlSafely(fixture('auth0-status/seq-01-baseline.atom'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const feed = result.doc['feed'];
    const entries = xmlChildren(feed, 'entry');
    expect(entries).toHaveLength(3);
    const first = entries[0];
    expect(xmlChildren(first, 'link')).toEqual([{ '@_href': 'https://status.auth0.com/incidents/s6nmyrpsnbmj' }]);
    expect(xmlText(xmlChild(first, 'title'))).toBe('Tenant Logs and Group Memberships Impacted on US-5 Public Cloud');
    expect(xmlText(xmlChild(first, 'content'))).toMatch(/^<p><small>Oct 6, 10:12 UTC<\/small><br><strong>Identified<\/strong>/);
  });

  it('always makes entry, item, link, category and p arrays, even when single', () => {
    const result = parseXmlSafely(
      '<rss><channel><item><title>t</title><link>https://x.test/a</link><category>c</category><p>one</p></item></channel></rss>',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const channel = xmlChild(result.doc['rss'], 'channel');
    expect(channel).toEqual({
      item: [{ title: 't', link: ['https://x.test/a'], category: ['c'], p: ['one'] }],
    });
  });

  it('does not turn tag values into numbers', () => {
    const result = parseXmlSafely('<feed><id>00123</id><version>1.10</version></feed>');
    expect(result).toEqual({ ok: true, doc: { feed: { id: '00123', version: '1.10' } } });
  });

  it('decodes the five XML entities and numeric references once, leaving double-escaped markup as HTML entities', () => {
    const result = parseXmlSafely(
      '<feed><title>Q&amp;A &#39;x&#39; &#x2014; &lt;b&gt;</title><content type="html">&lt;p&gt;a &amp;lt;b&amp;gt; &amp;amp; c&lt;/p&gt;</content></feed>',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const feed = result.doc['feed'];
    expect(xmlText(xmlChild(feed, 'title'))).toBe("Q&A 'x' \u2014 <b>");
    expect(xmlText(xmlChild(feed, 'content'))).toBe('<p>a &lt;b&gt; &amp; c</p>');
  });

  it('leaves CDATA content undecoded', () => {
    const result = parseXmlSafely('<feed><content><![CDATA[<p>A &amp; B</p>]]></content></feed>');
    expect(result.ok && xmlText(xmlChild(result.doc['feed'], 'content'))).toBe('<p>A &amp; B</p>');
  });

  it('rejects an entity-expansion DOCTYPE', () => {
    const result = parseXmlSafely(fixture('auth0-status/entity-bomb.atom'));
    expect(result).toEqual({
      ok: false,
      reason: 'XML declares a DOCTYPE or ENTITY, which feeds never need; refused (entity-expansion attacks)',
    });
  });

  it('rejects even a harmless DOCTYPE, but not the word inside CDATA', () => {
    expect(parseXmlSafely('<!DOCTYPE feed><feed/>').ok).toBe(false);
    expect(parseXmlSafely('<feed><c><![CDATA[<!DOCTYPE html>]]></c></feed>').ok).toBe(true);
  });

  it('rejects nesting deeper than 100 elements and accepts exactly 100', () => {
    expect(MAX_XML_DEPTH).toBe(100);
    expect(parseXmlSafely(nested(100)).ok).toBe(true);
    expect(parseXmlSafely(nested(101))).toEqual({ ok: false, reason: 'XML nests elements deeper than 100 levels; refused' });
    expect(parseXmlSafely(fixture('auth0-status/deep-nesting.xml'))).toEqual({
      ok: false,
      reason: 'XML nests elements deeper than 100 levels; refused',
    });
  });

  it('counts self-closing and sibling elements without deepening', () => {
    const wide = `<feed>${'<link href="x"/><br/>'.repeat(500)}${nested(98)}</feed>`;
    expect(parseXmlSafely(wide).ok).toBe(true);
  });

  it('fails a truncated document naming the elements left open', () => {
    const result = parseXmlSafely(fixture('auth0-status/truncated.atom'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^malformed XML: the document ends with <feed>, <entry>, <content> still open \(truncated\?\)/);
  });

  it("fails a malformed document with the validator's message and line", () => {
    const result = parseXmlSafely('<feed>\n  <entry>\n    <title>x</entry>\n</feed>');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^malformed XML at line 3, column \d+: Expected closing tag 'title'/);
  });
});

describe('sniffRootElement', () => {
  it('finds the root behind the declaration, comments and a DOCTYPE with an internal subset', () => {
    expect(sniffRootElement(fixture('auth0-status/feed.atom'))).toBe('feed');
    expect(sniffRootElement(fixture('auth0-status/feed.rss'))).toBe('rss');
    expect(sniffRootElement(fixture('auth0-status/entity-bomb.atom'))).toBe('feed');
    expect(sniffRootElement(fixture('auth0-status/not-a-feed.html'))).toBe('html');
    expect(sniffRootElement('\uFEFF<!-- c --><?pi x?>\n<rss version="2.0">')).toBe('rss');
  });

  it('says nothing for a body that is not markup', () => {
    expect(sniffRootElement('{"message":"Not Found"}')).toBeUndefined();
    expect(sniffRootElement('')).toBeUndefined();
  });
});
