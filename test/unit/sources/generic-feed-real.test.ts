// The 'feed' source on real captures (test/fixtures/feed/README.md): AWS's one-item-per-message RSS grouped into
// incidents with their region, an identity-less entry skipped and reported, and the Slack and Azure feeds read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../functions/config/config.js';
import { PRESETS } from '../../../functions/config/presets.js';
import { diffItems, type DiffContext } from '../../../functions/core/diff-items.js';
import type { IncidentItem, ParseResult, WatcherEvent } from '../../../functions/core/model.js';
import type { Logger } from '../../../functions/core/ports.js';
import type { TrackedItem } from '../../../functions/core/tracked.js';
import { makePollSource } from '../../../functions/poll/poll-source.js';
import type { FeedSourceConfig } from '../../../functions/sources/feed/config-schema.js';
import { genericFeedSource } from '../../../functions/sources/feed/plugin.js';
import { inMemoryStateStore } from '../../support/in-memory-state-store.js';
import { remember } from '../../support/remember-changes.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/feed/${path}`, import.meta.url), 'utf8');

function configFor(preset: 'aws' | 'azure' | 'slack'): FeedSourceConfig {
  const { about: _about, type: _type, ...rest } = PRESETS[preset];
  return { id: preset, type: 'feed', ...rest } as FeedSourceConfig;
}

const aws = configFor('aws');

function parseBody(body: string, config: FeedSourceConfig = aws): ParseResult {
  return genericFeedSource.parse([{ url: config.url, finalUrl: config.url, contentType: 'application/rss+xml', body }], config);
}

