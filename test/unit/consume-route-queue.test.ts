// The ordering gate of a queue-fed route, with in-memory fakes of the ledger, the event log and the delivery.
import { describe, expect, it } from 'vitest';
import { chainEvents } from '../../functions/core/event-chain.js';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import type { RouteRules } from '../../functions/core/routing.js';
import {
  DEFAULT_ROUTE_QUEUE_SETTINGS,
  makeRouteQueueConsumer,
  type QueueRecord,
  type RouteQueueSettings,
} from '../../functions/channels/consume-route-queue.js';
import { sampleEvent } from '../support/sample-event.js';

const NOW = Date.parse('2026-10-06T12:00:00Z');
const LOOKS = DEFAULT_ROUTE_QUEUE_SETTINGS.predecessorWaitMs / DEFAULT_ROUTE_QUEUE_SETTINGS.predecessorLookIntervalMs;

/** One incident's events as the poller announces them, one poll each, chained. */
function incident(itemId: string): Record<'opened' | 'identified' | 'monitoring' | 'resolved' | 'rca', WatcherEvent> {
  // Vendor times as written; detected by polls a couple of minutes apart, shortly before NOW.
  const steps = [
    ['opened', 'incident.opened', 'Investigating', '09:41', '11:50'],
    ['identified', 'incident.updated', 'Identified', '10:12', '11:52'],
    ['monitoring', 'incident.updated', 'Monitoring', '10:48', '11:54'],
    ['resolved', 'incident.resolved', 'Resolved', '11:25', '11:56'],
    ['rca', 'incident.rca_published', 'Postmortem', '11:50', '11:58'],
  ] as const;
  let last;
  const out: Partial<Record<(typeof steps)[number][0], WatcherEvent>> = {};
  for (const [name, type, label, time, detectedTime] of steps) {
    const at = `2026-10-06T${time}:00.000Z`;
    const detected = `2026-10-06T${detectedTime}:30.000Z`;
    const event = sampleEvent({ id: `${itemId}-${name}`, type, itemId, occurredAt: at, detectedAt: detected, update: { label, at, text: `${label}.` } });
    const chained = chainEvents(last, [event]);
    out[name] = chained.events[0]!;
    last = chained.last;
  }
  return out as Record<(typeof steps)[number][0], WatcherEvent>;
}

const record = (event: WatcherEvent, sentAgoMs = 60_000, messageId = `m-${event.id}`): QueueRecord => ({
  messageId,
  body: JSON.stringify(event),
  attributes: { SentTimestamp: String(NOW - sentAgoMs) },
});

interface Harness {
  readonly delivered: string[];
  readonly ledger: Set<string>;
  readonly log: Map<string, WatcherEvent>;
  readonly logs: Array<{ level: string; message: string; keys: Record<string, unknown> }>;
  sleeps: number;
  consume(records: readonly QueueRecord[], timeLeftMs?: () => number): Promise<string[]>;
}

function harness(
  options: {
    rules?: RouteRules;
    settings?: Partial<RouteQueueSettings>;
    /** Thrown instead of delivering these event ids. */
    failing?: Record<string, Error>;
    /** Runs at each look while waiting: a concurrent invocation at work. */
    onSleep?: (h: Harness) => void;
    logged?: readonly WatcherEvent[];
  } = {},
): Harness {
  const logs: Harness['logs'] = [];
  const logger: Logger = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (message: string, keys: Record<string, unknown> = {}) => logs.push({ level, message, keys })]),
  ) as unknown as Logger;
  const h: Harness = {
    delivered: [],
    ledger: new Set(),
    log: new Map((options.logged ?? []).map((e) => [e.id, e])),
    logs,
    sleeps: 0,
    async consume(records, timeLeftMs) {
      const response = await consumer(records, timeLeftMs);
      return response.batchItemFailures.map((f) => f.itemIdentifier);
    },
  };
  const consumer = makeRouteQueueConsumer({
    routeId: 'incidents',
    rules: options.rules ?? {},
    async deliver(event) {
      const failure = options.failing?.[event.id];
      if (failure) throw failure;
      if (h.ledger.has(event.id)) return 'duplicate';
      h.delivered.push(event.id);
      h.ledger.add(event.id);
      return 'posted';
    },
    ledger: { isDelivered: async (eventId) => h.ledger.has(eventId) },
    eventLog: { getLoggedEvent: async (link) => h.log.get(link.id) },
    clock: { now: () => new Date(NOW) },
    logger,
    settings: options.settings,
    async sleep() {
      h.sleeps += 1;
      options.onSleep?.(h);
    },
  });
  return h;
}

