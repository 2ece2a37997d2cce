// The event-type table: one row per type, demanded by the compiler, and every renderer showing every type from it.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { renderDigest } from '../../functions/core/digest.js';
import { renderEmailText, renderSubject } from '../../functions/core/event-text.js';
import {
  DIGEST_ACTIVITIES,
  EVENT_TYPE_FACTS,
  EVENT_TYPES,
  describeEventType,
  familyOf,
  isBroadcast,
  type EventType,
  type EventTypeFacts,
} from '../../functions/core/event-types.js';
import { EVENT_TYPES as MODEL_EVENT_TYPES, type WatcherEvent } from '../../functions/core/model.js';
import { renderReply, renderRoot, renderStandalone, threadStateFrom } from '../../functions/core/slack-message.js';
import { sampleEvent } from '../support/sample-event.js';

/** An event of `type` with a title no other test text contains, to find it in what is rendered. */
function eventOf(type: EventType): WatcherEvent {
  return sampleEvent({ id: `id-${type}`, type, itemId: `item-${type}`, title: `The ${type} item`, status: undefined });
}

describe('the event-type table', () => {
  it('makes the compiler demand a row for every event type, of the right family', () => {
    const { 'source.recovered': _dropped, ...withoutOne } = EVENT_TYPE_FACTS;
    // @ts-expect-error -- a table without a row for source.recovered is not a table of every event type.
    const incomplete: { readonly [T in EventType]: EventTypeFacts<T> } = withoutOne;
    expect(Object.keys(incomplete)).toHaveLength(EVENT_TYPES.length - 1);

    const wrongFamily: EventTypeFacts<'incident.opened'> = {
      ...EVENT_TYPE_FACTS['incident.opened'],
      // @ts-expect-error -- a row's family is its type's prefix.
      family: 'maintenance',
    };
    expect(wrongFamily.family).toBe('maintenance');

    expectTypeOf<keyof typeof EVENT_TYPE_FACTS>().toEqualTypeOf<EventType>();
    expectTypeOf(EVENT_TYPES).toEqualTypeOf<readonly [EventType, ...EventType[]]>();
  });

  it('lists every type once, in the order of the README and of the model', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(MODEL_EVENT_TYPES).toBe(EVENT_TYPES);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const listed = /^Types: ([\s\S]*?)\.\n/m.exec(readme)?.[1] ?? '';
    expect([...listed.matchAll(/`([a-z_.]+)`/g)].map((match) => match[1])).toEqual(EVENT_TYPES);
  });

  it.each(EVENT_TYPES.map((type) => [type]))('gives %s a family, phrase, implied status, reply label and digest section', (type) => {
    const facts = EVENT_TYPE_FACTS[type];
    expect(facts.family).toBe(type.slice(0, type.indexOf('.')));
    expect(familyOf(type)).toBe(facts.family);
    expect(describeEventType(type)).toBe(facts.phrase);
    expect(facts.phrase).toMatch(/^[a-z][a-z -]+[a-z]$/);
    expect(facts.impliedStatus).not.toBe('');
    expect(facts.replyLabel).not.toBe('');
    expect(['updates', 'resolved', 'rca', 'change-log', 'advisories', 'health', 'tenant']).toContain(facts.digest.section);
    if (facts.digest.activity !== undefined) expect(DIGEST_ACTIVITIES).toContain(facts.digest.activity);
  });

  it('gives every type its own phrase', () => {
    expect(new Set(EVENT_TYPES.map(describeEventType)).size).toBe(EVENT_TYPES.length);
  });

  it('broadcasts the resolution, the root-cause analysis, recoveries and probe milestones, and ends items with recoveries and a completion', () => {
    expect(EVENT_TYPES.filter(isBroadcast)).toEqual([
      'incident.resolved',
      'incident.rca_published',
      'source.recovered',
      'tenant.rate_limit_recovered',
      'tenant.check_passed',
      'synthetic.failing',
      'synthetic.misconfigured',
      'synthetic.recovered',
      'deprecation.eol_approaching',
    ]);
    expect(EVENT_TYPES.filter((type) => EVENT_TYPE_FACTS[type].endsItem)).toEqual([
      'incident.resolved',
      'incident.rca_published',
      'maintenance.completed',
      'source.recovered',
      'tenant.rate_limit_recovered',
      'tenant.check_passed',
      'synthetic.recovered',
    ]);
  });
});

describe('every event type reaches every renderer', () => {
  it.each(EVENT_TYPES.map((type) => [type]))('shows %s in a digest, counted and named', (type) => {
    const digest = renderDigest({
      frequency: 'daily',
      from: '2026-04-22T00:00:00Z',
      to: '2026-04-23T00:00:00Z',
      generatedAt: '2026-04-23T00:10:00Z',
      timeZone: 'UTC',
      events: [eventOf(type)],
      openItems: [],
      rcaOwed: [],
      sources: [],
    });
    expect(digest.counts).toEqual({ [type]: 1 });
    expect(digest.quiet).toBe(false);
    expect(digest.text).toContain(`The ${type} item`);
  });

  it.each(EVENT_TYPES.map((type) => [type]))('names %s by its phrase in email and Slack, and replies with its label', (type) => {
    const event = eventOf(type);
    const { phrase, replyLabel, replyUsesVendorLabel } = EVENT_TYPE_FACTS[type];
    // The watcher's own health names the watcher instead of a vendor and a phrase.
    const named = type.startsWith('source.') ? `Watcher: The ${type} item` : ` ${phrase}: `;
    expect(renderSubject(event)).toContain(named);
    expect(renderEmailText(event).split('\n')[0]).toBe(type.startsWith('source.') ? named : `Auth0 ${phrase}: The ${type} item`);
    expect(renderStandalone(event).text).toContain(named);
    expect(renderRoot(threadStateFrom(undefined, event)).text).toContain(named);
    const reply = JSON.stringify(renderReply({ ...event, update: { ...event.update!, label: '' } }).blocks);
    expect(reply).toContain(`*${replyLabel}*`);
    if (replyUsesVendorLabel) expect(JSON.stringify(renderReply(event).blocks)).toContain(`*${event.update!.label}*`);
  });

  it.each(EVENT_TYPES.map((type) => [type]))('shows the status %s implies when the vendor gave none', (type) => {
    expect(renderEmailText(eventOf(type))).toContain(`\nStatus: ${EVENT_TYPE_FACTS[type].impliedStatus}\n`);
  });
});
