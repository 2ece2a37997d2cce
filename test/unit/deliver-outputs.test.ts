// Local delivery over in-memory fakes: each output drains its own queue in order, failures are held, parked or retried
// by scope, and an output's health is announced like a failing source's.
import { describe, expect, it } from 'vitest';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import { PublishError } from '../../functions/core/errors.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { makeOutputDelivery, type DeliverySettings } from '../../functions/delivery/deliver-outputs.js';
import type { Output, OutputQueueStore, OutputRecord, QueueEntry } from '../../functions/delivery/output-queue.js';
import { numberedUpdateEvent as event } from '../support/numbered-update-event.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The OutputQueueStore port in memory, with a hook to make the next removal fail (a run dying after delivering). */
function memoryQueue() {
  let seq = 0;
  const queues = new Map<string, Map<string, QueueEntry & { claimedAt?: string }>>();
  const outputs = new Map<string, OutputRecord>();
  const queue = (id: string) => queues.get(id) ?? queues.set(id, new Map()).get(id)!;
  let failNextRemove = false;
  const store: OutputQueueStore = {
    nextSequence: async () => ++seq,
    async enqueue(outputId, e, s, at) {
      if (queue(outputId).has(e.id)) return false;
      queue(outputId).set(e.id, { event: e, seq: s, enqueuedAt: at, attempts: 0, refusals: 0 });
      return true;
    },
    list: async (outputId) => [...queue(outputId).values()].sort((a, b) => a.seq - b.seq).map((entry) => ({ ...entry })),
    async claim(outputId, eventId, at, staleBefore) {
      const entry = queue(outputId).get(eventId);
      if (!entry || (entry.claimedAt !== undefined && entry.claimedAt >= staleBefore)) return false;
      queue(outputId).set(eventId, { ...entry, claimedAt: at, attempts: entry.attempts + 1 });
      return true;
    },
    async release(outputId, eventId, reason) {
      const entry = queue(outputId).get(eventId);
      if (entry) queue(outputId).set(eventId, { ...entry, claimedAt: undefined, lastError: reason });
    },
    async refuse(outputId, eventId, { refusals, reason, parkedAt }) {
      const entry = queue(outputId).get(eventId);
      if (entry) queue(outputId).set(eventId, { ...entry, claimedAt: undefined, refusals, lastError: reason, ...(parkedAt && { parkedAt }) });
    },
    async remove(outputId, eventId) {
      if (failNextRemove) {
        failNextRemove = false;
        throw new Error('the run died');
      }
      queue(outputId).delete(eventId);
    },
    getOutput: async (outputId) => outputs.get(outputId),
    putOutput: async (outputId, record) => void outputs.set(outputId, record),
    listOutputs: async () => [...outputs].map(([outputId, record]) => ({ outputId, record })),
    async dropOutput(outputId) {
      const count = queue(outputId).size;
      queues.delete(outputId);
      outputs.delete(outputId);
      return count;
    },
  };
  return { store, failNextRemove: () => (failNextRemove = true), entries: (id: string) => [...queue(id).values()] };
}

/** An output that records what it received and fails as told. */
function fakeOutput(id: string) {
  const received: WatcherEvent[] = [];
  const retries: string[] = [];
  let failWith: ((e: WatcherEvent) => Error | undefined) | undefined;
  const output: Output = {
    id,
    async deliver(e, { retry }) {
      if (retry) retries.push(e.id);
      const error = failWith?.(e);
      if (error) throw new PublishError(e.id, `${id}: ${error.message}`, { cause: error });
      received.push(e);
    },
  };
  return {
    output,
    received,
    retries,
    types: () => received.map((e) => (e.type.startsWith('source.') ? `${e.type} ${e.source}` : e.title)),
    fail: (how?: (e: WatcherEvent) => Error | undefined) => (failWith = how),
  };
}

const revoked = () => new SlackError('token_revoked', true, 'Slack chat.postMessage failed: token_revoked');
const unavailable = () => new SlackError('http_503', false, 'Slack chat.postMessage failed: HTTP 503 after retries');
const tooLong = () => new SlackError('msg_too_long', true, 'Slack chat.postMessage failed: msg_too_long');

