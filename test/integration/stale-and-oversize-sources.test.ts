// Stale copies, duplicate listings, same-minute updates, oversize texts and items the store refuses, through the real
// poller (HTTP fetcher, feed server on loopback, dynalite): each event published exactly once, no source jammed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import type { SourceConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { EVENT_BUDGETS } from '../../functions/core/text/event-budgets.js';
import { utf8Bytes } from '../../functions/core/text/truncate.js';
import { usePollerTestBed } from '../support/poller-test-bed.js';

const TABLE = 'watcher-stale-oversize-test';
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const ATOM = 'application/atom+xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** The entries of an Atom feed, and a feed with the same head and other entries. */
const entriesOf = (feed: string) => feed.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
function withEntries(feed: string, entries: readonly string[]): string {
  return `${feed.slice(0, feed.indexOf('<entry>'))}${entries.join('\n  ')}\n</feed>\n`;
}
const entryFor = (feed: string, itemId: string) => entriesOf(feed).find((entry) => entry.includes(`/incidents/${itemId}<`))!;

const bed = usePollerTestBed(TABLE);

/** A source with its own path on the feed server, its own poller, clock, publisher and logger. */
function watch(make: (id: string, base: string) => SourceConfig, start = '2026-10-06T10:00:00Z') {
  const n = bed.next();
  const base = `/src-${n}`;
  const config = make(`source-${n}`, bed.server.url(base));
  const watched = bed.watch({
    config,
    start,
    fetcher: makeHttpFetcher({ timeoutMs: 5_000 }),
    secrets: makeSecretResolver({ env: {} }),
  });
  return {
    ...watched,
    config,
    serve: (path: string, body: string, contentType = ATOM) => bed.server.setRoute(`${base}${path}`, { body, contentType }),
  };
}

const auth0Status = (id: string, url: string): SourceConfig => ({ id, type: 'auth0-status', url, region: 'US-1' });
const statuspage = (id: string, url: string): SourceConfig => ({ id, type: 'statuspage', url, vendor: 'GitHub', mode: 'api' });

/** Every event id published exactly once, and what was published is what a run without stale copies publishes. */
function expectEachOnce(delivered: readonly WatcherEvent[], reference: readonly WatcherEvent[]): void {
  const ids = delivered.map((event) => event.id);
  expect(ids.length - new Set(ids).size).toBe(0);
  const what = (events: readonly WatcherEvent[]) => events.map((e) => `${e.type} ${e.itemId} ${e.update?.label ?? ''} ${e.occurredAt}`);
  expect(what(delivered)).toEqual(what(reference));
}

