// Parses feed XML for the source modules without trusting it: no DTDs, bounded nesting, validated before parsing.
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';

/** Elements nested deeper than this are refused; real feeds nest fewer than ten. */
export const MAX_XML_DEPTH = 100;

/**
 * Documents with more elements than this are refused before parsing. Real feeds have hundreds (a 780-entry change
 * log a few thousand); the parsed tree holds some 130 to 150 bytes of heap per element, so the default 5 MiB cap
 * filled with empty elements (1.3 million) would hold 165 MB for seconds, enough to sink a 256 MB Lambda.
 */
export const MAX_XML_ELEMENTS = 50_000;

/** Elements that may repeat and are therefore always parsed as arrays, even when there is one. */
const ALWAYS_ARRAY = new Set(['entry', 'item', 'link', 'category', 'p']);

/** The parsed document: element names to values; attributes as `@_name`, mixed text as `#text`. */
export type XmlDocument = Readonly<Record<string, unknown>>;

export type SafeXmlResult =
  | { readonly ok: true; readonly doc: XmlDocument }
  | { readonly ok: false; readonly reason: string };

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const XML_ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;

function fromCodePoint(code: number, original: string): string {
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return original;
  return String.fromCodePoint(code);
}

/**
 * The five XML entities and numeric character references, decoded in a single pass so that `&amp;lt;`
 * becomes the text `&lt;` (HTML markup for the HTML converter), never `<`. fast-xml-parser's own decoder
 * leaves numeric references alone in XML mode, hence this replacement; it never sees CDATA sections.
 */
function decodeXmlEntities(text: string): string {
  return text.replace(XML_ENTITY, (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return fromCodePoint(Number.parseInt(dec, 10), match);
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16), match);
    return (name !== undefined && XML_ENTITIES[name]) || match;
  });
}

const entityDecoder: EntityDecoderOptions = {
  // DTD-declared entities never reach the parser (documents with a DOCTYPE are refused first), so these are no-ops.
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: decodeXmlEntities,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  entityDecoder,
  maxNestedTags: MAX_XML_DEPTH,
  isArray: (tagName, _jPath, _isLeafNode, isAttribute) => !isAttribute && ALWAYS_ARRAY.has(tagName),
});

type MarkupProblem = 'doctype' | 'too-deep' | 'too-many';

/**
 * Characters outside XML 1.0's `Char` production (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF): a
 * conforming parser refuses them anywhere, CDATA included. The validator does not, so binary garbage or terminal
 * escapes would otherwise reach the stored vendor text.
 */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** 1-based line and column of a string index. */
function positionOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: index - lineStart + 1 };
}

/**
 * One linear pass over the markup before any parsing: finds a DOCTYPE/ENTITY declaration outside CDATA and
 * comments, and counts element depth and elements. Malformed stretches (an unterminated CDATA, tag or quote) end the scan;
 * the validator reports them.
 */
function scanMarkup(text: string, maxDepth: number, maxElements: number): MarkupProblem | undefined {
  let depth = 0;
  let elements = 0;
  let index = text.indexOf('<');
  while (index >= 0) {
    let next: number;
    if (text.startsWith('<![CDATA[', index)) {
      next = after(text, ']]>', index + 9);
    } else if (text.startsWith('<!--', index)) {
      next = after(text, '-->', index + 4);
    } else if (text.startsWith('<?', index)) {
      next = after(text, '?>', index + 2);
    } else if (text.startsWith('<!', index)) {
      if (/^<!(?:DOCTYPE|ENTITY)/i.test(text.slice(index, index + 9))) return 'doctype';
      next = index + 2;
    } else if (text[index + 1] === '/') {
      depth -= 1;
      next = index + 2;
    } else if (/[A-Za-z_]/.test(text[index + 1] ?? '')) {
      const end = endOfStartTag(text, index + 1);
      elements += 1;
      if (elements > maxElements) return 'too-many';
      if (end >= 0 && text[end - 1] !== '/') {
        depth += 1;
        if (depth > maxDepth) return 'too-deep';
      }
      next = end < 0 ? -1 : end + 1;
    } else {
      next = index + 1;
    }
    // An unterminated construct ends the scan: the validator reports it.
    if (next < 0) return undefined;
    index = text.indexOf('<', next);
  }
  return undefined;
}

/** The index just past the next `terminator` at or after `from`; -1 when there is none. */
function after(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  return found < 0 ? -1 : found + terminator.length;
}

/** Index of the `>` closing a start tag, skipping quoted attribute values; -1 when there is none. */
function endOfStartTag(text: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '>') {
      return index;
    } else if (char === '<') {
      return -1;
    }
  }
  return -1;
}

/**
 * The validator reports a document that stops before its elements close as "Invalid '[ "feed", "entry" ]' found."
 * at line 1, column 1; this names the open elements instead, so a truncated body reads as one.
 */
