// The text-safety toolkit: untrusted vendor text made inert (lone surrogates replaced, controls and invisible marks
// removed, white space folded) before any renderer lays it out (pure).
import { truncateChars } from './truncate.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LINE_LIKE_SPACE = /[\s\u0085\u2028\u2029]+/g;
// C0 controls, DEL, C1, and the invisible zero-width/bidi/format marks that can hide or reorder text; the second
// keeps the newline. (Literals, not built with `new RegExp`, so that a bundle that does not clean text leaves them out.)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** Each lone surrogate (half of a character, which no encoder can send) replaced by U+FFFD. */
export function withoutLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Controls (C0 but, with `keepNewline`, the newline; DEL; C1) and invisible zero-width and bidi marks removed: what
 * could end a header line, move the cursor, or hide and reorder text.
 */
export function withoutControls(text: string, options: { readonly keepNewline?: boolean } = {}): string {
  return text.replace(options.keepNewline ? CONTROL_BUT_NEWLINE : CONTROL, '');
}

/** Untrusted vendor text as one clean line: white space folded, controls removed, optionally capped in characters. */
export function cleanLine(text: string, maxChars?: number): string {
  const line = withoutControls(withoutLoneSurrogates(text).replace(LINE_LIKE_SPACE, ' '))
    .replace(/ {2,}/g, ' ')
    .trim();
  return maxChars === undefined ? line : truncateChars(line, maxChars, '…');
}
