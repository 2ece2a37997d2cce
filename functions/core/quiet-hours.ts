// Quiet hours of a route: the wall-clock window, in a time zone, during which events below a severity are held and
// delivered when it ends. Pure: the window maths (overnight windows, daylight-saving changes) and the hold decision.
import { SEVERITIES, type Severity, type WatcherEvent } from './model.js';

/** A route's quiet hours (`rules.quietHours` of a channel route). */
export interface QuietHours {
  /** When the quiet hours start, local `HH:MM`. */
  readonly from: string;
  /** When they end, local `HH:MM`; earlier than `from` for a window across midnight. */
  readonly to: string;
  /** IANA time zone of `from` and `to`; the config's `timeZone` (else UTC) is filled in when the config is read. */
  readonly timeZone?: string;
  /** Events less severe than this are held; this severity and above are delivered at once. */
  readonly below: Exclude<Severity, 'info'>;
}

/** `HH:MM`, 00:00 to 23:59. */
export const WALL_TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

const MINUTE_MS = 60_000;
/** The status of the events `npm start -- test` and the post-deploy check send (core/delivery-check.ts). */
const TEST_STATUS = 'test';
const DAY_MINUTES = 1440;

/** Minutes since local midnight of an `HH:MM` time. */
function minutesOf(wallTime: string): number {
  const match = WALL_TIME_PATTERN.exec(wallTime);
  if (!match) throw new Error(`"${wallTime}" is not a time of day (HH:MM)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

interface LocalTime {
  /** The local date as a UTC midnight, ms: days are counted on it. */
  readonly dayMs: number;
  /** Minutes since local midnight. */
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date and time of an instant in `zone` (to the minute). */
function localTimeOf(instantMs: number, zone: string): LocalTime {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instantMs)).map((part) => [part.type, part.value]));
  return {
    dayMs: Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day'])),
    minutes: Number(parts['hour']) * 60 + Number(parts['minute']),
  };
}

/** The local wall time of an instant as ms on a UTC time line (comparable with `dayMs + minutes`). */
function wallMsOf(instantMs: number, zone: string): number {
  const local = localTimeOf(instantMs, zone);
  return local.dayMs + local.minutes * MINUTE_MS;
}

/**
 * The first instant whose local wall time in `zone` is at or after the given one (ms on the UTC time line, whole
 * minutes): the wall time itself, at its first occurrence when the clock goes back; when it falls in the hour skipped
 * as the clock goes forward, the moment the clock jumps past it.
 */
function instantOfWallTime(wallMs: number, zone: string): number {
  // The offset just before and just after: the candidates are the wall time read with either.
  const early = wallMs - (wallMsOf(wallMs - DAY_MINUTES * MINUTE_MS, zone) - (wallMs - DAY_MINUTES * MINUTE_MS));
  const late = wallMs - (wallMsOf(wallMs + DAY_MINUTES * MINUTE_MS, zone) - (wallMs + DAY_MINUTES * MINUTE_MS));
  const exact = [early, late].filter((instant) => wallMsOf(instant, zone) === wallMs).sort((a, b) => a - b);
  if (exact.length > 0) return exact[0]!;
  // In the skipped hour: the earliest instant (to the minute) whose wall time is past it.
  let low = Math.min(early, late);
  let high = Math.max(early, late);
  if (wallMsOf(low, zone) >= wallMs) return low;
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallMsOf(middle, zone) >= wallMs) high = middle;
    else low = middle;
  }
  return high;
}

/** The quiet window an instant falls in (its start and end, ms), or undefined when it falls in none. */
export function quietWindowAt(quiet: QuietHours, at: Date, zone: string = quiet.timeZone ?? 'UTC'): { readonly start: Date; readonly end: Date } | undefined {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return undefined;
  const { dayMs, minutes } = localTimeOf(at.getTime(), zone);
  const overnight = from > to;
  const inside = overnight ? minutes >= from || minutes < to : minutes >= from && minutes < to;
  if (!inside) return undefined;
  // The local day the window started on, and the day it ends on.
  const startDay = overnight && minutes < to ? dayMs - DAY_MINUTES * MINUTE_MS : dayMs;
  const endDay = overnight ? startDay + DAY_MINUTES * MINUTE_MS : startDay;
  const start = instantOfWallTime(startDay + from * MINUTE_MS, zone);
  const end = instantOfWallTime(endDay + to * MINUTE_MS, zone);
  // A wall time inside the skipped hour reads as inside a window that has in fact not begun or already ended.
  if (end <= at.getTime() || start > at.getTime()) return undefined;
  return { start: new Date(start), end: new Date(end) };
}

/** When the latest quiet window ended at or before `at` (within the last two days); undefined if none did. */
export function lastQuietEndBefore(quiet: QuietHours, at: Date, zone: string = quiet.timeZone ?? 'UTC'): Date | undefined {
  const to = minutesOf(quiet.to);
  if (to === minutesOf(quiet.from)) return undefined;
  const { dayMs } = localTimeOf(at.getTime(), zone);
  for (const day of [dayMs, dayMs - DAY_MINUTES * MINUTE_MS, dayMs - 2 * DAY_MINUTES * MINUTE_MS]) {
    const end = instantOfWallTime(day + to * MINUTE_MS, zone);
    if (end <= at.getTime()) return new Date(end);
  }
  return undefined;
}

/** Whether quiet hours hold an event of this severity at all (less severe than `below`). */
export function isHoldable(quiet: QuietHours, severity: Severity): boolean {
  return SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(quiet.below);
}

/**
 * Until when the route holds the event at `now`: the end of the quiet window it falls in when it is less severe than
 * `below`; undefined when it goes out now (no quiet hours, outside them, severe enough, or a test event: `npm start --
 * test` and the post-deploy check prove delivery now, whatever the hour).
 */
export function holdUntil(quiet: QuietHours | undefined, event: Pick<WatcherEvent, 'severity' | 'status'>, now: Date): Date | undefined {
  if (!quiet || !isHoldable(quiet, event.severity) || event.status === TEST_STATUS) return undefined;
  return quietWindowAt(quiet, now)?.end;
}

/** Why a quiet-hours setting cannot be used, or undefined (the config schema's check; the zone is checked there). */
export function quietHoursProblem(quiet: Pick<QuietHours, 'from' | 'to'>): string | undefined {
  if (quiet.from === quiet.to) return `"from" and "to" are both ${quiet.from}: give a window (e.g. 22:00 to 07:00)`;
  return undefined;
}