function unclosedAtEnd(message: string): string | undefined {
  const list = /^Invalid '(\[[\s\S]*\])' found\.$/.exec(message)?.[1];
  if (list === undefined) return undefined;
  try {
    const names: unknown = JSON.parse(list);
    if (!Array.isArray(names) || names.length === 0 || !names.every((name) => typeof name === 'string')) return undefined;
    return names.map((name) => `<${name}>`).join(', ');
  } catch {
    return undefined;
  }
}

/**
 * Parses XML text into a plain object, refusing what a feed never needs: a body that does not start with markup,
 * characters XML forbids, any DOCTYPE or ENTITY declaration (entity-expansion bombs), malformed or truncated
 * documents (with the validator's message and line), nesting deeper than {@link MAX_XML_DEPTH} and more than
 * {@link MAX_XML_ELEMENTS} elements. Attributes are kept as `@_name`, CDATA as text, values as strings; `entry`,
 * `item`, `link`, `category` and `p` are always arrays.
 */
export function parseXmlSafely(text: string): SafeXmlResult {
  // A JSON answer, a plain-text error or a body decoded with the wrong charset: say so, and show how it starts.
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start === '') return { ok: false, reason: 'not XML: the body is empty' };
  if (!start.startsWith('<')) {
    return { ok: false, reason: `not XML: the body starts with ${JSON.stringify(start.slice(0, 40))}` };
  }
  const forbidden = FORBIDDEN_CHAR.exec(text);
  if (forbidden) {
    const { line, column } = positionOf(text, forbidden.index);
    const code = forbidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return { ok: false, reason: `malformed XML at line ${line}, column ${column}: character U+${code} is not allowed in XML` };
  }
  const problem = scanMarkup(text, MAX_XML_DEPTH, MAX_XML_ELEMENTS);
  if (problem === 'doctype') {
    return {
      ok: false,
      reason: 'XML declares a DOCTYPE or ENTITY, which feeds never need; refused (entity-expansion attacks)',
    };
  }
  if (problem === 'too-deep') {
    return { ok: false, reason: `XML nests elements deeper than ${MAX_XML_DEPTH} levels; refused` };
  }
  if (problem === 'too-many') {
    return { ok: false, reason: `XML has more than ${MAX_XML_ELEMENTS} elements, which no feed needs; refused` };
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const open = unclosedAtEnd(msg);
    if (open) {
      return { ok: false, reason: `malformed XML: the document ends with ${open} still open (truncated?): ${msg}` };
    }
    return { ok: false, reason: `malformed XML at line ${line}, column ${col}: ${msg}` };
  }
  try {
    return { ok: true, doc: parser.parse(text) as XmlDocument };
  } catch (error) {
    return { ok: false, reason: `XML could not be parsed: ${(error as Error).message}` };
  }
}

/**
 * The name of the document's first element, found without parsing (skips the XML declaration, comments and a
 * DOCTYPE): lets a source say "this is an HTML page" even when the page is not well-formed XML.
 */
export function sniffRootElement(text: string): string | undefined {
  let rest = text.replace(/^\uFEFF/, '');
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('<?')) {
      const end = rest.indexOf('?>');
      if (end < 0) return undefined;
      rest = rest.slice(end + 2);
    } else if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) return undefined;
      rest = rest.slice(end + 3);
    } else if (/^<!doctype\b/i.test(rest)) {
      const subset = rest.indexOf('[');
      const close = rest.indexOf('>');
      const end = subset >= 0 && subset < close ? rest.indexOf(']', subset) : close;
      if (end < 0) return undefined;
      rest = rest.slice(rest.indexOf('>', end) + 1);
    } else {
      return /^<([A-Za-z_][\w:.-]*)/.exec(rest)?.[1];
    }
  }
}

/** The document's root element name (ignoring the `?xml` declaration). */
export function rootElementOf(doc: XmlDocument): string | undefined {
  return Object.keys(doc).find((key) => !key.startsWith('?') && !key.startsWith('#'));
}

/** The text of a parsed element: a string, `#text` of an element with attributes, or the first of an array. */
export function xmlText(node: unknown): string | undefined {
  if (Array.isArray(node)) return xmlText(node[0]);
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const text = (node as Record<string, unknown>)['#text'];
    return typeof text === 'string' ? text : undefined;
  }
  return undefined;
}

/** An attribute value of a parsed element. */
export function xmlAttr(node: unknown, name: string): string | undefined {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const value = (node as Record<string, unknown>)[`@_${name}`];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** A child element (the first when repeated); undefined when absent or when `node` is not an element. */
export function xmlChild(node: unknown, name: string): unknown {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const child = (node as Record<string, unknown>)[name];
    return Array.isArray(child) ? child[0] : child;
  }
  return undefined;
}

/** All child elements of that name, in document order. */
export function xmlChildren(node: unknown, name: string): readonly unknown[] {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const child = (node as Record<string, unknown>)[name];
    if (child === undefined) return [];
    return Array.isArray(child) ? child : [child];
  }
  return [];
}
