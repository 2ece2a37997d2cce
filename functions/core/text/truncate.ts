// The text-safety toolkit: cutting text to a length in characters or a budget in UTF-8 bytes without splitting a
// character, for every renderer and for the byte budgets of events (pure).

/** Appended to any vendor text cut short; the link leads to the full text. */
export const TRUNCATION_MARK = '… (truncated, see link)';

/** At most `max` characters (code points), ending in `ellipsis` when cut, preferring a word boundary. */
export function truncateChars(text: string, max: number, ellipsis = ''): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const room = Math.max(0, max - Array.from(ellipsis).length);
  let cut = chars.slice(0, room).join('');
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace > room * 0.6) cut = cut.slice(0, lastSpace);
  return cut.trimEnd() + ellipsis;
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, ending in {@link TRUNCATION_MARK}; never splits a character and
 * prefers a word boundary. Text that fits is returned unchanged; a budget smaller than the mark yields the mark alone.
 */
export function truncateToBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const room = maxBytes - utf8Bytes(TRUNCATION_MARK);
  if (room <= 0) return TRUNCATION_MARK;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Bytes(char);
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  let cut = text.slice(0, end);
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace > 0 && end - lastSpace < 40) cut = cut.slice(0, lastSpace);
  return cut.trimEnd() + TRUNCATION_MARK;
}

/**
 * UTF-8 length without allocating; a lone surrogate counts as the 3-byte replacement character, as
 * `Buffer.byteLength` and every UTF-8 encoder count it.
 */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
