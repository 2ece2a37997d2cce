// Texts and titles are cut to byte budgets when an event is made, so that no event outgrows SNS's 256 KB and no item
// (tracked state plus the outbox of one poll's events) outgrows DynamoDB's 400 KB; hashes still see the full text.
import { describe, expect, it } from 'vitest';
import { diffItems } from '../../functions/core/diff-items.js';
import { makeEvent } from '../../functions/core/event-factory.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { EVENT_BUDGETS, ITEM_EVENTS_MAX_BYTES } from '../../functions/core/text/event-budgets.js';
import { TRUNCATION_MARK, utf8Bytes } from '../../functions/core/text/truncate.js';
import type { TrackedItem } from '../../functions/core/tracked.js';
import {
  AUTH0_US_1_SOURCE as SOURCE,
  auth0Us1Context as ctx,
  incidentBuilder,
  itemUpdate as upd,
} from '../support/diff-context.js';
import { remember } from '../support/remember-changes.js';

const incident = incidentBuilder({ itemId: 'n3wincid3nt1', title: 'Elevated Errors in US-1' });
const jsonBytes = (value: unknown) => utf8Bytes(JSON.stringify(value));
/** Words, with some two- and three-byte characters, so cuts must respect UTF-8. */
const longText = (bytes: number, tail = '') => {
  const words = 'Elevated errors for User Authentication — logins fail in US-1 Production (é). ';
  return words.repeat(Math.ceil(bytes / utf8Bytes(words))) + tail;
};

const INVESTIGATING = upd('Investigating', '2026-10-06T10:35:00.000Z', 'We are investigating elevated error rates.');

describe('byte budgets of an event', () => {
  it('cut a 450 KB update text to 16 KiB in the event, marked as cut, while the item tracks the hash of the full text', () => {
    const huge = upd('Investigating', INVESTIGATING.at, longText(450 * 1024));
    const [change] = diffItems(ctx('2026-10-06T10:36:00Z'), new Map(), [incident([huge])]);
    const event = change!.events[0]!;
    expect(event.type).toBe('incident.opened');
    expect(utf8Bytes(event.update!.text)).toBeLessThanOrEqual(EVENT_BUDGETS.updateTextBytes);
    expect(event.update!.text.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(event.update!.text.includes('\uFFFD')).toBe(false);
    expect(jsonBytes(event)).toBeLessThan(20 * 1024);
    expect(jsonBytes(change!.next) + jsonBytes(change!.events)).toBeLessThan(24 * 1024);
  });

  it('still see an edit beyond the cut: a resolved incident rewritten at the end of a long text publishes its RCA', () => {
    const resolved = upd('Resolved', '2026-10-06T11:25:00.000Z', longText(100 * 1024, 'Resolved.'));
    const rewritten = upd('Resolved', resolved.at, longText(100 * 1024, 'Root cause: an expired certificate.'));
    let state = new Map<string, TrackedItem>();
    state = remember(state, diffItems(ctx('2026-10-06T10:36:00Z', true), state, [incident([INVESTIGATING])]));
    state = remember(state, diffItems(ctx('2026-10-06T11:26:00Z'), state, [incident([resolved, INVESTIGATING])]));
    const rca = diffItems(ctx('2026-10-20T00:00:00Z'), state, [incident([rewritten, INVESTIGATING])]);
    expect(rca.flatMap((c) => c.events).map((e) => e.type)).toEqual(['incident.rca_published']);
  });

  it('cut titles to 1 KiB in events and in the tracked state, and cap components, packages and labels', () => {
    const title = 'Elevated errors '.repeat(20_000);
    const [change] = diffItems(ctx('2026-10-06T10:36:00Z'), new Map(), [
      incident([upd('I'.repeat(5_000), INVESTIGATING.at, 'text')], {
        title,
        components: Array.from({ length: 5_000 }, (_, i) => `Component ${i} ${'x'.repeat(500)}`),
      }),
    ]);
    const event = change!.events[0]!;
    expect(utf8Bytes(event.title)).toBeLessThanOrEqual(EVENT_BUDGETS.titleBytes);
    expect(utf8Bytes(change!.next.title)).toBeLessThanOrEqual(EVENT_BUDGETS.titleBytes);
    expect(event.components).toHaveLength(EVENT_BUDGETS.maxComponents);
    expect(event.components!.every((name) => utf8Bytes(name) <= EVENT_BUDGETS.componentBytes)).toBe(true);
    expect(utf8Bytes(event.update!.label)).toBeLessThanOrEqual(EVENT_BUDGETS.updateLabelBytes);

    const advisory = makeEvent(SOURCE, 'advisory.published', 'published', new Date('2026-10-06T10:36:00Z'), {
      itemId: 'GHSA-xxxx-xxxx-xxxx',
      title: 'A',
      url: `https://github.com/advisories/${'x'.repeat(5_000)}`,
      severity: 'major',
      occurredAt: '2026-10-06T10:00:00Z',
      summary: 's'.repeat(10_000),
      packages: Array.from({ length: 500 }, (_, i) => ({ ecosystem: 'npm', name: `pkg-${i}-${'y'.repeat(1_000)}`, vulnerableRange: '< 1' })),
    });
    expect(advisory.packages).toHaveLength(EVENT_BUDGETS.maxPackages);
    expect(advisory.url).toBe(SOURCE.url); // a cut link would be a wrong link: the source's stands in
    expect(utf8Bytes(advisory.summary)).toBeLessThanOrEqual(EVENT_BUDGETS.summaryBytes);
  });

  it('keep the events one item yields in one poll within the item budget, however many long updates arrive at once', () => {
    const base = Date.parse('2026-10-06T10:40:00Z');
    const many = Array.from({ length: 30 }, (_, i) => upd('Update', new Date(base + i * 60_000).toISOString(), longText(40 * 1024)));
    let state = new Map<string, TrackedItem>();
    state = remember(state, diffItems(ctx('2026-10-06T10:36:00Z', true), state, [incident([INVESTIGATING])]));
    const [change] = diffItems(ctx('2026-10-06T11:15:00Z'), state, [incident([...many].reverse().concat(INVESTIGATING))]);
    const events: readonly WatcherEvent[] = change!.events;
    expect(events).toHaveLength(30);
    expect(events.reduce((sum, event) => sum + jsonBytes(event), 0)).toBeLessThanOrEqual(ITEM_EVENTS_MAX_BYTES);
    expect(events.every((event) => event.update!.text.endsWith(TRUNCATION_MARK) && utf8Bytes(event.update!.text) >= 1_000)).toBe(true);
  });

  it('leave ordinary events exactly as they were', () => {
    const [change] = diffItems(ctx('2026-10-06T10:36:00Z'), new Map(), [incident([INVESTIGATING], { components: ['Management API'] })]);
    expect(change!.events[0]).toMatchObject({ title: 'Elevated Errors in US-1', update: INVESTIGATING, components: ['Management API'] });
  });
});
