// The poll plan: every source due exactly at its cadence, the load spread over the minutes, and the scheduled time,
// never the clock, deciding which minute is dispatched. Also the plan as the dispatcher reads it from its bundle.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  duePolls,
  epochMinute,
  parseScheduledTime,
  planPolls,
  type PlannedSource,
  type PollPlan,
} from '../../functions/core/poll-plan.js';
import { compiledPollPlan, loadDispatchLambdaConfig } from '../../functions/dispatch/dispatch-lambda-config.js';
import { PollInvokeError, routePollInvoker, type PollInvoker } from '../../functions/dispatch/dispatch-polls.js';
import { configErrorOf } from '../support/config-error.js';

const MINUTE = 60_000;
/** A Monday midnight UTC; any start works, the plan is aligned to epoch minutes. */
const START = Date.UTC(2026, 10, 30);
const THREE_DAYS = 3 * 1440;
const at = (minute: number) => new Date(START + minute * MINUTE);

const sources = (count: number, everyMinutes: number, prefix = `every-${everyMinutes}`): PlannedSource[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, everyMinutes }));

/** The minutes (from START) at which each source is due, over `minutes` minutes. */
function dueMinutes(plan: PollPlan, minutes: number): Map<string, number[]> {
  const due = new Map<string, number[]>(plan.polls.map((p) => [p.id, []]));
  for (let minute = 0; minute < minutes; minute += 1) {
    for (const id of duePolls(plan, at(minute))) due.get(id)!.push(minute);
  }
  return due;
}

/** Sources due per minute over `minutes` minutes: the peak, the least and the average. */
function load(plan: PollPlan, minutes: number): { max: number; min: number; average: number } {
  const counts = Array.from({ length: minutes }, (_, minute) => duePolls(plan, at(minute)).length);
  return {
    max: Math.max(...counts),
    min: Math.min(...counts),
    average: counts.reduce((a, b) => a + b, 0) / minutes,
  };
}

