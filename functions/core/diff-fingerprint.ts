// The diff's content hashes: each kind's fingerprint and an update's hash, over text folded to its meaning (pure).
import { contentHash } from './event-factory.js';
import type { AdvisoryItem, ChangelogItem, IncidentItem, ItemUpdate } from './model.js';
import type { TrackedUpdate } from './tracked.js';

const NON_ASCII = /[^\u0000-\u007f]/;
/**
 * A character outside the ones NFKC maps to themselves in any context: C0/C1 controls and ASCII, the Latin-1
 * letters, and the typographic quotes and dashes folded below. Text made only of those is its own NFKC form (no
 * compatibility mapping, no combining class, and no pair of them composes), so it skips the costly normalization.
 */
const MAY_CHANGE_UNDER_NFKC = /[^\u0000-\u009f\u00c0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d]/;
/** Typographic quotes, primes and dashes, and the plain character each folds to. */
const TYPOGRAPHIC = /[\u2018\u2019\u201A\u2032\u201C\u201D\u201E\u2033\u2013\u2014]/g;
const TYPOGRAPHIC_PLAIN: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u2032': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2033': '"',
  '\u2013': '-',
  '\u2014': '-',
};
/** White space other than a lone space: what folding runs of white space into one space changes. */
const FOLDABLE_SPACE = /[^\S ]\s*| \s+/g;

/** Folds what markup and editors change without changing meaning: white space, Unicode forms, typographic quotes. */
export function normalize(text: string): string {
  let folded = text;
  // ASCII text is its own NFKC form and holds none of the quotes and dashes replaced here.
  if (NON_ASCII.test(folded)) {
    if (MAY_CHANGE_UNDER_NFKC.test(folded)) folded = folded.normalize('NFKC');
    folded = folded.replace(TYPOGRAPHIC, (char) => TYPOGRAPHIC_PLAIN[char] ?? char);
  }
  return folded.replace(FOLDABLE_SPACE, ' ').trim();
}

export function incidentFingerprint(item: IncidentItem, updates: readonly TrackedUpdate[]): string {
  return contentHash(normalize(item.title) + '\u0000' + updates.map((u) => `${u.key}=${u.hash}`).join('\u0000'));
}

export function changelogFingerprint(item: ChangelogItem): string {
  return contentHash([item.title, item.changeType, item.text].map(normalize).join('\u0000'));
}

export function advisoryFingerprint(item: AdvisoryItem): string {
  return contentHash(
    [
      item.title,
      item.text,
      item.vendorSeverity,
      item.withdrawnAt ?? '',
      ...item.packages.map((p) => `${p.ecosystem}/${p.name}@${p.vulnerableRange ?? ''}>${p.firstPatchedVersion ?? ''}`),
    ]
      .map(normalize)
      .join('\u0000'),
  );
}

/** Hash of the full normalized text, never of the text cut for an event: an edit beyond the cut is still an edit. */
export function updateHash(update: ItemUpdate): string {
  return contentHash(normalize(update.text));
}