describe('stale copies served by an edge between fresh ones', () => {
  const SEQ = (name: string) => fixture(`auth0-status/seq-${name}.atom`);

  it('an Auth0 feed served 01, 02, 03, 02, 03, 04, 03, 04 publishes each event exactly once and keeps state', async () => {
    const reference = watch(auth0Status);
    for (const name of ['01-baseline', '02-update', '03-resolved', '04-rca-edit']) {
      reference.serve('', SEQ(name));
      await reference.poll();
    }
    const t = watch(auth0Status);
    const served = ['01-baseline', '02-update', '03-resolved', '02-update', '03-resolved', '04-rca-edit', '03-resolved', '04-rca-edit'];
    for (const [index, name] of served.entries()) {
      t.serve('', SEQ(name));
      const before = await t.items();
      const result = await t.poll();
      expect(result.outcome).not.toBe('failed');
      // The stale copies (the 4th and 7th polls) and the fresh copies after them write no item.
      if (index === 3 || index === 4 || index === 6 || index === 7) expect(await t.items()).toEqual(before);
    }
    expectEachOnce(t.delivered, reference.delivered);
    expect(t.delivered.map((e) => e.type)).toEqual([
      'incident.opened',
      'incident.opened',
      'incident.updated',
      'incident.resolved',
      'incident.rca_published',
    ]);
  });

  it('a Statuspage API served 01, 02, 03, 02, 03, 04, 03, 04 publishes each event exactly once', async () => {
    const SP = (n: number) => fixture(`statuspage/api-seq-0${n}-incidents.json`);
    const maintenances = fixture('statuspage/scheduled-maintenances-empty.json');
    const reference = watch(statuspage, '2026-10-14T09:10:00Z');
    const t = watch(statuspage, '2026-10-14T09:10:00Z');
    for (const w of [reference, t]) w.serve('/api/v2/scheduled-maintenances.json', maintenances, JSON_TYPE);
    for (const n of [1, 2, 3, 4]) {
      reference.serve('/api/v2/incidents.json', SP(n), JSON_TYPE);
      await reference.poll();
    }
    for (const n of [1, 2, 3, 2, 3, 4, 3, 4]) {
      t.serve('/api/v2/incidents.json', SP(n), JSON_TYPE);
      expect((await t.poll()).outcome).not.toBe('failed');
    }
    expectEachOnce(t.delivered, reference.delivered);
    expect(t.delivered.map((e) => e.type)).toEqual([
      'incident.opened',
      'incident.updated',
      'incident.resolved',
      'incident.rca_published',
    ]);
  });

  it('an incident listed twice in one feed, the two copies swapping places, publishes each event exactly once', async () => {
    const older = entryFor(SEQ('02-update'), 's6nmyrpsnbmj');
    const newer = entryFor(SEQ('03-resolved'), 's6nmyrpsnbmj');
    const rest = entriesOf(SEQ('02-update')).filter((entry) => entry !== older);
    const t = watch(auth0Status);
    t.serve('', SEQ('01-baseline'));
    await t.poll();
    for (const pair of [
      [older, newer],
      [newer, older],
      [older, newer],
      [newer, older],
    ]) {
      t.serve('', withEntries(SEQ('02-update'), [...pair, ...rest]));
      expect((await t.poll()).outcome).not.toBe('failed');
    }
    const ids = t.delivered.map((event) => event.id);
    expect(ids.length).toBe(new Set(ids).size);
    expect(t.delivered.filter((e) => e.itemId === 's6nmyrpsnbmj').map((e) => [e.type, e.update?.label])).toEqual([
      ['incident.opened', 'Identified'],
      ['incident.updated', 'Monitoring'],
      ['incident.resolved', 'Resolved'],
    ]);
  });
});

