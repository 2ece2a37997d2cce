import { readdirSync, readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  MAX_XML_DEPTH,
  MAX_XML_ELEMENTS,
  parseXmlSafely,
  sniffRootElement,
  xmlChild,
  xmlChildren,
  xmlText,
} from '../../../functions/sources/formats/safe-xml.js';
import { isPlainWellFormed } from '../../../functions/sources/formats/xml-markup-scan.js';

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

/** Every XML fixture of the feed sources, by name. */
function xmlFixtures(): { name: string; text: string }[] {
  return ['auth0-status', 'auth0-changelog', 'feed', 'statuspage'].flatMap((dir) =>
    readdirSync(new URL(`../../fixtures/${dir}/`, import.meta.url))
      .filter((file) => /\.(xml|atom|rss|html)$/.test(file))
      .map((file) => ({ name: `${dir}/${file}`, text: fixture(`${dir}/${file}`) })),
  );
}

/**
 * fast-xml-parser's own (non-ordered) output for the options safe-xml.ts reads with: what its document must equal.
 * `htmlEntities` has it decode numeric references as safe-xml.ts does (these inputs use no HTML-only entity names).
 */
const referenceParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  isArray: (tagName, _jPath, _isLeafNode, isAttribute) =>
    !isAttribute && ['entry', 'item', 'link', 'category', 'p'].includes(tagName),
});

function pseudoRandom(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % below;
  };
}

/** A random document of repeated and always-array elements, attributes, text, entities, CDATA and comments. */
function randomDocument(next: (below: number) => number): string {
  const names = ['entry', 'item', 'link', 'category', 'p', 'title', 'a', 'x:y', 'content'];
  const texts = ['', ' ', 'text', ' spaced ', 'a &amp; b', '&lt;p&gt;', '&#39;', '&#x2014;', '\n  \n', '1.10', '00123'];
  const element = (depth: number): string => {
    const name = names[next(names.length)]!;
    const attributes = ['href', 'rel', 'x:a']
      .filter(() => next(3) === 0)
      .map((attribute) => ` ${attribute}=${next(2) ? `"${texts[next(texts.length)]}"` : "'v'"}`)
      .join('');
    if (next(5) === 0) return `<${name}${attributes}${next(2) ? ' ' : ''}/>`;
    let inner = '';
    for (let count = depth > 3 ? 0 : next(4); count > 0; count -= 1) {
      const kind = next(5);
      if (kind === 0) inner += texts[next(texts.length)];
      else if (kind === 1) inner += `<![CDATA[${['', '<p>x</p>', ' y ', 'a &amp; b'][next(4)]}]]>`;
      else if (kind === 2) inner += '<!-- c -->';
      else inner += element(depth + 1);
    }
    return `<${name}${attributes}>${inner || texts[next(texts.length)]}</${name}>`;
  };
  return `${next(2) ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}<root>${element(0)}${element(0)}</root>\n`;
}

