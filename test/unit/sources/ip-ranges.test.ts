// The auth0-ip-ranges plug-in's pure parts on the fixtures of Auth0's ip-ranges.json: the strict read, the judging of
// one list against the previous one (baseline, changes per region, narrowing, lists that must fail the source) and
// the allow-list event (its text names the CIDRs, within bounds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceConfigSchemaOf } from '../../../functions/config/config.js';
import type { EventSourceInfo } from '../../../functions/core/event-factory.js';
import { parseWatcherEvent } from '../../../functions/core/event-schema.js';
import { renderEmailText } from '../../../functions/core/event-text.js';
import { allowlistChangedEvent } from '../../../functions/sources/auth0-ip-ranges/allowlist-event.js';
import { DEFAULT_IP_RANGES_URL } from '../../../functions/sources/auth0-ip-ranges/config-schema.js';
import { readIpRanges, type IpRangesDocument } from '../../../functions/sources/auth0-ip-ranges/ip-ranges-document.js';
import {
  judgeIpRanges,
  readIpRangesState,
  validatorsToSend,
  watchOf,
  type IpRangesState,
  type RegionChange,
} from '../../../functions/sources/auth0-ip-ranges/judge.js';
import { auth0IpRangesSource } from '../../../functions/sources/auth0-ip-ranges/plugin.js';

const DIR = join(import.meta.dirname, '../../fixtures/auth0-tenant/ip-ranges');
const text = (name: string) => readFileSync(join(DIR, name), 'utf8');
const V1 = text('ip-ranges.v1.json');
const V2 = text('ip-ranges.v2-fictional-change.json');
const INVALID_SHAPE = JSON.stringify((JSON.parse(text('ip-ranges.invalid-shape.json')) as { body: unknown }).body);

const SOURCE: EventSourceInfo = { id: 'acme-ip-ranges', type: 'auth0-ip-ranges', vendor: 'Auth0', url: DEFAULT_IP_RANGES_URL };
const NOW = new Date('2026-12-01T10:00:00Z');

function read(body: string): IpRangesDocument {
  const result = readIpRanges(body);
  if (!result.ok) throw new Error(result.reason);
  return result.document;
}

/** v1 with `edit` applied to its parsed JSON. */
function v1With(edit: (json: { regions: Record<string, { ipv4_cidrs: unknown[] }>; [key: string]: unknown }) => void): string {
  const json = JSON.parse(V1) as Parameters<typeof edit>[0];
  edit(json);
  return JSON.stringify(json);
}

function stateOf(document: IpRangesDocument, watch: IpRangesState['watch'] = 'all'): IpRangesState {
  const judged = judgeIpRanges(undefined, document, watch);
  if (!judged.ok) throw new Error(judged.reason);
  return { version: 1, url: DEFAULT_IP_RANGES_URL, watch, lastUpdatedAt: document.lastUpdatedAt, regions: judged.regions };
}

function changesOf(previous: IpRangesState | undefined, document: IpRangesDocument, watch: IpRangesState['watch'] = 'all') {
  const judged = judgeIpRanges(previous, document, watch);
  if (!judged.ok) throw new Error(judged.reason);
  return judged.changes;
}

function reasonOf(previous: IpRangesState | undefined, body: string, watch: IpRangesState['watch'] = 'all'): string {
  const result = readIpRanges(body);
  if (!result.ok) return result.reason;
  const judged = judgeIpRanges(previous, result.document, watch);
  if (judged.ok) throw new Error('expected the list to be refused');
  return judged.reason;
}

