// The event chain: each event of a thread names the one announced before it; ids stay what they were.
import { describe, expect, it } from 'vitest';
import { chainEvents, linkTo, threadKeyOf } from '../../functions/core/event-chain.js';
import { EventSchemaError, parseWatcherEvent } from '../../functions/core/event-schema.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { sampleEvent } from '../support/sample-event.js';

const event = (id: string, occurredAt: string, over: Partial<WatcherEvent> = {}) =>
  sampleEvent({ id, occurredAt, detectedAt: '2026-10-06T11:00:00.000Z', ...over });

describe('chainEvents', () => {
  it('links the first new event to the thread’s last one and each later event to the one before it', () => {
    const last = { id: 'opened', detectedAt: '2026-10-06T09:42:00.000Z' };
    const { events, last: next } = chainEvents(last, [event('identified', '2026-10-06T10:12:00Z'), event('monitoring', '2026-10-06T10:48:00Z')]);
    expect(events.map((e) => [e.id, e.previous])).toEqual([
      ['identified', last],
      ['monitoring', { id: 'identified', detectedAt: '2026-10-06T11:00:00.000Z' }],
    ]);
    expect(next).toEqual({ id: 'monitoring', detectedAt: '2026-10-06T11:00:00.000Z' });
  });

  it('leaves a thread’s first event without a predecessor', () => {
    const { events } = chainEvents(undefined, [event('opened', '2026-10-06T09:41:00Z')]);
    expect(events[0]).not.toHaveProperty('previous');
  });

  it('chains in the order events are announced, by occurredAt, keeping the given order where times tie', () => {
    const { events } = chainEvents(undefined, [
      event('resolved', '2026-10-06T11:25:00Z'),
      event('tie-a', '2026-10-06T10:00:00Z'),
      event('tie-b', '2026-10-06T10:00:00Z'),
    ]);
    expect(events.map((e) => `${e.previous?.id ?? '-'}>${e.id}`)).toEqual(['->tie-a', 'tie-a>tie-b', 'tie-b>resolved']);
  });

  it('keeps the thread’s link when there are no new events', () => {
    const last = { id: 'opened', detectedAt: '2026-10-06T09:42:00.000Z' };
    expect(chainEvents(last, [])).toEqual({ events: [], last });
  });

  it('does not change the event ids or any other field', () => {
    const original = event('identified', '2026-10-06T10:12:00Z');
    const [stamped] = chainEvents({ id: 'opened', detectedAt: '2026-10-06T09:42:00.000Z' }, [original]).events;
    const { previous: _previous, ...rest } = stamped!;
    expect(rest).toEqual(original);
  });

  it('refuses events of two threads at once', () => {
    expect(() => chainEvents(undefined, [event('a', '2026-10-06T10:00:00Z'), event('b', '2026-10-06T10:01:00Z', { itemId: 'other' })])).toThrow(
      /one thread/,
    );
  });

  it('names a thread by source and item, and a link by id and detection time', () => {
    const e = event('x', '2026-10-06T10:00:00Z');
    expect(threadKeyOf(e)).toBe('auth0-status-us-1#rb4z1181bd4z');
    expect(linkTo(e)).toEqual({ id: 'x', detectedAt: '2026-10-06T11:00:00.000Z' });
  });
});

describe('the event schema with previous', () => {
  it('accepts an event naming its predecessor and keeps the link', () => {
    const previous = { id: 'opened', detectedAt: '2026-10-06T09:42:00.000Z' };
    expect(parseWatcherEvent(JSON.stringify(sampleEvent({ previous }))).previous).toEqual(previous);
  });

  it('accepts an event without previous, as published before the field existed', () => {
    expect(parseWatcherEvent(JSON.stringify(sampleEvent())).previous).toBeUndefined();
  });

  it('refuses a malformed link, naming the field', () => {
    const bad = (previous: unknown) => () => parseWatcherEvent(JSON.stringify({ ...sampleEvent(), previous }));
    expect(bad({ id: 'x' })).toThrow(EventSchemaError);
    expect(bad({ id: 'x' })).toThrow(/previous\.detectedAt: is required/);
    expect(bad({ id: '', detectedAt: '2026-10-06T09:42:00.000Z' })).toThrow(/previous\.id: must not be empty/);
    expect(bad('opened')).toThrow(/previous: must be an object/);
  });
});
