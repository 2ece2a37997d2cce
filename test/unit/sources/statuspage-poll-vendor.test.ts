// A statuspage source configured without a vendor, polled through the real poll use case (in-memory fakes of the
// store, fetcher and publisher): its events carry the page's own name, its health events the page's host.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../functions/config/config.js';
import { FetchError } from '../../../functions/core/errors.js';
import type { WatcherEvent } from '../../../functions/core/model.js';
import type { Fetcher, Logger } from '../../../functions/core/ports.js';
import { makePollSource } from '../../../functions/poll/poll-source.js';
import { inMemoryStateStore } from '../../support/in-memory-state-store.js';

const body = readFileSync(new URL('../../fixtures/statuspage/htx-summary.json', import.meta.url), 'utf8');
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const CONFIG: SourceConfig = { id: 'htx', type: 'statuspage', url: 'https://status-swap.huobigroup.com', mode: 'api', failureThreshold: 1 };

describe('statuspage poll without a configured vendor', () => {
  it("names the vendor after the page in item events, and after its host in the source's health events", async () => {
    const published: WatcherEvent[] = [];
    let failing = false;
    let now = Date.parse('2020-02-11T03:20:00Z');
    const fetcher: Fetcher = {
      async fetch(request) {
        if (failing) throw new FetchError(request.url, 'HTTP 503 Service Unavailable');
        return { status: 'ok', documents: [{ url: request.url, finalUrl: request.url, contentType: 'application/json', body }], bytes: body.length };
      },
    };
    const poll = makePollSource({
      store: inMemoryStateStore().store,
      fetcher,
      publisher: { async publish(event) { published.push(event); } },
      secrets: { resolve: async () => '' },
      clock: { now: () => new Date(now) },
      logger: quiet,
    });
    await poll(CONFIG);
    expect(published.map((event) => [event.type, event.itemId, event.vendor])).toEqual([
      ['incident.opened', 'rclfxz2g21ly', 'HTX'],
      ['maintenance.scheduled', 'k7g299zl765l', 'HTX'],
    ]);
    failing = true;
    now += 10 * 60_000;
    await poll(CONFIG);
    expect(published.slice(2).map((event) => [event.type, event.vendor])).toEqual([['source.failing', 'status-swap.huobigroup.com']]);
  });
});
