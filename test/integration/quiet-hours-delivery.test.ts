// Quiet hours and snoozes in the delivery layer. On AWS: the route queue consumer holds a message out of sight until
// the hours end and delivers the thread in order when it comes back, once, whatever crashes in between. Locally: a
// route's queue (real local DynamoDB) keeps held events for the first run after the hours. Snoozes: the delivery
// boundary skips a snoozed incident's updates, never its first or final event, reading snoozes from the table.
import { describe, expect, it } from 'vitest';
import { makeDynamoOutputQueue } from '../../functions/adapters/dynamo-output-queue.js';
import { makeDynamoSnoozeStore } from '../../functions/adapters/dynamo-snooze-store.js';
import type { ChannelConnection } from '../../functions/channels/channel.js';
import { makeChannelOutput } from '../../functions/channels/channel-output.js';
import { makeRouteQueueConsumer, type QueueRecord } from '../../functions/channels/consume-route-queue.js';
import { makeChannelDelivery } from '../../functions/channels/deliver-to-channel.js';
import { ChannelError } from '../../functions/core/errors.js';
import { chainEvents } from '../../functions/core/event-chain.js';
import type { EventLink, Severity, WatcherEvent } from '../../functions/core/model.js';
import type { QuietHours } from '../../functions/core/quiet-hours.js';
import type { RouteRules } from '../../functions/core/routing.js';
import { snoozeThreadOf } from '../../functions/core/snooze.js';
import { makeOutputDelivery } from '../../functions/delivery/deliver-outputs.js';
import { formatDeliveryReport } from '../../functions/cli/delivery-summary.js';
import { DYNAMO_BACKENDS } from '../support/dynamo-backends.js';
import { INBOXES, inboxChannel } from '../support/inbox-channel/plugin.js';
import { useLocalDynamo } from '../support/local-dynamo.js';
import { makeMemoryDeliveryStore } from '../support/memory-delivery-store.js';
import { sampleEvent } from '../support/sample-event.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const NIGHTS: QuietHours = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin', below: 'critical' };
/** 23:10 Berlin in winter, inside the hours; they end at 06:00Z. */
const NIGHT = '2026-01-14T22:10:00.000Z';
const MORNING = '2026-01-15T06:00:30.000Z';

/** One incident's events, chained as the poller announces them, `minutes` apart from `start`. */
function thread(itemId: string, start: string, steps: ReadonlyArray<readonly [WatcherEvent['type'], Severity]>): WatcherEvent[] {
  let last: EventLink | undefined;
  return steps.map(([type, severity], index) => {
    const at = new Date(Date.parse(start) + index * 10 * 60_000).toISOString();
    const event = sampleEvent({ id: `${itemId}-${index}-${type}`, type, itemId, severity, occurredAt: at, detectedAt: at, update: { label: type, at, text: `${type}.` } });
    const chained = chainEvents(last, [event]);
    last = chained.last;
    return chained.events[0]!;
  });
}

