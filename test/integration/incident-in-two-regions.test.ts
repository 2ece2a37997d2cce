// The same incident in two regions' feeds of one status page, through the real poller on dynalite: the region sources
// race on the one shared item and only one announces each change; an upgrade from items tracked per source announces
// nothing again; the digest lists the incident once.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoDigestStore } from '../../functions/adapters/dynamo-digest-store.js';
import { makeDynamoSlackStore } from '../../functions/channels/slack/dynamo-slack-thread-store.js';
import { ensureTable, makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeSlackWebApi } from '../../functions/channels/slack/slack-web-api.js';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import { diffItems } from '../../functions/core/diff-items.js';
import { chainEvents, linkTo } from '../../functions/core/event-chain.js';
import type { EventLink, WatcherEvent } from '../../functions/core/model.js';
import type { Logger, StateStore } from '../../functions/core/ports.js';
import type { TrackedItem } from '../../functions/core/tracked.js';
import { makeRunDigest, type DigestMessage } from '../../functions/digest/run-digest.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { makeSlackDelivery } from '../../functions/channels/slack/slack-delivery.js';
import { auth0StatusSource } from '../../functions/sources/auth0-status/plugin.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { GLOBAL_INCIDENT, globalIncidentFeed } from '../support/global-incident-feed.js';
import { recordingLogger } from '../support/recording-logger.js';
import { sampleEvent } from '../support/sample-event.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';
import { withItemScopes } from '../../functions/sources/registry.js';

const TABLE = 'watcher-two-regions';
const backend = DYNAMO_BACKENDS[0]!;
const ATOM = 'application/atom+xml; charset=utf-8';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');

let dynamo: RunningDynamo;
let server: FeedServer;
let slack: SlackTestServer;
let counter = 0;

beforeAll(async () => {
  dynamo = await backend.start(TABLE);
  [server, slack] = await Promise.all([startFeedServer(), startSlackTestServer()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.close(), slack?.close()]);
  await dynamo?.stop();
});

/**
 * US-1 and EU-1 feeds of one status page (one host: the feed server), polled by the real poller into a table of their
 * own; every publish recorded, whichever source made it.
 */
async function twoRegions(start: string) {
  const n = ++counter;
  const tableName = `${TABLE}-${n}`;
  await ensureTable(dynamo.client, tableName);
  const store = makeDynamoStateStore({ client: dynamo.client, tableName });
  const region = (label: 'US-1' | 'EU-1'): SourceConfig => {
    const domain = `acme${n}.${label.slice(0, 2).toLowerCase()}.auth0.com`;
    return { id: `auth0-status-${label.toLowerCase()}`, type: 'auth0-status', url: server.url(`/feed?domain=${domain}`), region: label, trackResolvedDays: 365 };
  };
  const us = region('US-1');
  const eu = region('EU-1');
  const published: WatcherEvent[] = [];
  const { logger, logged } = recordingLogger();
  let now = Date.parse(start);
  const poller = (s: StateStore = store) =>
    makePollSource({
      store: s,
      fetcher: makeHttpFetcher({ timeoutMs: 5_000 }),
      publisher: { publish: async (event) => void published.push(event) },
      secrets: makeSecretResolver({ env: {} }),
      clock: { now: () => new Date(now) },
      logger,
    });
  const scope = `@${new URL(us.url).host}`;
  return {
    store,
    us,
    eu,
    scope,
    published,
    logged,
    serve: (source: SourceConfig, body: string) => server.setRoute(new URL(source.url).pathname + new URL(source.url).search, { body, contentType: ATOM }),
    advance: (minutes: number) => (now += minutes * 60_000),
    now: () => new Date(now),
    /** Both sources in the same minute, each run reading the shared items before either writes (the race). */
    race: async () => {
      const gate = barrier(2);
      const gated = gatedListing(store, scope, gate);
      return Promise.all([poller(gated)(us), poller(gated)(eu)]);
    },
    /** Both sources, one after the other. */
    pollBoth: async () => [await poller()(us), await poller()(eu)],
    item: async () => (await store.listItems(scope)).find((r) => r.value.itemId === GLOBAL_INCIDENT),
  };
}

/** Resolves once `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return opened;
  };
}

/** The store, with each listing of the scope's items held until every racing run has read them. */
function gatedListing(store: StateStore, scope: string, gate: () => Promise<void>): StateStore {
  return {
    ...store,
    async listItems(partition) {
      const items = await store.listItems(partition);
      if (partition === scope) await gate();
      return items;
    },
  };
}

const link = (event: WatcherEvent): EventLink => linkTo(event);