function incidents(body: string, config: FeedSourceConfig = aws): IncidentItem[] {
  const result = parseBody(body, config);
  if (!result.ok) throw new Error(`expected the feed to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

/** The feed as it stood at `at`: the items posted later removed (AWS lists newest first and never edits dates). */
function asOf(body: string, at: string): string {
  return body.replace(/<item>[\s\S]*?<\/item>\s*/g, (item) => {
    const date = /<pubDate>([^<]+)<\/pubDate>/.exec(item)?.[1];
    return date !== undefined && Date.parse(date) > Date.parse(at) ? '' : item;
  });
}

const TOKYO = fixture('aws-ec2-tokyo-2019.rss');
const TOKYO_EVENT = 'http://status.aws.amazon.com/#ec2-ap-northeast-1_1566533912';
/** The seven posts of the 22-23 August 2019 event, oldest first (PDT in the feed, UTC here). */
const TOKYO_POSTS = [
  '2019-08-23T04:18:32.000Z',
  '2019-08-23T04:47:25.000Z',
  '2019-08-23T05:27:25.000Z',
  '2019-08-23T06:40:01.000Z',
  '2019-08-23T08:54:51.000Z',
  '2019-08-23T09:39:42.000Z',
  '2019-08-23T11:18:35.000Z',
];

describe('feed: AWS RSS, one item per message (real captures)', () => {
  it('AWS guid epochs are each post’s own pubDate, so they cannot tell one event from the next', () => {
    const bodies = ['aws-ec2-tokyo-2019.rss', 'aws-all-2021-12.rss', 'aws-all-2021-12-govcloud.rss', 'aws-all-2023-02.rss'].map(fixture);
    const pairs = bodies.flatMap((body) =>
      [...body.matchAll(/<pubDate>([^<]+)<\/pubDate>\s*<guid[^>]*>[^<]*_(\d+)<\/guid>/g)].map((m) => [Date.parse(m[1]!) / 1000, Number(m[2])]),
    );
    expect(pairs).toHaveLength(21);
    expect(pairs.every(([published, epoch]) => published === epoch)).toBe(true);
  });

  it('joins the seven posts of the 22–23 Aug 2019 Tokyo EC2 event into one incident keyed and titled by its first post', () => {
    const event = incidents(TOKYO).find((item) => item.itemId === TOKYO_EVENT);
    expect(event).toMatchObject({
      kind: 'incident',
      title: 'Informational message: インスタンスの接続性について | Instance Availability',
      url: 'http://status.aws.amazon.com/',
      updatedAt: '2019-08-23T11:18:35.000Z',
      regions: ['ap-northeast-1'],
    });
    expect(event?.updates.map((u) => [u.label, u.at])).toEqual(
      TOKYO_POSTS.map((at, i) => [i === 6 ? 'Resolved' : i === 0 ? 'Investigating' : 'Update', at]).reverse(),
    );
    expect(event?.updates.at(-1)?.text).toBe(
      'We are investigating connectivity issues affecting some instances in a single Availability Zone in the AP-NORTHEAST-1 Region.',
    );
  });

  it('keeps four years of events on one service and region apart where AWS fell silent for over three days', () => {
    const items = incidents(TOKYO);
    expect(items.map((item) => [item.itemId.replace(/.*#/, ''), item.updates.length, item.updates[0]?.label])).toEqual([
      ['ec2-ap-northeast-1_1566533912', 7, 'Resolved'],
      ['ec2-ap-northeast-1_1496642284', 1, 'Resolved'],
      ['ec2-ap-northeast-1_1467777096', 2, 'Resolved'],
      ['ec2-ap-northeast-1_1461170340', 2, 'Resolved'],
      ['ec2-ap-northeast-1_1435552650', 2, 'Resolved'],
      ['ec2-ap-northeast-1_1431704187', 1, 'Resolved'],
    ]);
    expect(items.every((item) => item.regions.join() === 'ap-northeast-1')).toBe(true);
  });

  it('without the gap the same posts would be one incident: the gap is what separates events', () => {
    expect(incidents(TOKYO, { ...aws, groupGapHours: undefined })).toHaveLength(1);
  });

  it('labels a post by its own text and title: an earlier post AWS retitled with a mid-title "[RESOLVED]" stays open', () => {
    // As AWS retitles its earlier S3 posts "Service disruption: [RESOLVED] …" while their text still reports the outage.
    const [head, later, earlier] = fixture('aws-all-2021-12-govcloud.rss').split('<item>');
    const retitled = earlier!
      .replace('Service is operating normally:', 'Informational message:')
      .replace(/<description>[\s\S]*<\/description>/, '<description>We are investigating Internet connectivity.</description>');
    const body = [head, later, retitled].join('<item>');
    expect(body).toContain('Informational message: [RESOLVED] Internet Connectivity');
    expect(incidents(body)[0]?.updates.map((u) => u.label)).toEqual(['Resolved', 'Investigating']);
  });

  it('joins the two GovCloud posts four hours apart into one resolved incident in us-gov-west-1', () => {
    expect(incidents(fixture('aws-all-2021-12-govcloud.rss'))).toEqual([
      expect.objectContaining({
        itemId: 'http://status.aws.amazon.com/#internetconnectivity-us-gov-west-1_1639584617',
        title: 'Service is operating normally: [RESOLVED] Internet Connectivity',
        regions: ['us-gov-west-1'],
        updatedAt: '2021-12-15T20:16:32.000Z',
        updates: [
          expect.objectContaining({ label: 'Resolved', at: '2021-12-15T20:16:32.000Z' }),
          expect.objectContaining({ label: 'Resolved', at: '2021-12-15T16:10:17.000Z' }),
        ],
      }),
    ]);
  });

  it('reads each region from the guid, and none from a global service’s guid (billingconsole)', () => {
    expect(incidents(fixture('aws-all-2021-12.rss')).map((i) => [i.itemId.replace(/.*#/, ''), i.regions])).toEqual([
      ['internetconnectivity-ap-south-1_1640371277', ['ap-south-1']],
      ['directoryservice-us-east-1_1640224660', ['us-east-1']],
    ]);
    expect(incidents(fixture('aws-all-2023-02.rss')).map((i) => [i.itemId.replace(/.*#/, ''), i.regions, i.updates[0]?.label])).toEqual([
      ['rds-us-east-1_1676072880', ['us-east-1'], 'Resolved'],
      ['billingconsole_1675376364', [], 'Investigating'],
    ]);
  });
});

describe('feed: the Tokyo event polled as it unfolded (real multi-day sequence, 22–23 Aug 2019 PDT)', () => {
  const SOURCE = { id: 'aws', type: 'feed', vendor: aws.vendor, url: aws.url };
  const ctx = (now: string, baseline = false): DiffContext => ({ source: SOURCE, baseline, now: new Date(now), trackResolvedDays: 60 });

  function run(steps: ReadonlyArray<{ at: string; baseline?: boolean }>): WatcherEvent[][] {
    let state = new Map<string, TrackedItem>();
    return steps.map(({ at, baseline }) => {
      const now = new Date(Date.parse(at) + 60_000).toISOString();
      const changes = diffItems(ctx(now, baseline), state, incidents(asOf(TOKYO, at)));
      state = remember(state, changes);
      return changes.flatMap((change) => change.events);
    });
  }

  it('opens once at the first post, updates on each later one, resolves at "operating normally", then stays quiet', () => {
    const polls = run([{ at: '2019-08-22T00:00:00Z', baseline: true }, ...TOKYO_POSTS.map((at) => ({ at })), { at: '2019-08-24T00:00:00Z' }]);
    expect(polls.map((events) => events.map((e) => [e.type, e.itemId, e.occurredAt]))).toEqual([
      [],
      [['incident.opened', TOKYO_EVENT, TOKYO_POSTS[0]]],
      ...TOKYO_POSTS.slice(1, 6).map((at) => [['incident.updated', TOKYO_EVENT, at]]),
      [['incident.resolved', TOKYO_EVENT, TOKYO_POSTS[6]]],
      [],
    ]);
    expect(polls.flat().every((e) => e.regions?.join() === 'ap-northeast-1' && e.vendor === 'AWS')).toBe(true);
  });

  it('dates incident.opened by the first post when the incident is first seen with three posts', () => {
    const polls = run([{ at: '2019-08-22T00:00:00Z', baseline: true }, { at: TOKYO_POSTS[2]! }]);
    expect(polls[1]).toEqual([
      expect.objectContaining({
        type: 'incident.opened',
        occurredAt: TOKYO_POSTS[0],
        update: expect.objectContaining({ label: 'Update', at: TOKYO_POSTS[2] }),
      }),
    ]);
  });
});

describe('feed: an entry with no identity is skipped and reported, never fatal to the feed', () => {
  const withoutIdentity = (body: string) =>
    body.replace(
      /<link>http:\/\/status\.aws\.amazon\.com\/<\/link>\s*<pubDate>Wed, 22 Dec 2021 17:57:40 PST<\/pubDate>\s*<guid[^>]*>[^<]*<\/guid>/,
      '<pubDate>Wed, 22 Dec 2021 17:57:40 PST</pubDate>',
    );

  it('reads the rest of the real AWS feed and names the skipped entry by position and title', () => {
    const result = parseBody(withoutIdentity(fixture('aws-all-2021-12.rss')));
    expect(result.ok && result.items.map((i) => i.itemId)).toEqual(['http://status.aws.amazon.com/#internetconnectivity-ap-south-1_1640371277']);
    expect(result.ok && result.skipped).toEqual([
      'entry 2 "Service is operating normally: [RESOLVED] Increased Error Rates with Directory Services AD Connector or Managed AD" has no guid, id or link to key it on; skipped',
    ]);
  });

  it('the poll logs a warning naming the source, the URL and the entry, and reads the rest', async () => {
    const memory = inMemoryStateStore();
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger: Logger = { debug() {}, info() {}, warn: (message, keys) => void warnings.push([message, keys]), error() {} };
    const body = withoutIdentity(fixture('aws-all-2021-12.rss'));
    const poll = makePollSource({
      store: memory.store,
      fetcher: { fetch: async (request) => ({ status: 'ok', documents: [{ url: request.url, finalUrl: request.url, contentType: 'application/rss+xml', body }], bytes: body.length }) },
      publisher: { publish: async () => {} },
      secrets: { resolve: async () => '' },
      clock: { now: () => new Date('2021-12-27T09:00:00Z') },
      logger,
    });
    const result = await poll(aws as SourceConfig);
    expect(result).toMatchObject({ outcome: 'changed', itemCount: 1 });
    expect(warnings).toEqual([
      [
        'source entry skipped',
        {
          source: 'aws',
          url: 'https://status.aws.amazon.com/rss/all.rss',
          reason: expect.stringMatching(/^entry 2 "Service is operating normally: \[RESOLVED\] Increased Error Rates.*" has no guid, id or link to key it on; skipped$/),
        },
      ],
    ]);
  });
});

describe('feed: Slack and Azure (real captures)', () => {
  it('reads the Slack Atom entry as one resolved incident keyed on its id, with the double-escaped &nbsp; decoded', () => {
    const slack = { ...configFor('slack'), url: 'https://slack-status.com/feed/atom' };
    expect(incidents(fixture('slack-2026-02.atom'), slack)).toEqual([
      {
        kind: 'incident',
        itemId: 'https://slack-status.com/2026-01/6f029c99f2b77bcd',
        title: 'Incident: Trouble connecting to Salesforce Channels',
        url: 'https://slack-status.com/2026-01/6f029c99f2b77bcd',
        updatedAt: '2026-02-02T17:53:54.000Z',
        updates: [{ label: 'Resolved', at: '2026-02-02T17:53:54.000Z', text: expect.stringMatching(/^This issue is now resolved.\sScope: a "ZC:" prefix appeared\.$/) }],
        regions: [],
      },
    ]);
  });

  it('reads the healthy Azure feed (no items, zone "Z") as an empty parse that the preset calls normal', () => {
    const azure = configFor('azure');
    expect(parseBody(fixture('azure-healthy-2026-08.rss'), azure)).toEqual({ ok: true, items: [] });
    expect(genericFeedSource.emptyIsNormal?.(azure)).toBe(true);
  });
});
