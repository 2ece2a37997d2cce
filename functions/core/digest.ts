// The periodic digest email: one plain-text summary of a period's events, what is open now, owed root-cause
// analyses and source health, for people who read it instead of every single event (pure, no I/O, no clock).
// Preparing (digest-model.ts), the text (digest-text.ts, digest-sections.ts) and the subject (digest-subject.ts) are
// their own modules; this one fits the text to its size.
import { prepareDigest, type DigestInput } from './digest-model.js';
import { renderDigestSubject } from './digest-subject.js';
import { composeDigest, type Caps } from './digest-text.js';
import type { EventType } from './model.js';
import { truncateToBytes, utf8Bytes } from './text/truncate.js';

export type { DigestInput, DigestOpenItem, DigestRcaOwed, DigestSourceHealth } from './digest-model.js';

export interface Digest {
  /** Under 100 characters, one line, printable ASCII (SNS email subject rules). */
  readonly subject: string;
  /** Plain text, at most `maxBytes` UTF-8 bytes. */
  readonly text: string;
  /** Events per type in the period (types without events are absent). */
  readonly counts: Readonly<Partial<Record<EventType, number>>>;
  /** No events in the period. */
  readonly quiet: boolean;
}

/** Default size of a digest body in UTF-8 bytes: under SNS's 256 KB message limit with headroom. */
export const DIGEST_MAX_BYTES = 240_000;

/**
 * Entries shown per list, tried in order until the text fits: long periods are summarised ("…and N more"),
 * never cut inside an entry. Sources are listed in full until the entry caps alone cannot make the text fit.
 */
const CAP_STEPS: readonly Caps[] = [
  ...[30, 20, 15, 10, 6, 3, 1, 0].map((entries) => ({ entries, sources: Number.POSITIVE_INFINITY })),
  { entries: 0, sources: 20 },
  { entries: 0, sources: 5 },
  { entries: 0, sources: 0 },
];

/**
 * Renders the digest of one period: subject, plain-text body and per-type counts. The body stays within
 * `maxBytes` UTF-8 bytes (default {@link DIGEST_MAX_BYTES}) by showing fewer entries per list, step by step.
 * Same input, same output: every list is sorted on stable keys (time, then id).
 */
export function renderDigest(input: DigestInput, options: { readonly maxBytes?: number } = {}): Digest {
  const maxBytes = options.maxBytes ?? DIGEST_MAX_BYTES;
  const digest = prepareDigest(input);
  let text = '';
  for (const caps of CAP_STEPS) {
    text = composeDigest(digest, caps);
    if (utf8Bytes(text) <= maxBytes) break;
  }
  if (utf8Bytes(text) > maxBytes) text = shortenByParagraphs(text, maxBytes);
  return { subject: renderDigestSubject(digest), text, counts: digest.counts, quiet: digest.quiet };
}

/** Last resort for a very small `maxBytes`: whole paragraphs from the top, then a note; never a cut inside one. */
function shortenByParagraphs(text: string, maxBytes: number): string {
  const note = '\n(This digest was shortened to fit the size limit.)\nSent by auth0-ops-watcher.\n';
  const budget = maxBytes - utf8Bytes(note);
  let kept = '';
  for (const paragraph of text.split('\n\n')) {
    const next = kept === '' ? paragraph : `${kept}\n\n${paragraph}`;
    if (utf8Bytes(next) > budget) break;
    kept = next;
  }
  return kept === '' ? truncateToBytes(text, maxBytes) : `${kept}\n${note}`;
}