describe('an incident in the US-1 and EU-1 feeds of one status page, on dynalite', () => {
  it('is announced once per change when both region sources poll it in the same minute: one write wins, the other leaves the events to it', async () => {
    const t = await twoRegions('2026-04-22T19:55:30Z');
    for (const source of [t.us, t.eu]) t.serve(source, globalIncidentFeed(new URL(source.url).searchParams.get('domain')!, 1));
    t.advance(1);
    const first = await t.race();
    expect(first.map((r) => r.outcome)).toEqual(['changed', 'changed']);
    expect(t.published.map((e) => [e.type, e.itemId, e.scope])).toEqual([['incident.opened', GLOBAL_INCIDENT, t.scope]]);
    // The other run's conditional write failed: its events are the winner's (same ids), left to it.
    const lost = t.logged.filter((l) => l.message === 'item changed by another run; its events are left to that run');
    expect(lost.map((l) => l.keys)).toEqual([{ source: expect.stringMatching(/^auth0-status-(us|eu)-1$/), itemId: GLOBAL_INCIDENT }]);
    expect(lost[0]!.keys!['source']).not.toBe(t.published[0]!.source);

    // The next minute the losing source reads its body again and adds its region, silently.
    t.advance(1);
    const settled = await t.pollBoth();
    expect(settled.map((r) => r.outcome).sort()).toEqual(['changed', 'unchanged']);
    expect(t.published).toHaveLength(1);
    expect((await t.item())?.value).toMatchObject({ listedIn: ['EU-1', 'US-1'], regions: ['EU-1', 'US-1'] });

    // Each later change: one event, in the one thread, naming both regions.
    for (const updates of [2, 3, 4]) {
      for (const source of [t.us, t.eu]) t.serve(source, globalIncidentFeed(new URL(source.url).searchParams.get('domain')!, updates));
      t.advance(5);
      await t.race();
    }
    t.advance(1);
    await t.pollBoth();
    expect(t.published.map((e) => [e.type, e.regions])).toEqual([
      ['incident.opened', expect.any(Array)],
      ['incident.updated', ['EU-1', 'US-1']],
      ['incident.updated', ['EU-1', 'US-1']],
      ['incident.resolved', ['EU-1', 'US-1']],
    ]);
    t.published.forEach((event, index) => expect(event.previous).toEqual(index === 0 ? undefined : link(t.published[index - 1]!)));
    expect(new Set(t.published.map((e) => e.id)).size).toBe(4);
    expect((await t.item())?.outbox).toEqual([]);
  });

  it('announces nothing again after an upgrade from items tracked under each region source’s own id, and lists the incidents once in the digest', async () => {
    const t = await twoRegions('2026-10-06T10:49:00Z');
    const FEED = fixture('seq-02-update.atom');
    // What an earlier version left: both sources tracked the same incidents under their own ids (the open US-5 incident
    // s6nmyrpsnbmj, the open n3wincid3nt1, the resolved rb4z1181bd4z, the completed maintenance), announced them each,
    // and US-1's last run died before publishing the opening of n3wincid3nt1.
    const leftover = await trackedByEarlierVersion(t.store, t.us, FEED, t.now(), { unpublished: 'n3wincid3nt1' });
    await trackedByEarlierVersion(t.store, t.eu, FEED, t.now());
    expect(await t.store.listItems(t.scope)).toEqual([]);

    const digests: DigestMessage[] = [];
    const runDigest = makeRunDigest({
      digestStore: makeDynamoDigestStore({ client: dynamo.client, tableName: `${TABLE}-${counter}` }),
      stateStore: t.store,
      publisher: { publish: async (digest) => void digests.push(digest) },
      clock: { now: t.now },
      logger: { debug() {}, info() {}, warn() {}, error() {} } satisfies Logger,
      sources: withItemScopes([t.us, t.eu]),
      digest: digestSchema.parse({}),
      settings: { settleMs: 0 },
    });
    await runDigest();
    expect(digests[0]!.text).toContain('OPEN INCIDENTS NOW (2)');

    // The first changed poll after the upgrade: nothing is new, only the leftover goes out, once.
    for (const source of [t.us, t.eu]) t.serve(source, FEED);
    t.advance(1);
    await t.race();
    expect(t.published).toEqual([leftover]);
    const moved = await t.store.listItems(t.scope);
    expect(moved.map((r) => r.value.itemId).sort()).toEqual(['k2w8yq0v7t3n', 'n3wincid3nt1', 'rb4z1181bd4z', 's6nmyrpsnbmj']);
    expect(moved.find((r) => r.value.itemId === 'n3wincid3nt1')?.value.lastEvent).toBeDefined();
    // The region sources now read the scope alone.
    t.advance(1);
    await t.pollBoth();
    expect(t.published).toEqual([leftover]);
    for (const source of [t.us, t.eu]) expect((await t.store.getSource(source.id))?.value.itemScope).toBe(t.scope);

    // The next change is announced once, continuing the incident's chain.
    for (const source of [t.us, t.eu]) t.serve(source, fixture('seq-03-resolved.atom'));
    t.advance(35);
    await t.race();
    t.advance(1);
    await t.pollBoth();
    expect(t.published.slice(1).map((e) => [e.type, e.itemId, e.regions, e.scope])).toEqual([
      ['incident.resolved', 's6nmyrpsnbmj', ['US-5'], t.scope],
    ]);
    expect(t.published[1]!.previous).toBeDefined();

    t.advance(5);
    await runDigest();
    expect(digests[1]!.text).toContain('OPEN INCIDENTS NOW (1)');
    expect(digests[1]!.text).toContain('RESOLVED IN THIS PERIOD (1)');
  });
});

