// Parses feed XML for the source plug-ins without trusting it: no DTDs, bounded nesting, validated before parsing.
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { characterOrReference } from './html-text.js';
import {
  FORBIDDEN_CHAR,
  isPlainWellFormed,
  MAX_XML_DEPTH,
  MAX_XML_ELEMENTS,
  positionOf,
  scanMarkup,
} from './xml-markup-scan.js';

export { MAX_XML_DEPTH, MAX_XML_ELEMENTS } from './xml-markup-scan.js';

/** Elements that may repeat and are therefore always parsed as arrays, even when there is one. */
const ALWAYS_ARRAY = new Set(['entry', 'item', 'link', 'category', 'p']);

/** The parsed document: element names to values; attributes as `@_name`, mixed text as `#text`. */
export type XmlDocument = Readonly<Record<string, unknown>>;

export type SafeXmlResult =
  | { readonly ok: true; readonly doc: XmlDocument }
  | { readonly ok: false; readonly reason: string };

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const XML_ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;

/**
 * The five XML entities and numeric character references, decoded in a single pass so that `&amp;lt;`
 * becomes the text `&lt;` (HTML markup for the HTML converter), never `<`. fast-xml-parser's own decoder
 * leaves numeric references alone in XML mode, hence this replacement; it never sees CDATA sections.
 */
function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(XML_ENTITY, (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return characterOrReference(Number.parseInt(dec, 10), match);
    if (hex !== undefined) return characterOrReference(Number.parseInt(hex, 16), match);
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

/**
 * The reader's output is fast-xml-parser's ordered form (`preserveOrder`), turned into the plain document by
 * {@link toDocument}: the same object its default output would be for these options, built without the path
 * bookkeeping that costs the default a third of its time. `jPath: false` spares building a path string for every
 * callback; none of the callbacks here looks at the path.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  entityDecoder,
  maxNestedTags: MAX_XML_DEPTH,
  preserveOrder: true,
  jPath: false,
});

const TEXT = '#text';
const ATTRIBUTES = ':@';

/** One node of the ordered form: `{ name: children, ':@'?: attributes }`, or `{ '#text': text }`. */
type OrderedNode = Readonly<Record<string, unknown>>;

/**
 * The ordered form as fast-xml-parser's default (non-ordered) output: an element's children by name (repeated names,
 * and the names in {@link ALWAYS_ARRAY}, as arrays), its text as `#text` (or the element is its text when that is
 * all it holds, '' when it holds nothing), its attributes after its children.
 */
function toDocument(nodes: readonly OrderedNode[]): Record<string, unknown> {
  return element(nodes).value;
}

/** An element's children as {@link toDocument} describes, and how many properties that object has. */
function element(nodes: readonly OrderedNode[]): { value: Record<string, unknown>; size: number } {
  const value: Record<string, unknown> = {};
  let size = 0;
  let text: string | undefined;
  for (const node of nodes) {
    let name: string | undefined;
    for (const key in node) {
      if (key !== ATTRIBUTES) {
        name = key;
        break;
      }
    }
    if (name === undefined) continue;
    const content = node[name];
    if (name === TEXT) {
      text = text === undefined ? String(content) : text + String(content);
      continue;
    }
    const child = element(content as readonly OrderedNode[]);
    let childValue: unknown = child.value;
    const attributes = node[ATTRIBUTES] as Readonly<Record<string, unknown>> | undefined;
    if (attributes) Object.assign(child.value, attributes);
    else if (child.size === 0) childValue = '';
    else if (child.size === 1 && child.value[TEXT] !== undefined) childValue = child.value[TEXT];
    const existing = value[name];
    if (existing !== undefined && Object.prototype.hasOwnProperty.call(value, name)) {
      if (Array.isArray(existing)) existing.push(childValue);
      else value[name] = [existing, childValue];
    } else {
      value[name] = ALWAYS_ARRAY.has(name) ? [childValue] : childValue;
      size += 1;
    }
  }
  if (text !== undefined && text.length > 0) {
    value[TEXT] = text;
    size += 1;
  }
  return { value, size };
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
 * Why a document is refused (a DOCTYPE or ENTITY declaration, nesting or element count over the limits, or what
 * the validator finds malformed), or undefined when it is not.
 */
function refusalOf(text: string): { ok: false; reason: string } | undefined {
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
  return undefined;
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
  // Nearly every feed is plainly well-formed, and one pass says so; anything else gets the full checks, which
  // find the reason and word it.
  if (!isPlainWellFormed(text)) {
    const refusal = refusalOf(text);
    if (refusal !== undefined) return refusal;
  }
  try {
    return { ok: true, doc: toDocument(parser.parse(text) as readonly OrderedNode[]) };
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
