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

/** The zone times are shown in when none is configured. */
export const DEFAULT_TIME_ZONE = 'UTC';

/**
 * `2026-12-06T12:05:00Z` in `Europe/Berlin` → `2026-12-06 13:05 CET`: the wall-clock time in `timeZone` (an IANA zone;
 * an unknown one is taken as UTC) and the zone's abbreviation where it has a common one (CET, CEST, BST, EST, PDT),
 * else its offset (`UTC+9`, `UTC+5:30`). In UTC it is exactly {@link formatUtc}. An unreadable stamp is shown as given.
 */
export function formatTime(iso: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const zone = usableTimeZone(timeZone);
  if (zone === 'UTC') return formatUtc(iso);
  const instant = parseTime(iso);
  if (instant === undefined) return formatUtc(iso);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${zoneLabel(instant, zone)}`;
}

/** The zone's name at an instant: a letters-only abbreviation where English has one (CET, BST, EST), else `UTC±h[:mm]`. */
export function zoneLabel(instant: number, timeZone: string): string {
  const nameIn = (locale: string): string =>
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(new Date(instant))
      .find((part) => part.type === 'timeZoneName')?.value ?? '';
  // en-US names the US zones (EST, PDT), en-GB the European ones (CET, CEST, BST); both say "GMT+9" for the rest.
  for (const locale of ['en-US', 'en-GB']) {
    const name = nameIn(locale);
    if (/^[A-Z]{2,5}$/.test(name)) return name;
  }
  const offset = /^GMT([+-]\d{1,2}(?::\d{2})?)$/.exec(nameIn('en-US'));
  return offset ? `UTC${offset[1]}` : 'UTC';
}

/** Whether times in `timeZone` are shown as UTC (the default, or a zone Intl does not know). */
export function isUtcZone(timeZone: string | undefined): boolean {
  return timeZone === undefined || usableTimeZone(timeZone) === 'UTC';
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
 * A scheduled window in `timeZone` (default UTC): `2026-12-10 02:00–04:00 UTC` within a day and one zone name,
 * `2026-12-10 22:00 UTC – 2026-12-11 02:00 UTC` across days (or a change of zone name, CET to CEST), `from …` or
 * `until …` when only one end is known; undefined when neither is.
 */
export function formatWindow(
  fromIso: string | undefined,
  untilIso: string | undefined,
  timeZone: string = DEFAULT_TIME_ZONE,
): string | undefined {
  if (fromIso === undefined) return untilIso === undefined ? undefined : `until ${formatTime(untilIso, timeZone)}`;
  const from = formatTime(fromIso, timeZone);
  if (untilIso === undefined) return `from ${from}`;
  const until = formatTime(untilIso, timeZone);
  const stamp = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) (\S+)$/;
  const a = stamp.exec(from);
  const b = stamp.exec(until);
  const sameDay = a !== null && b !== null && a[1] === b[1] && a[3] === b[3];
  return sameDay ? `${a[1]} ${a[2]}\u2013${b[2]} ${b[3]}` : `${from} \u2013 ${until}`;
}

/**
 * How long an incident lasted, from its start to its resolution, in words ("2 h 14 min"); undefined when either
 * stamp is missing or unreadable.
 */
export function lastedText(startIso: string | undefined, endIso: string | undefined): string | undefined {
  if (startIso === undefined || endIso === undefined) return undefined;
  const ms = elapsed(startIso, endIso);
  return ms === undefined ? undefined : formatDuration(ms);
}
