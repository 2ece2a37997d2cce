// The digest's ENDS OF LIFE section: every end of life on Auth0's Deprecations and Migrations page in the next 90
// days, soonest first, from the `auth0-deprecations` sources' remembered state (whatever the period's events), and
// the entries whose end of life the page writes in words (pure).
import type { UnreadableEndOfLife, UpcomingEndOfLife } from './deprecations/countdown.js';
import { EOL_HORIZON_DAYS } from './deprecations/countdown.js';
import { cleanTitle, link, type ListRenderer } from './digest-sections.js';
import { cleanLine } from './text/clean-line.js';
import { plural } from './text/words.js';
import { wrap } from './text/wrap.js';

/** What the digest lists: from every `auth0-deprecations` source, each entry with its source's id. */
export interface DigestEndsOfLife {
  readonly upcoming: readonly (UpcomingEndOfLife & { readonly source: string })[];
  readonly unreadable: readonly (UnreadableEndOfLife & { readonly source: string })[];
}

/** ENDS OF LIFE IN THE NEXT 90 DAYS: date, days left and title of each, then the dates the page gives in words. */
export function endOfLifeSection(ends: DigestEndsOfLife, list: ListRenderer): string[] {
  const upcoming = dedupe(ends.upcoming).sort((a, b) => a.daysLeft - b.daysLeft || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  const unreadable = dedupe(ends.unreadable);
  const lines = [`ENDS OF LIFE IN THE NEXT ${EOL_HORIZON_DAYS} DAYS (${upcoming.length})`];
  if (upcoming.length === 0) lines.push('  None on Auth0\'s Deprecations and Migrations page.');
  lines.push(...list(upcoming, upcomingEntry, 'see the Deprecations and Migrations page'));
  if (unreadable.length > 0) {
    lines.push(`  End of life not given as a date (${unreadable.length}):`);
    lines.push(...list(unreadable, unreadableEntry, 'see the Deprecations and Migrations page'));
  }
  return lines;
}

function upcomingEntry(entry: UpcomingEndOfLife): string[] {
  const when = entry.daysLeft === 0 ? 'today' : `in ${plural(entry.daysLeft, 'day')}`;
  return [
    ...wrap(`${cleanLine(entry.endOfLife, 10)} (${when}): ${cleanTitle(entry.title)}`, '  - ', '    '),
    ...(entry.deprecatedOn === undefined ? [] : [`    deprecated ${cleanLine(entry.deprecatedOn, 10)}`]),
    ...link(entry.url),
  ];
}

function unreadableEntry(entry: UnreadableEndOfLife): string[] {
  return [...wrap(`${cleanTitle(entry.title)}: "${cleanLine(entry.text, 80)}"`, '  - ', '    '), ...link(entry.url)];
}

/** Two sources reading the same page list each entry once. */
function dedupe<T extends { readonly itemId: string }>(entries: readonly T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((entry) => (seen.has(entry.itemId) ? false : (seen.add(entry.itemId), true)));
}