describe('poll plan', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls every source exactly once in every run of its cadence, over three days, for cadences 1 to 1440', () => {
    const cadences = [1, 5, 7, 15, 60, 1440];
    // Several sources per cadence, interleaved in the config, so that slots are actually shared out.
    const plan = planPolls(cadences.flatMap((every) => sources(3, every)).sort((a, b) => a.id.localeCompare(b.id)));
    const due = dueMinutes(plan, THREE_DAYS);
    for (const { id, everyMinutes, slot } of plan.polls) {
      const minutes = due.get(id)!;
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(everyMinutes);
      // First poll within the first interval, then exactly one interval apart, the last within the last interval.
      expect(minutes[0]!, id).toBeLessThan(everyMinutes);
      expect(minutes.slice(1).map((m, i) => m - minutes[i]!).every((gap) => gap === everyMinutes), id).toBe(true);
      expect(THREE_DAYS - 1 - minutes.at(-1)!, id).toBeLessThan(everyMinutes);
      expect(minutes.length, id).toBe(Math.floor(THREE_DAYS / everyMinutes) + (minutes[0]! < THREE_DAYS % everyMinutes ? 1 : 0));
    }
    // A daily source once a day, a 7-minute one 617 or 618 times in three days.
    expect(due.get('every-1440-0')).toHaveLength(3);
    expect([617, 618]).toContain(due.get('every-7-0')!.length);
  });

  it('spreads 500 sources (10 every minute, 1 every 15, 1 every 60, 488 every 5) to at most 108 polls a minute, the average rounded up', () => {
    const plan = planPolls([
      ...sources(10, 1, 'status'),
      { id: 'changelog', everyMinutes: 15 },
      { id: 'advisories', everyMinutes: 60 },
      ...sources(488, 5, 'vendor'),
    ]);
    const { max, min, average } = load(plan, THREE_DAYS);
    // 10 + 1/15 + 1/60 + 488/5 = 107.68 polls a minute on average; all at the same minute would be 500.
    expect(average).toBeCloseTo(10 + 1 / 15 + 1 / 60 + 488 / 5, 6);
    expect(max).toBe(Math.ceil(average));
    expect(min).toBe(Math.floor(average));
  });

  it('spreads a cadence evenly even where the config interleaves it with another', () => {
    // Alternating 1- and 6-minute sources: a slot of "config index mod cadence" would give the 6-minute ones only the
    // even slots, 4 polls in half the minutes and none in the others.
    const interleaved = Array.from({ length: 24 }, (_, i) => ({ id: `s-${i}`, everyMinutes: i % 2 === 0 ? 1 : 6 }));
    expect(load(planPolls(interleaved), THREE_DAYS)).toEqual({ max: 14, min: 14, average: 14 });
  });

  it('keeps the peak within one poll of the average for a mix of cadences that do not divide each other', () => {
    const cadences = [1, 5, 7, 11, 13, 15, 60, 1440];
    const plan = planPolls(Array.from({ length: 500 }, (_, i) => ({ id: `s-${i}`, everyMinutes: cadences[i % cadences.length]! })));
    const { max, average } = load(plan, THREE_DAYS);
    expect(max).toBeLessThanOrEqual(Math.ceil(average) + 1);
  });

  it('gives the same slots for the same plan, in any container, whatever the clock says', () => {
    const input = [...sources(7, 1), ...sources(40, 5), ...sources(3, 15), ...sources(2, 60), ...sources(5, 1440)];
    const first = planPolls(input);
    vi.useFakeTimers({ now: Date.UTC(2031, 5, 1, 13, 37) });
    const again = planPolls(structuredClone(input));
    expect(again).toEqual(first);
    expect(again.polls.map((p) => p.id)).toEqual(input.map((s) => s.id));
  });

  it('dispatches the scheduled minute, not the current one: a late or retried dispatch of minute m gets minute m\'s sources', () => {
    const plan = planPolls([...sources(2, 1), ...sources(10, 5), ...sources(4, 15)]);
    const scheduled = at(7);
    const onTime = duePolls(plan, scheduled);
    expect(onTime.length).toBeGreaterThan(2);
    // Three minutes late, and again two hours later (a retry).
    vi.useFakeTimers({ now: scheduled.getTime() + 3 * MINUTE + 20_000 });
    expect(duePolls(plan, scheduled)).toEqual(onTime);
    vi.setSystemTime(scheduled.getTime() + 2 * 60 * MINUTE);
    expect(duePolls(plan, scheduled)).toEqual(onTime);
    // Seconds within the minute do not matter (a rate schedule fires at a fixed second); the next minute differs.
    expect(duePolls(plan, new Date(scheduled.getTime() + 59_999))).toEqual(onTime);
    expect(duePolls(plan, at(8))).not.toEqual(onTime);
  });

  it('lists the due sources in config order', () => {
    const plan = planPolls([{ id: 'z', everyMinutes: 1 }, { id: 'a', everyMinutes: 1 }, { id: 'm', everyMinutes: 1 }]);
    expect(duePolls(plan, at(0))).toEqual(['z', 'a', 'm']);
  });

  it('refuses a cadence outside 1 to 1440 minutes, a repeated id and an invalid scheduled time', () => {
    expect(() => planPolls([{ id: 'a', everyMinutes: 0 }])).toThrow(RangeError);
    expect(() => planPolls([{ id: 'a', everyMinutes: 1441 }])).toThrow('sources[0].everyMinutes must be a whole number from 1 to 1440');
    expect(() => planPolls([{ id: 'a', everyMinutes: 2.5 }])).toThrow(RangeError);
    expect(() => planPolls([{ id: 'a', everyMinutes: 1 }, { id: 'a', everyMinutes: 5 }])).toThrow('sources[1].id duplicates "a"');
    expect(() => duePolls(planPolls(sources(1, 1)), new Date(Number.NaN))).toThrow(RangeError);
  });

  it('reads the scheduled time of a Scheduler event, and nothing that is not an ISO date-time with a zone', () => {
    expect(parseScheduledTime('2026-11-30T06:07:00Z')?.toISOString()).toBe('2026-11-30T06:07:00.000Z');
    expect(parseScheduledTime('2026-11-30T07:07:00+01:00')?.toISOString()).toBe('2026-11-30T06:07:00.000Z');
    expect(epochMinute(parseScheduledTime('2026-11-30T06:07:42.5Z')!)).toBe(epochMinute(at(6 * 60 + 7)));
    for (const value of [undefined, '', '1', '<aws.scheduler.scheduled-time>', '2026-11-30T06:07:00', '2026-13-40T99:99:00Z', 1764482820000]) {
      expect(parseScheduledTime(value), String(value)).toBeUndefined();
    }
  });
});

