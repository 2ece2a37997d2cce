// The digest watermark against real local DynamoDB: every event in exactly one digest, under retries and overlap.
import { describe, expect, it } from 'vitest';
import { makeDynamoDigestStore } from '../../functions/adapters/dynamo-digest-store.js';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeRunDigest, type DigestMessage, type DigestPublisher } from '../../functions/digest/run-digest.js';
import { DYNAMO_BACKENDS } from '../support/dynamo-backends.js';
import { useLocalDynamo } from '../support/local-dynamo.js';
import { sampleEvent } from '../support/sample-event.js';
import { Crash } from '../support/simulated-crash.js';
import { withItemScopes } from '../../functions/sources/registry.js';

const TABLE = 'watcher-digest-test';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SOURCES: SourceConfig[] = [
  { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' },
];
const HOUR = 3_600_000;

for (const backend of DYNAMO_BACKENDS) {
  describe.skipIf(!backend.available)(`digest watermark on ${backend.name}`, () => {
    const local = useLocalDynamo(backend, TABLE);
    let tableName = TABLE;

    /** A fresh table per test: one digest watermark and event log each. */
    async function setup() {
      const table = local.newTable();
      tableName = table.tableName;
      await table.ready;
      const stateStore = makeDynamoStateStore({ client: local.client, tableName });
      const digestStore = makeDynamoDigestStore({ client: local.client, tableName });
      let now = Date.parse('2026-11-01T08:00:00Z');
      const sent: DigestMessage[] = [];
      const run = (publisher: DigestPublisher = { publish: async (d) => void sent.push(d) }) =>
        makeRunDigest({
          digestStore,
          stateStore,
          publisher,
          clock: { now: () => new Date(now) },
          logger: quiet,
          sources: withItemScopes(SOURCES),
          digest: digestSchema.parse({}),
        })();
      const log = async (hoursAgo: number, id: string) => {
        const event: WatcherEvent = sampleEvent({ id, detectedAt: new Date(now - hoursAgo * HOUR).toISOString() });
        await stateStore.logEvent(event);
        await stateStore.logEvent(event); // logging twice (a publish retried) must not count twice
        return event;
      };
      const watermark = async () => (await digestStore.getWatermark('daily'))?.value;
      return { run, log, sent, watermark, advance: (ms: number) => (now += ms), at: () => now };
    }

    it('covers contiguous periods day after day, each event in exactly one digest', async () => {
      const t = await setup();
      await t.log(5, 'evt-1');
      expect((await t.run()).outcome).toBe('sent');
      for (let day = 2; day <= 4; day += 1) {
        t.advance(24 * HOUR);
        await t.log(20, `evt-${day}0`);
        await t.log(1, `evt-${day}1`);
      }
      // Events detected within the settle time before a run wait for the next digest.
      await t.log(0.05, 'evt-99');
      expect((await t.run()).outcome).toBe('sent');
      t.advance(HOUR);
      expect((await t.run()).outcome).toBe('sent');
      const [first, second, third] = t.sent;
      expect(second!.from).toBe(first!.to);
      expect(third!.from).toBe(second!.to);
      expect(first!.counts).toEqual({ 'incident.resolved': 1 });
      expect(second!.counts).toEqual({ 'incident.resolved': 6 });
      expect(third!.counts).toEqual({ 'incident.resolved': 1 });
    });

    it('covers only the minutes since the previous digest when run again soon, and nothing at the same instant', async () => {
      const t = await setup();
      await t.log(2, 'evt-1');
      expect((await t.run()).outcome).toBe('sent');
      expect((await t.run()).outcome).toBe('nothing-due');
      t.advance(5 * 60_000);
      expect((await t.run()).outcome).toBe('sent');
      const [first, second] = t.sent;
      expect(second!.from).toBe(first!.to);
      expect(Date.parse(second!.to) - Date.parse(second!.from)).toBe(5 * 60_000);
      expect(second!.counts).toEqual({});
      expect(second!.quiet).toBe(true);
    });

    it('covers exactly the same period again when a run dies before sending', async () => {
      const t = await setup();
      await t.log(2, 'evt-1');
      const crashed = await t.run({ publish: async () => Promise.reject(new Crash('died before sending')) }).catch((e) => e);
      expect(crashed).toBeInstanceOf(Crash);
      t.advance(10 * 60_000); // past the lease
      await t.log(0.01, 'evt-2'); // detected after the crashed run's period: belongs to the next digest
      expect((await t.run()).outcome).toBe('sent');
      t.advance(HOUR);
      expect((await t.run()).outcome).toBe('sent');
      expect(t.sent.map((d) => d.counts['incident.resolved'])).toEqual([1, 1]);
      expect(t.sent[1]!.from).toBe(t.sent[0]!.to);
    });

    it('repeats the very same digest, not a different one, when a run dies after sending', async () => {
      const t = await setup();
      await t.log(2, 'evt-1');
      const digestStore = makeDynamoDigestStore({ client: local.client, tableName });
      const real: DigestMessage[] = [];
      // The process dies after the digest went out, before the watermark moved on.
      const dying = await t.run({ publish: async (d) => { real.push(d); throw new Crash('died after sending'); } }).catch((e) => e);
      expect(dying).toBeInstanceOf(Crash);
      expect((await digestStore.getWatermark('daily'))?.value.pending).toEqual({ from: real[0]!.from, to: real[0]!.to });
      t.advance(10 * 60_000);
      await t.log(0.01, 'evt-2');
      await t.run();
      expect([t.sent[0]!.from, t.sent[0]!.to]).toEqual([real[0]!.from, real[0]!.to]);
      expect(t.sent[0]!.counts).toEqual(real[0]!.counts);
    });

    it('puts an event first logged after a digest took its detection time (held up behind a failed publish) in the next digest, once', async () => {
      const t = await setup();
      await t.log(2, 'evt-1');
      expect((await t.run()).outcome).toBe('sent');
      // Detected three hours ago, before the first digest's end, but logged only now: its publish had failed until now.
      const late = await t.log(3, 'evt-late');
      t.advance(HOUR);
      expect((await t.run()).outcome).toBe('sent');
      t.advance(HOUR);
      expect((await t.run()).outcome).toBe('sent');
      expect(t.sent.map((d) => d.counts['incident.resolved'] ?? 0)).toEqual([1, 1, 0]);
      expect(t.sent.map((d) => d.eventIds)).toEqual([['evt-1'], ['evt-late'], []]);
      expect(late.detectedAt < t.sent[1]!.from).toBe(true);
    });

    it('puts an event detected after the clock stepped back behind the last digest in the next digest, once', async () => {
      const t = await setup();
      await t.log(2, 'evt-1');
      expect((await t.run()).outcome).toBe('sent');
      const watermark = await t.watermark();
      t.advance(-2 * HOUR); // the clock steps back two hours
      expect((await t.run()).outcome).toBe('nothing-due');
      expect(await t.watermark()).toEqual(watermark);
      await t.log(0, 'evt-after-step'); // detected "now", by the clock that stepped back
      t.advance(3 * HOUR);
      expect((await t.run()).outcome).toBe('sent');
      t.advance(HOUR);
      expect((await t.run()).outcome).toBe('sent');
      expect(t.sent.map((d) => d.counts['incident.resolved'] ?? 0)).toEqual([1, 1, 0]);
      expect(t.sent.map((d) => d.eventIds)).toEqual([['evt-1'], ['evt-after-step'], []]);
      expect(t.sent[1]!.from).toBe(t.sent[0]!.to);
      expect(t.sent[2]!.from).toBe(t.sent[1]!.to);
    });

    it('sends the same late events again when a run dies after sending, and takes them into no other digest', async () => {
      const t = await setup();
      expect((await t.run()).outcome).toBe('sent');
      await t.log(5, 'evt-late');
      t.advance(HOUR);
      const real: DigestMessage[] = [];
      const dying = await t.run({ publish: async (d) => { real.push(d); throw new Crash('died after sending'); } }).catch((e) => e);
      expect(dying).toBeInstanceOf(Crash);
      t.advance(10 * 60_000);
      expect((await t.run()).outcome).toBe('sent');
      t.advance(HOUR);
      expect((await t.run()).outcome).toBe('sent');
      expect([real[0]!.counts, ...t.sent.map((d) => d.counts)]).toEqual([{ 'incident.resolved': 1 }, {}, { 'incident.resolved': 1 }, {}]);
      expect(real[0]!.eventIds).toEqual(['evt-late']);
      expect(t.sent.map((d) => d.eventIds)).toEqual([[], ['evt-late'], []]);
    });

    it('lets only one of two overlapping runs send', async () => {
      const t = await setup();
      await t.log(2, 'evt-1');
      const outcomes = await Promise.all([t.run(), t.run(), t.run()]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['busy', 'busy', 'sent']);
      expect(t.sent).toHaveLength(1);
    });
  });
}