const all = (e: ReturnType<typeof incident>) => Object.values(e);

describe('ordering within a batch', () => {
  it('delivers one incident’s records in thread order whatever order they arrive in', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    const failed = await h.consume([a.resolved, a.monitoring, a.opened, a.rca, a.identified].map((e) => record(e)));
    expect(failed).toEqual([]);
    expect(h.delivered).toEqual(['inc1-opened', 'inc1-identified', 'inc1-monitoring', 'inc1-resolved', 'inc1-rca']);
    expect(h.sleeps).toBe(0);
  });

  it('keeps each thread in order and the threads apart when a batch mixes two incidents', async () => {
    const a = incident('inc1');
    const b = incident('inc2');
    const h = harness({ logged: [...all(a), ...all(b)] });
    await h.consume([b.identified, a.identified, b.opened, a.opened].map((e) => record(e)));
    expect(h.delivered.filter((id) => id.startsWith('inc1'))).toEqual(['inc1-opened', 'inc1-identified']);
    expect(h.delivered.filter((id) => id.startsWith('inc2'))).toEqual(['inc2-opened', 'inc2-identified']);
  });

  it('follows the links where detection and occurrence times tie (events of one poll)', async () => {
    const same = { detectedAt: '2026-10-06T11:00:00.000Z', occurredAt: '2026-10-06T10:00:00.000Z' };
    const { events } = chainEvents(undefined, [
      sampleEvent({ id: 'first', type: 'incident.opened', ...same }),
      sampleEvent({ id: 'second', type: 'incident.updated', ...same }),
    ]);
    const h = harness({ logged: events });
    expect(await h.consume([record(events[1]!), record(events[0]!)])).toEqual([]);
    expect(h.delivered).toEqual(['first', 'second']);
  });

  it('delivers a redelivered duplicate once and reports both records done', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    const failed = await h.consume([record(a.opened, 60_000, 'm1'), record(a.opened, 60_000, 'm2'), record(a.identified)]);
    expect(failed).toEqual([]);
    expect(h.delivered).toEqual(['inc1-opened', 'inc1-identified']);
  });
});

