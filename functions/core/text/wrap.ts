// The text-safety toolkit: plain-text mail lines, words wrapped at 76 columns and never near SMTP's 998-byte line
// limit, for event emails, digests and subscription health (pure).
import { TRUNCATION_MARK } from './truncate.js';

/** Where plain-text mail wraps. */
export const MAIL_LINE_WIDTH = 76;

/** A word longer than this is split, so that no line nears SMTP's 998 bytes whatever its characters. */
const LONGEST_WORD = 400;

/**
 * Words wrapped at {@link MAIL_LINE_WIDTH} columns, the first line indented by `indent`, the others by `nextIndent`; a
 * token too long for a line is split so no line nears 998 bytes. `text` is one clean line (see `cleanLine`).
 */
export function wrap(text: string, indent: string, nextIndent: string = indent): string[] {
  const lines: string[] = [];
  let line = indent;
  let lineHasWord = false;
  for (const rawWord of text.split(' ')) {
    if (rawWord === '') continue;
    for (const word of chunk(rawWord, LONGEST_WORD)) {
      if (lineHasWord && line.length + 1 + word.length > MAIL_LINE_WIDTH) {
        lines.push(line);
        line = nextIndent + word;
      } else {
        line += (lineHasWord ? ' ' : '') + word;
      }
      lineHasWord = true;
    }
  }
  lines.push(line);
  return lines;
}

/** Like {@link wrap}, but never splits {@link TRUNCATION_MARK} across lines. */
export function wrapKeepingMark(text: string, indent: string): string[] {
  if (!text.endsWith(TRUNCATION_MARK)) return wrap(text, indent);
  const lines = wrap(text.slice(0, -TRUNCATION_MARK.length), indent);
  const last = lines.length - 1;
  const lastLine = lines[last] ?? indent;
  if (lastLine.trim() !== '' && lastLine.length + TRUNCATION_MARK.length <= MAIL_LINE_WIDTH) lines[last] = lastLine + TRUNCATION_MARK;
  else lines.push(indent + TRUNCATION_MARK);
  return lines;
}

function chunk(word: string, size: number): string[] {
  if (word.length <= size) return [word];
  const parts: string[] = [];
  for (let i = 0; i < word.length; i += size) parts.push(word.slice(i, i + size));
  return parts;
}
