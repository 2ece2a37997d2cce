import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FeedSourceConfig } from '../../../functions/sources/feed/config-schema.js';
import { parseConfig } from '../../../functions/config/config.js';
import { PRESETS } from '../../../functions/config/presets.js';
import { diffItems, type DiffContext } from '../../../functions/core/diff-items.js';
import type { IncidentItem, ParseResult } from '../../../functions/core/model.js';
import type { TrackedItem } from '../../../functions/core/tracked.js';
import { genericFeedSource } from '../../../functions/sources/feed/plugin.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';
import { remember } from '../../support/remember-changes.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/feed/${path}`, import.meta.url), 'utf8');

/** The config schema's default pattern (functions/config/config.ts). */
const DEFAULT_PATTERN = '\\b(resolved|fixed|completed|restored|recovered|mitigated)\\b';

function configFor(preset: 'facebook-login' | 'azure' | 'aws' | 'slack'): FeedSourceConfig {
  const { about: _about, type: _type, ...rest } = PRESETS[preset];
  return { id: preset, type: 'feed', ...rest } as FeedSourceConfig;
}

const generic: FeedSourceConfig = {
  id: 'example-status',
  type: 'feed',
  url: 'https://status.example.com/history.atom',
  vendor: 'Example',
  resolvedPattern: DEFAULT_PATTERN,
  emptyWhenHealthy: false,
};

function parseBody(body: string, config: FeedSourceConfig = generic): ParseResult {
  const document: FetchedDocument = { url: config.url, finalUrl: config.url, contentType: 'application/rss+xml', body };
  return genericFeedSource.parse([document], config);
}