describe('waiting for a predecessor', () => {
  it('delivers an event right away when its predecessor is already delivered in this channel', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    h.ledger.add(a.opened.id);
    expect(await h.consume([record(a.identified)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-identified']);
    expect(h.sleeps).toBe(0);
  });

  it('waits for a predecessor that a concurrent invocation delivers meanwhile, then delivers', async () => {
    const a = incident('inc1');
    const h = harness({
      logged: all(a),
      onSleep: (self) => {
        if (self.sleeps === 3) self.ledger.add(a.opened.id); // the other batch posts the root now
      },
    });
    expect(await h.consume([record(a.identified)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-identified']);
    expect(h.sleeps).toBe(3);
  });

  it('defers an event whose predecessor is still not delivered after the wait, naming the predecessor', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    expect(await h.consume([record(a.identified)])).toEqual(['m-inc1-identified']);
    expect(h.delivered).toEqual([]);
    expect(h.sleeps).toBe(LOOKS);
    expect(h.logs).toContainEqual({
      level: 'info',
      message: 'event deferred',
      keys: expect.objectContaining({ route: 'incidents', eventId: 'inc1-identified', predecessorId: 'inc1-opened', outcome: 'deferred' }),
    });
  });

  it('shares one wait allowance among the whole batch', async () => {
    const a = incident('inc1');
    const b = incident('inc2');
    const h = harness({ logged: [...all(a), ...all(b)] });
    expect((await h.consume([record(a.identified), record(b.identified)])).sort()).toEqual(['m-inc1-identified', 'm-inc2-identified']);
    expect(h.sleeps).toBe(LOOKS);
  });

  it('defers the rest of a thread at once when a record before them failed in this batch', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), failing: { 'inc1-opened': new SlackError('http_500', false, 'HTTP 500 after retries') } });
    const failed = await h.consume([a.opened, a.identified, a.monitoring].map((e) => record(e)));
    expect(failed.sort()).toEqual(['m-inc1-identified', 'm-inc1-monitoring', 'm-inc1-opened']);
    expect(h.delivered).toEqual([]);
    expect(h.sleeps).toBe(0);
  });

  it('defers the successor of a record that failed in this batch even when the event log has no copy of it', async () => {
    const a = incident('inc1');
    const h = harness({ logged: [], failing: { 'inc1-opened': new SlackError('http_500', false, 'HTTP 500 after retries') } });
    expect((await h.consume([record(a.identified), record(a.opened)])).sort()).toEqual(['m-inc1-identified', 'm-inc1-opened']);
    expect(h.delivered).toEqual([]);
  });

  it('walks past predecessors the route does not take', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), rules: { types: ['incident.opened', 'incident.resolved'] } });
    h.ledger.add(a.opened.id);
    expect(await h.consume([record(a.resolved)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-resolved']);
    expect(h.sleeps).toBe(0);
  });

  it('waits for the nearest predecessor the route takes, past those it does not', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), rules: { types: ['incident.opened', 'incident.resolved'] } });
    expect(await h.consume([record(a.resolved)])).toEqual(['m-inc1-resolved']);
    expect(h.logs.find((l) => l.message === 'event deferred')?.keys).toMatchObject({ eventId: 'inc1-resolved', predecessorId: 'inc1-opened' });
  });

  it('delivers when the predecessor is not in the event log (expired, or never logged)', async () => {
    const a = incident('inc1');
    const h = harness({ logged: [] });
    expect(await h.consume([record(a.monitoring)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-monitoring']);
    expect(h.sleeps).toBe(0);
  });

  it('takes a predecessor older than the ledger remembers as delivered (an RCA weeks after the resolution)', async () => {
    const a = incident('inc1');
    const resolvedLongAgo = { ...a.resolved, detectedAt: '2026-08-01T11:25:30.000Z' };
    const rca = { ...a.rca, previous: { id: resolvedLongAgo.id, detectedAt: resolvedLongAgo.detectedAt } };
    const h = harness({ logged: [resolvedLongAgo], settings: { ledgerMemoryMs: 30 * 86_400_000 } });
    expect(await h.consume([record(rca)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-rca']);
  });

  it('follows at most maxChainLinks links', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), rules: { types: ['incident.opened', 'incident.rca_published'] }, settings: { maxChainLinks: 2 } });
    // rca → resolved → monitoring, both left out by the route: the walk stops there, before the undelivered opened event.
    expect(await h.consume([record(a.rca)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-rca']);
  });
});

describe('nothing stuck', () => {
  it('delivers out of order once the event has been queued for orderWaitMs, warning with both event ids', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    expect(await h.consume([record(a.identified, DEFAULT_ROUTE_QUEUE_SETTINGS.orderWaitMs + 1_000)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-identified']);
    expect(h.sleeps).toBe(0);
    expect(h.logs).toContainEqual({
      level: 'warn',
      message: 'predecessor not delivered in time; delivering out of order',
      keys: expect.objectContaining({ eventId: 'inc1-identified', predecessorId: 'inc1-opened' }),
    });
  });

  it('still holds an event back just before orderWaitMs', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), settings: { orderWaitMs: 10 * 60_000 } });
    expect(await h.consume([record(a.identified, 10 * 60_000 - 1_000)])).toEqual(['m-inc1-identified']);
    expect(await h.consume([record(a.identified, 10 * 60_000)])).toEqual([]);
  });

  it('measures the wait from the event’s detection when the record carries no SentTimestamp', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), settings: { orderWaitMs: 5 * 60_000 } });
    // identified was detected at 11:52:30, 7.5 minutes before NOW (12:00); opened two minutes before it.
    expect(await h.consume([{ messageId: 'm', body: JSON.stringify(a.identified) }])).toEqual([]);
    const patient = harness({ logged: all(a), settings: { orderWaitMs: 10 * 60_000 } });
    expect(await patient.consume([{ messageId: 'm', body: JSON.stringify(a.identified) }])).toEqual(['m']);
  });

  it('does not wait for a predecessor detected more than orderWaitMs before the event was queued (a route added mid-incident)', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), settings: { orderWaitMs: 60_000 } });
    // Queued at 11:59:00; opened, the predecessor, was detected at 11:50:30 and never reached this channel.
    expect(await h.consume([record(a.identified, 60_000 - 1)])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-identified']);
    expect(h.sleeps).toBe(0);
    expect(h.logs).toContainEqual({
      level: 'info',
      message: 'not waiting for a predecessor detected long before',
      keys: expect.objectContaining({ eventId: 'inc1-identified', predecessorId: 'inc1-opened' }),
    });
  });

  it("hands the rest of the batch back, in order, once too little time is left before the function's timeout", async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    let left = 60_000;
    const failed = await h.consume(
      [a.opened, a.identified, a.monitoring].map((e) => record(e)),
      () => {
        left -= 15_000;
        return left;
      },
    );
    // 45 s left before the first, 30 s before the second, 15 s (under the 20 s reserve) before the third.
    expect(h.delivered).toEqual(['inc1-opened', 'inc1-identified']);
    expect(failed).toEqual(['m-inc1-monitoring']);
  });
});

