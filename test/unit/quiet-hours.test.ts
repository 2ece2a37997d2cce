// Quiet hours and snoozes, the pure rules: the window maths (overnight, time zones, daylight-saving changes), which
// events are held, the duration syntax, which events a snooze mutes, and the config keys.
import { describe, expect, it } from 'vitest';
import { webhookChannel } from '../../functions/channels/webhook/plugin.js';
import { parseConfig } from '../../functions/config/config.js';
import { loadRouteLambdaConfig } from '../../functions/config/lambda-config.js';
import { holdUntil, lastQuietEndBefore, quietWindowAt, type QuietHours } from '../../functions/core/quiet-hours.js';
import { parseDuration, snoozeMutes, snoozeThreadOf } from '../../functions/core/snooze.js';
import { configErrorOf } from '../support/config-error.js';
import { sampleEvent } from '../support/sample-event.js';

const berlinNights: QuietHours = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin', below: 'critical' };
const at = (iso: string) => new Date(iso);
const windowAt = (quiet: QuietHours, iso: string) => {
  const window = quietWindowAt(quiet, at(iso));
  return window && { start: window.start.toISOString(), end: window.end.toISOString() };
};

describe('the quiet window an instant falls in', () => {
  it('spans midnight in the route’s zone: 22:00 to 07:00 Berlin is 21:00Z to 06:00Z in winter', () => {
    expect(windowAt(berlinNights, '2026-01-14T23:30:00Z')).toEqual({ start: '2026-01-14T21:00:00.000Z', end: '2026-01-15T06:00:00.000Z' });
    // After midnight the window is the one that began the evening before.
    expect(windowAt(berlinNights, '2026-01-15T05:59:00Z')).toEqual({ start: '2026-01-14T21:00:00.000Z', end: '2026-01-15T06:00:00.000Z' });
  });

  it('is none outside the hours, and none at the very minute they end', () => {
    expect(windowAt(berlinNights, '2026-01-15T06:00:00Z')).toBeUndefined();
    expect(windowAt(berlinNights, '2026-01-15T12:00:00Z')).toBeUndefined();
    expect(windowAt(berlinNights, '2026-01-14T20:59:00Z')).toBeUndefined();
  });

  it('follows summer time: the same hours are 20:00Z to 05:00Z in July', () => {
    expect(windowAt(berlinNights, '2026-07-01T20:00:00Z')).toEqual({ start: '2026-07-01T20:00:00.000Z', end: '2026-07-02T05:00:00.000Z' });
  });

  it('is an hour shorter on the night the clocks go forward, and an hour longer when they go back', () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST.
    expect(windowAt(berlinNights, '2026-03-29T02:00:00Z')).toEqual({ start: '2026-03-28T21:00:00.000Z', end: '2026-03-29T05:00:00.000Z' });
    // 25 October 2026: 03:00 CEST becomes 02:00 CET.
    expect(windowAt(berlinNights, '2026-10-25T02:00:00Z')).toEqual({ start: '2026-10-24T20:00:00.000Z', end: '2026-10-25T06:00:00.000Z' });
  });

  it('starts when the clock jumps past a start time that does not exist that night', () => {
    const early: QuietHours = { from: '02:30', to: '06:00', timeZone: 'Europe/Berlin', below: 'major' };
    expect(windowAt(early, '2026-03-29T00:45:00Z')).toBeUndefined(); // 01:45 CET
    expect(windowAt(early, '2026-03-29T01:00:00Z')).toEqual({ start: '2026-03-29T01:00:00.000Z', end: '2026-03-29T04:00:00.000Z' });
  });

  it('ends at the first of two 02:30s when the clock goes back', () => {
    const late: QuietHours = { from: '01:00', to: '02:30', timeZone: 'Europe/Berlin', below: 'major' };
    expect(windowAt(late, '2026-10-25T00:15:00Z')).toEqual({ start: '2026-10-24T23:00:00.000Z', end: '2026-10-25T00:30:00.000Z' });
    // 02:15 CET, the second time round: the hours are over.
    expect(windowAt(late, '2026-10-25T01:15:00Z')).toBeUndefined();
  });

  it('reads a daytime window and another zone alike', () => {
    const lunch: QuietHours = { from: '12:00', to: '14:00', timeZone: 'America/New_York', below: 'major' };
    expect(windowAt(lunch, '2026-01-15T17:30:00Z')).toEqual({ start: '2026-01-15T17:00:00.000Z', end: '2026-01-15T19:00:00.000Z' });
    expect(windowAt(lunch, '2026-01-15T12:30:00Z')).toBeUndefined();
    expect(windowAt({ ...lunch, timeZone: undefined }, '2026-01-15T12:30:00Z')).toEqual({ start: '2026-01-15T12:00:00.000Z', end: '2026-01-15T14:00:00.000Z' });
  });

  it('knows when the latest quiet hours ended: this morning, or yesterday’s while they run', () => {
    expect(lastQuietEndBefore(berlinNights, at('2026-01-15T10:00:00Z'))?.toISOString()).toBe('2026-01-15T06:00:00.000Z');
    expect(lastQuietEndBefore(berlinNights, at('2026-01-15T05:00:00Z'))?.toISOString()).toBe('2026-01-14T06:00:00.000Z');
  });
});