function setUp(names: string[], settings: Partial<DeliverySettings> = {}) {
  const memory = memoryQueue();
  const outputs = names.map(fakeOutput);
  let minute = 0;
  const logged: WatcherEvent[] = [];
  const clock = { now: () => new Date(Date.UTC(2026, 9, 6, 12, minute)) };
  const build = (which = outputs) =>
    makeOutputDelivery({
      outputs: which.map((o) => o.output),
      store: memory.store,
      logEvent: async (e) => void logged.push(e),
      clock,
      logger: silent,
      settings: { failureThreshold: 3, ...settings },
    });
  /** One CLI run: begin, publish what the poll found, deliver. */
  const run = async (events: WatcherEvent[] = [], which = outputs) => {
    minute += 5;
    const delivery = build(which);
    await delivery.begin();
    for (const e of events) await delivery.publisher.publish(e);
    return delivery.deliver();
  };
  return { memory, outputs, run, logged, advance: (minutes: number) => (minute += minutes) };
}

describe('local delivery, one queue per output', () => {
  it('delivers to the other outputs at once while one output fails, and names the failing output', async () => {
    const { outputs: [jsonl, slack], run } = setUp(['jsonl:/tmp/events.jsonl', 'slack:incidents']);
    slack!.fail(() => unavailable());
    const report = await run([event(1), event(2)]);
    expect(jsonl!.types()).toEqual(['Update 1', 'Update 2']);
    expect(slack!.received).toEqual([]);
    const failing = report.outputs.find((o) => o.outputId === 'slack:incidents')!;
    expect(failing).toMatchObject({ outcome: 'failing', delivered: 0, waiting: 2, failure: { scope: 'transient' } });
    expect(failing.failure!.reason).toContain('slack:incidents');
    expect(report.outputs.find((o) => o.outputId === 'jsonl:/tmp/events.jsonl')).toMatchObject({ outcome: 'ok', delivered: 2, waiting: 0 });
  });

  it('holds a route that refuses its credentials, announces it at once, and delivers everything in order once it works', async () => {
    const { outputs: [jsonl, slack], run, logged } = setUp(['jsonl:/tmp/events.jsonl', 'slack:incidents']);
    slack!.fail(() => revoked());
    await run([event(1)]);
    await run([event(2)]);
    await run([event(3)]);
    // Each event once in jsonl, at once; one failing event for the route, on the first failed run.
    expect(jsonl!.types()).toEqual(['Update 1', 'source.failing slack:incidents', 'Update 2', 'Update 3']);
    const failing = jsonl!.received[1]!;
    expect(failing).toMatchObject({ sourceType: 'output', source: 'slack:incidents', itemId: 'slack:incidents', url: '', status: 'failing' });
    expect(failing.summary).toContain('token_revoked');

    slack!.fail(undefined);
    const report = await run([]);
    expect(slack!.types()).toEqual([
      'Update 1',
      'source.failing slack:incidents',
      'Update 2',
      'Update 3',
      'source.recovered slack:incidents',
    ]);
    expect(jsonl!.types().slice(4)).toEqual(['source.recovered slack:incidents']);
    const recovered = jsonl!.received[4]!;
    expect(recovered.previous).toEqual({ id: failing.id, detectedAt: failing.detectedAt });
    expect(report.outputs.every((o) => o.outcome === 'ok' && o.waiting === 0)).toBe(true);
    // Health events are in the digests' event log like any other.
    expect(logged.map((e) => e.type)).toEqual(['source.failing', 'source.recovered']);
  });

  it('announces a transient failure only after failureThreshold consecutive failed runs', async () => {
    const { outputs: [console_, sns], run } = setUp(['console', 'sns:arn:aws:sns:eu-west-1:1:events']);
    sns!.fail(() => unavailable());
    const healthEvents = () => console_!.received.filter((e) => e.type.startsWith('source.')).length;
    await run([event(1)]);
    await run([]);
    expect(healthEvents()).toBe(0);
    const third = await run([]);
    expect(healthEvents()).toBe(1);
    expect(third.outputs[1]!.health).toMatchObject({ consecutiveFailedRuns: 3, failingAnnounced: true });
    await run([]);
    expect(healthEvents()).toBe(1);
  });

  it('parks an event the output refuses in maxRefusals runs, lets the others go on, and announces the parking once', async () => {
    const { outputs: [jsonl, slack], run, memory } = setUp(['jsonl:/tmp/events.jsonl', 'slack:incidents'], { maxRefusals: 3 });
    const bad = event(1);
    slack!.fail((e) => (e.id === bad.id ? tooLong() : undefined));
    const first = await run([bad, event(2)]);
    expect(slack!.types()).toEqual(['Update 2']);
    expect(first.outputs[1]).toMatchObject({ outcome: 'ok', waiting: 1, refusedNow: [{ eventId: bad.id, refusals: 1, parked: false }] });
    await run([event(3)]);
    const third = await run([event(4)]);
    expect(third.outputs[1]!.refusedNow).toMatchObject([{ eventId: bad.id, refusals: 3, parked: true }]);
    expect(third.outputs[1]).toMatchObject({ waiting: 0, parked: [{ eventId: bad.id, reason: expect.stringContaining('msg_too_long') }] });
    expect(slack!.types()).toEqual(['Update 2', 'Update 3', 'Update 4', 'source.failing slack:incidents']);
    expect(jsonl!.types()).toEqual(['Update 1', 'Update 2', 'Update 3', 'Update 4', 'source.failing slack:incidents']);
    expect(jsonl!.received[4]!.title).toContain('refused an event: Update 1');
    // A refused event does not make the output fail; a parked one is kept, listed and never retried.
    expect(third.outputs[1]!.health.consecutiveFailedRuns).toBe(0);
    slack!.fail(undefined);
    const later = await run([]);
    expect(slack!.received.some((e) => e.id === bad.id)).toBe(false);
    expect(later.outputs[1]).toMatchObject({ outcome: 'ok', refusedNow: [], parked: [{ eventId: bad.id }] });
    expect(memory.entries('slack:incidents').map((e) => e.event.id)).toEqual([bad.id]);
  });

  it('tells the output that an entry is a retry when an earlier run died after delivering it', async () => {
    const { outputs: [jsonl], run, memory, advance } = setUp(['jsonl:/tmp/events.jsonl']);
    memory.failNextRemove();
    await expect(run([event(1)])).rejects.toThrow('the run died');
    expect(jsonl!.retries).toEqual([]);
    advance(5); // past the claim of the run that died
    await run([]);
    expect(jsonl!.retries).toEqual([event(1).id]);
  });

  it('leaves an output to another run that holds its next entry', async () => {
    const { outputs: [jsonl], run, memory } = setUp(['jsonl:/tmp/events.jsonl'], { claimStaleMs: 60 * 60_000 });
    memory.failNextRemove();
    await expect(run([event(1)])).rejects.toThrow('the run died');
    const report = await run([]);
    expect(report.outputs[0]).toMatchObject({ outcome: 'busy', delivered: 0, waiting: 1 });
    expect(jsonl!.received).toHaveLength(1);
  });

  it('queues an event published twice once per output', async () => {
    const { outputs: [jsonl], run } = setUp(['jsonl:/tmp/events.jsonl']);
    await run([event(1), event(1)]);
    expect(jsonl!.types()).toEqual(['Update 1']);
  });

  it('keeps the queue of an output removed from the config, listed, then drops it after the retention', async () => {
    const { outputs: [jsonl, slack], run, advance } = setUp(['jsonl:/tmp/events.jsonl', 'slack:incidents'], {
      removedOutputRetentionDays: 7,
    });
    slack!.fail(() => revoked());
    await run([event(1)]);
    const without = await run([event(2)], [jsonl!]);
    expect(without.removed).toMatchObject([{ outputId: 'slack:incidents', kept: 2 }]);
    expect(without.removed[0]!.dropAt).toBe('2026-10-13T12:05:00.000Z');
    // Put back within the retention: its queue is delivered, in order.
    slack!.fail(undefined);
    await run([], [jsonl!, slack!]);
    expect(slack!.types()).toEqual(['Update 1', 'source.failing slack:incidents', 'source.recovered slack:incidents']);
    // Removed again for longer than the retention: dropped.
    slack!.fail(() => revoked());
    await run([event(3)]);
    await run([], [jsonl!]);
    advance(8 * 24 * 60);
    const dropped = await run([], [jsonl!]);
    expect(dropped.removed).toMatchObject([{ outputId: 'slack:incidents', kept: 0, dropped: 2 }]);
    expect((await run([], [jsonl!])).removed).toEqual([]);
  });
});