describe('WATCHER_POLL_PLAN as the dispatcher reads it', () => {
  const PLAN = { sources: [{ id: 'auth0-status-us-1', everyMinutes: 1 }, { id: 'auth0-changelog', everyMinutes: 15 }] };
  const env = (plan: unknown) => ({ WATCHER_POLL_PLAN: JSON.stringify(plan), POLL_FUNCTION_NAME: 'arn:aws:lambda:us-east-1:000000000000:function:poll' });


  it('builds the plan from the sources in config order, frozen, with the poll function it invokes', () => {
    const config = loadDispatchLambdaConfig(env(PLAN));
    expect(config.pollFunctionName).toBe('arn:aws:lambda:us-east-1:000000000000:function:poll');
    expect(config.plan).toEqual(planPolls(PLAN.sources));
    expect(Object.isFrozen(config.plan.polls[0])).toBe(true);
    // Keys the plan does not use (a full source config) are left out; a source without a target is the poll function's.
    expect(compiledPollPlan(env({ sources: [{ ...PLAN.sources[0], type: 'auth0-status' }] }))).toEqual([{ ...PLAN.sources[0], target: 'poll' }]);
    expect(config.targetOf('auth0-status-us-1')).toBe('poll');
    expect(config.streamFunctionName).toBeUndefined();
  });

  it('sends a source marked "target": "stream" to the tenant-log function named by STREAM_FUNCTION_NAME', () => {
    const withStream = { sources: [...PLAN.sources, { id: 'acme-logs', everyMinutes: 5, target: 'stream' }] };
    const config = loadDispatchLambdaConfig({ ...env(withStream), STREAM_FUNCTION_NAME: 'arn:aws:lambda:us-east-1:000000000000:function:logs' });
    expect(config.streamFunctionName).toBe('arn:aws:lambda:us-east-1:000000000000:function:logs');
    expect(config.targetOf('acme-logs')).toBe('stream');
    expect(config.targetOf('auth0-changelog')).toBe('poll');
    // The slots are the plan's whatever the target: the stream source is planned like any other.
    expect(config.plan).toEqual(planPolls([...PLAN.sources, { id: 'acme-logs', everyMinutes: 5 }]));
    expect(configErrorOf(() => loadDispatchLambdaConfig(env(withStream)))).toBe(
      'environment variable STREAM_FUNCTION_NAME is required: the plan has stream sources (acme-logs)',
    );
    expect(configErrorOf(() => loadDispatchLambdaConfig(env({ sources: [{ id: 'a', everyMinutes: 5, target: 'digest' }] })))).toBe(
      'WATCHER_POLL_PLAN is not a plan the stack compiled: sources[0].target must be "poll", "stream" or "probe"',
    );
  });

  it('sends a source marked "target": "probe" to the probe function named by PROBE_FUNCTION_NAME, and requires it', () => {
    const withProbe = { sources: [...PLAN.sources, { id: 'login-us', everyMinutes: 1, target: 'probe' }] };
    const config = loadDispatchLambdaConfig({ ...env(withProbe), PROBE_FUNCTION_NAME: 'arn:aws:lambda:us-east-1:000000000000:function:probes' });
    expect(config.probeFunctionName).toBe('arn:aws:lambda:us-east-1:000000000000:function:probes');
    expect(config.targetOf('login-us')).toBe('probe');
    expect(config.targetOf('auth0-changelog')).toBe('poll');
    expect(configErrorOf(() => loadDispatchLambdaConfig(env(withProbe)))).toBe(
      'environment variable PROBE_FUNCTION_NAME is required: the plan has probe sources (login-us)',
    );
  });

  it('refuses a plan the stack did not compile, naming the field', () => {
    const error = (plan: unknown) => configErrorOf(() => loadDispatchLambdaConfig(env(plan)));
    expect(error([])).toBe('WATCHER_POLL_PLAN is not a plan the stack compiled: (plan) must be an object');
    expect(error({ sources: [] })).toContain('sources must be a non-empty list');
    expect(error({ sources: [{ id: 'a' }] })).toContain('sources[0].everyMinutes must be a whole number of minutes from 1 to 1440');
    expect(error({ sources: [{ id: 'a', everyMinutes: '5' }] })).toContain('sources[0].everyMinutes');
    expect(error({ sources: [{ id: 'a', everyMinutes: 1 }, { id: 'a', everyMinutes: 5 }] })).toContain('sources[1].id duplicates "a"');
    expect(error({ sources: [{ everyMinutes: 5 }] })).toContain('sources[0].id must be a non-empty string');
    expect(configErrorOf(() => loadDispatchLambdaConfig({ ...env(PLAN), WATCHER_POLL_PLAN: '{' }))).toContain('WATCHER_POLL_PLAN is not valid JSON');
    expect(configErrorOf(() => loadDispatchLambdaConfig({ POLL_FUNCTION_NAME: 'poll' }))).toBe('environment variable WATCHER_POLL_PLAN is required');
    expect(configErrorOf(() => loadDispatchLambdaConfig({ WATCHER_POLL_PLAN: JSON.stringify(PLAN) }))).toBe(
      'environment variable POLL_FUNCTION_NAME is required',
    );
  });
});

describe('routing a due source to the function that runs it', () => {
  const recorder = () => {
    const ids: string[] = [];
    const invoker: PollInvoker = { invoke: async (id) => void ids.push(id) };
    return { ids, invoker };
  };
  const targetOf = (id: string) => (id.endsWith('-logs') ? 'stream' : 'poll');

  it("hands each source to its target's invoker only", async () => {
    const poll = recorder();
    const stream = recorder();
    const invoker = routePollInvoker({ poll: poll.invoker, stream: stream.invoker }, targetOf);
    for (const id of ['status', 'acme-logs', 'changelog']) await invoker.invoke(id);
    expect(poll.ids).toEqual(['status', 'changelog']);
    expect(stream.ids).toEqual(['acme-logs']);
  });

  it('refuses a source whose target has no function, naming the source and the target', async () => {
    const invoker = routePollInvoker({ poll: recorder().invoker }, targetOf);
    const refused = invoker.invoke('acme-logs');
    await expect(refused).rejects.toBeInstanceOf(PollInvokeError);
    await expect(refused).rejects.toThrow('poll of source acme-logs was not invoked: no function is configured for stream sources');
  });
});
