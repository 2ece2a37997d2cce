// The text-safety toolkit: email subjects as SNS takes them, one rule for event emails, digests and alarms (pure).
import { cleanLine } from './clean-line.js';
import { truncateChars } from './truncate.js';

/**
 * SNS's Publish API: "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100
 * characters long" (earlier versions said ASCII). So every subject the watcher makes, for events, digests and alarms,
 * has at most this many characters.
 */
export const SUBJECT_MAX_CHARS = 99;

const ASCII_LOOKALIKES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u201A\u201B\u2032\u00B4]/g, "'"],
  [/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u2022\u00B7]/g, '*'],
  [/\u00D7/g, 'x'],
  [/\u2192/g, '->'],
  [/\u00A0|[\u2000-\u200A\u202F\u205F\u3000]/g, ' '],
];

/**
 * Printable ASCII on one line for a subject: controls removed, white space folded, typographic characters
 * transliterated (’ → ', — → -, é → e) and anything else "?". SNS has documented subjects as ASCII and replaces
 * non-ASCII subjects in some integrations.
 */
export function toSubjectAscii(text: string): string {
  let ascii = cleanLine(text);
  for (const [pattern, replacement] of ASCII_LOOKALIKES) ascii = ascii.replace(pattern, replacement);
  return ascii
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7E]+/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** `text` as a subject: {@link toSubjectAscii}, cut to {@link SUBJECT_MAX_CHARS} with "..." (at a word where one is near). */
export function subjectLine(text: string): string {
  return truncateChars(toSubjectAscii(text), SUBJECT_MAX_CHARS, '...');
}