describe('which events quiet hours hold', () => {
  const night = at('2026-01-14T23:30:00Z');
  it('holds an event less severe than "below" until the hours end', () => {
    expect(holdUntil(berlinNights, { severity: 'major' }, night)?.toISOString()).toBe('2026-01-15T06:00:00.000Z');
    expect(holdUntil({ ...berlinNights, below: 'minor' }, { severity: 'info' }, night)?.toISOString()).toBe('2026-01-15T06:00:00.000Z');
  });

  it('lets an event at or above "below" go at once', () => {
    expect(holdUntil(berlinNights, { severity: 'critical' }, night)).toBeUndefined();
    expect(holdUntil({ ...berlinNights, below: 'major' }, { severity: 'major' }, night)).toBeUndefined();
  });

  it('never holds a test event: a test send or the post-deploy check proves delivery now', () => {
    expect(holdUntil(berlinNights, { severity: 'info', status: 'test' }, night)).toBeUndefined();
  });

  it('holds nothing outside the hours or without them', () => {
    expect(holdUntil(berlinNights, { severity: 'info' }, at('2026-01-15T12:00:00Z'))).toBeUndefined();
    expect(holdUntil(undefined, { severity: 'info' }, night)).toBeUndefined();
  });
});

describe('snooze durations', () => {
  it('reads minutes, hours and days', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('4h')).toBe(4 * 3_600_000);
    expect(parseDuration('2d')).toBe(2 * 86_400_000);
  });

  it('refuses what is not a duration, none at all, and more than a week, saying why', () => {
    expect(() => parseDuration('4 hours')).toThrow('"4 hours" is not a duration: use minutes, hours or days, e.g. 30m, 4h, 2d');
    expect(() => parseDuration('0m')).toThrow('at least 1m');
    expect(() => parseDuration('8d')).toThrow('longer than the longest snooze, 7d');
    expect(() => parseDuration('h')).toThrow('is not a duration');
  });
});

describe('which events a snooze mutes', () => {
  const now = at('2026-04-22T20:00:00Z');
  const update = sampleEvent({ type: 'incident.updated', severity: 'major' });
  const snooze = { thread: snoozeThreadOf(update.source, undefined, update.itemId), route: 'oncall', until: '2026-04-23T00:00:00Z' };

  it('mutes a non-final update of the snoozed incident on the snoozed route once the route has seen the incident', () => {
    expect(snoozeMutes(snooze, update, 'oncall', now, true)).toBe(true);
    expect(snoozeMutes({ ...snooze, route: '*' }, update, 'incidents', now, true)).toBe(true);
  });

  it('never mutes the event that ends the incident, nor one the route would see first', () => {
    for (const type of ['incident.resolved', 'incident.rca_published', 'maintenance.completed', 'source.recovered'] as const) {
      expect(snoozeMutes(snooze, { ...update, type }, 'oncall', now, true)).toBe(false);
    }
    expect(snoozeMutes(snooze, update, 'oncall', now, false)).toBe(false);
  });

  it('leaves other routes, other incidents, and everything after it ends alone', () => {
    expect(snoozeMutes(snooze, update, 'incidents', now, true)).toBe(false);
    expect(snoozeMutes(snooze, { ...update, itemId: 'other' }, 'oncall', now, true)).toBe(false);
    expect(snoozeMutes(snooze, update, 'oncall', at('2026-04-23T00:00:00Z'), true)).toBe(false);
  });

  it('matches an incident by its scope, whichever regional source saw the event', () => {
    const scoped = { ...snooze, thread: snoozeThreadOf('auth0-status-us-1', '@status.auth0.com', update.itemId) };
    expect(snoozeMutes(scoped, { ...update, source: 'auth0-status-eu', scope: '@status.auth0.com' }, 'oncall', now, true)).toBe(true);
  });
});

