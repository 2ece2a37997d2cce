// The auth0-ip-ranges probe through the probe use case, the real HTTP fetcher and a loopback CDN that answers as
// cdn.auth0.com does (the fixture's ETag, Last-Modified and 304): a silent baseline, one allowlist.changed for the one
// region that changed, nothing on a 304, and malformed lists failing the source while the list it knew is kept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { sourceConfigSchemaOf } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeRunProbe, type ProbeSourceState } from '../../functions/probe/run-probe.js';
import { auth0IpRangesSource } from '../../functions/sources/auth0-ip-ranges/plugin.js';
import type { ProbeSourceModule, SourceConfigBase } from '../../functions/sources/source.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

const DIR = join(import.meta.dirname, '../fixtures/auth0-tenant/ip-ranges');
const text = (name: string) => readFileSync(join(DIR, name), 'utf8');

interface RecordedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly bodyFile?: string;
}
const CDN = JSON.parse(text('cdn.conditional-requests.json')) as Record<'first' | 'unchanged' | 'changed', { response: RecordedResponse }>;
const INVALID_SHAPE = JSON.stringify((JSON.parse(text('ip-ranges.invalid-shape.json')) as { body: unknown }).body);

/** The CDN's recorded answer: its body file, ETag and Last-Modified (a matching conditional GET gets the 304). */
function recorded(response: RecordedResponse) {
  return {
    body: text(response.bodyFile!),
    contentType: response.headers['content-type']!,
    etag: response.headers['etag']!,
    lastModified: response.headers['last-modified']!,
  };
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-12-01T09:00:00Z');
const HOUR = 3_600_000;

describe('auth0-ip-ranges probe against a loopback CDN', () => {
  let cdn: FeedServer;
  beforeEach(async () => {
    cdn = await startFeedServer();
  });
  afterEach(async () => {
    await cdn.close();
  });

  it('is silent on the baseline, announces the changed region once naming its CIDRs, nothing on a 304, and fails on malformed lists keeping the known one', async () => {
    const config = sourceConfigSchemaOf([auth0IpRangesSource]).parse({
      id: 'acme-ip-ranges',
      type: 'auth0-ip-ranges',
      url: cdn.url('/ip-ranges.json'),
    });
    const state = inMemoryStateStore();
    const published: WatcherEvent[] = [];
    let now = T0;
    const runProbe = makeRunProbe({
      store: state.store,
      publisher: { publish: async (event) => void published.push(event) },
      secrets: { resolve: async () => Promise.reject(new Error('the allow-list needs no secret')) },
      clock: { now: () => new Date(now) },
      logger: quiet,
      fetcher: makeHttpFetcher({ timeoutMs: 5_000 }),
      moduleFor: () => auth0IpRangesSource as unknown as ProbeSourceModule<SourceConfigBase>,
      settings: { failureThreshold: 3 },
    });
    const run = async () => {
      const result = await runProbe(config);
      now += HOUR;
      return result;
    };
    const stored = () => state.records.get('acme-ip-ranges|')?.value as ProbeSourceState | undefined;
    const sent = (index: number) => cdn.requests[index]!.headers['if-none-match'];

    // 1. Baseline: v1, remembered with its validators, nothing announced.
    cdn.setRoute('/ip-ranges.json', recorded(CDN.first.response));
    expect((await run()).outcome).toBe('unchanged');
    expect(sent(0)).toBeUndefined();
    expect(published).toEqual([]);
    expect(stored()?.probe).toMatchObject({
      validators: { etag: '"1652cbe64a22099d62424fbec1022da5"', lastModified: 'Tue, 22 Apr 2025 07:50:08 GMT' },
    });

    // 2. The list changes in EU: one event, naming the added and the removed CIDR.
    cdn.setRoute('/ip-ranges.json', recorded(CDN.changed.response));
    expect((await run()).outcome).toBe('changed');
    expect(sent(1)).toBe('"1652cbe64a22099d62424fbec1022da5"');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: 'allowlist.changed',
      source: 'acme-ip-ranges',
      itemId: 'EU',
      severity: 'major',
      allowlist: { region: 'EU', added: ['198.51.100.10/32'], removed: ['52.17.111.199/32'], effectiveFrom: '2026-12-01' },
    });
    expect(published[0]!.title).toContain('198.51.100.10/32');
    expect(published[0]!.title).toContain('52.17.111.199/32');
    const known = stored()?.probe;

    // 3. Unchanged: the CDN answers the conditional GET with 304, and nothing is announced.
    expect((await run()).outcome).toBe('unchanged');
    expect(sent(2)).toBe('"8e58c97d39a67706c644cbe3b5c682d3"');
    expect(published).toHaveLength(1);
    expect(stored()?.probe).toEqual(known);

    // 4. Malformed answers fail the source, each with its reason and the URL; the list it knew stays.
    const malformed = [
      INVALID_SHAPE,
      '{"last_updated_at": "2026-12-02T00:00:00Z", "regions": {"EU": {"ipv4_cidrs": ["52.17.111/32"]}',
      text('ip-ranges.v2-fictional-change.json').replace('"198.51.100.10/32"', '"198.51.100.10/40"'),
    ];
    const reasons: string[] = [];
    for (const [index, body] of malformed.entries()) {
      cdn.setRoute('/ip-ranges.json', { body, contentType: 'application/json', etag: `"broken-${index}"` });
      const result = await run();
      expect(result).toMatchObject({ outcome: 'failed', url: config.url });
      reasons.push(result.reason ?? '');
    }
    expect(reasons[0]).toBe('no "regions" object (the document has last_updated_at, log_streaming)');
    expect(reasons[1]).toMatch(/^not JSON: /);
    expect(reasons[2]).toBe('region EU: "198.51.100.10/40" is not an IPv4 CIDR (prefix above /32)');
    expect(published.map((event) => event.type)).toEqual(['allowlist.changed', 'source.failing']);
    expect(published[1]!.summary).toContain('198.51.100.10/40');
    expect(stored()?.probe).toEqual(known);

    // 5. The good list again: the source recovers, and nothing is announced twice.
    cdn.setRoute('/ip-ranges.json', recorded(CDN.changed.response));
    expect((await run()).outcome).toBe('unchanged');
    expect(published.map((event) => event.type)).toEqual(['allowlist.changed', 'source.failing', 'source.recovered']);
  });
});
