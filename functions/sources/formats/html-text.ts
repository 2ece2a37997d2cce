// Turns the HTML and Markdown that vendors put in feeds into plain text for items; sources call it, nothing else.
// Plain text only: escaping for a destination (Slack, email) is the renderer's job.

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  mdash: '\u2014',
  ndash: '\u2013',
  hellip: '\u2026',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  laquo: '\u00ab',
  raquo: '\u00bb',
  bull: '\u2022',
  middot: '\u00b7',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  deg: '\u00b0',
  times: '\u00d7',
  euro: '\u20ac',
  pound: '\u00a3',
};

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

/** The character a numeric reference names; the reference as written (`original`) when it names none. */
export function characterOrReference(code: number, original: string): string {
  // Leave references to code points that cannot be characters as they were rather than inventing one.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return original;
  return String.fromCodePoint(code);
}

/** Decodes named HTML entities (the common ones) and numeric character references in one pass; unknown names stay as written. */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return characterOrReference(Number.parseInt(dec, 10), match);
    if (hex !== undefined) return characterOrReference(Number.parseInt(hex, 16), match);
    return (name !== undefined && NAMED_ENTITIES[name]) || match;
  });
}

// Runs of horizontal white space that folding changes: any run but a lone space (rewriting those would copy every string).
const FOLDABLE_RUN = /[\t\f\v\u00a0][ \t\f\v\u00a0]*| [ \t\f\v\u00a0]+/g;
// White space (as `String.prototype.trim` sees it) next to a line break: what trimming each line removes.
const LINE_EDGE_SPACE = /[^\S\n]+\n[^\S\n]*|\n[^\S\n]+/g;

/**
 * Folds runs of spaces/tabs, trims each line, collapses 3+ line breaks into one blank line, trims the whole. Each
 * step runs only when its input can change, so short strings (titles, labels, dates) cost a scan or two.
 */
function foldWhiteSpace(text: string): string {
  let folded = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  folded = folded.replace(FOLDABLE_RUN, ' ');
  let lineBreak = folded.indexOf('\n');
  if (lineBreak >= 0) {
    // Trim the lines only when some line break has white space beside it (the regex is slow to find none).
    for (; lineBreak >= 0; lineBreak = folded.indexOf('\n', lineBreak + 1)) {
      const before = folded.charCodeAt(lineBreak - 1);
      const after = folded.charCodeAt(lineBreak + 1);
      if ((before !== 0x0a && isWhiteSpace(before)) || (after !== 0x0a && isWhiteSpace(after))) {
        folded = folded.replace(LINE_EDGE_SPACE, '\n');
        break;
      }
    }
    if (folded.includes('\n\n\n')) folded = folded.replace(/\n{3,}/g, '\n\n');
  }
  return folded.trim();
}