describe('reading ip-ranges.json', () => {
  it('reads the six regions and 103 CIDRs of the documented list, each region in address order', () => {
    const document = read(V1);
    expect(Object.keys(document.regions)).toEqual(['US', 'EU', 'AU', 'CA', 'JP', 'UK']);
    expect(Object.values(document.regions).reduce((sum, list) => sum + list.length, 0)).toBe(103);
    expect(document.regions['UK']).toEqual(['3.8.59.62/32', '3.10.89.10/32', '18.135.40.36/32']);
    expect(document.lastUpdatedAt).toBe('2025-09-08T12:06:22.000Z');
    expect(document.changelog).toEqual([
      { date: '2024-11-10', region: 'CA', action: 'add', cidrs: ['15.222.97.193/32'] },
      { date: '2025-09-08', region: 'JP', action: 'add', cidrs: ['13.208.85.227/32', '15.152.185.222/32'] },
    ]);
  });

  it('refuses the document without "regions" (a parser bug that read as zero addresses), naming the keys it has', () => {
    const result = readIpRanges(INVALID_SHAPE);
    expect(result).toEqual({ ok: false, reason: 'no "regions" object (the document has last_updated_at, log_streaming)' });
  });

  it('refuses a body that is not JSON, such as an HTML error page', () => {
    const result = readIpRanges('<html><body>Service Unavailable</body></html>');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^not JSON: /);
  });

  it.each([
    ['a truncated address', '52.17.111/32', 'region EU: "52.17.111/32" is not an IPv4 CIDR (a.b.c.d/n)'],
    ['an octet above 255', '52.17.111.299/32', 'region EU: "52.17.111.299/32" is not an IPv4 CIDR (an octet above 255)'],
    ['a prefix above /32', '52.17.111.199/33', 'region EU: "52.17.111.199/33" is not an IPv4 CIDR (prefix above /32)'],
    ['an address without a prefix', '52.17.111.199', 'region EU: "52.17.111.199" is not an IPv4 CIDR (a.b.c.d/n)'],
    ['the whole internet', '0.0.0.0/0', 'region EU: "0.0.0.0/0" is wider than /8, which no allow-list entry should be'],
    ['a leading zero', '52.017.111.199/32', 'region EU: "52.017.111.199/32" is not an IPv4 CIDR (a.b.c.d/n)'],
  ])('refuses a region listing %s', (_case, cidr, reason) => {
    expect(readIpRanges(v1With((json) => void (json.regions['EU']!.ipv4_cidrs[0] = cidr)))).toEqual({ ok: false, reason });
  });

  it('refuses a CIDR that is not a string, a region without an ipv4_cidrs list, and a list without last_updated_at', () => {
    expect(reasonOf(undefined, v1With((json) => void (json.regions['EU']!.ipv4_cidrs[0] = 3232235777)))).toBe(
      'region EU: "3232235777" is not a string',
    );
    expect(reasonOf(undefined, v1With((json) => void (json.regions['AU'] = { cidrs: [] } as never)))).toBe('region AU has no "ipv4_cidrs" list');
    expect(reasonOf(undefined, v1With((json) => void delete json['last_updated_at']))).toBe('no readable "last_updated_at" time');
    expect(reasonOf(undefined, v1With((json) => void (json['changelog'] = 'see docs')))).toBe('"changelog" is not a list');
  });

  it('cleans vendor text it quotes in a reason to one short line', () => {
    const hostile = `1.2.3.4/32\n<!channel> ${'x'.repeat(500)}`;
    const result = readIpRanges(v1With((json) => void (json.regions['EU']!.ipv4_cidrs[0] = hostile)));
    expect(result.ok).toBe(false);
    const reason = result.ok ? '' : result.reason;
    expect(reason).not.toContain('\n');
    expect(reason.length).toBeLessThan(150);
  });

  it('leaves out changelog entries it cannot read, and keeps the list', () => {
    const body = v1With((json) => {
      json['changelog'] = [null, { region: 'EU', action: 'add' }, { date: 'soon', region: 'eu', action: 'ADD', ipv4_cidrs: ['52.17.111.199/32'] }];
    });
    expect(read(body).changelog).toEqual([{ region: 'EU', action: 'add', cidrs: ['52.17.111.199/32'] }]);
  });
});

