// The poll plan, purely: which sources are due in a given minute. The dispatcher runs it once a minute and invokes
// the poll function once per due source; a source's slot spreads sources of one cadence over their interval.

/** A source as the plan sees it: its id and its cadence in whole minutes. */
export interface PlannedSource {
  readonly id: string;
  /** Whole minutes from 1 to {@link MAX_EVERY_MINUTES}. */
  readonly everyMinutes: number;
}

/** A source with its slot: it is due at every epoch minute `m` with `m % everyMinutes === slot`. */
export interface ScheduledPoll extends PlannedSource {
  /** From 0 to `everyMinutes - 1`. */
  readonly slot: number;
}

/** Every source with its slot, in config order. Build it once with {@link planPolls}. */
export interface PollPlan {
  readonly polls: readonly ScheduledPoll[];
}

/** The longest cadence: once a day. */
export const MAX_EVERY_MINUTES = 1440;

/**
 * The longest stretch of minutes the slots are balanced over: a week, which holds a whole period of any mix of
 * cadences that divide a day, plus 7-minute ones. Beyond it (cadences such as 7, 11 and 13 together) the balance is
 * measured on the first week only and is approximate; the cadences stay exact whatever the slots.
 */
export const BALANCING_HORIZON_MINUTES = 7 * MAX_EVERY_MINUTES;

const MINUTE_MS = 60_000;

/**
 * Gives each source a slot. Any slot in `[0, everyMinutes)` polls a source exactly once in every `everyMinutes`
 * consecutive minutes; the choice only decides how evenly the polls fall on the minutes (the account's concurrency may
 * be as low as 10). The rule, greedy least-loaded:
 *
 * 1. take the sources by cadence, shortest first, in config order within a cadence (short cadences have the fewest
 *    slots to choose from, long ones fill the gaps they leave);
 * 2. give each the slot whose minutes carry the fewest polls so far: the lowest peak, then the lowest total, then the
 *    lowest slot, counted over one period of the load (the least common multiple of the cadences, at most
 *    {@link BALANCING_HORIZON_MINUTES}).
 *
 * A cadence group is therefore spread round-robin (its slots' counts differ by at most one), and where groups meet,
 * one group's extra polls go to the minutes another left light. Only the list decides the slots, never the clock: the
 * same list gives the same plan in every container. A config change can move slots, so a moved source's next
 * interval is once shorter or longer (never more than twice its cadence).
 * Throws `RangeError` for a cadence that is not a whole number from 1 to 1440, or an empty or repeated id.
 */
export function planPolls(sources: readonly PlannedSource[]): PollPlan {
  const ids = new Set<string>();
  for (const [index, { id, everyMinutes }] of sources.entries()) {
    if (typeof id !== 'string' || id === '') throw new RangeError(`sources[${index}].id must be a non-empty string`);
    if (ids.has(id)) throw new RangeError(`sources[${index}].id duplicates "${id}"`);
    ids.add(id);
    if (!isCadence(everyMinutes)) {
      throw new RangeError(`sources[${index}].everyMinutes must be a whole number from 1 to ${MAX_EVERY_MINUTES}, not ${everyMinutes}`);
    }
  }

  const horizon = balancingHorizon(sources.map((source) => source.everyMinutes));
  const load = new Uint32Array(horizon);
  const slots = new Array<number>(sources.length);
  const order = sources.map((_, index) => index).sort((a, b) => sources[a]!.everyMinutes - sources[b]!.everyMinutes || a - b);
  for (const index of order) {
    const every = sources[index]!.everyMinutes;
    let best = 0;
    let bestPeak = Infinity;
    let bestTotal = Infinity;
    for (let slot = 0; slot < every; slot += 1) {
      let peak = 0;
      let total = 0;
      for (let minute = slot; minute < horizon; minute += every) {
        const polls = load[minute]!;
        if (polls > peak) peak = polls;
        total += polls;
      }
      if (peak < bestPeak || (peak === bestPeak && total < bestTotal)) {
        best = slot;
        bestPeak = peak;
        bestTotal = total;
      }
    }
    for (let minute = best; minute < horizon; minute += every) load[minute]! += 1;
    slots[index] = best;
  }
  return Object.freeze({
    polls: Object.freeze(sources.map(({ id, everyMinutes }, index) => Object.freeze({ id, everyMinutes, slot: slots[index]! }))),
  });
}

/**
 * The ids of the sources due in the minute of `scheduledTime`, in config order. The minute is the time's, not the
 * clock's: a dispatch that runs late or is retried dispatches the same sources as it would have on time.
 */
export function duePolls(plan: PollPlan, scheduledTime: Date): string[] {
  const minute = epochMinute(scheduledTime);
  return plan.polls.filter((poll) => minute % poll.everyMinutes === poll.slot).map((poll) => poll.id);
}

/** Whole minutes since 1970-01-01T00:00Z, rounded down (seconds are ignored). Throws `RangeError` for an invalid date. */
export function epochMinute(time: Date): number {
  const ms = time.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('scheduled time is not a valid date');
  return Math.floor(ms / MINUTE_MS);
}

/** An ISO 8601 date-time with a zone, as EventBridge Scheduler's `<aws.scheduler.scheduled-time>` gives it. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The scheduled time of a dispatch event, or `undefined` when it is missing or not an ISO date-time with a zone (an
 * unsubstituted `<aws.scheduler.scheduled-time>` placeholder, a hand-made test event). Strict, because `Date.parse`
 * would read `"1"` as the year 2001.
 */
export function parseScheduledTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return undefined;
  const time = new Date(value);
  return Number.isFinite(time.getTime()) ? time : undefined;
}

function isCadence(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_EVERY_MINUTES;
}

/** The period of the per-minute load (the cadences' least common multiple), capped at a week. */
function balancingHorizon(cadences: readonly number[]): number {
  let period = 1;
  for (const every of new Set(cadences)) {
    period = (period / gcd(period, every)) * every;
    if (period > BALANCING_HORIZON_MINUTES) return BALANCING_HORIZON_MINUTES;
  }
  return period;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
