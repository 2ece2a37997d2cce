// The auth0-deprecations probe through the probe use case, the real HTTP fetcher and a loopback docs site serving real
// captures of the Deprecations and Migrations page's Markdown (test/fixtures/auth0-tenant/deprecations/): a baseline
// that warns only of the end of life already near, a new entry announced once, nothing twice on a rerun, and an
// emptied or HTML page failing the source while the entries it knew are kept, then recovering.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { sourceConfigSchemaOf } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeRunProbe, type ProbeSourceState } from '../../functions/probe/run-probe.js';
import { DEPRECATIONS_PAGE_URL } from '../../functions/sources/auth0-deprecations/config-schema.js';
import { auth0DeprecationsSource } from '../../functions/sources/auth0-deprecations/plugin.js';
import type { ProbeSourceModule, SourceConfigBase } from '../../functions/sources/source.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

const DIR = join(import.meta.dirname, '../fixtures/auth0-tenant/deprecations');
const page = (name: string) => ({ body: readFileSync(join(DIR, name), 'utf8'), contentType: 'text/markdown; charset=utf-8' });
const PATH = '/docs/troubleshoot/product-lifecycle/deprecations-and-migrations';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const schema = sourceConfigSchemaOf([auth0DeprecationsSource]);

describe('auth0-deprecations probe against a loopback docs site', () => {
  let docs: FeedServer;
  beforeEach(async () => {
    docs = await startFeedServer();
  });
  afterEach(async () => {
    await docs.close();
  });

  it('defaults to the real page, read as Markdown every four hours', () => {
    const config = schema.parse({ id: 'auth0-deprecations', type: 'auth0-deprecations' });
    expect(config.url).toBe('https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations');
    expect(config.url).toBe(DEPRECATIONS_PAGE_URL);
    expect(auth0DeprecationsSource.defaultEveryMinutes).toBe(240);
    expect(() => schema.parse({ id: 'd', type: 'auth0-deprecations', url: `${DEPRECATIONS_PAGE_URL}?x=1` })).toThrow(/without a query/);
  });

  it('warns on its baseline only of the near end of life, announces a new entry once, and fails on an emptied page keeping what it knew', async () => {
    const config = schema.parse({ id: 'auth0-deprecations', type: 'auth0-deprecations', url: docs.url(PATH) });
    const store = inMemoryStateStore();
    const published: WatcherEvent[] = [];
    let now = Date.parse('2025-10-10T06:00:00Z');
    const runProbe = makeRunProbe({
      store: store.store,
      publisher: { publish: async (event) => void published.push(event) },
      secrets: { resolve: async () => Promise.reject(new Error('the page needs no secret')) },
      clock: { now: () => new Date(now) },
      logger: quiet,
      fetcher: makeHttpFetcher({ timeoutMs: 5_000 }),
      moduleFor: () => auth0DeprecationsSource as unknown as ProbeSourceModule<SourceConfigBase>,
      settings: { failureThreshold: 2 },
    });
    const stored = () => store.records.get('auth0-deprecations|')?.value as ProbeSourceState | undefined;

    // 1. Baseline on the page of 2025-10-09: its entries remembered; the one end of life within 90 days warned once.
    docs.setRoute(`${PATH}.md`, page('deprecations-and-migrations.2025-10-09.5da4ef878.mdx'));
    const first = await runProbe(config);
    expect(first).toMatchObject({ outcome: 'changed', measurements: { entries: 14, endsOfLifeWithin90Days: 1, unreadableDates: 1 } });
    expect(docs.requests[0]).toMatchObject({ method: 'GET', path: `${PATH}.md` });
    expect(docs.requests[0]!.headers['accept']).toContain('text/markdown');
    expect(published.map((event) => [event.type, event.itemId, event.deprecation?.daysLeft])).toEqual([
      ['deprecation.eol_approaching', 'allow-omitting-password-on-smtp-email-provider-host-related-changes', 34],
    ]);
    expect(published[0]!.url).toBe(`${docs.url(PATH)}#allow-omitting-password-on-smtp-email-provider-host-related-changes`);
    const known = stored()?.probe as { entries: Record<string, unknown> };
    expect(Object.keys(known.entries)).toHaveLength(14);

    // 2. Four hours later, the same page: nothing new, nothing twice.
    now += 4 * 3_600_000;
    expect((await runProbe(config)).outcome).toBe('unchanged');
    expect(published).toHaveLength(1);

    // 3. The page of 2025-10-20 adds an entry: announced once, with its dates.
    docs.setRoute(`${PATH}.md`, page('deprecations-and-migrations.2025-10-20.fd8ce5185.mdx'));
    now = Date.parse('2025-10-21T06:00:00Z');
    expect((await runProbe(config)).outcome).toBe('changed');
    const announced = published.filter((event) => event.type === 'deprecation.announced');
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({
      itemId: 'unconfirmed-login-with-non-verifiable-callback-uri-redirects',
      deprecation: { deprecatedOn: '2025-10-28', endOfLife: '2026-04-28', daysLeft: 189 },
    });
    const count = published.length;
    const before = stored()?.probe;

    // 4. The page loses its entries (a layout change), then comes as HTML: each run fails naming the URL, the entries
    //    stay, and source.failing goes out at the threshold; never "all deprecations removed".
    docs.setRoute(`${PATH}.md`, { body: '# Deprecations and Migrations\n\n## Learn more\n', contentType: 'text/markdown' });
    now += 4 * 3_600_000;
    const emptied = await runProbe(config);
    expect(emptied).toMatchObject({ outcome: 'failed', url: `${docs.url(PATH)}.md` });
    expect(emptied.reason).toBe('the page lists no deprecations where the last read listed 15: its format may have changed');
    docs.setRoute(`${PATH}.md`, { body: '<!DOCTYPE html><html><body>Deprecations</body></html>', contentType: 'text/plain' });
    now += 4 * 3_600_000;
    expect((await runProbe(config)).reason).toBe('the page came as HTML, not as Markdown');
    expect(stored()?.probe).toEqual(before);
    expect(published.slice(count).map((event) => event.type)).toEqual(['source.failing']);
    expect(published[count]!.summary).toContain(`${docs.url(PATH)}.md`);

    // 5. The page is back: the source recovers, and nothing about the entries is repeated.
    docs.setRoute(`${PATH}.md`, page('deprecations-and-migrations.2025-10-20.fd8ce5185.mdx'));
    now += 4 * 3_600_000;
    expect((await runProbe(config)).outcome).toBe('unchanged');
    expect(published.slice(count + 1).map((event) => event.type)).toEqual(['source.recovered']);
    expect(new Set(published.map((event) => event.id)).size).toBe(published.length);
  });
});
