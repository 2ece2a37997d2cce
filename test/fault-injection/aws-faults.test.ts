// AWS-side faults on the wire: DynamoDB throttling and errors, SNS publish errors and timeouts. Each is retried
// with backoff and bounded; the run ends cleanly, and nothing is lost or announced twice.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { localDynamoClient } from '../../functions/adapters/embedded-dynamo.js';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../../functions/adapters/sns-publisher.js';
import type { SourceConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startDynamoFaultProxy, type DynamoFaultProxy } from '../support/dynamo-fault-proxy.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';
import { recordFigures } from './figures.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const SEQUENCE = ['seq-01-baseline.atom', 'seq-02-update.atom', 'seq-03-resolved.atom', 'seq-04-rca-edit.atom'];

describe('AWS-side faults', () => {
  let dynamo: RunningDynamo;
  let proxy: DynamoFaultProxy;
  let feeds: FeedServer;
  let sns: SnsTestServer;
  let n = 0;
  const figures = { dynamoFaults: 0, snsFaults: 0, snsTimeouts: 0, expected: 0, published: 0, repeatsOnTheWire: 0 };

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start('aws-faults');
    proxy = await startDynamoFaultProxy(dynamo.endpoint);
    [feeds, sns] = await Promise.all([startFeedServer(), startSnsTestServer()]);
  }, 60_000);
  afterAll(async () => {
    await recordFigures('aws-faults', figures);
    await Promise.all([feeds?.close(), sns?.close(), proxy?.close()]);
    await dynamo?.stop();
  });

  async function setup(snsOptions: { requestTimeoutMs?: number } = {}) {
    const id = `s${++n}`;
    const tableName = `aws-faults-${id}`;
    await ensureTable(dynamo.client, tableName);
    const topicArn = sns.createTopic(`events-${id}`);
    const config: SourceConfig = { id: 'status-us-5', type: 'auth0-status', url: feeds.url(`/${id}/feed`), region: 'US-5' };
    let now = Date.parse('2026-10-06T10:00:00Z');
    const poll = makePollSource({
      // The poller's DynamoDB client goes through the fault proxy, with the SDK's standard retries and backoff.
      store: makeDynamoStateStore({ client: localDynamoClient(proxy.endpoint), tableName }),
      fetcher: makeHttpFetcher({ timeoutMs: 2_000 }),
      publisher: makeSnsPublisher({ client: makeSnsClient({ endpoint: sns.endpoint, ...snsOptions }), topicArn }),
      secrets: makeSecretResolver({ env: {} }),
      clock: { now: () => new Date(now) },
      logger: quiet,
    });
    const serve = (name: string) => feeds.setRoute(`/${id}/feed`, { body: fixture(name), contentType: 'application/atom+xml' });
    const published = () => sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent);
    return { poll: () => poll(config), serve, published, advance: (minutes: number) => (now += minutes * 60_000) };
  }

  /** The event ids a fault-free run of the sequence publishes. */
  /**
   * Checks that the run published every expected event id and no other, adds it to the figures, and returns how many
   * publishes repeated an id already on the wire.
   */
  function tally(published: readonly { id: string }[], expected: readonly string[]): number {
    const unique = new Set(published.map((event) => event.id));
    expect([...unique].sort()).toEqual(expected);
    const repeats = published.length - unique.size;
    figures.expected += expected.length;
    figures.published += unique.size;
    figures.repeatsOnTheWire += repeats;
    return repeats;
  }

  async function reference(): Promise<string[]> {
    proxy.setFaults(() => undefined);
    const t = await setup();
    for (const name of SEQUENCE) {
      t.serve(name);
      await t.poll();
      t.advance(1);
    }
    return [...new Set(t.published().map((e) => e.id))].sort();
  }

  it('retries DynamoDB throttling (every fourth request) with backoff and still announces each change once', async () => {
    const expected = await reference();
    const before = { ...proxy.injected };
    const throttle = (_operation: string, index: number) =>
      index % 8 === 0 ? 'throttling' : index % 8 === 4 ? 'provisioned-throughput' : undefined;
    proxy.setFaults(throttle);
    const t = await setup();
    for (const name of SEQUENCE) {
      t.serve(name);
      const started = Date.now();
      const result = await t.poll().catch((error: Error) => ({ outcome: `threw ${error.name}` }));
      expect(Date.now() - started).toBeLessThan(15_000);
      // A poll whose retries ran out ends with the error; the next minute's poll picks the change up.
      if (result.outcome !== 'changed' && result.outcome !== 'unchanged') {
        t.advance(3);
        proxy.setFaults(() => undefined);
        await t.poll();
        proxy.setFaults(throttle);
      }
      t.advance(1);
    }
    proxy.setFaults(() => undefined);
    t.advance(3);
    await t.poll();
    expect(tally(t.published(), expected)).toBe(0);
    const injected = proxy.injected.throttling - before.throttling + proxy.injected['provisioned-throughput'] - before['provisioned-throughput'];
    expect(injected).toBeGreaterThan(5);
    figures.dynamoFaults += injected;
  });

  it('ends a poll cleanly with an error, within bounds, when every DynamoDB write fails, and loses nothing', async () => {
    const expected = await reference();
    const t = await setup();
    t.serve(SEQUENCE[0]!);
    await t.poll();
    t.serve(SEQUENCE[1]!);
    t.advance(1);
    const before = proxy.injected['internal-error'];
    proxy.setFaults((operation) => (operation === 'PutItem' || operation === 'UpdateItem' ? 'internal-error' : undefined));
    const started = Date.now();
    await expect(t.poll()).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(Date.now() - started).toBeLessThan(10_000);
    figures.dynamoFaults += proxy.injected['internal-error'] - before;
    proxy.setFaults(() => undefined);
    for (const name of SEQUENCE.slice(1)) {
      t.serve(name);
      t.advance(3);
      await t.poll();
    }
    expect(tally(t.published(), expected)).toBe(0);
  });

  it('keeps events in the outbox when SNS keeps failing, and publishes them on the next poll', async () => {
    const expected = await reference();
    const t = await setup();
    t.serve(SEQUENCE[0]!);
    await t.poll();
    t.serve(SEQUENCE[1]!);
    t.advance(1);
    sns.failNext(8, { status: 500, code: 'InternalError' });
    const failed = await t.poll();
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toMatch(/SNS publish failed: InternalErrorException/);
    figures.snsFaults += 8;
    for (const name of SEQUENCE.slice(1)) {
      t.serve(name);
      t.advance(1);
      await t.poll();
    }
    tally(t.published(), expected);
  });

  it('retries an SNS publish that timed out; a repeat on the wire carries the same event id', async () => {
    const expected = await reference();
    const t = await setup({ requestTimeoutMs: 300 });
    sns.delayNext(1_000);
    for (const name of SEQUENCE) {
      t.serve(name);
      const started = Date.now();
      expect((await t.poll()).outcome).toBe('changed');
      expect(Date.now() - started).toBeLessThan(10_000);
      t.advance(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the abandoned request arrives late
    expect(tally(t.published(), expected)).toBeLessThanOrEqual(1);
    figures.snsTimeouts += 1;
  });
});