describe('parseXmlSafely: the one-pass check of plain documents', () => {
  it('lets every well-formed feed fixture through in one pass, to the document fast-xml-parser itself reads', () => {
    // All but the hostile ones (a DOCTYPE, nesting past the limit).
    const fixtures = xmlFixtures().filter(
      ({ name, text }) => XMLValidator.validate(text) === true && !/<!DOCTYPE/i.test(text) && !name.endsWith('deep-nesting.xml'),
    );
    expect(fixtures.length).toBeGreaterThan(20);
    for (const { name, text } of fixtures) {
      expect(isPlainWellFormed(text), name).toBe(true);
      const result = parseXmlSafely(text);
      expect(result.ok, name).toBe(true);
      if (result.ok) expect(result.doc, name).toEqual(referenceParser.parse(text));
    }
  });

  it('reads random documents to the same objects as fast-xml-parser, repeated names and always-arrays included', () => {
    const next = pseudoRandom(4242);
    for (let round = 0; round < 2_000; round += 1) {
      const text = randomDocument(next);
      const result = parseXmlSafely(text);
      expect(result.ok, text).toBe(true);
      if (result.ok) expect(JSON.stringify(result.doc), text).toBe(JSON.stringify(referenceParser.parse(text)));
    }
  });

  it('leaves every hostile or odd document to the full checks, which refuse it with the same reasons', () => {
    const hostile: [string, RegExp][] = [
      [fixture('auth0-status/entity-bomb.atom'), /^XML declares a DOCTYPE or ENTITY/],
      [fixture('auth0-status/xxe.atom'), /^XML declares a DOCTYPE or ENTITY/],
      ['<feed><!ENTITY x "y"></feed>', /^XML declares a DOCTYPE or ENTITY/],
      [fixture('auth0-status/deep-nesting.xml'), /^XML nests elements deeper than 100 levels; refused$/],
      [fixture('auth0-status/truncated.atom'), /^malformed XML: the document ends with <feed>, <entry>, <content> still open/],
      ['<feed><a></b></feed>', /^malformed XML at line 1, column \d+: Expected closing tag 'a'/],
      ['<feed a="1" a="2"/>', /^malformed XML at line 1, column \d+: Attribute 'a' is repeated/],
      ['<feed a=1/>', /^malformed XML at line 1, column \d+: /],
      ['<feed a="1"b="2"/>', /^malformed XML at line 1, column \d+: Attribute 'b' has no space in starting/],
      ['<feed></feed><feed></feed>', /^malformed XML at line 1, column \d+: Multiple possible root nodes found/],
      ['<feed></feed>text', /^malformed XML at line 1, column \d+: Extra text at the end/],
      ['<feed>a & b</feed>', /^malformed XML at line 1, column \d+: char '&' is not expected/],
      [' <?xml version="1.0"?><feed/>', /^malformed XML at line 1, column \d+: XML declaration allowed only at the start/],
    ];
    for (const [text, reason] of hostile) {
      expect(isPlainWellFormed(text), text.slice(0, 60)).toBe(false);
      const result = parseXmlSafely(text);
      expect(result.ok, text.slice(0, 60)).toBe(false);
      if (!result.ok) expect(result.reason, text.slice(0, 60)).toMatch(reason);
    }
  });

  it('still counts elements: exactly the limit passes, one more is refused', () => {
    expect(MAX_XML_ELEMENTS).toBe(50_000);
    const document = (elements: number) => `<feed>${'<e/>'.repeat(elements - 1)}</feed>`;
    expect(isPlainWellFormed(document(MAX_XML_ELEMENTS))).toBe(true);
    expect(parseXmlSafely(document(MAX_XML_ELEMENTS)).ok).toBe(true);
    expect(isPlainWellFormed(document(MAX_XML_ELEMENTS + 1))).toBe(false);
    expect(parseXmlSafely(document(MAX_XML_ELEMENTS + 1))).toEqual({
      ok: false,
      reason: 'XML has more than 50000 elements, which no feed needs; refused',
    });
  });

  it('never passes a document the validator refuses (random damage to real feeds)', () => {
    const sources = xmlFixtures().map(({ text }) => text.slice(0, 4000));
    const bits = ['<', '>', '/', '!', '?', '-', '[', ']', '"', "'", '=', ' ', '&', ';', '#', 'x', ':', '<a>', '</a>', '<!--',
      '-->', '<![CDATA[', ']]>', '<?xml ', '?>', '&amp;', '&#12;', '<!DOCTYPE a>', '\uFEFF', '/>', 'xml'];
    const next = pseudoRandom(99);
    const passedInvalid: string[] = [];
    for (let round = 0; round < 20_000 && passedInvalid.length < 3; round += 1) {
      let text = sources[next(sources.length)]!;
      for (let edits = 1 + next(3); edits > 0; edits -= 1) {
        const at = next(text.length + 1);
        const kind = next(3);
        if (kind === 0) text = text.slice(0, at) + bits[next(bits.length)] + text.slice(at);
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + next(4));
        else text = text.slice(0, at) + bits[next(bits.length)] + text.slice(at + 1);
      }
      if (isPlainWellFormed(text) && XMLValidator.validate(text) !== true) passedInvalid.push(text);
    }
    expect(passedInvalid).toEqual([]);
  });
});