describe('quiet hours on AWS: the route queue consumer', () => {
  function route(options: { crashAfterPosting?: Set<string>; failHoldOnce?: boolean } = {}) {
    let now = new Date(NIGHT);
    const posted: string[] = [];
    const holds: Array<{ messageId: string; until: string }> = [];
    const logged = new Map<string, WatcherEvent>();
    const store = makeMemoryDeliveryStore();
    let failHold = options.failHoldOnce === true;
    const connection: ChannelConnection = {
      destination: 'oncall',
      async post(event, attempt) {
        attempt.assertHeld();
        posted.push(event.id);
        // The process dies after the channel took the post, before the delivery record is completed.
        if (options.crashAfterPosting?.delete(event.id)) throw new Error('the notifier died');
        return { receipt: String(posted.length), recovered: false };
      },
      async findPosted(event) {
        return posted.includes(event.id) ? 'found' : undefined;
      },
      error: (code, message) => new ChannelError(code, false, message),
    };
    const rules: RouteRules = { quietHours: NIGHTS };
    const clock = { now: () => now };
    const consume = makeRouteQueueConsumer({
      routeId: 'oncall',
      rules,
      deliver: makeChannelDelivery({ connection, rules, store, clock, logger: silent }),
      ledger: { isDelivered: (id) => store.isDelivered('oncall', id) },
      eventLog: { getLoggedEvent: async (link) => logged.get(link.id) },
      clock,
      logger: silent,
      sleep: async () => {},
      async holdRecord(record, until) {
        if (failHold) {
          failHold = false;
          throw new Error('SQS throttled the request');
        }
        holds.push({ messageId: record.messageId, until: until.toISOString() });
      },
    });
    const sent = new Map<string, number>();
    return {
      posted,
      holds,
      at: (iso: string) => void (now = new Date(iso)),
      /** The poller logged and published these events now: SNS puts them in the route's queue. */
      publish(events: readonly WatcherEvent[]) {
        for (const event of events) {
          logged.set(event.id, event);
          sent.set(event.id, now.getTime());
        }
      },
      /** One receive of these events' messages; returns the message ids handed back to the queue. */
      async receive(events: readonly WatcherEvent[]): Promise<string[]> {
        const records: QueueRecord[] = events.map((event) => ({
          messageId: `m-${event.id}`,
          body: JSON.stringify(event),
          attributes: { SentTimestamp: String(sent.get(event.id)) },
          receiptHandle: `r-${event.id}`,
          eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:oncall',
        }));
        return (await consume(records)).batchItemFailures.map((failure) => failure.itemIdentifier);
      },
    };
  }

  it('holds a thread’s events out of sight until the hours end, then delivers them in order even when they come back out of order', async () => {
    const [opened, updated] = thread('inc1', NIGHT, [['incident.opened', 'major'], ['incident.updated', 'major']]);
    const r = route();
    r.publish([opened!]);
    expect(await r.receive([opened!])).toEqual([`m-${opened!.id}`]);
    r.at('2026-01-14T22:20:00Z');
    r.publish([updated!]);
    expect(await r.receive([updated!])).toEqual([`m-${updated!.id}`]);
    expect(r.posted).toEqual([]);
    expect(r.holds).toEqual([
      { messageId: `m-${opened!.id}`, until: '2026-01-15T06:00:00.000Z' },
      { messageId: `m-${updated!.id}`, until: '2026-01-15T06:00:00.000Z' },
    ]);

    // The hours are over; SQS hands the later message back first, alone: it waits for the earlier one.
    r.at(MORNING);
    expect(await r.receive([updated!])).toEqual([`m-${updated!.id}`]);
    expect(r.posted).toEqual([]);
    expect(await r.receive([opened!])).toEqual([]);
    expect(await r.receive([updated!])).toEqual([]);
    expect(r.posted).toEqual([opened!.id, updated!.id]);
  });

  it('sends an event at or above "below" at once, with its thread’s held events first; the held messages are duplicates when they come back', async () => {
    const [opened, worse] = thread('inc2', NIGHT, [['incident.opened', 'minor'], ['incident.updated', 'critical']]);
    const r = route();
    r.publish([opened!]);
    await r.receive([opened!]);
    r.at('2026-01-14T22:20:00Z');
    r.publish([worse!]);
    expect(await r.receive([worse!])).toEqual([]);
    expect(r.posted).toEqual([opened!.id, worse!.id]);
    r.at(MORNING);
    expect(await r.receive([opened!])).toEqual([]);
    expect(r.posted).toEqual([opened!.id, worse!.id]);
  });

  it('takes along only events of these hours: an earlier one of the thread with no delivery record on file is not sent again', async () => {
    const [opened, worse] = thread('inc7', '2026-01-12T09:00:00.000Z', [['incident.opened', 'minor'], ['incident.updated', 'critical']]);
    const r = route();
    r.at('2026-01-12T09:00:00Z');
    r.publish([opened!]);
    const late = { ...worse!, detectedAt: NIGHT, occurredAt: NIGHT };
    r.at(NIGHT);
    r.publish([late]);
    expect(await r.receive([late])).toEqual([]);
    expect(r.posted).toEqual([late.id]);
  });

  it('loses nothing and repeats nothing when the hold cannot be set or the notifier dies after posting', async () => {
    const [opened, updated] = thread('inc3', NIGHT, [['incident.opened', 'major'], ['incident.updated', 'major']]);
    const r = route({ failHoldOnce: true, crashAfterPosting: new Set([updated!.id]) });
    r.publish([opened!, updated!]);
    // The first hold fails: the message comes back after the queue's visibility timeout and is held again.
    expect(await r.receive([opened!, updated!])).toEqual([`m-${opened!.id}`, `m-${updated!.id}`]);
    expect(r.holds.map((hold) => hold.messageId)).toEqual([`m-${updated!.id}`]);
    r.at('2026-01-14T22:12:00Z');
    expect(await r.receive([opened!])).toEqual([`m-${opened!.id}`]);
    expect(r.holds.map((hold) => hold.messageId)).toEqual([`m-${updated!.id}`, `m-${opened!.id}`]);

    // After the hours: the notifier dies right after posting the update; the redelivery finds the post and records it.
    r.at(MORNING);
    expect(await r.receive([opened!, updated!])).toEqual([`m-${updated!.id}`]);
    r.at('2026-01-15T06:05:00Z');
    expect(await r.receive([updated!])).toEqual([]);
    expect(r.posted).toEqual([opened!.id, updated!.id]);
  });
});

