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
  if (!text.includes('&')) return text;
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

// Character codes the well-formedness pass compares against.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DOUBLE_QUOTE = 0x22;
const HASH = 0x23;
const SINGLE_QUOTE = 0x27;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const GREATER_THAN = 0x3e;
const QUESTION_MARK = 0x3f;
const LOWER_X = 0x78;

const isSpace = (code: number) => code === SPACE || code === LF || code === TAB || code === CR;
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
const isLetter = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
const isHexDigit = (code: number) => isDigit(code) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
/** A name's first character, ASCII only: a letter or "_". */
const isNameStart = (code: number) => isLetter(code) || code === 0x5f;
/** A name's other characters, ASCII only: letters, digits, "_", ":", "-" and ".". */
const isNameChar = (code: number) => isNameStart(code) || isDigit(code) || code === 0x3a || code === 0x2d || code === 0x2e;

/** The index just past the name starting at `from`, which must be at a name's first character; -1 when it is not. */
function endOfName(text: string, from: number): number {
  if (!isNameStart(text.charCodeAt(from))) return -1;
  let index = from + 1;
  while (isNameChar(text.charCodeAt(index))) index += 1;
  return index;
}

function skipSpace(text: string, from: number): number {
  let index = from;
  while (isSpace(text.charCodeAt(index))) index += 1;
  return index;
}

/**
 * The index just past the entity or character reference at `at` (an "&"): `&name;` with a name of 1 to 16 ASCII
 * word characters, `&#digits;` or `&#xhex;` with 1 to 8 digits; -1 for anything else.
 */
function endOfReference(text: string, at: number): number {
  let index = at + 1;
  if (text.charCodeAt(index) === HASH) {
    index += 1;
    const hex = text.charCodeAt(index) === LOWER_X;
    if (hex) index += 1;
    const digits = index;
    while (hex ? isHexDigit(text.charCodeAt(index)) : isDigit(text.charCodeAt(index))) index += 1;
    const count = index - digits;
    return count >= 1 && count <= 8 && text.charCodeAt(index) === SEMICOLON ? index + 1 : -1;
  }
  const name = index;
  while (index - name < 16 && (isNameStart(text.charCodeAt(index)) || isDigit(text.charCodeAt(index)))) index += 1;
  return index > name && text.charCodeAt(index) === SEMICOLON ? index + 1 : -1;
}

/**
 * Reads the attributes of a start tag or the pseudo-attributes of the XML declaration from `from` (just past the
 * name): each after white space, as `name="value"` or `name='value'`, no name twice. Returns the index of what ends
 * them ("/", ">" or "?", for the caller to check), or -1 when they are not that plain.
 */
function endOfAttributes(text: string, from: number): number {
  let at = from;
  let names: string[] | undefined;
  for (;;) {
    let code = text.charCodeAt(at);
    if (code === GREATER_THAN || code === SLASH || code === QUESTION_MARK) return at;
    if (!isSpace(code)) return -1; // an attribute must follow white space
    at = skipSpace(text, at);
    code = text.charCodeAt(at);
    if (code === GREATER_THAN || code === SLASH || code === QUESTION_MARK) return at;
    const nameEnd = endOfName(text, at);
    if (nameEnd < 0) return -1;
    const name = text.slice(at, nameEnd);
    if (names === undefined) names = [name];
    else if (names.includes(name)) return -1;
    else names.push(name);
    at = skipSpace(text, nameEnd);
    if (text.charCodeAt(at) !== EQUALS) return -1;
    at = skipSpace(text, at + 1);
    const quote = text.charCodeAt(at);
    if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) return -1;
    const closingQuote = text.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", at + 1);
    if (closingQuote < 0) return -1;
    at = closingQuote + 1;
  }
}

/**
 * One linear pass that answers "plainly well-formed?" for the common case, so that the full checks ({@link refusalOf}:
 * the markup scan and fast-xml-parser's validator, a second full pass) run only on documents that need a reason.
 * True only for a document inside a strict, plain subset of XML, which the full checks accept as they stand: an
 * optional XML declaration first, then one root element with only white space, comments and processing instructions
 * (a target not starting with "xml", data without quotes) around it; ASCII names; attributes as `name="value"` or `name='value'`, each once per element, after white space;
 * end tags matching; CDATA only inside the root; every "&" in text starting a well-formed reference; no DOCTYPE or
 * other `<!` declaration; at most {@link MAX_XML_DEPTH} levels and {@link MAX_XML_ELEMENTS} elements. False means
 * "look closer", not "malformed".
 */