/**
 * Writes what an earlier version (items tracked under the source's own id) remembered after polling `feed` for the first
 * time: the source record with its baseline, and each item with the link to its last event, without the fields this
 * version adds. With `unpublished`, that item's event is still in its outbox (the run died before publishing it); it is
 * returned.
 */
async function trackedByEarlierVersion(
  store: StateStore,
  config: SourceConfig,
  feed: string,
  now: Date,
  options: { unpublished?: string } = {},
): Promise<WatcherEvent | undefined> {
  const parsed = auth0StatusSource.parse([{ url: config.url, finalUrl: config.url, contentType: ATOM, body: feed }], config as never);
  if (!parsed.ok) throw new Error(parsed.reason);
  const info = { id: config.id, type: config.type, vendor: 'Auth0', url: config.url, region: 'region' in config ? config.region : undefined };
  const changes = diffItems({ source: info, baseline: true, now, trackResolvedDays: 365 }, new Map(), parsed.items);
  let leftover: WatcherEvent | undefined;
  for (const change of changes) {
    const chain = chainEvents(undefined, change.events);
    const { listedIn: _added, ...earlier } = change.next;
    const item: TrackedItem = chain.last ? { ...earlier, lastEvent: chain.last } : earlier;
    const unpublished = change.next.itemId === options.unpublished ? chain.events.map((event, seq) => ({ event, seq })) : [];
    if (unpublished.length > 0) leftover = unpublished[0]!.event;
    expect(await store.putItem(config.id, item, { expectedVersion: undefined, outbox: unpublished })).toBe(true);
  }
  const nowIso = now.toISOString();
  expect(
    await store.putSource(config.id, { consecutiveFailures: 0, baselineAt: nowIso, lastSuccessAt: nowIso, itemCount: parsed.items.length }, { expectedVersion: undefined }),
  ).toBe(true);
  expect(leftover === undefined).toBe(options.unpublished === undefined);
  return leftover;
}

describe('the Slack thread of an incident open when the region sources are upgraded, on dynalite', () => {
  it('continues in a fresh thread keyed by the scope, posting no event twice', async () => {
    const channel = 'C0UPGRADE';
    slack.addChannel(channel);
    const tableName = `${TABLE}-slack`;
    await ensureTable(dynamo.client, tableName);
    const deliver = makeSlackDelivery({
      destination: { mode: 'bot', channel, api: makeSlackWebApi({ token: slack.token, apiBaseUrl: slack.apiBaseUrl, minRetryDelayMs: 5 }) },
      rules: {},
      store: makeDynamoSlackStore({ client: dynamo.client, tableName }),
      clock: { now: () => new Date('2026-04-22T20:16:00Z') },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      sleep: async () => undefined,
    });
    const event = (id: string, source: string, type: WatcherEvent['type'], at: string, over: Partial<WatcherEvent> = {}) =>
      sampleEvent({ id, source, type, itemId: GLOBAL_INCIDENT, url: `https://status.auth0.com/incidents/${GLOBAL_INCIDENT}`, occurredAt: at, detectedAt: at, ...over });
    // Before the upgrade each region source announced the incident in a thread of its own (the finding).
    const usOpened = event('us-opened', 'auth0-status-us-1', 'incident.opened', '2026-04-22T19:56:00.000Z');
    const euOpened = event('eu-opened', 'auth0-status-eu-1', 'incident.opened', '2026-04-22T19:57:00.000Z');
    // After it, the incident's events carry the scope, the first linked to what its item last announced.
    const scope = '@status.auth0.com';
    const identified = event('identified', 'auth0-status-eu-1', 'incident.updated', '2026-04-22T20:02:00.000Z', { scope, previous: linkTo(usOpened) });
    const resolved = event('resolved', 'auth0-status-us-1', 'incident.resolved', '2026-04-22T20:15:00.000Z', { scope, previous: linkTo(identified) });
    const outcomes = [];
    for (const e of [usOpened, euOpened, identified, resolved, identified, usOpened]) outcomes.push(await deliver(e));
    expect(outcomes).toEqual(['posted', 'posted', 'posted', 'posted', 'duplicate', 'duplicate']);

    const roots = slack.messages(channel).filter((m) => m.threadTs === undefined);
    const idOf = (m: { metadata?: { event_payload: Record<string, unknown> } }) => String(m.metadata?.event_payload['event_id']);
    expect(roots.map(idOf)).toEqual(['us-opened', 'eu-opened', 'identified']);
    expect(slack.replies(channel, roots[2]!.ts).map(idOf)).toEqual(['resolved']);
    const posted = slack.messages(channel).map(idOf);
    expect(posted.length).toBe(new Set(posted).size);
  });
});