describe('bad records and failures', () => {
  it('reports a body that is not a watcher event as failed, logging the messageId and the reason, and delivers the rest', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    const failed = await h.consume([
      { messageId: 'bad-json', body: 'not json' },
      { messageId: 'bad-event', body: '{"hello":"world"}' },
      record(a.opened),
    ]);
    expect(failed.sort()).toEqual(['bad-event', 'bad-json']);
    expect(h.delivered).toEqual(['inc1-opened']);
    const errors = h.logs.filter((l) => l.level === 'error');
    expect(errors.map((l) => [l.keys['messageId'], l.message])).toEqual([
      ['bad-json', 'queue message is not a watcher event'],
      ['bad-event', 'queue message is not a watcher event'],
    ]);
    expect(errors[0]!.keys['reason']).toMatch(/not JSON/);
    expect(errors[1]!.keys['reason']).toMatch(/not a schema-version-1 event/);
  });

  it('accepts an SNS notification envelope as the body (raw message delivery off)', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a) });
    const body = JSON.stringify({ Type: 'Notification', MessageId: 'sns-1', TopicArn: 'arn:aws:sns:us-east-1:0:events', Message: JSON.stringify(a.opened) });
    expect(await h.consume([{ messageId: 'm1', body }])).toEqual([]);
    expect(h.delivered).toEqual(['inc1-opened']);
  });

  it('does not let one failing thread block another', async () => {
    const a = incident('inc1');
    const b = incident('inc2');
    const h = harness({
      logged: [...all(a), ...all(b)],
      failing: { 'inc1-opened': new SlackError('channel_not_found', true, 'Slack chat.postMessage failed: channel_not_found') },
    });
    const failed = await h.consume([a.opened, b.opened, a.identified, b.identified].map((e) => record(e)));
    expect(failed.sort()).toEqual(['m-inc1-identified', 'm-inc1-opened']);
    expect(h.delivered).toEqual(['inc2-opened', 'inc2-identified']);
    expect(h.logs.find((l) => l.message === 'event delivery failed')?.keys).toMatchObject({
      eventId: 'inc1-opened',
      code: 'channel_not_found',
      permanent: true,
      outcome: 'failed',
    });
  });

  it('reports any other error as a failure of that record only', async () => {
    const a = incident('inc1');
    const b = incident('inc2');
    const h = harness({ logged: [...all(a), ...all(b)], failing: { 'inc2-opened': new TypeError('boom') } });
    expect(await h.consume([record(b.opened), record(a.opened)])).toEqual(['m-inc2-opened']);
    expect(h.delivered).toEqual(['inc1-opened']);
    expect(h.logs.find((l) => l.message === 'event delivery failed')?.keys).toMatchObject({ eventId: 'inc2-opened', reason: 'boom' });
  });

  it('hands an event the route does not take to deliver without waiting for its predecessor', async () => {
    const a = incident('inc1');
    const h = harness({ logged: all(a), rules: { types: ['incident.opened'] } });
    expect(await h.consume([record(a.identified)])).toEqual([]);
    expect(h.sleeps).toBe(0);
  });
});
