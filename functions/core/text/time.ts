// The text-safety toolkit: times and durations as people read them in emails, Slack and digests; an unreadable
// vendor stamp is shown as given, never as "Invalid Date" (pure: times come in as arguments).
import { cleanLine } from './clean-line.js';
import { plural } from './words.js';

const MINUTE_MS = 60_000;
const TWO = (n: number): string => String(n).padStart(2, '0');

/** Milliseconds since the epoch, or undefined for a stamp `Date` cannot read. */
export function parseTime(iso: string): number | undefined {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : time;
}

/** The time from one stamp to the next, never negative; undefined when either is unreadable. */
export function elapsed(fromIso: string, toIso: string): number | undefined {
  const from = parseTime(fromIso);
  const to = parseTime(toIso);
  return from === undefined || to === undefined ? undefined : Math.max(0, to - from);
}

/** `2026-04-22T20:14:05Z` → `2026-04-22 20:14 UTC`; an unreadable stamp is shown as given (cleaned). */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return cleanLine(iso, 100) || 'unknown';
  return (
    `${date.getUTCFullYear()}-${TWO(date.getUTCMonth() + 1)}-${TWO(date.getUTCDate())} ` +
    `${TWO(date.getUTCHours())}:${TWO(date.getUTCMinutes())} UTC`
  );
}

/** "3 h 12 min", "45 min", "2 days 4 h". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE_MS);
  if (minutes < 1) return 'less than 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  if (hours < 24) return restMinutes === 0 ? `${hours} h` : `${hours} h ${restMinutes} min`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${restHours} h`;
}

/** A zone Intl accepts; an unknown one falls back to UTC rather than failing what is being rendered. */
export function usableTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** An instant in a reader's zone, in US English words ("Oct 7", "Wednesday, October 7, 2026"). */
export function formatInZone(instant: number, timeZone: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat('en-US', { ...options, timeZone }).format(new Date(instant));
}

/**
 * A scheduled window in UTC: `2026-12-10 02:00–04:00 UTC` within a day, `2026-12-10 22:00 UTC – 2026-12-11 02:00 UTC`
 * across days, `from …` or `until …` when only one end is known; undefined when neither is.
 */
export function formatWindow(fromIso: string | undefined, untilIso: string | undefined): string | undefined {
  if (fromIso === undefined) return untilIso === undefined ? undefined : `until ${formatUtc(untilIso)}`;
  const from = formatUtc(fromIso);
  if (untilIso === undefined) return `from ${from}`;
  const until = formatUtc(untilIso);
  const sameDay = from.endsWith(' UTC') && until.endsWith(' UTC') && from.slice(0, 11) === until.slice(0, 11);
  return sameDay ? `${from.slice(0, -4)}\u2013${until.slice(11)}` : `${from} \u2013 ${until}`;
}
