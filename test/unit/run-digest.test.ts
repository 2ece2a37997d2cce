// The digest use case with in-memory fakes of its ports (no DynamoDB, no servers): the period since the previous
// digest under a watermark and a lease, each logged event in exactly one digest, and a retried run repeating the
// digest it died on. The same use case against real local DynamoDB: test/integration/digest-watermark.test.ts.
import { describe, expect, it } from 'vitest';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import type { DigestStore } from '../../functions/digest/digest-store.js';
import {
  DEFAULT_DIGEST_SETTINGS,
  makeRunDigest,
  type DigestMessage,
  type DigestOutcome,
  type DigestPublisher,
} from '../../functions/digest/run-digest.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { memoryDigestStore } from '../support/memory-digest-store.js';
import { sampleEvent } from '../support/sample-event.js';
import { Crash } from '../support/simulated-crash.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SOURCES: SourceConfig[] = [
  { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' },
];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const { settleMs: SETTLE, leaseMs: LEASE } = DEFAULT_DIGEST_SETTINGS;
const START = Date.parse('2026-11-01T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function setup(config: { readonly quiet?: 'send' | 'skip' } = {}) {
  const digests = memoryDigestStore();
  const state = inMemoryStateStore();
  // The poller logs through the state store; on AWS that writes the event log the digests take from (one table).
  const stateStore = digests.sharingEventLog(state.store);
  let now = START;
  const sent: DigestMessage[] = [];
  const publisher: DigestPublisher = { publish: async (digest) => void sent.push(digest) };
  const run = (
    overrides: { readonly publisher?: DigestPublisher; readonly digestStore?: DigestStore } = {},
  ): Promise<DigestOutcome> =>
    makeRunDigest({
      digestStore: overrides.digestStore ?? digests.store,
      stateStore,
      publisher: overrides.publisher ?? publisher,
      clock: { now: () => new Date(now) },
      logger: quiet,
      sources: SOURCES,
      digest: digestSchema.parse(config),
    })();
  /** An event detected `minutesAgo` before now, logged now (twice: a retried publish must not count twice). */
  const log = async (minutesAgo: number, id: string): Promise<WatcherEvent> => {
    const event = sampleEvent({ id, detectedAt: iso(now - minutesAgo * MINUTE) });
    await stateStore.logEvent(event);
    await stateStore.logEvent(event);
    return event;
  };
  return {
    run,
    log,
    sent,
    digests,
    state,
    watermark: () => digests.watermark('daily'),
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

/** The digest of a `sent` outcome; fails the test on any other. */
function sentDigest(outcome: DigestOutcome): DigestMessage {
  expect(outcome.outcome).toBe('sent');
  if (outcome.outcome !== 'sent') throw new Error(`expected a sent digest, got ${outcome.outcome}`);
  return outcome.digest;
}

/** What a repeated digest must keep: its period, its events and everything said about them. */
const identity = (d: DigestMessage) => ({ from: d.from, to: d.to, eventIds: d.eventIds, counts: d.counts, subject: d.subject, quiet: d.quiet });

describe('runDigest with in-memory stores', () => {
  it('sends the day up to the settle time on a first run, then the period since the previous digest, moving the watermark to its end', async () => {
    const t = setup();
    await t.log(2 * 60, 'evt-b');
    await t.log(5 * 60, 'evt-a'); // logged second, detected first
    const first = sentDigest(await t.run());
    expect(first.from).toBe(iso(START - SETTLE - DAY));
    expect(first.to).toBe(iso(START - SETTLE));
    expect(first.eventIds).toEqual(['evt-a', 'evt-b']); // oldest first
    expect(first.counts).toEqual({ 'incident.resolved': 2 });
    expect(t.watermark()).toEqual({ value: { lastTo: first.to, lastSentAt: iso(START) }, version: 2 });

    t.advance(DAY);
    await t.log(3 * 60, 'evt-c');
    const second = sentDigest(await t.run());
    expect(second.from).toBe(first.to);
    expect(second.to).toBe(iso(START + DAY - SETTLE));
    expect(second.eventIds).toEqual(['evt-c']);
    expect(t.watermark()).toEqual({ value: { lastTo: second.to, lastSentAt: iso(START + DAY) }, version: 4 });
    expect(t.sent).toEqual([first, second]);
  });

  it('puts every logged event into exactly one digest across consecutive runs, late-logged ones included', async () => {
    const t = setup();
    const logged: WatcherEvent[] = [];
    const log = async (minutesAgo: number, id: string) => void logged.push(await t.log(minutesAgo, id));

    await log(6 * 60, 'evt-1');
    await log(5, 'evt-2'); // within the settle time: waits for the next digest
    sentDigest(await t.run());
    await log(3 * 60, 'evt-late-1'); // detected before the digest's end, logged only after it took its events

    t.advance(3 * HOUR);
    await log(2 * 60, 'evt-3');
    await log(1, 'evt-4');
    sentDigest(await t.run());
    await log(4 * 60, 'evt-late-2');

    t.advance(20 * MINUTE);
    sentDigest(await t.run());
    t.advance(DAY);
    await log(12 * 60, 'evt-5');
    sentDigest(await t.run());
    t.advance(HOUR); // a last run after every detection has settled
    sentDigest(await t.run());

    const digestsHolding = (id: string) => t.sent.filter((d) => d.eventIds.includes(id)).length;
    expect(logged.map((e) => [e.id, digestsHolding(e.id)])).toEqual(logged.map((e) => [e.id, 1]));
    expect(t.sent.flatMap((d) => d.eventIds).sort()).toEqual(logged.map((e) => e.id).sort());
    expect(t.sent.map((d) => d.eventIds)).toEqual([
      ['evt-1'],
      ['evt-late-1', 'evt-2', 'evt-3'],
      ['evt-late-2', 'evt-4'],
      ['evt-5'],
      [],
    ]);
    // Contiguous periods: no gap and no overlap between digests.
    for (let i = 1; i < t.sent.length; i += 1) expect(t.sent[i]!.from).toBe(t.sent[i - 1]!.to);
    // Late events are reported in the first digest after they were logged, although detected before its period.
    expect(logged.find((e) => e.id === 'evt-late-1')!.detectedAt < t.sent[1]!.from).toBe(true);
    expect(t.digests.eventLog().filter((e) => e.takenBy === undefined)).toEqual([]);
  });

  it('answers busy and sends nothing while another run holds the lease', async () => {
    const t = setup();
    await t.log(60, 'evt-1');
    let overlapping: DigestOutcome | undefined;
    let watermarkDuringOverlap: ReturnType<typeof t.watermark>;
    const first = sentDigest(
      await t.run({
        publisher: {
          async publish(digest) {
            // While this run publishes, a second run starts (an overlapping schedule, a manual run).
            t.advance(30_000);
            watermarkDuringOverlap = t.watermark();
            overlapping = await t.run();
            t.sent.push(digest);
          },
        },
      }),
    );
    expect(overlapping).toEqual({ outcome: 'busy' });
    expect(t.sent).toEqual([first]);
    // The busy run wrote nothing: the holder's watermark write went through and the next digest follows on from it.
    expect(watermarkDuringOverlap!.value.leaseUntil).toBe(iso(START + LEASE));
    expect(t.watermark()!.value).toEqual({ lastTo: first.to, lastSentAt: iso(START) });
    t.advance(HOUR);
    expect(sentDigest(await t.run()).from).toBe(first.to);
  });

  it('lets only one of several overlapping runs send: the others lose the conditional watermark write and answer busy', async () => {
    const t = setup();
    await t.log(60, 'evt-1');
    const outcomes = await Promise.all([t.run(), t.run(), t.run()]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['busy', 'busy', 'sent']);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]!.eventIds).toEqual(['evt-1']);
  });

  it('keeps a dead run\'s lease until it expires: busy up to and at leaseUntil, the digest goes out just after', async () => {
    const t = setup();
    await expect(t.run({ publisher: { publish: async () => Promise.reject(new Crash('killed while publishing')) } })).rejects.toBeInstanceOf(Crash);
    expect(t.watermark()!.value.leaseUntil).toBe(iso(START + LEASE));

    t.advance(LEASE);
    expect(await t.run()).toEqual({ outcome: 'busy' });
    expect(t.sent).toEqual([]);
    t.advance(1);
    expect((await t.run()).outcome).toBe('sent');
    expect(t.sent).toHaveLength(1);
  });

  it('sends the very same digest again when a run died after publishing, before the watermark moved on', async () => {
    const t = setup();
    await t.log(2 * 60, 'evt-1');
    const died: DigestMessage[] = [];
    const dying: DigestPublisher = {
      async publish(digest) {
        died.push(digest);
        throw new Crash('died after sending');
      },
    };
    await expect(t.run({ publisher: dying })).rejects.toBeInstanceOf(Crash);
    expect(died).toHaveLength(1);
    expect(t.watermark()!.value.pending).toEqual({ from: died[0]!.from, to: died[0]!.to });

    t.advance(10 * MINUTE); // past the lease: a fresh period would now end ten minutes later
    await t.log(3 * 60, 'evt-late'); // detected inside the dead run's period, logged only now
    await t.log(1, 'evt-2');
    const retried = sentDigest(await t.run());
    expect(identity(retried)).toEqual(identity(died[0]!));
    expect(retried.eventIds).toEqual(['evt-1']);
    expect(t.watermark()!.value).toEqual({ lastTo: retried.to, lastSentAt: iso(t.now()) });

    t.advance(HOUR);
    const next = sentDigest(await t.run());
    expect(next.from).toBe(retried.to);
    expect(next.eventIds).toEqual(['evt-late', 'evt-2']);
  });

  it('reuses the pending period when the store fails to move the watermark on after the digest went out', async () => {
    const t = setup();
    await t.log(2 * 60, 'evt-1');
    await t.log(30, 'evt-2');
    let failed = false;
    const failingOnce: DigestStore = {
      ...t.digests.store,
      async putWatermark(name, value, options) {
        // The write that ends the run (the watermark moved on, no pending period) fails once: DynamoDB unavailable.
        if (!failed && value.pending === undefined) {
          failed = true;
          throw new Error('DynamoDB unavailable: InternalServerError');
        }
        return t.digests.store.putWatermark(name, value, options);
      },
    };
    await expect(t.run({ digestStore: failingOnce })).rejects.toThrow('DynamoDB unavailable');
    expect(t.sent).toHaveLength(1);
    const [original] = t.sent;
    expect(t.watermark()!.value.pending).toEqual({ from: original!.from, to: original!.to });

    t.advance(LEASE + MINUTE);
    const retried = sentDigest(await t.run({ digestStore: failingOnce }));
    expect(identity(retried)).toEqual(identity(original!));
    expect(retried.eventIds).toEqual(['evt-1', 'evt-2']);
    expect(t.watermark()!.value).toEqual({ lastTo: original!.to, lastSentAt: iso(t.now()) });
  });

  it('skips a quiet period with quiet: "skip": nothing is sent and the watermark moves on', async () => {
    const t = setup({ quiet: 'skip' });
    expect(await t.run()).toEqual({ outcome: 'skipped-quiet', from: iso(START - SETTLE - DAY), to: iso(START - SETTLE) });
    expect(t.sent).toEqual([]);
    expect(t.watermark()!.value).toEqual({ lastTo: iso(START - SETTLE) }); // no digest sent yet: no lastSentAt

    t.advance(DAY);
    await t.log(60, 'evt-1');
    const sent = sentDigest(await t.run());
    expect(sent.from).toBe(iso(START - SETTLE));
    expect(sent.eventIds).toEqual(['evt-1']);

    t.advance(DAY);
    expect((await t.run()).outcome).toBe('skipped-quiet');
    expect(t.sent).toEqual([sent]);
    // The skipped period counts as covered; the last digest sent is still the one before it.
    expect(t.watermark()!.value).toEqual({ lastTo: iso(START + 2 * DAY - SETTLE), lastSentAt: iso(START + DAY) });
  });

  it('sends a quiet period as an "all quiet" digest by default (quiet: "send")', async () => {
    const t = setup();
    const digest = sentDigest(await t.run());
    expect(digest.quiet).toBe(true);
    expect(digest.eventIds).toEqual([]);
    expect(digest.subject).toContain('all quiet');
    expect(t.sent).toEqual([digest]);
  });

  it('is nothing-due when the previous digest ended less than a minute before this period would end', async () => {
    const t = setup();
    const first = sentDigest(await t.run());
    const after = t.watermark();

    expect(await t.run()).toEqual({ outcome: 'nothing-due' }); // at the same instant
    t.advance(MINUTE - 1);
    expect(await t.run()).toEqual({ outcome: 'nothing-due' });
    expect(t.sent).toEqual([first]);
    expect(t.watermark()).toEqual(after); // not even the lease was taken

    t.advance(1); // a full minute since the previous digest's end
    const second = sentDigest(await t.run());
    expect([second.from, Date.parse(second.to) - Date.parse(second.from)]).toEqual([first.to, MINUTE]);
  });

  it('is nothing-due, and leaves the watermark alone, when the clock reads earlier than the previous digest\'s end', async () => {
    const t = setup();
    const first = sentDigest(await t.run());
    const after = t.watermark();
    t.advance(-2 * HOUR);
    expect(await t.run()).toEqual({ outcome: 'nothing-due' });
    expect(t.watermark()).toEqual(after);
    t.advance(3 * HOUR);
    expect(sentDigest(await t.run()).from).toBe(first.to);
  });
});
