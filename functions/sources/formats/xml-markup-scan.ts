// The one-pass checks `parseXmlSafely` (safe-xml.ts) makes before it lets the parser see a body: forbidden characters,
// DOCTYPE/ENTITY declarations, nesting and element count, and a fast well-formedness pass for the common case.

/** Elements nested deeper than this are refused; real feeds nest fewer than ten. */
export const MAX_XML_DEPTH = 100;

/**
 * Documents with more elements than this are refused before parsing. Real feeds have hundreds (a 780-entry change
 * log a few thousand); the parsed tree holds some 130 to 150 bytes of heap per element, so the default 5 MiB cap
 * filled with empty elements (1.3 million) would hold 165 MB for seconds, enough to sink a 256 MB Lambda.
 */
export const MAX_XML_ELEMENTS = 50_000;

export type MarkupProblem = 'doctype' | 'too-deep' | 'too-many';

/**
 * Characters outside XML 1.0's `Char` production (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF): a
 * conforming parser refuses them anywhere, CDATA included. The validator does not, so binary garbage or terminal
 * escapes would otherwise reach the stored vendor text.
 */
export const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** 1-based line and column of a string index. */
export function positionOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: index - lineStart + 1 };
}

/**
 * One linear pass over the markup before any parsing: finds a DOCTYPE/ENTITY declaration outside CDATA and
 * comments, and counts element depth and elements. Malformed stretches (an unterminated CDATA, tag or quote) end the scan;
 * the validator reports them.
 */
export function scanMarkup(text: string, maxDepth: number, maxElements: number): MarkupProblem | undefined {
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