export function isPlainWellFormed(text: string): boolean {
  const length = text.length;
  const open: string[] = [];
  let elements = 0;
  let rootSeen = false;
  // The validator skips a byte-order mark; the XML declaration may only come first after it.
  const documentStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let index = documentStart;
  // The next "&" at or after the current text (found lazily: most feeds have few, and CDATA may hold many).
  let ampersand = -1;
  while (index < length) {
    let lessThan = text.indexOf('<', index);
    if (lessThan < 0) lessThan = length;
    if (open.length === 0) {
      // Outside the root element: white space only.
      for (let at = index; at < lessThan; at += 1) if (!isSpace(text.charCodeAt(at))) return false;
    } else {
      if (ampersand < index) ampersand = text.indexOf('&', index);
      while (ampersand >= 0 && ampersand < lessThan) {
        const end = endOfReference(text, ampersand);
        if (end < 0) return false;
        ampersand = text.indexOf('&', end);
      }
      if (ampersand < 0) ampersand = length;
    }
    if (lessThan >= length) break;
    const next = text.charCodeAt(lessThan + 1);
    if (next === SLASH) {
      const nameEnd = endOfName(text, lessThan + 2);
      if (nameEnd < 0) return false;
      const close = skipSpace(text, nameEnd);
      if (text.charCodeAt(close) !== GREATER_THAN) return false;
      if (open.pop() !== text.slice(lessThan + 2, nameEnd)) return false;
      index = close + 1;
    } else if (next === BANG) {
      if (text.startsWith('<!--', lessThan)) {
        const end = text.indexOf('-->', lessThan + 4);
        if (end < 0) return false;
        index = end + 3;
      } else if (text.startsWith('<![CDATA[', lessThan) && open.length > 0) {
        const end = text.indexOf(']]>', lessThan + 9);
        if (end < 0) return false;
        index = end + 3;
      } else {
        return false; // a DOCTYPE, an ENTITY or some other declaration: the full checks name it
      }
    } else if (next === QUESTION_MARK) {
      const nameEnd = endOfName(text, lessThan + 2);
      if (nameEnd < 0) return false;
      const target = text.slice(lessThan + 2, nameEnd);
      let end: number;
      if (target === 'xml') {
        // The declaration: first in the document, its pseudo-attributes written like attributes.
        if (lessThan !== documentStart) return false;
        end = endOfAttributes(text, nameEnd);
        if (end < 0) return false;
      } else {
        // Any other target, not starting with "xml" (reserved), with unquoted data: a quote would make the
        // parser look for the end further on.
        if (target.toLowerCase().startsWith('xml') || target.includes(':')) return false;
        if (!isSpace(text.charCodeAt(nameEnd)) && text.charCodeAt(nameEnd) !== QUESTION_MARK) return false;
        end = text.indexOf('?>', nameEnd);
        if (end < 0) return false;
        const data = text.slice(nameEnd, end);
        if (data.includes('"') || data.includes("'")) return false;
      }
      if (!text.startsWith('?>', end)) return false;
      index = end + 2;
    } else {
      const nameEnd = endOfName(text, lessThan + 1);
      if (nameEnd < 0) return false;
      if (open.length === 0 && rootSeen) return false; // a second root
      let at = endOfAttributes(text, nameEnd);
      if (at < 0) return false;
      let selfClosing = false;
      if (text.charCodeAt(at) === SLASH) {
        selfClosing = true;
        at += 1;
      }
      if (text.charCodeAt(at) !== GREATER_THAN) return false;
      at += 1;
      elements += 1;
      if (elements > MAX_XML_ELEMENTS) return false;
      rootSeen = true;
      if (!selfClosing) {
        open.push(text.slice(lessThan + 1, nameEnd));
        if (open.length > MAX_XML_DEPTH) return false;
      }
      index = at;
    }
  }
  return rootSeen && open.length === 0;
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