function incidents(body: string, config: FeedSourceConfig = generic): IncidentItem[] {
  const result = parseBody(body, config);
  if (!result.ok) throw new Error(`expected the feed to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

function failure(body: string, config: FeedSourceConfig = generic): string {
  const result = parseBody(body, config);
  if (result.ok) throw new Error('expected the parse to fail');
  return result.reason;
}

const labels = (items: readonly IncidentItem[]): Array<[string, string | undefined]> =>
  items.map((item) => [item.itemId, item.updates[0]?.label]);

const META_ID = 'facebook-login-2026-05-14T14:15:00Z';

describe('feed requests', () => {
  it('fetches the configured feed as XML, once', () => {
    expect(genericFeedSource.requests(generic)).toEqual([{ url: generic.url, expect: 'xml' }]);
    expect(genericFeedSource.type).toBe('feed');
    expect(genericFeedSource.vendor).toBe('Feed');
  });
});

describe('feed parse: Meta (Facebook Login), open events only', () => {
  const meta = configFor('facebook-login');

  it('reads the open event as one incident with one Investigating update', () => {
    expect(incidents(fixture('meta-open.rss'), meta)).toEqual([
      {
        kind: 'incident',
        itemId: META_ID,
        title: 'Facebook Login: Major Disruption',
        url: 'https://metastatus.com/facebook-login',
        updatedAt: '2026-05-14T14:15:00.000Z',
        updates: [
          {
            label: 'Investigating',
            at: '2026-05-14T14:15:00.000Z',
            text: 'Some people are having trouble logging in to apps and websites with Facebook Login.\n\nWe\u2019re working on getting things back to normal as quickly as possible.',
          },
        ],
        regions: [],
      },
    ]);
  });

  it('labels the same event Resolved once its description says so, at the same time', () => {
    const [item] = incidents(fixture('meta-resolved.rss'), meta);
    expect(item?.itemId).toBe(META_ID);
    expect(item?.updates).toEqual([
      {
        label: 'Resolved',
        at: '2026-05-14T14:15:00.000Z',
        text: 'This issue has been resolved. People can log in to apps and websites with Facebook Login again.\n\nWe\u2019re sorry for any inconvenience.',
      },
    ]);
  });

  it('parses a channel with no items as a successful, empty parse', () => {
    expect(parseBody(fixture('meta-empty.rss'), meta)).toEqual({ ok: true, items: [] });
  });
});

describe('feed parse: Azure, status in the title prefix', () => {
  const azure = configFor('azure');

  it('reads "[Resolved] …" as Resolved and "[Investigating] …" as Investigating with the preset pattern', () => {
    const items = incidents(fixture('azure.rss'), azure);
    expect(labels(items)).toEqual([
      ['7NL4-1PQ', 'Investigating'],
      ['QK8T-9ZX', 'Resolved'],
    ]);
    expect(items[1]).toMatchObject({
      title: '[Resolved] Azure Front Door \u2013 Intermittent connectivity issues',
      url: 'https://azure.status.microsoft/en-us/status/history/?trackingId=QK8T-9ZX',
      updatedAt: '2026-05-14T10:21:00.000Z',
    });
    expect(items[1]?.updates[0]?.text).toMatch(/^Summary of impact: Between 08:10 and 09:55 UTC .*\n\nPreliminary root cause:/);
  });

  it('keeps the open item open where the generic default pattern would misread "once the issue is mitigated"', () => {
    expect(labels(incidents(fixture('azure.rss'), { ...azure, resolvedPattern: DEFAULT_PATTERN }))[0]).toEqual([
      '7NL4-1PQ',
      'Resolved',
    ]);
  });
});

describe('feed parse: AWS, one item per event update', () => {
  const aws = configFor('aws');

  it('reads the informational item as Investigating and "has been resolved" as Resolved, PDT times in UTC', () => {
    const items = incidents(fixture('aws.rss'), aws);
    expect(items.map((item) => [item.itemId, item.title, item.updates[0]?.label, item.updates[0]?.at])).toEqual([
      [
        'https://status.aws.amazon.com/#cognitoidp-us-east-1_1778757120',
        'Informational message: Increased API Error Rates',
        'Investigating',
        '2026-05-14T11:12:00.000Z',
      ],
      [
        'https://status.aws.amazon.com/#ses-eu-west-1_1778745900',
        'Service is operating normally: [RESOLVED] Increased Latencies',
        'Resolved',
        '2026-05-14T08:05:00.000Z',
      ],
    ]);
    expect(items.map((item) => [item.url, item.regions])).toEqual([
      ['https://status.aws.amazon.com/', ['us-east-1']],
      ['https://status.aws.amazon.com/', ['eu-west-1']],
    ]);
  });

  it('reads the resolved item as Resolved from its title alone', () => {
    const titleOnly = fixture('aws.rss').replace(/The issue has been resolved and the service is operating normally\./, '');
    expect(labels(incidents(titleOnly, aws))[1]?.[1]).toBe('Resolved');
  });
});

describe('feed parse: the other presets’ patterns', () => {
  it.each([
    ['facebook-login', 'Facebook Login is working normally again: access was restored at 15:00 UTC.', 'Resolved'],
    ['slack', 'We have fixed the issue causing messages to fail to send.', 'Resolved'],
    ['slack', 'Some users may have trouble sending messages. We are investigating.', 'Investigating'],
  ] as const)('%s: "%s" → %s', (preset, text, label) => {
    const body = fixture('meta-open.rss').replace(/<description><!\[CDATA\[[^\]]*\]\]><\/description>/, `<description>${text}</description>`);
    expect(incidents(body, configFor(preset))[0]?.updates[0]?.label).toBe(label);
  });

  it('matches case-insensitively', () => {
    const body = fixture('meta-open.rss').replace('Major Disruption', 'RESOLVED: Major Disruption');
    expect(incidents(body, configFor('facebook-login'))[0]?.updates[0]?.label).toBe('Resolved');
  });
});

describe('feed parse: Atom', () => {
  it('keys entries on <id>, resolves relative links, takes updated before published, skips non-alternate links', () => {
    const items = incidents(fixture('atom.atom'));
    expect(items).toEqual([
      {
        kind: 'incident',
        itemId: 'tag:status.example.com,2005:Incident/301',
        title: 'Delayed outbound email delivery',
        url: 'https://status.example.com/incidents/301',
        updatedAt: '2026-05-14T09:40:00.000Z',
        updates: [
          {
            label: 'Investigating',
            at: '2026-05-14T09:40:00.000Z',
            text: 'Identified - Outbound messages are queued for up to 20 minutes.\nWe are applying a fix.',
          },
        ],
        regions: [],
      },
      {
        kind: 'incident',
        itemId: 'urn:uuid:6f1f1e0c-4b53-4c8f-9d0a-2f0c7f1b2e11',
        title: 'Webhook retries',
        url: 'https://status.example.com/incidents/297',
        updatedAt: '2026-05-11T14:30:00.000Z',
        updates: [
          {
            label: 'Resolved',
            at: '2026-05-11T14:30:00.000Z',
            text: 'Webhook retries were delayed between 14:02 and 14:25 UTC. This incident has been resolved.',
          },
        ],
        regions: [],
      },
    ]);
  });

  it('keys an entry on its absolute link when it has no id, and points one without a link at the feed’s page', () => {
    const noId = fixture('atom.atom').replace('<id>tag:status.example.com,2005:Incident/301</id>', '');
    expect(incidents(noId)[0]?.itemId).toBe('https://status.example.com/incidents/301');
    expect(incidents(noId)[0]?.url).toBe('https://status.example.com/incidents/301');
    const noLink = fixture('atom.atom').replace('<link rel="alternate" type="text/html" href="/incidents/301"/>', '');
    expect(incidents(noLink)[0]?.url).toBe('https://status.example.com/');
    const noPage = noLink.replace('<link rel="alternate" type="text/html" href="https://status.example.com"/>', '');
    expect(incidents(noPage)[0]?.url).toBe(generic.url);
  });
});

describe('feed parse: RSS keys and links', () => {
  it('prefers the guid to the link, uses a guid that is a web address as the link, else the channel link', () => {
    const body = fixture('no-id.rss').replace(
      '<title>Dashboard unavailable</title>',
      '<title>Dashboard unavailable</title><guid>https://status.example.com/incidents/89</guid>',
    );
    const items = incidents(body);
    expect(items.map((item) => [item.itemId, item.url])).toEqual([
      ['incident-88', 'https://status.example.com/'],
      ['https://status.example.com/incidents/89', 'https://status.example.com/incidents/89'],
    ]);
  });

  it('keys an item on its link when it has no guid', () => {
    const body = fixture('no-id.rss').replace(
      '<title>Dashboard unavailable</title>',
      '<title>Dashboard unavailable</title><link>https://status.example.com/incidents/89</link>',
    );
    expect(incidents(body)[1]?.itemId).toBe('https://status.example.com/incidents/89');
  });

  it('reads <content:encoded> when there is no <description>', () => {
    const body = fixture('meta-open.rss')
      .replace('<rss version="2.0"', '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"')
      .replace(/<description><!\[CDATA\[/, '<content:encoded><![CDATA[')
      .replace(/\]\]><\/description>/, ']]></content:encoded>');
    expect(incidents(body)[0]?.updates[0]?.text).toMatch(/^Some people are having trouble logging in/);
  });
});

describe('feed parse: invalid feeds fail and say why, an entry without identity is skipped', () => {
  it('skips the entry without a guid, id or link, naming it, and reads the others', () => {
    expect(parseBody(fixture('no-id.rss'))).toEqual({
      ok: true,
      items: [expect.objectContaining({ itemId: 'incident-88', title: 'API errors' })],
      skipped: ['entry 2 "Dashboard unavailable" has no guid, id or link to key it on; skipped'],
    });
  });

  it('fails a feed whose every entry lacks an identity, rather than reading it as empty', () => {
    const body = fixture('meta-open.rss')
      .replace(/<guid[^>]*>[^<]*<\/guid>/g, '')
      .replace(/<link>[^<]*<\/link>/g, '');
    expect(failure(body)).toMatch(/^every entry was left out: entry 1 ".*" has no guid, id or link to key it on; skipped$/);
  });

  it('names the entry without a date, and one with an unreadable date', () => {
    const noDate = fixture('meta-open.rss').replace(/<pubDate>[^<]*<\/pubDate>/, '');
    expect(failure(noDate)).toBe('entry 1 "Facebook Login: Major Disruption" has no date (pubDate, updated or published)');
    const badDate = fixture('meta-open.rss').replace(/<pubDate>[^<]*<\/pubDate>/, '<pubDate>sometime in 2026</pubDate>');
    expect(failure(badDate)).toBe('entry 1 "Facebook Login: Major Disruption" has an unreadable date "sometime in 2026"');
  });

  it('refuses an HTML page, naming its root element', () => {
    expect(failure(fixture('not-a-feed.html'))).toBe('not an RSS 2.0 or Atom feed (root element <html>)');
  });

  it('refuses other XML roots (RSS 1.0 / RDF), an RSS without a channel, and malformed XML', () => {
    expect(failure('<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"><item/></rdf:RDF>')).toBe(
      'not an RSS 2.0 or Atom feed (root element <rdf:RDF>)',
    );
    expect(failure('<rss version="2.0"></rss>')).toBe('RSS feed without a <channel>');
    expect(failure('<rss version="2.0"><channel><item><title>x</title></channel></rss>')).toMatch(/^malformed XML/);
  });

  it('refuses a JSON answer', () => {
    expect(failure('{"status":"ok"}')).toMatch(/^not XML: the body starts with/);
  });
});

describe('feed through the core diff', () => {
  const meta = configFor('facebook-login');
  const SOURCE = { id: 'facebook-login', type: 'feed', vendor: meta.vendor, url: meta.url };

  function ctx(now: string, baseline = false): DiffContext {
    return { source: SOURCE, baseline, now: new Date(now), trackResolvedDays: 60 };
  }

  /** Applies the changes of one diff to the remembered map, as the store would. */

  function run(steps: Array<{ now: string; body: string; baseline?: boolean }>) {
    let state = new Map<string, TrackedItem>();
    return steps.map((step) => {
      const changes = diffItems(ctx(step.now, step.baseline), state, incidents(step.body, meta));
      state = remember(state, changes);
      return changes.flatMap((change) => change.events);
    });
  }

  it('emits incident.opened at baseline for the open event, then incident.resolved when its text says resolved', () => {
    const polls = run([
      { now: '2026-05-14T14:20:00Z', body: fixture('meta-open.rss'), baseline: true },
      { now: '2026-05-14T15:05:00Z', body: fixture('meta-resolved.rss') },
      { now: '2026-05-14T15:10:00Z', body: fixture('meta-resolved.rss') },
    ]);
    expect(polls.map((events) => events.map((e) => [e.type, e.itemId, e.update?.label]))).toEqual([
      [['incident.opened', META_ID, 'Investigating']],
      [['incident.resolved', META_ID, 'Resolved']],
      [],
    ]);
    expect(polls[1]![0]).toMatchObject({ status: 'resolved', occurredAt: '2026-05-14T14:15:00.000Z' });
  });

  it('yields nothing for the empty feed: the items are [] and a vanished event is left alone', () => {
    const polls = run([
      { now: '2026-05-14T14:20:00Z', body: fixture('meta-open.rss'), baseline: true },
      { now: '2026-05-14T16:00:00Z', body: fixture('meta-empty.rss') },
    ]);
    expect(incidents(fixture('meta-empty.rss'), meta)).toEqual([]);
    expect(polls[1]).toEqual([]);
  });

  it('emits incident.updated when an open entry’s date moves, as the TSDoc says', () => {
    const moved = fixture('meta-open.rss')
      .replace('14:15:00 GMT', '14:40:00 GMT')
      .replace('as quickly as possible', 'as quickly as possible. Most people can log in again');
    const polls = run([
      { now: '2026-05-14T14:20:00Z', body: fixture('meta-open.rss'), baseline: true },
      { now: '2026-05-14T14:45:00Z', body: moved },
    ]);
    expect(polls[1]!.map((e) => [e.type, e.update?.at])).toEqual([['incident.updated', '2026-05-14T14:40:00.000Z']]);
  });

  it('emits incident.rca_published when a resolved entry’s text is rewritten with its date kept', () => {
    const rewritten = fixture('meta-resolved.rss').replace(
      'sorry for any inconvenience.',
      'sorry for any inconvenience. The cause was a configuration change to our login service, which we rolled back.',
    );
    const polls = run([
      { now: '2026-05-14T15:05:00Z', body: fixture('meta-resolved.rss'), baseline: true },
      { now: '2026-05-16T09:00:00Z', body: rewritten },
      { now: '2026-05-16T09:05:00Z', body: rewritten },
    ]);
    expect(polls.map((events) => events.map((e) => e.type))).toEqual([[], ['incident.rca_published'], []]);
  });
});

describe('feed parse: groupPattern joins the posts of one event', () => {
  const item = (guid: string, date: string, title: string, text: string) =>
    `<item><title>${title}</title><guid>${guid}</guid><pubDate>${date}</pubDate><description>${text}</description></item>`;
  const feed = (...items: string[]) =>
    `<rss version="2.0"><channel><title>Status</title><link>https://status.example.com/</link>${items.join('')}</channel></rss>`;
  const body = feed(
    item('post-9', 'Thu, 14 May 2026 11:00:00 GMT', 'Email: resolved', 'Delivery is back to normal. Resolved.'),
    item('other-1', 'Thu, 14 May 2026 10:30:00 GMT', 'Unrelated', 'Something else.'),
    item('post-8', 'Thu, 14 May 2026 10:00:00 GMT', 'Email: update', 'Still delayed.'),
    item('post-7', 'Thu, 14 May 2026 09:00:00 GMT', 'Email: delays', 'Outbound email is delayed.'),
  );

  it('without a named group, the whole match is the key; posts it does not match stay incidents of their own', () => {
    const items = incidents(body, { ...generic, groupPattern: '^post' });
    expect(items.map((i) => [i.itemId, i.title, i.updates.map((u) => u.label), i.regions])).toEqual([
      ['post-7', 'Email: delays', ['Resolved', 'Update', 'Investigating'], []],
      ['other-1', 'Unrelated', ['Investigating'], []],
    ]);
    expect(items[0]).toMatchObject({ updatedAt: '2026-05-14T11:00:00.000Z', url: 'https://status.example.com/' });
  });

  it('a pattern that matches an empty key groups nothing', () => {
    expect(incidents(body, { ...generic, groupPattern: 'x?' })).toHaveLength(4);
  });

  it('posts sharing one guid across a gap become two incidents, the later keyed by its start', () => {
    const shared = feed(
      item('incident-5', 'Fri, 15 May 2026 09:00:00 GMT', 'API errors again', 'Errors are back.'),
      item('incident-5', 'Thu, 14 May 2026 09:30:00 GMT', 'API errors', 'Fixed.'),
      item('incident-5', 'Thu, 14 May 2026 09:00:00 GMT', 'API errors', 'Investigating errors.'),
    );
    const items = incidents(shared, { ...generic, groupPattern: '^incident-\\d+$', groupGapHours: 6 });
    expect(items.map((i) => [i.itemId, i.updates.length, i.updates[0]?.label])).toEqual([
      ['incident-5@2026-05-15T09:00:00.000Z', 1, 'Investigating'],
      ['incident-5', 2, 'Resolved'],
    ]);
  });

  it('matches the guid, else the link', () => {
    const linked = feed(
      '<item><title>A</title><link>https://status.example.com/events/42?post=2</link><pubDate>Thu, 14 May 2026 10:00:00 GMT</pubDate></item>',
      '<item><title>A</title><link>https://status.example.com/events/42?post=1</link><pubDate>Thu, 14 May 2026 09:00:00 GMT</pubDate></item>',
    );
    const items = incidents(linked, { ...generic, groupPattern: '/events/(?<incident>\\d+)' });
    expect(items.map((i) => [i.itemId, i.updates.length])).toEqual([['https://status.example.com/events/42?post=1', 2]]);
  });
});

describe('feed config: groupPattern and groupGapHours', () => {
  const feedSource = { id: 'status', type: 'feed', url: 'https://status.example.com/feed.rss', vendor: 'Example' };

  it('refuses a groupPattern that is not a regular expression and a gap that is not a positive number, naming the field', () => {
    expect(() => parseConfig({ sources: [{ ...feedSource, groupPattern: '#(?<incident>[a-z' }] }, '/')).toThrow(/sources\[0\]\.groupPattern/);
    expect(() => parseConfig({ sources: [{ ...feedSource, groupPattern: '#.*', groupGapHours: 0 }] }, '/')).toThrow(/sources\[0\]\.groupGapHours/);
  });

  it('the aws preset groups by service and region with a three-day gap', () => {
    const [aws] = parseConfig({ presets: ['aws'] }, '/').sources;
    expect(aws).toMatchObject({ type: 'feed', groupGapHours: 72, groupPattern: expect.stringContaining('(?<region>') });
  });
});