describe('items that used to jam a source', () => {
  const SEQ = (name: string) => fixture(`auth0-status/seq-${name}.atom`);

  it('a 450 KB update text next to an ordinary incident: both are announced and the item is written', async () => {
    const t = watch(auth0Status);
    t.serve('', SEQ('01-baseline'));
    await t.poll();
    const huge = 'We are investigating elevated error rates for User Authentication in US-1 Production. '.repeat(5_300);
    expect(huge.length).toBeGreaterThan(450_000);
    const feed = SEQ('02-update').replace(
      'We are investigating elevated error rates for User Authentication in US-1 Production.',
      huge,
    );
    t.serve('', feed);
    const result = await t.poll();
    expect(result.outcome).toBe('changed');
    expect(t.delivered.map((e) => [e.type, e.itemId])).toEqual([
      ['incident.opened', 's6nmyrpsnbmj'],
      ['incident.opened', 'n3wincid3nt1'],
      ['incident.updated', 's6nmyrpsnbmj'],
    ]);
    const opened = t.delivered.find((e) => e.itemId === 'n3wincid3nt1')!;
    expect(utf8Bytes(opened.update!.text)).toBeLessThanOrEqual(EVENT_BUDGETS.updateTextBytes);
    const stored = (await t.items()).find((r) => r.value.itemId === 'n3wincid3nt1');
    expect(stored?.outbox).toEqual([]);
    // Settled: the same body is the fast path now.
    expect((await t.poll()).outcome).toBe('unchanged');
  });

  it('two updates with the same label in the same minute arriving together: both announced, the source not jammed', async () => {
    const t = watch(auth0Status);
    t.serve('', SEQ('01-baseline'));
    await t.poll();
    const twoInOneMinute =
      '<p><small>Oct 6, 10:55 UTC</small><br><strong>Update</strong> - Group membership updates are being applied again.</p>' +
      '<p><small>Oct 6, 10:55 UTC</small><br><strong>Update</strong> - Delivery of delayed tenant logs has started.</p>';
    const marker = '<![CDATA[<p><small>Oct 6, 10:48 UTC</small>';
    const withTwo = (feed: string) => feed.replace(marker, `<![CDATA[${twoInOneMinute}<p><small>Oct 6, 10:48 UTC</small>`);
    t.serve('', withTwo(SEQ('02-update')));
    expect((await t.poll()).outcome).toBe('changed');
    const updates = t.delivered.filter((e) => e.itemId === 's6nmyrpsnbmj' && e.type === 'incident.updated');
    expect(updates.map((e) => e.update?.text)).toEqual([
      'A fix has been implemented and we are monitoring the results. Delayed tenant logs are being delivered.',
      'Delivery of delayed tenant logs has started.',
      'Group membership updates are being applied again.',
    ]);
    // Its later resolution still gets through.
    const resolved = SEQ('03-resolved').replace(
      '<p><small>Oct 6, 10:48 UTC</small>',
      `${twoInOneMinute}<p><small>Oct 6, 10:48 UTC</small>`,
    );
    t.serve('', resolved);
    expect((await t.poll()).outcome).toBe('changed');
    expect(t.delivered.at(-1)).toMatchObject({ type: 'incident.resolved', itemId: 's6nmyrpsnbmj' });
    expect((await t.poll()).outcome).toBe('unchanged');
    const ids = t.delivered.map((event) => event.id);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('an item the store refuses fails only that item, named in the outcome and the log, and counts toward source.failing', async () => {
    // A feed entry whose guid is 2,000 characters: DynamoDB refuses a sort key over 1,024 bytes (ValidationException).
    const longGuid = `urn:incident:${'x'.repeat(2_000)}`;
    const rss = (items: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Vendor status</title>` +
      `<link>https://status.vendor.example</link><description>Incidents</description>${items}</channel></rss>`;
    const item = (guid: string, title: string, text: string, date: string) =>
      `<item><title>${title}</title><link>https://status.vendor.example/incidents/${guid.length}</link>` +
      `<guid isPermaLink="false">${guid}</guid><pubDate>${date}</pubDate><description>${text}</description></item>`;
    const ordinary = (text: string) => item('incident-1', 'Login errors', text, 'Tue, 06 Oct 2026 10:00:00 GMT');
    const refused = item(longGuid, 'API latency', 'Elevated latency.', 'Tue, 06 Oct 2026 10:01:00 GMT');
    const t = watch((id, url) => ({ id, type: 'feed', url, vendor: 'Vendor', failureThreshold: 2, resolvedPattern: 'resolved', emptyWhenHealthy: false }));

    t.serve('', rss(ordinary('We are investigating login errors.')));
    expect((await t.poll()).outcome).toBe('changed');
    t.serve('', rss(refused + ordinary('We are investigating login errors.')));
    const first = await t.poll();
    expect(first.outcome).toBe('failed');
    expect(first.reason).toMatch(/^item urn:incident:x+… could not be stored: ValidationException/);
    const report = t.logged.find((call) => call.level === 'error' && call.keys?.['itemId'] === longGuid);
    expect(report?.keys).toMatchObject({ source: t.config.id, itemId: longGuid, reason: expect.stringMatching(/ValidationException/) });

    // Retried (not settled), failing again: source.failing at the threshold; the other item still moves.
    t.serve('', rss(refused + ordinary('This incident has been resolved.')));
    const second = await t.poll();
    expect(second.outcome).toBe('failed');
    expect(t.delivered.map((e) => [e.type, e.itemId])).toEqual([
      ['incident.opened', 'incident-1'],
      ['incident.resolved', 'incident-1'],
      ['source.failing', t.config.id],
    ]);
    expect((await t.items()).map((r) => r.value.itemId)).toEqual(['incident-1']);
  });
});
