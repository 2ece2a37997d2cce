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

function fromCodePoint(code: number, original: string): string {
  // Leave references to code points that cannot be characters as they were rather than inventing one.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return original;
  return String.fromCodePoint(code);
}

/** Decodes named HTML entities (the common ones) and numeric character references in one pass; unknown names stay as written. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(ENTITY, (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return fromCodePoint(Number.parseInt(dec, 10), match);
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16), match);
    return (name !== undefined && NAMED_ENTITIES[name]) || match;
  });
}

/** Folds runs of spaces/tabs, trims each line, collapses 3+ line breaks into one blank line, trims the whole. */
function foldWhiteSpace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// A tag starts with a letter (so "<= 1.6.1" or "a < b" in text survives) and may hold quoted attribute values
// containing ">". No part of it may cross a "<", which keeps the match linear on unterminated tags.
const TAG = /<\/?[A-Za-z][A-Za-z0-9:-]*(?:\s(?:[^<>"']|"[^"<]*"|'[^'<]*')*)?\/?>/g;

/** HTML fragment to plain text: tags removed, `<br>` and block ends as line breaks, entities decoded, white space folded. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style)\b[^<>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p\s*>/gi, '\n\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(div|li|ul|ol|h[1-6]|tr|table|blockquote|pre)\s*>/gi, '\n')
    .replace(TAG, '');
  return foldWhiteSpace(decodeHtmlEntities(text));
}

/** Change-log and advisory Markdown to plain text: emphasis markers and heading hashes dropped, links as "text (url)". */
export function markdownToText(markdown: string): string {
  const text = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*```[^\n]*$/gm, '')
    .replace(/!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g, (_match, label: string, url: string) => {
      const trimmed = label.trim();
      return trimmed === '' || trimmed === url ? url : `${trimmed} (${url})`;
    })
    .replace(/\*\*|__/g, '')
    .replace(/`+/g, '')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm, '$1');
  return foldWhiteSpace(text);
}
