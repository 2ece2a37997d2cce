// Crashes and overlapping runs of the poll use case against a real local DynamoDB: delayed, never lost, never twice.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import type { SourceConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger, Publisher, StateStore } from '../../functions/core/ports.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { PublishError } from '../../functions/core/errors.js';
import { DYNAMO_BACKENDS } from '../support/dynamo-backends.js';
import { usePollerTestBed } from '../support/poller-test-bed.js';
import { Crash } from '../support/simulated-crash.js';

const TABLE = 'watcher-crash-test';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const SEQUENCE = ['seq-01-baseline.atom', 'seq-02-update.atom', 'seq-03-resolved.atom', 'seq-04-rca-edit.atom'];
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A store that dies right after (or before) the n-th call of one method, as a killed process would. */
function crashingStore(store: StateStore, method: keyof StateStore, after: boolean, nth: number): StateStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, key) {
      const original = target[key as keyof StateStore] as (...args: unknown[]) => Promise<unknown>;
      if (key !== method) return original;
      return async (...args: unknown[]) => {
        calls += 1;
        if (calls !== nth) return original.apply(target, args);
        if (!after) throw new Crash(`crash before ${String(method)}`);
        await original.apply(target, args);
        throw new Crash(`crash after ${String(method)}`);
      };
    },
  });
}

const backend = DYNAMO_BACKENDS[0]!;

describe(`poll crashes and overlaps on ${backend.name}`, () => {
  const bed = usePollerTestBed(TABLE, backend);

  async function setup() {
    const n = bed.next();
    const id = `status-${n}`;
    const path = `/feed-${n}`;
    const config: SourceConfig = { id, type: 'auth0-status', url: bed.server.url(path), region: 'US-1' };
    const delivered: WatcherEvent[] = [];
    const publisher: Publisher = { publish: async (event) => void delivered.push(event) };
    let now = Date.parse('2026-10-06T10:00:00Z');
    const { store, ready } = bed.ownStateStore();
    await ready;
    const poller = (s: StateStore) =>
      makePollSource({
        store: s,
        fetcher: makeHttpFetcher({ timeoutMs: 5_000 }),
        publisher,
        secrets: makeSecretResolver({ env: {} }),
        clock: { now: () => new Date(now) },
        logger: quiet,
      });
    return {
      config,
      delivered,
      store,
      poller,
      serve: (name: string) => bed.server.setRoute(path, { body: fixture(name), contentType: 'application/atom+xml' }),
      advance: (ms: number) => (now += ms),
    };
  }

  /** The events a crash-free run of the sequence delivers. */
  async function reference(): Promise<string[]> {
    const t = await setup();
    for (const name of SEQUENCE) {
      t.serve(name);
      await t.poller(t.store)(t.config);
      t.advance(60_000);
    }
    return t.delivered.map(signature);
  }

  /** What an event says, independent of the source id its event id is derived from. */
  const signature = (e: WatcherEvent) => `${e.type} ${e.itemId} ${e.update?.label ?? ''} ${e.occurredAt}`;

  const crashPoints: Array<[string, keyof StateStore, boolean]> = [
    ['after the lease is taken', 'putSource', true],
    ['before an item write', 'putItem', false],
    ['after an item write, before publishing', 'putItem', true],
    ['after publishing, before the event is marked published', 'ackOutbox', false],
    ['after the event is marked published, before the source settles', 'ackOutbox', true],
  ];

  it.each(crashPoints)('a crash %s delays events but loses none', async (_name, method, after) => {
    const expected = await reference();
    for (let step = 1; step < SEQUENCE.length; step += 1) {
      const t = await setup();
      for (const [index, name] of SEQUENCE.entries()) {
        t.serve(name);
        if (index === step) {
          await expect(t.poller(crashingStore(t.store, method, after, 1))(t.config)).rejects.toThrow(Crash);
          t.advance(3 * 60_000); // past the lease: the next run may take over
        }
        await t.poller(t.store)(t.config);
        t.advance(60_000);
      }
      const ids = t.delivered.map((e) => e.id);
      expect(new Set(t.delivered.map(signature))).toEqual(new Set(expected));
      // Only a crash between publishing and marking can repeat a delivery, and then with the same event id.
      const repeats = ids.length - new Set(ids).size;
      expect(repeats).toBe(method === 'ackOutbox' && !after ? 1 : 0);
    }
  });

  it('two overlapping runs of the same source announce each change once', async () => {
    const expected = await reference();
    const t = await setup();
    for (const name of SEQUENCE) {
      t.serve(name);
      const results = await Promise.all([t.poller(t.store)(t.config), t.poller(t.store)(t.config)]);
      expect(results.map((r) => r.outcome)).not.toContain('failed');
      t.advance(60_000);
      // Whichever run lost the race leaves nothing behind for the next poll.
      await t.poller(t.store)(t.config);
      t.advance(60_000);
    }
    expect(t.delivered.map(signature).sort()).toEqual([...expected].sort());
  });

  it('keeps events whose publishing failed and delivers them on the next poll, in order', async () => {
    const t = await setup();
    t.serve(SEQUENCE[0]!);
    await t.poller(t.store)(t.config);
    t.serve(SEQUENCE[1]!);
    let failures = 1;
    const flaky = makePollSource({
      store: t.store,
      fetcher: makeHttpFetcher(),
      publisher: {
        async publish() {
          if (failures-- > 0) throw new PublishError('any', 'SNS is down');
        },
      },
      secrets: makeSecretResolver({ env: {} }),
      clock: { now: () => new Date('2026-10-06T10:02:00Z') },
      logger: quiet,
    });
    const failed = await flaky(t.config);
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toContain('SNS is down');
    t.advance(2 * 60_000);
    const before = t.delivered.length;
    const next = await t.poller(t.store)(t.config);
    expect(next.outcome).toBe('changed');
    expect(t.delivered.slice(before).map((e) => `${e.type} ${e.itemId}`).sort()).toEqual([
      'incident.opened n3wincid3nt1',
      'incident.updated s6nmyrpsnbmj',
    ]);
    // Settled again: the same body is now the fast path.
    t.advance(60_000);
    expect((await t.poller(t.store)(t.config)).outcome).toBe('unchanged');
  });
});
