// A source type the watcher does not have, added as a plug-in in the test tree (test/support/example-source-plugin.ts)
// plus one registry line, is validated, checked at a Lambda's cold start, scheduled and polled end to end: served by a
// real HTTP server on loopback, fetched by the real fetcher, remembered by an in-memory state store and published to an
// in-memory publisher. Nothing else in the watcher names the type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { sourceConfigSchemaOf } from '../../functions/config/config.js';
import { readCompiledWatcherConfig } from '../../functions/config/lambda-config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger, Publisher } from '../../functions/core/ports.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { SOURCE_PLUGINS } from '../../functions/sources/registry.js';
import { makeSourceRegistry } from '../../functions/sources/source-registry.js';
import { exampleJsonSource, type ExampleJsonSourceConfig } from '../support/example-source-plugin.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

/** The watcher's registry with the example plug-in: the one line a new source type adds. */
const registry = makeSourceRegistry([...SOURCE_PLUGINS, exampleJsonSource]);

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const JSON_TYPE = 'application/json; charset=utf-8';

const incident = (id: string, status: 'open' | 'resolved', at: string, text: string) => ({ id, title: `Incident ${id}`, status, at, text });
const list = (...incidents: readonly unknown[]) => JSON.stringify({ incidents });

describe('a source plug-in added in the test tree', () => {
  let server: FeedServer;
  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  function configOf(input: Record<string, unknown>): ExampleJsonSourceConfig {
    const config = sourceConfigSchemaOf(registry.modules).parse({ type: 'example-json', vendor: 'Example Corp', ...input });
    if (config.type !== 'example-json') throw new Error(`expected an example-json source, got ${config.type}`);
    return config;
  }

  /** A poller over the extended registry, with in-memory ports and a clock it moves a minute per poll. */
  function poller() {
    const memory = inMemoryStateStore();
    const published: WatcherEvent[] = [];
    const publisher: Publisher = { publish: async (event) => void published.push(event) };
    let now = Date.parse('2026-10-06T10:00:00Z');
    const poll = makePollSource({
      sources: registry,
      store: memory.store,
      fetcher: makeHttpFetcher(),
      publisher,
      secrets: makeSecretResolver({ env: { EXAMPLE_API_KEY: 'example-key-123' } }),
      clock: { now: () => new Date(now) },
      logger: quiet,
    });
    return {
      ...memory,
      published,
      poll: (config: ExampleJsonSourceConfig) => {
        now += 60_000;
        return poll(config);
      },
    };
  }

  it('validates its config from the registry, and only once the registry lists it', () => {
    const config = configOf({ id: 'example', url: server.url('/example/validated.json'), apiKey: 'env:EXAMPLE_API_KEY' });
    expect(config).toMatchObject({ id: 'example', vendor: 'Example Corp', openOnly: false });
    // The watcher's own registry does not know the type.
    const builtIn = sourceConfigSchemaOf(SOURCE_PLUGINS).safeParse({ ...config });
    expect(builtIn.success).toBe(false);
    // A Lambda cold start takes it when its registry does, and refuses it when not.
    const env = { WATCHER_CONFIG: JSON.stringify({ failureThreshold: 3, trackResolvedDays: 60, sources: [config] }) };
    expect(readCompiledWatcherConfig(env, (type) => registry.has(type)).sources).toEqual([config]);
    expect(() => readCompiledWatcherConfig(env, (type) => SOURCE_PLUGINS.some((plugin) => plugin.type === type))).toThrow(
      'sources[0].type must be a source type',
    );
  });

  it('gets its cadence, vendor and secret references from its module', () => {
    const config = configOf({ id: 'example', url: server.url('/example/facts.json'), apiKey: 'env:EXAMPLE_API_KEY' });
    expect(registry.everyMinutesOf(config)).toBe(10);
    expect(registry.everyMinutesOf({ ...config, everyMinutes: 3 })).toBe(3);
    expect(registry.vendorOf(config)).toBe('Example Corp');
    expect(registry.secretRefsOf(config)).toEqual([{ field: 'apiKey', ref: 'env:EXAMPLE_API_KEY' }]);
    expect(registry.itemScopeOf(config)).toBe('example');
  });

  it('is polled through makePollSource: open incidents announced, then resolved, with its token and vendor', async () => {
    const path = '/example/incidents.json';
    const config = configOf({ id: 'example', url: server.url(path), apiKey: 'env:EXAMPLE_API_KEY', openOnly: true });
    const t = poller();
    server.setRoute(path, {
      body: list(incident('inc-1', 'open', '2026-10-06T09:50:00Z', 'Logins are slow.'), incident('inc-0', 'resolved', '2026-10-01T08:00:00Z', 'Fixed.')),
      contentType: JSON_TYPE,
    });
    const first = await t.poll(config);
    expect(first).toMatchObject({ sourceId: 'example', outcome: 'changed', itemCount: 2 });
    // The baseline announces the incident still open, and nothing else.
    expect(t.published.map((event) => `${event.type} ${event.itemId}`)).toEqual(['incident.opened inc-1']);
    expect(t.published[0]).toMatchObject({ source: 'example', sourceType: 'example-json', vendor: 'Example Corp' });
    const [request] = server.requests.filter((received) => received.path === path);
    expect(request?.headers.authorization).toBe('Bearer example-key-123');

    server.setRoute(path, {
      body: list(incident('inc-1', 'resolved', '2026-10-06T10:05:00Z', 'Logins are fast again.')),
      contentType: JSON_TYPE,
    });
    expect((await t.poll(config)).outcome).toBe('changed');
    expect(t.published.map((event) => `${event.type} ${event.itemId}`)).toEqual(['incident.opened inc-1', 'incident.resolved inc-1']);
    expect(t.logged).toEqual(t.published);

    // The module says an empty list is all clear for this source.
    server.setRoute(path, { body: list(), contentType: JSON_TYPE });
    expect(await t.poll(config)).toMatchObject({ outcome: 'changed', itemCount: 0 });
    expect(t.records.get('example|inc-1')?.value).toMatchObject({ itemId: 'inc-1' });
  });

  it('fails a list that suddenly empties when its module says empty is not normal for that config', async () => {
    const path = '/example/all.json';
    const config = configOf({ id: 'example-all', url: server.url(path) });
    const t = poller();
    server.setRoute(path, { body: list(incident('inc-9', 'resolved', '2026-10-01T08:00:00Z', 'Done.')), contentType: JSON_TYPE });
    expect((await t.poll(config)).outcome).toBe('changed');
    server.setRoute(path, { body: list(), contentType: JSON_TYPE });
    expect(await t.poll(config)).toMatchObject({
      outcome: 'failed',
      reason: 'suddenly empty: no items where the last good poll had 1',
    });
  });
});