describe('quietHours in a route’s rules', () => {
  const sources = [{ id: 'github', type: 'statuspage', url: 'https://www.githubstatus.com/history.atom' }];
  const route = (quietHours: unknown) => ({ type: 'webhook', id: 'oncall', url: 'https://hooks.example.com/watcher', secret: 'env:HOOK_SECRET', rules: { quietHours } });

  it('takes the config’s zone when the route names none (UTC without one)', () => {
    const config = parseConfig({ sources, outputs: [route({ from: '22:00', to: '07:00', below: 'critical' })] }, '/tmp');
    const rules = (config.outputs[0] as { rules: { quietHours?: QuietHours } }).rules;
    expect(rules.quietHours).toEqual({ from: '22:00', to: '07:00', below: 'critical', timeZone: 'UTC' });
  });

  it('takes the config’s top-level timeZone, and keeps its own when it names one', () => {
    const config = parseConfig(
      {
        timeZone: 'Pacific/Auckland',
        sources,
        outputs: [route({ from: '22:00', to: '07:00', below: 'critical' }), { ...route({ from: '23:00', to: '06:00', timeZone: 'Europe/Berlin', below: 'major' }), id: 'eu' }],
      },
      '/tmp',
    );
    const zones = config.outputs.map((output) => (output as { rules: { quietHours?: QuietHours } }).rules.quietHours?.timeZone);
    expect(zones).toEqual(['Pacific/Auckland', 'Europe/Berlin']);
  });

  it('is a channel route’s: email alerts, which SNS delivers at once, refuse it', () => {
    const alerts = [{ addresses: ['oncall@example.com'], rules: { quietHours: { from: '22:00', to: '07:00', below: 'critical' } } }];
    expect(configErrorOf(() => parseConfig({ sources, email: { alerts } }, '/tmp'))).toContain('email.alerts[0].rules');
  });

  it('refuses a time that is not HH:MM, an unknown zone, "below" info and an empty window, naming the field', () => {
    expect(configErrorOf(() => parseConfig({ sources, outputs: [route({ from: '25:00', to: '07:00', below: 'critical' })] }, '/tmp'))).toContain('outputs[0].rules.quietHours.from');
    expect(configErrorOf(() => parseConfig({ sources, outputs: [route({ from: '22:00', to: '07:00', timeZone: 'Mars/Olympus', below: 'critical' })] }, '/tmp'))).toContain('outputs[0].rules.quietHours.timeZone');
    expect(configErrorOf(() => parseConfig({ sources, outputs: [route({ from: '22:00', to: '07:00', below: 'info' })] }, '/tmp'))).toContain('outputs[0].rules.quietHours.below');
    expect(configErrorOf(() => parseConfig({ sources, outputs: [route({ from: '22:00', to: '22:00', below: 'major' })] }, '/tmp'))).toContain('outputs[0].rules.quietHours.to');
  });

  it('is checked again at a notifier’s cold start: a ROUTE without the zone the config fills in is refused', () => {
    const route = { type: 'webhook', id: 'oncall', url: 'https://hooks.example.com/watcher', secret: 'ssm:/watcher/hook', rules: { quietHours: { from: '22:00', to: '7:00', below: 'critical' } } };
    const load = (quietHours: object) => () => loadRouteLambdaConfig(webhookChannel, { TABLE_NAME: 't', ROUTE: JSON.stringify({ ...route, rules: { quietHours } }) });
    expect(load({ from: '22:00', to: '7:00', below: 'critical', timeZone: 'UTC' })).toThrow('invalid ROUTE: rules.quietHours.to must be a time of day, HH:MM');
    expect(load({ from: '22:00', to: '07:00', below: 'critical' })).toThrow('invalid ROUTE: rules.quietHours.timeZone must be a time zone');
    expect(load({ from: '22:00', to: '07:00', below: 'critical', timeZone: 'Europe/Berlin' })().route.rules.quietHours?.timeZone).toBe('Europe/Berlin');
  });
});