describe('quiet hours and snoozes in the watcher’s table', () => {
  const local = useLocalDynamo(DYNAMO_BACKENDS[0]!, 'quiet-hours');

  it('keeps held events in a route’s local queue and delivers them, in order, in the first run after the hours', async () => {
    const { tableName, ready } = local.newTable();
    await ready;
    const table = { client: local.client, tableName };
    let now = new Date(NIGHT);
    const clock = { now: () => now };
    const inbox = 'nightshift';
    INBOXES.set(inbox, { received: [] });
    const route = { type: 'inbox', id: 'nightshift', inbox, key: 'env:INBOX_KEY', rules: { quietHours: NIGHTS } };
    const output = makeChannelOutput(inboxChannel, route, { table, secrets: { resolve: async () => 'open-sesame' }, clock, logger: silent });
    const run = () =>
      makeOutputDelivery({
        outputs: [output],
        store: makeDynamoOutputQueue(table),
        logEvent: async () => {},
        clock,
        logger: silent,
        settings: { claimStaleMs: 0 },
      });
    const received = () => INBOXES.get(inbox)!.received.map((event) => event.id);

    const [opened, updated, resolved] = thread('inc4', NIGHT, [['incident.opened', 'major'], ['incident.updated', 'minor'], ['incident.resolved', 'minor']]);
    const [other] = thread('inc5', NIGHT, [['incident.opened', 'critical']]);
    const night = run();
    for (const event of [opened!, updated!, other!, resolved!]) await night.publisher.publish(event);
    const nightReport = await night.deliver();
    expect(received()).toEqual([other!.id]);
    expect(nightReport.outputs[0]).toMatchObject({ outcome: 'ok', delivered: 1, waiting: 3, held: { count: 3, until: '2026-01-15T06:00:00.000Z' } });
    expect(formatDeliveryReport(nightReport, 3)).toContain(
      'inbox:nightshift  ok       delivered 1, waiting 3 (3 held for quiet hours until 2026-01-15T06:00:00.000Z), parked 0',
    );

    // A run that dies mid-way through the morning: the queue keeps what it had not delivered.
    now = new Date(MORNING);
    INBOXES.get(inbox)!.refuseNext = 'inbox_busy';
    const failed = await run().deliver();
    expect(failed.outputs[0]).toMatchObject({ outcome: 'failing', waiting: 3 });
    const morning = await run().deliver();
    expect(morning.outputs[0]).toMatchObject({ outcome: 'ok', delivered: 3, waiting: 0 });
    expect(morning.outputs[0]!.held).toBeUndefined();
    expect(received()).toEqual([other!.id, opened!.id, updated!.id, resolved!.id]);
  });

  it('skips a snoozed incident’s updates on the snoozed route only, and still delivers its first and final events once', async () => {
    const { tableName, ready } = local.newTable();
    await ready;
    const snoozes = makeDynamoSnoozeStore({ client: local.client, tableName });
    const now = new Date('2026-04-22T20:00:00Z');
    const [opened, identified, monitoring, resolved] = thread('inc6', now.toISOString(), [
      ['incident.opened', 'major'],
      ['incident.updated', 'major'],
      ['incident.updated', 'major'],
      ['incident.resolved', 'major'],
    ]);
    const thread6 = snoozeThreadOf(opened!.source, undefined, 'inc6');
    await snoozes.putSnooze({ thread: thread6, source: opened!.source, itemId: 'inc6', route: 'oncall', until: '2026-04-23T00:00:00.000Z', createdAt: now.toISOString() });

    const posted = new Map<string, string[]>();
    const store = makeMemoryDeliveryStore();
    const deliverTo = (routeId: string) =>
      makeChannelDelivery({
        connection: {
          destination: routeId,
          async post(event) {
            posted.set(routeId, [...(posted.get(routeId) ?? []), event.id]);
            return { recovered: false };
          },
          error: (code, message) => new ChannelError(code, false, message),
        },
        rules: {},
        store,
        clock: { now: () => now },
        logger: silent,
        snoozes: { routeId, reader: snoozes },
      });
    const oncall = deliverTo('oncall');
    const incidents = deliverTo('incidents');
    const outcomes: string[] = [];
    for (const event of [opened!, identified!, monitoring!, resolved!]) {
      outcomes.push(await oncall(event));
      await incidents(event);
    }
    expect(outcomes).toEqual(['posted', 'snoozed', 'snoozed', 'posted']);
    // Redelivered: a skipped update stays skipped, a posted event is not posted again.
    expect(await oncall(identified!)).toBe('duplicate');
    expect(posted.get('oncall')).toEqual([opened!.id, resolved!.id]);
    expect(posted.get('incidents')).toEqual([opened!.id, identified!.id, monitoring!.id, resolved!.id]);
    // Stored with its TTL a day after it ends; listed while it lasts, not after.
    expect((await snoozes.listSnoozes(now)).map((snooze) => snooze.route)).toEqual(['oncall']);
    expect(await snoozes.listSnoozes(new Date('2026-04-23T00:00:00Z'))).toEqual([]);
  });
});
