// The poller stamps each event with the one before it in its thread (item, or source health), across polls, within
// one poll and across a crash, with in-memory fakes of the store, the fetcher and the publisher.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../functions/config/config.js';
import { FetchError } from '../../functions/core/errors.js';
import type { EventLink, WatcherEvent } from '../../functions/core/model.js';
import type { Fetcher, Logger } from '../../functions/core/ports.js';
import type { SourceState, TrackedItem } from '../../functions/core/tracked.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const CONFIG: SourceConfig = { id: 'status-us-1', type: 'auth0-status', url: 'https://status.example/feed?domain=a.auth0.com', region: 'US-1' };
/** Where the source's items are tracked: the scope of its status page (the source record stays under its id). */
const SCOPE = '@status.example';

function setup() {
  const memory = inMemoryStateStore();
  let body = fixture('seq-01-baseline.atom');
  let failing = false;
  let now = Date.parse('2026-10-06T10:00:00Z');
  const published: WatcherEvent[] = [];
  let crashOnPublish = false;
  const fetcher: Fetcher = {
    async fetch(request) {
      if (failing) throw new FetchError(request.url, 'HTTP 503 Service Unavailable');
      return { status: 'ok', documents: [{ url: request.url, finalUrl: request.url, contentType: 'application/atom+xml', body }], bytes: body.length };
    },
  };
  const poll = makePollSource({
    store: memory.store,
    fetcher,
    publisher: {
      async publish(event) {
        // A killed process: not a PublishError, so the run dies between the item write and the publish.
        if (crashOnPublish) throw new Error('process killed');
        published.push(event);
      },
    },
    secrets: { resolve: async () => '' },
    clock: { now: () => new Date(now) },
    logger: quiet,
  });
  return {
    ...memory,
    published,
    serve: (name: string, edit: (text: string) => string = (text) => text) => (body = edit(fixture(name))),
    fail: (on: boolean) => (failing = on),
    crashOnPublish: (on: boolean) => (crashOnPublish = on),
    poll: async (minutesLater = 1) => {
      now += minutesLater * 60_000;
      return poll(CONFIG);
    },
  };
}

const link = (event: WatcherEvent): EventLink => ({ id: event.id, detectedAt: event.detectedAt });
const ofItem = (events: readonly WatcherEvent[], itemId: string) => events.filter((e) => e.itemId === itemId);

/** Every event of the thread names the one published before it; the first names `first`. */
function expectChained(events: readonly WatcherEvent[], first?: EventLink) {
  events.forEach((event, index) => expect(event.previous, `${event.type} ${event.id}`).toEqual(index === 0 ? first : link(events[index - 1]!)));
}

describe('the poller chains the events of each thread', () => {
  it('links consecutive events of one incident across polls, and remembers the last one on the item', async () => {
    const t = setup();
    for (const [index, name] of ['seq-01-baseline.atom', 'seq-02-update.atom', 'seq-03-resolved.atom', 'seq-04-rca-edit.atom'].entries()) {
      t.serve(name);
      expect((await t.poll(index === 3 ? 21 * 24 * 60 : 30)).outcome).toBe('changed');
    }
    const thread = ofItem(t.published, 's6nmyrpsnbmj');
    expect(thread.map((e) => e.type)).toEqual(['incident.opened', 'incident.updated', 'incident.resolved', 'incident.rca_published']);
    expectChained(thread);
    expect(new Set(thread.map((e) => e.detectedAt)).size).toBe(4);
    const item = t.records.get(`${SCOPE}|s6nmyrpsnbmj`)!.value as TrackedItem;
    expect(item.lastEvent).toEqual(link(thread[3]!));
    // Another incident is its own thread.
    expect(ofItem(t.published, 'n3wincid3nt1').map((e) => e.previous)).toEqual([undefined]);
  });

  it('links the events of one incident found in one poll in the order they happened', async () => {
    const t = setup();
    t.serve('seq-01-baseline.atom');
    await t.poll();
    t.serve('seq-03-resolved.atom'); // the Monitoring and Resolved updates at once
    await t.poll();
    const thread = ofItem(t.published, 's6nmyrpsnbmj');
    expect(thread.map((e) => `${e.type} ${e.update?.label}`)).toEqual([
      'incident.opened Identified',
      'incident.updated Monitoring',
      'incident.resolved Resolved',
    ]);
    expect(thread[1]!.detectedAt).toBe(thread[2]!.detectedAt);
    expectChained(thread);
  });

  it('keeps the link of an item that changes without an event', async () => {
    const t = setup();
    t.serve('seq-01-baseline.atom');
    await t.poll();
    const opened = ofItem(t.published, 's6nmyrpsnbmj')[0]!;
    // A correction of an open incident's update is recorded silently, then the next update is announced.
    t.serve('seq-01-baseline.atom', (text) => text.replace('no logs have been lost', 'no log has been lost'));
    expect((await t.poll()).outcome).toBe('changed');
    expect(t.published).toHaveLength(1);
    expect((t.records.get(`${SCOPE}|s6nmyrpsnbmj`)!.value as TrackedItem).lastEvent).toEqual(link(opened));
    t.serve('seq-02-update.atom');
    await t.poll();
    const [, monitoring] = ofItem(t.published, 's6nmyrpsnbmj');
    expect(monitoring).toMatchObject({ type: 'incident.updated', previous: link(opened) });
  });

  it('chains source.failing and source.recovered as the source’s own thread', async () => {
    const t = setup();
    t.serve('seq-01-baseline.atom');
    await t.poll();
    for (let streak = 0; streak < 2; streak += 1) {
      t.fail(true);
      for (let i = 0; i < 3; i += 1) expect((await t.poll()).outcome).toBe('failed');
      t.fail(false);
      await t.poll();
    }
    const health = ofItem(t.published, 'status-us-1');
    expect(health.map((e) => e.type)).toEqual(['source.failing', 'source.recovered', 'source.failing', 'source.recovered']);
    expectChained(health);
    expect((t.records.get('status-us-1|')!.value as SourceState).lastEvent).toEqual(link(health[3]!));
    // The incident's thread is not mixed into the source's.
    expect(ofItem(t.published, 's6nmyrpsnbmj').map((e) => e.previous)).toEqual([undefined]);
  });

  it('keeps the stamped event in the outbox through a crash between the item write and the publish', async () => {
    const t = setup();
    t.serve('seq-01-baseline.atom');
    await t.poll();
    const opened = ofItem(t.published, 's6nmyrpsnbmj')[0]!;
    t.serve('seq-02-update.atom');
    t.crashOnPublish(true);
    await expect(t.poll()).rejects.toThrow('process killed');
    const outbox = [...t.records.get(`${SCOPE}|s6nmyrpsnbmj`)!.outbox.values()];
    expect(outbox.map((entry) => entry.event.previous)).toEqual([link(opened)]);
    t.crashOnPublish(false);
    await t.poll(3); // past the lease: this run takes over the outbox
    t.serve('seq-03-resolved.atom');
    await t.poll();
    const thread = ofItem(t.published, 's6nmyrpsnbmj');
    expect(thread.map((e) => e.type)).toEqual(['incident.opened', 'incident.updated', 'incident.resolved']);
    expect(thread[1]).toEqual(outbox[0]!.event);
    expectChained(thread);
  });

  it('logs the event as published, with its link', async () => {
    const t = setup();
    t.serve('seq-01-baseline.atom');
    await t.poll();
    t.serve('seq-02-update.atom');
    await t.poll();
    expect(t.logged).toEqual(t.published);
    expect(t.logged.filter((e) => e.previous)).toHaveLength(1);
  });
});