// A tag starts with a letter (so "<= 1.6.1" or "a < b" in text survives) and may hold quoted attribute values
// containing ">". No part of it may cross a "<", which keeps the match linear on unterminated tags.
const TAG = /<\/?[A-Za-z][A-Za-z0-9:-]*(?:\s(?:[^<>"']|"[^"<]*"|'[^'<]*')*)?\/?>/g;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const SCRIPT_OR_STYLE = /<(script|style)\b[^<>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const BR = /<br\s*\/?>/gi;
const PARAGRAPH_END = /<\/p\s*>/gi;
const LIST_ITEM = /<li\b[^>]*>/gi;
const BLOCK_END = /<\/(div|li|ul|ol|h[1-6]|tr|table|blockquote|pre)\s*>/gi;

// What follows the "<"s of a fragment: which of the markup rewrites can match at all.
const AFTER_LT_BANG = 1;
const AFTER_LT_S = 2;
const AFTER_LT_B = 4;
const AFTER_LT_L = 8;
const AFTER_LT_SLASH = 16;
const AFTER_LT_TAG = 32;

function markupKinds(text: string): number {
  let kinds = 0;
  for (let index = text.indexOf('<'); index >= 0; index = text.indexOf('<', index + 1)) {
    const next = text.charCodeAt(index + 1);
    if (next === 0x21) {
      kinds |= AFTER_LT_BANG;
    } else if (next === 0x2f) {
      kinds |= AFTER_LT_SLASH | AFTER_LT_TAG;
    } else {
      const lower = next | 0x20;
      if (lower >= 0x61 && lower <= 0x7a) {
        kinds |= AFTER_LT_TAG;
        if (lower === 0x73) kinds |= AFTER_LT_S;
        else if (lower === 0x62) kinds |= AFTER_LT_B;
        else if (lower === 0x6c) kinds |= AFTER_LT_L;
      }
    }
  }
  return kinds;
}

/**
 * Removes markup: comments, scripts and styles dropped, `<br>` and block ends as line breaks, list items as "- ",
 * other tags dropped, in that order. A rewrite runs only when the text holds a "<" it could match; the first two
 * can join a "<" to what follows the removed part, so the kinds are looked at again after them.
 */
function removeMarkupStepByStep(html: string): string {
  let text = html;
  let kinds = markupKinds(text);
  if ((kinds & AFTER_LT_BANG) !== 0 && text.includes('<!--')) {
    text = text.replace(COMMENT, '');
    kinds = markupKinds(text);
  }
  if ((kinds & AFTER_LT_S) !== 0) {
    const before = text;
    text = text.replace(SCRIPT_OR_STYLE, '');
    if (text !== before) kinds = markupKinds(text);
  }
  // From here on a rewrite replaces a whole tag with text holding no "<", so it cannot make another one match.
  if ((kinds & AFTER_LT_B) !== 0) text = text.replace(BR, '\n');
  if ((kinds & AFTER_LT_SLASH) !== 0) text = text.replace(PARAGRAPH_END, '\n\n');
  if ((kinds & AFTER_LT_L) !== 0) text = text.replace(LIST_ITEM, '\n- ');
  if ((kinds & AFTER_LT_SLASH) !== 0) text = text.replace(BLOCK_END, '\n');
  if ((kinds & AFTER_LT_TAG) !== 0) text = text.replace(TAG, '');
  return text;
}

const BLOCK_NAMES = new Set(['div', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'table', 'blockquote', 'pre']);

const isAsciiLetter = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
const isAsciiAlphanumeric = (code: number) => isAsciiLetter(code) || (code >= 0x30 && code <= 0x39);

/** White space as `\s` and `String.prototype.trim` see it (the ECMAScript WhiteSpace and LineTerminator sets). */
function isWhiteSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * {@link removeMarkupStepByStep} in one pass for the usual fragment, whose tags all lack attributes (feed HTML such
 * as `<p><small>…</small><br><strong>…</strong>`): `<name>`, `</name>` or `<name/>`, ASCII letters and digits, white
 * space allowed before the end. Each such tag is then rewritten on its own, as the step that matches it would (none
 * crosses another or a "<"), and no rewrite can make a new tag. Undefined for anything else (a comment, a script or
 * style, a tag with attributes, a "<" and a letter that starts no such tag), which goes step by step.
 */
function removeSimpleMarkup(html: string): string | undefined {
  if (html.includes('<!--')) return undefined;
  let text = '';
  let copied = 0;
  for (let lessThan = html.indexOf('<'); lessThan >= 0; lessThan = html.indexOf('<', lessThan + 1)) {
    let at = lessThan + 1;
    const closing = html.charCodeAt(at) === 0x2f;
    if (closing) at += 1;
    // "<" (or "</") and no letter: text, where none of the rewrites can match.
    if (!isAsciiLetter(html.charCodeAt(at))) continue;
    const nameStart = at;
    at += 1;
    while (isAsciiAlphanumeric(html.charCodeAt(at))) at += 1;
    const name = html.slice(nameStart, at).toLowerCase();
    while (isWhiteSpace(html.charCodeAt(at))) at += 1;
    const selfClosing = html.charCodeAt(at) === 0x2f;
    if (selfClosing) at += 1;
    if (html.charCodeAt(at) !== 0x3e) return undefined;
    let replacement = '';
    if (!closing) {
      if (name === 'br') replacement = '\n';
      else if (name === 'li') replacement = '\n- ';
      else if (name === 'script' || name === 'style') return undefined;
    } else if (!selfClosing) {
      if (name === 'p') replacement = '\n\n';
      else if (BLOCK_NAMES.has(name)) replacement = '\n';
    }
    text += html.slice(copied, lessThan) + replacement;
    copied = at + 1;
    lessThan = at;
  }
  return copied === 0 ? html : text + html.slice(copied);
}

/** What {@link htmlToText} leaves as it is but for trimming: no markup, entity, line break or run of white space. */
const NEEDS_CONVERSION = /[<&\r\n\t\f\v\u00a0]| {2}/;

/** HTML fragment to plain text: tags removed, `<br>` and block ends as line breaks, entities decoded, white space folded. */
export function htmlToText(html: string): string {
  if (!NEEDS_CONVERSION.test(html)) return html.trim();
  const text = html.includes('<') ? (removeSimpleMarkup(html) ?? removeMarkupStepByStep(html)) : html;
  return foldWhiteSpace(decodeHtmlEntities(text));
}

const CODE_FENCE = /^\s*```[^\n]*$/gm;
const MARKDOWN_LINK = /!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g;
// A heading marker, and the escaped hashes some vendors put after it ("## \# Incident Report": Google's reports).
const HEADING = /^[ \t]{0,3}#{1,6}[ \t]+(?:(?:\uE000#)+[ \t]*)?(.*?)(?:[ \t]+#+)?[ \t]*$/gm;
/** Marks a character that was backslash-escaped, so the rewrites after it leave that character alone. */
const ESCAPED = '\uE000';
// Code (kept whole), a backslash before ASCII punctuation (CommonMark's escapes), or a backslash line break.
const ESCAPE_OR_CODE = /(```[\s\S]*?(?:```|$)|`[^`\n]*`)|\\([!-/:-@[-`{-~])|\\(?=\n)/g;

/**
 * Markdown to plain text: emphasis markers and heading hashes dropped, links as "text (url)", backslash escapes
 * (`\#`, `\[`) as the character they escape (outside code).
 */
export function markdownToText(markdown: string): string {
  // Each rewrite runs only when its input holds what it matches (checked on the text as the earlier ones left it).
  let text = markdown.includes('\r') ? markdown.replace(/\r\n?/g, '\n') : markdown;
  if (text.includes(ESCAPED)) text = text.replaceAll(ESCAPED, '');
  const escapes = text.includes('\\');
  if (escapes) {
    text = text.replace(ESCAPE_OR_CODE, (_match, code: string | undefined, character: string | undefined) =>
      code !== undefined ? code : character !== undefined ? ESCAPED + character : '',
    );
  }
  if (text.includes('```')) text = text.replace(CODE_FENCE, '');
  if (text.includes('](')) {
    text = text.replace(MARKDOWN_LINK, (_match, label: string, url: string) => {
      const trimmed = label.trim();
      if (trimmed === '' || trimmed === url) return url;
      // "[support@openai.com](mailto:support@openai.com)": the address once.
      return url.toLowerCase() === `mailto:${trimmed.toLowerCase()}` ? trimmed : `${trimmed} (${url})`;
    });
  }
  if (text.includes('**') || text.includes('__')) text = text.replace(/\*\*|__/g, '');
  if (text.includes('`')) text = text.replace(/`+/g, '');
  if (text.includes('#')) text = text.replace(HEADING, '$1');
  if (escapes) text = text.replaceAll(ESCAPED, '');
  return foldWhiteSpace(text);
}
