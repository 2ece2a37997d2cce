// Events the poller logs late, through the real poller and digest on real local DynamoDB and a real feed server: each
// still lands in exactly one digest, whatever held it up.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoDigestStore } from '../../functions/adapters/dynamo-digest-store.js';
import { ensureTable, makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import { PublishError } from '../../functions/core/errors.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeRunDigest, type DigestMessage } from '../../functions/digest/run-digest.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { withItemScopes } from '../../functions/sources/registry.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const RSS = 'application/rss+xml; charset=utf-8';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const fullFeed = readFileSync(new URL('../fixtures/auth0-changelog/rss.xml', import.meta.url), 'utf8');
/** The fixture without its three newest entries: serving the whole fixture after it brings three new entries. */
const feedBeforeThreeEntries = fullFeed.replace(/(?:\s*<item>[\s\S]*?<\/item>){3}/, '');

describe('digests of events the poller logged late', () => {
  let dynamo: RunningDynamo;
  let feeds: FeedServer;
  let n = 0;

  beforeAll(async () => {
    [dynamo, feeds] = await Promise.all([DYNAMO_BACKENDS[0]!.start('digest-late'), startFeedServer()]);
  }, 60_000);
  afterAll(async () => {
    await feeds?.close();
    await dynamo?.stop();
  });

  async function setup() {
    const tableName = `digest-late-${++n}`;
    await ensureTable(dynamo.client, tableName);
    let now = Date.parse('2026-10-06T10:00:00Z');
    const clock = { now: () => new Date(now) };
    const source: SourceConfig = { id: 'changelog', type: 'auth0-changelog', url: feeds.url(`/${tableName}/rss.xml`) };
    const published: WatcherEvent[] = [];
    let snsDown = false;
    const stateStore = makeDynamoStateStore({ client: dynamo.client, tableName });
    const poll = makePollSource({
      store: stateStore,
      fetcher: makeHttpFetcher(),
      publisher: {
        async publish(event) {
          if (snsDown) throw new PublishError(event.id, 'SNS publish failed: InternalErrorException');
          published.push(event);
        },
      },
      secrets: makeSecretResolver({ env: {} }),
      clock,
      logger: quiet,
    });
    const digests: DigestMessage[] = [];
    const runDigest = makeRunDigest({
      digestStore: makeDynamoDigestStore({ client: dynamo.client, tableName }),
      stateStore,
      publisher: { publish: async (digest) => void digests.push(digest) },
      clock,
      logger: quiet,
      sources: withItemScopes([source]),
      digest: digestSchema.parse({}),
    });
    return {
      serve: (body: string) => feeds.setRoute(`/${tableName}/rss.xml`, { body, contentType: RSS }),
      poll: () => poll(source),
      digest: () => runDigest(),
      at: (iso: string) => (now = Date.parse(iso)),
      setSnsDown: (down: boolean) => (snsDown = down),
      published,
      digests,
    };
  }

  it('puts all three change-log entries of a poll whose first publish failed into exactly one digest each', async () => {
    const t = await setup();
    t.serve(feedBeforeThreeEntries);
    expect((await t.poll()).outcome).toBe('changed'); // the baseline: silent
    t.serve(fullFeed);
    t.at('2026-10-06T10:10:00Z');
    t.setSnsDown(true);
    expect((await t.poll()).outcome).toBe('failed'); // the first entry's publish fails; the other two wait behind it
    t.at('2026-10-06T10:40:00Z');
    expect((await t.digest()).outcome).toBe('sent'); // covers the entries' detection time (10:10)
    t.setSnsDown(false);
    t.at('2026-10-06T12:00:00Z');
    expect((await t.poll()).outcome).toBe('changed'); // publishes the three, logging the two never logged before
    t.at('2026-10-07T08:00:00Z');
    expect((await t.digest()).outcome).toBe('sent');

    const entries = t.published.filter((e) => e.type === 'changelog.published');
    expect(entries).toHaveLength(3);
    expect(t.digests.map((d) => d.counts['changelog.published'] ?? 0)).toEqual([1, 2]);
    const holders = entries.map((e) => t.digests.filter((d) => d.eventIds.includes(e.id)).length);
    expect(holders).toEqual([1, 1, 1]);
    expect(t.digests[1]!.text).toContain(entries.find((e) => !t.digests[0]!.eventIds.includes(e.id))!.title.slice(0, 30));
  });
});