describe('judging a list against the previous one', () => {
  it('keeps the first list as a silent baseline', () => {
    const judged = judgeIpRanges(undefined, read(V1), 'all');
    expect(judged.ok && judged.changes).toEqual([]);
    expect(judged.ok && Object.keys(judged.regions)).toEqual(['US', 'EU', 'AU', 'CA', 'JP', 'UK']);
  });

  it('finds the one region that changed, with its added and removed CIDRs, changelog lines and date', () => {
    const [change, ...others] = changesOf(stateOf(read(V1)), read(V2));
    expect(others).toEqual([]);
    expect(change).toMatchObject({
      region: 'EU',
      added: ['198.51.100.10/32'],
      removed: ['52.17.111.199/32'],
      changelog: ['2026-12-01 EU add 198.51.100.10/32', '2026-12-01 EU remove 52.17.111.199/32'],
      effectiveFrom: '2026-12-01',
    });
  });

  it('finds nothing when the same list comes again', () => {
    expect(changesOf(stateOf(read(V2)), read(V2))).toEqual([]);
  });

  it('watches only the configured regions: a change elsewhere is not announced, and only they are kept', () => {
    const watchUs = watchOf(['us']);
    expect(changesOf(stateOf(read(V1), watchUs), read(V2), watchUs)).toEqual([]);
    const judged = judgeIpRanges(stateOf(read(V1), watchUs), read(V2), watchUs);
    expect(judged.ok && Object.keys(judged.regions)).toEqual(['US']);
    const watchEu = watchOf(['EU', 'eu']);
    expect(watchEu).toEqual(['EU']);
    expect(changesOf(stateOf(read(V1), watchEu), read(V2), watchEu).map((change) => change.region)).toEqual(['EU']);
  });

  it('fails a region that lists no CIDRs where it had some, and keeps nothing of that list', () => {
    const emptied = v1With((json) => void (json.regions['EU']!.ipv4_cidrs = []));
    expect(reasonOf(stateOf(read(V1)), emptied)).toBe('region EU lists no CIDRs (it had 24)');
    // Named in the config, an empty region fails even on the first run.
    expect(reasonOf(undefined, emptied, ['EU'])).toBe('region EU lists no CIDRs');
  });

  it('fails a configured region the list does not have, and a region that vanished from a list watched whole', () => {
    const withoutEu = v1With((json) => void delete json.regions['EU']);
    expect(reasonOf(undefined, withoutEu, ['EU'])).toBe('region EU is not in the list (it has US, AU, CA, JP, UK)');
    expect(reasonOf(stateOf(read(V1)), withoutEu)).toBe('region EU is missing from the list (it had 24 CIDRs)');
  });

  it('fails a list with no CIDR in any watched region, even on the first run', () => {
    const none = JSON.stringify({ last_updated_at: '2026-01-01T00:00:00Z', regions: { US: { ipv4_cidrs: [] } } });
    expect(reasonOf(undefined, none)).toBe('the list has no CIDRs in any watched region');
  });

  it('announces a region new to a list watched whole, but not one newly watched because the config changed', () => {
    const withIn = v1With((json) => void (json.regions['IN'] = { ipv4_cidrs: ['203.0.113.7/32'] }));
    expect(changesOf(stateOf(read(V1)), read(withIn))).toMatchObject([{ region: 'IN', added: ['203.0.113.7/32'], removed: [] }]);
    expect(changesOf(stateOf(read(V1), ['EU']), read(withIn))).toEqual([]);
  });

  it('sends the kept validators only for the same URL and the same regions', () => {
    const kept: IpRangesState = { ...stateOf(read(V1)), validators: { etag: '"1652cbe64a22099d62424fbec1022da5"' } };
    expect(validatorsToSend(kept, DEFAULT_IP_RANGES_URL, 'all')).toEqual({ etag: '"1652cbe64a22099d62424fbec1022da5"' });
    expect(validatorsToSend(kept, 'https://mirror.example/ip-ranges.json', 'all')).toBeUndefined();
    expect(validatorsToSend(kept, DEFAULT_IP_RANGES_URL, ['EU'])).toBeUndefined();
    expect(validatorsToSend(undefined, DEFAULT_IP_RANGES_URL, 'all')).toBeUndefined();
  });

  it('reads back the state it wrote, and no state from anything else', () => {
    const state = stateOf(read(V1));
    expect(readIpRangesState(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(readIpRangesState({ version: 2, regions: {} })).toBeUndefined();
    expect(readIpRangesState({ ...state, regions: { EU: [1, 2] } })).toBeUndefined();
    expect(readIpRangesState('EU')).toBeUndefined();
  });
});

describe('the allow-list event', () => {
  const context = { url: DEFAULT_IP_RANGES_URL, lastUpdatedAt: '2026-12-01T09:00:00.000Z', now: NOW };

  it('names the region and both CIDRs, is major, and is a valid schema-1 event', () => {
    const [change] = changesOf(stateOf(read(V1)), read(V2));
    const event = allowlistChangedEvent(SOURCE, change!, context);
    expect(event).toMatchObject({
      type: 'allowlist.changed',
      itemId: 'EU',
      severity: 'major',
      title: 'EU: 1 range added (198.51.100.10/32), 1 range removed (52.17.111.199/32)',
      occurredAt: '2026-12-01T09:00:00.000Z',
      allowlist: {
        region: 'EU',
        added: ['198.51.100.10/32'],
        removed: ['52.17.111.199/32'],
        changelog: ['2026-12-01 EU add 198.51.100.10/32', '2026-12-01 EU remove 52.17.111.199/32'],
        effectiveFrom: '2026-12-01',
      },
    });
    expect(event.summary).toContain("Auth0's changelog dates the change 2026-12-01.");
    expect(event.action).toMatch(/^Allow the added ranges .* now; then remove the removed ones\.$/);
    expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
  });

  it('asks for the new ranges before the changelog date while that date is ahead', () => {
    const [change] = changesOf(stateOf(read(V1)), read(V2));
    const early = allowlistChangedEvent(SOURCE, change!, { ...context, now: new Date('2026-11-20T08:00:00Z') });
    expect(early.action).toMatch(/^Allow the added ranges .* before 2026-12-01; then remove the removed ones\.$/);
  });

  it('reads in an email with the CIDRs, the date and Auth0\'s changelog lines', () => {
    const [change] = changesOf(stateOf(read(V1)), read(V2));
    const email = renderEmailText(allowlistChangedEvent(SOURCE, change!, context));
    expect(email).toContain('Region: EU\nAdded: 198.51.100.10/32\nRemoved: 52.17.111.199/32\nTakes effect: 2026-12-01 00:00 UTC\n');
    expect(email).toContain('Auth0 changelog: 2026-12-01 EU add 198.51.100.10/32; 2026-12-01 EU remove 52.17.111.199/32\n');
  });

  it('is minor when it only removes addresses', () => {
    const change: RegionChange = { region: 'UK', added: [], removed: ['3.8.59.62/32'], changelog: [], before: ['3.8.59.62/32', '3.10.89.10/32'], after: ['3.10.89.10/32'] };
    const event = allowlistChangedEvent(SOURCE, change, context);
    expect(event.severity).toBe('minor');
    expect(event.title).toBe('UK: 1 range removed (3.8.59.62/32)');
  });

  it('has the same id for the same change seen again, and another for the list changing back and forth', () => {
    const [change] = changesOf(stateOf(read(V1)), read(V2));
    const [back] = changesOf(stateOf(read(V2)), read(V1));
    const first = allowlistChangedEvent(SOURCE, change!, context);
    expect(allowlistChangedEvent(SOURCE, change!, { ...context, now: new Date(NOW.getTime() + 3_600_000) }).id).toBe(first.id);
    expect(allowlistChangedEvent(SOURCE, back!, context).id).not.toBe(first.id);
    expect(allowlistChangedEvent(SOURCE, change!, { ...context, lastUpdatedAt: '2027-03-01T00:00:00.000Z' }).id).not.toBe(first.id);
  });

  it('stays bounded for a change of hundreds of CIDRs: a few named, the rest counted', () => {
    const many = Array.from({ length: 1500 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.1/32`);
    const body = JSON.stringify({ last_updated_at: '2026-12-01T09:00:00Z', regions: { US: { ipv4_cidrs: many } } });
    const before = JSON.stringify({ last_updated_at: '2026-11-01T09:00:00Z', regions: { US: { ipv4_cidrs: ['3.8.59.62/32'] } } });
    const [change] = changesOf(stateOf(read(before)), read(body));
    const event = allowlistChangedEvent(SOURCE, change!, context);
    expect(event.title).toBe('US: 1500 ranges added (10.0.0.1/32, 10.0.1.1/32, 10.0.2.1/32 and 1497 more), 1 range removed (3.8.59.62/32)');
    expect(event.summary.length).toBeLessThanOrEqual(500);
    expect(event.summary).toContain('and 1490 more');
    expect(event.allowlist!.added.length).toBeLessThanOrEqual(500);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(32 * 1024);
  });
});

describe('the auth0-ip-ranges config', () => {
  const schema = sourceConfigSchemaOf([auth0IpRangesSource]);

  it('defaults to the CDN list, every region, hourly', () => {
    expect(schema.parse({ id: 'ip-ranges', type: 'auth0-ip-ranges' })).toEqual({ id: 'ip-ranges', type: 'auth0-ip-ranges', url: DEFAULT_IP_RANGES_URL });
    expect(auth0IpRangesSource.defaultEveryMinutes).toBe(60);
  });

  it('reads regions in any case, once each', () => {
    expect(schema.parse({ id: 'ip-ranges', type: 'auth0-ip-ranges', regions: ['eu', 'EU', 'Jp'] })).toMatchObject({ regions: ['EU', 'JP'] });
  });

  it('refuses a region the list does not have, naming the ones it has', () => {
    const result = schema.safeParse({ id: 'ip-ranges', type: 'auth0-ip-ranges', regions: ['EU', 'mars'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([{ path: ['regions', 1], message: 'must be one of US, EU, AU, CA, JP, UK (any case)' }]);
    expect(schema.safeParse({ id: 'ip-ranges', type: 'auth0-ip-ranges', regions: [] }).success).toBe(false);
  });
});
