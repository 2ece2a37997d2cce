// The statuspage source on real captures of other pages than GitHub's: a page in a local time zone (Staffbase, CET),
// an Instatus page (GMT+0, seconds, /incident/<id> links), a real Statuspage summary with a maintenance window and a
// component listed under two names (HTX), an incident.io page's Markdown (OpenAI, reconstructed), and the GOV.UK
// maintenance item; then what the maintenance window becomes in events, email, Slack and digests.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceConfigSchema } from '../../../functions/config/config.js';
import { renderDigest } from '../../../functions/core/digest.js';
import { diffItems, type DiffContext } from '../../../functions/core/diff-items.js';
import { parseWatcherEvent } from '../../../functions/core/event-schema.js';
import { renderEmailText } from '../../../functions/core/event-text.js';
import type { IncidentItem, ParseResult, WatcherEvent } from '../../../functions/core/model.js';
import { renderReply } from '../../../functions/core/slack-reply.js';
import { renderStandalone } from '../../../functions/core/slack-root.js';
import { formatWindow } from '../../../functions/core/text/time.js';
import { zoneOffsetMinutes } from '../../../functions/sources/formats/zone-offsets.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';
import type { StatuspageSourceConfig } from '../../../functions/sources/statuspage/config-schema.js';
import { statuspageSource } from '../../../functions/sources/statuspage/plugin.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/statuspage/${name}`, import.meta.url), 'utf8');

const documentOf = (url: string, body: string, contentType = 'application/json'): FetchedDocument => ({
  url,
  finalUrl: url,
  contentType,
  body,
});

function parsed(result: ParseResult): { items: IncidentItem[]; vendor?: string; skipped?: readonly string[] } {
  if (!result.ok) throw new Error(`expected the parse to succeed: ${result.reason}`);
  return { items: result.items as IncidentItem[], vendor: result.vendor, skipped: result.skipped };
}

function byId(items: readonly IncidentItem[], id: string): IncidentItem {
  const item = items.find((candidate) => candidate.itemId === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

// ---------------------------------------------------------------- feeds in local time zones

const STAFFBASE = 'https://status.staffbase.com';
const staffbaseFeed: StatuspageSourceConfig = { id: 'staffbase', type: 'statuspage', url: STAFFBASE, mode: 'feed' };
const parseStaffbase = (body = fixture('staffbase-cet.rss'), config = staffbaseFeed) =>
  parsed(statuspageSource.parse([documentOf(`${STAFFBASE}/history.atom`, body, 'application/rss+xml')], config));

describe('statuspage feed mode: a page in a local time zone (real Staffbase history, CET)', () => {
  it('reads "Dec 23, 10:30 CET" as 09:30 UTC, every update of both incidents', () => {
    const { items } = parseStaffbase();
    expect(items.map((item) => item.itemId)).toEqual(['77004ltfxlkv', 'p3mdb34gmrx6']);
    expect(byId(items, '77004ltfxlkv').updates.map((u) => [u.label, u.at])).toEqual([
      ['Resolved', '2021-12-23T09:30:00.000Z'],
      ['Update', '2021-12-22T15:16:00.000Z'],
      ['Monitoring', '2021-12-22T11:58:00.000Z'],
      ['Update', '2021-12-22T10:58:00.000Z'],
      ['Investigating', '2021-12-22T10:12:00.000Z'],
    ]);
    // The latest update is the entry's own pubDate (10:30:37 +0100), to the minute.
    expect(byId(items, '77004ltfxlkv').updatedAt).toBe('2021-12-23T09:30:37.000Z');
    expect(byId(items, 'p3mdb34gmrx6').updates.at(-1)).toMatchObject({ label: 'Investigating', at: '2021-12-17T12:38:00.000Z' });
  });

  it('names the page after its feed title when the config names no vendor', () => {
    expect(parseStaffbase().vendor).toBe('Staffbase');
  });

  it('keeps a configured vendor: the parse then names none', () => {
    expect(parseStaffbase(undefined, { ...staffbaseFeed, vendor: 'Staffbase GmbH' }).vendor).toBeUndefined();
  });

  it('puts an update written "Jan 1, 00:30 CET" in the new year although the entry is stamped Dec 31 in UTC', () => {
    const body = fixture('staffbase-cet.rss')
      .replace('<pubDate>Thu, 23 Dec 2021 10:30:37 +0100</pubDate>', '<pubDate>Sat, 01 Jan 2022 00:30:00 +0100</pubDate>')
      .replace("Dec &lt;var data-var=&apos;date&apos;&gt;23&lt;/var&gt;, &lt;var data-var=&apos;time&apos;&gt;10:30", "Jan &lt;var data-var=&apos;date&apos;&gt;1&lt;/var&gt;, &lt;var data-var=&apos;time&apos;&gt;00:30");
    const item = byId(parseStaffbase(body).items, '77004ltfxlkv');
    expect(item.updatedAt).toBe('2021-12-31T23:30:00.000Z');
    expect(item.updates.slice(0, 2).map((u) => u.at)).toEqual(['2021-12-31T23:30:00.000Z', '2021-12-22T15:16:00.000Z']);
  });

  it('leaves out only the entry dated in an unknown zone, naming the URL, the entry and the zone', () => {
    const body = fixture('staffbase-cet.rss').replace(/&lt;\/var&gt; CET&lt;\/small&gt;(?=[\s\S]*Service disruption)/g, '&lt;/var&gt; XYZT&lt;/small&gt;');
    const { items, skipped } = parseStaffbase(body);
    expect(items.map((item) => item.itemId)).toEqual(['p3mdb34gmrx6']);
    expect(skipped).toEqual([
      `${STAFFBASE}/history.atom: entry "Blank content": the update date "Dec 23, 10:30 XYZT" is in the time zone "XYZT", which the watcher does not know`,
    ]);
  });
});

const PERPLEXITY = 'https://status.perplexity.com';

describe('statuspage feed mode: an Instatus page (GMT+0, seconds, /incident/<id> links)', () => {
  const read = () =>
    parsed(
      statuspageSource.parse([documentOf(`${PERPLEXITY}/history.atom`, fixture('instatus-gmt.atom'), 'application/atom+xml')], {
        id: 'perplexity',
        type: 'statuspage',
        url: PERPLEXITY,
        mode: 'feed',
      }),
    );

  it('reads "Jun 5, 01:40:38 GMT+0" to the second and keys entries on the Instatus link', () => {
    const { items } = read();
    expect(items.map((item) => [item.itemId, item.kind, item.url])).toEqual([
      ['cmq08wkuw02waqmn6yt1kdgej', 'incident', 'https://status.perplexity.com/incident/cmq08wkuw02waqmn6yt1kdgej'],
      ['cmaintenance123', 'maintenance', 'https://status.kagi.com/incident/cmaintenance123'],
    ]);
    expect(items[0]?.updates.map((u) => [u.label, u.at, u.text])).toEqual([
      ['Resolved', '2026-06-05T01:40:38.000Z', 'This incident has been resolved..'],
      ['Monitoring', '2026-06-05T01:00:00.000Z', 'Connectors are recovering and getting back to normal for all users..'],
      ['Investigating', '2026-06-04T21:10:00.000Z', 'We have identified connector issues that are currently impacting users..'],
    ]);
    expect(read().vendor).toBe('Perplexity');
  });

  it('reads GMT±h:mm, UTC±h and bare offsets to the right instant', () => {
    const body = fixture('instatus-gmt.atom')
      .replace('01:40:38</var> GMT+0', '07:10:38</var> GMT+5:30')
      .replace('01:00:00</var> GMT+0', '06:00:00</var> UTC+5')
      .replace('21:10:00</var> GMT+0', '18:10:00</var> -03');
    const { items } = parsed(
      statuspageSource.parse([documentOf(`${PERPLEXITY}/history.atom`, body, 'application/atom+xml')], {
        id: 'perplexity',
        type: 'statuspage',
        url: PERPLEXITY,
        mode: 'feed',
      }),
    );
    expect(items[0]?.updates.map((u) => u.at)).toEqual(['2026-06-05T01:40:38.000Z', '2026-06-05T01:00:00.000Z', '2026-06-04T21:10:00.000Z']);
  });
});

describe('zone table', () => {
  it.each([
    ['UTC', 0],
    ['GMT', 0],
    ['CET', 60],
    ['CEST', 120],
    ['EET', 120],
    ['EEST', 180],
    ['WET', 0],
    ['WEST', 60],
    ['BST', 60],
    ['IST', 330],
    ['EST', -300],
    ['EDT', -240],
    ['CST', -360],
    ['CDT', -300],
    ['MST', -420],
    ['MDT', -360],
    ['PST', -480],
    ['PDT', -420],
    ['AKST', -540],
    ['AKDT', -480],
    ['HST', -600],
    ['JST', 540],
    ['KST', 540],
    ['AEST', 600],
    ['AEDT', 660],
    ['ACST', 570],
    ['AWST', 480],
    ['NZST', 720],
    ['NZDT', 780],
    ['SGT', 480],
    ['HKT', 480],
    ['GMT+0', 0],
    ['GMT+5:30', 330],
    ['UTC-5', -300],
    ['UTC+0530', 330],
    ['-03', -180],
    ['+01:00', 60],
  ])('reads %s as %i minutes from UTC', (zone, minutes) => {
    expect(zoneOffsetMinutes(zone)).toBe(minutes);
  });

  it.each(['XYZT', 'GMT+15', 'Europe/Berlin', ''])('knows no zone "%s"', (zone) => {
    expect(zoneOffsetMinutes(zone)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- API mode: real HTX summary, incident.io Markdown

const HTX = 'https://status-swap.huobigroup.com';
const htxConfig: StatuspageSourceConfig = { id: 'htx', type: 'statuspage', url: HTX, mode: 'api' };
const parseHtx = (config = htxConfig) =>
  parsed(
    statuspageSource.parse(
      [documentOf(`${HTX}/api/v2/incidents.json`, fixture('htx-summary.json')), documentOf(`${HTX}/api/v2/scheduled-maintenances.json`, fixture('htx-summary.json'))],
      config,
    ),
  );

describe('statuspage api mode on a real summary (HTX)', () => {
  it('gives a scheduled maintenance its window from scheduled_for and scheduled_until', () => {
    const maintenance = byId(parseHtx().items, 'k7g299zl765l');
    expect(maintenance).toMatchObject({
      kind: 'maintenance',
      scheduledFor: '2020-02-15T00:00:00.000Z',
      scheduledUntil: '2020-02-15T01:00:00.000Z',
    });
    expect(byId(parseHtx().items, 'rclfxz2g21ly')).not.toHaveProperty('scheduledFor');
  });

  it('lists a component named two ways (same id) once, under the name the maintenance itself gives', () => {
    expect(byId(parseHtx().items, 'k7g299zl765l').components).toEqual(['Deposit']);
    expect(byId(parseHtx().items, 'rclfxz2g21ly').components).toEqual(['Market data']);
  });

  it('takes the vendor from page.name when the config names none, and validates such a config', () => {
    expect(parseHtx().vendor).toBe('HTX');
    expect(parseHtx({ ...htxConfig, vendor: 'Huobi' }).vendor).toBeUndefined();
    expect(sourceConfigSchema.parse({ id: 'htx', type: 'statuspage', url: HTX })).toMatchObject({ type: 'statuspage', url: HTX, mode: 'api' });
    expect(statuspageSource.vendorOf?.(htxConfig)).toBe('status-swap.huobigroup.com');
  });

  it('dates the incident by started_at', () => {
    expect(byId(parseHtx().items, 'rclfxz2g21ly').startedAt).toBe('2020-02-11T03:15:01.906Z');
  });
});

describe('statuspage api mode on an incident.io page serving the Statuspage API (OpenAI)', () => {
  const OPENAI = 'https://status.openai.com';
  const read = () =>
    parsed(
      statuspageSource.parse(
        [documentOf(`${OPENAI}/api/v2/incidents.json`, fixture('openai-incidentio-incidents.json')), documentOf(`${OPENAI}/api/v2/scheduled-maintenances.json`, '{"scheduled_maintenances":[]}')],
        { id: 'openai', type: 'statuspage', url: OPENAI, mode: 'api' },
      ),
    );

  it('turns Markdown bodies into plain text: links as "text (url)", a mailto link as the address, no emphasis marks', () => {
    const [item] = read().items;
    expect(item?.itemId).toBe('01JMYB483C404VMPCW726E8MET');
    expect(item?.updates.map((u) => u.text)).toEqual([
      'All services are now operating normally. We will publish a full root-cause analysis of this incident.\n\n' +
        'If you are still seeing errors, please contact support@openai.com or see the help center (https://help.openai.com/en/).',
      'We are currently experiencing an issue with high error rates on the API, ChatGPT and Sora. We are working on a fix.',
    ]);
    expect(read().vendor).toBe('OpenAI');
  });
});

// ---------------------------------------------------------------- maintenance windows, end to end

const GOVUK_RSS = 'https://status.publishing.service.gov.uk/history.rss';

describe('statuspage feed mode: maintenance windows (real GOV.UK item)', () => {
  const read = (body: string) =>
    parsed(statuspageSource.parse([documentOf(GOVUK_RSS, body, 'application/rss+xml')], { id: 'govuk', type: 'statuspage', url: 'https://status.publishing.service.gov.uk', mode: 'feed' }));

  it('takes the window from <pubDate> and <maintenanceEndDate>', () => {
    expect(byId(read(fixture('history.rss')).items, 'cnntrg2j816c')).toMatchObject({
      kind: 'maintenance',
      scheduledFor: '2024-01-16T12:00:00.000Z',
      scheduledUntil: '2024-01-16T16:00:00.000Z',
    });
  });

  it('reads the same window from "THIS IS A SCHEDULED EVENT Jan 16, 12:00 - 16:00 GMT" when there is no end date', () => {
    const body = fixture('history.rss').replace(/<maintenanceEndDate>[^<]*<\/maintenanceEndDate>/, '');
    expect(byId(read(body).items, 'cnntrg2j816c')).toMatchObject({
      scheduledFor: '2024-01-16T12:00:00.000Z',
      scheduledUntil: '2024-01-16T16:00:00.000Z',
    });
    expect(byId(read(body).items, 'tc051c121cs7')).not.toHaveProperty('scheduledFor');
  });
});

function eventsOf(items: IncidentItem[], vendor: string): WatcherEvent[] {
  const ctx: DiffContext = {
    source: { id: 'htx', type: 'statuspage', vendor, url: HTX },
    baseline: false,
    now: new Date('2020-02-11T03:20:00Z'),
    trackResolvedDays: 60,
  };
  return diffItems(ctx, new Map(), items).flatMap((change) => change.events);
}

describe('maintenance windows in events, email, Slack and digests (real HTX maintenance)', () => {
  const { items, vendor } = parseHtx();
  const events = eventsOf(items, vendor!);
  const scheduled = events.find((event) => event.type === 'maintenance.scheduled')!;

  it('puts scheduledFor and scheduledUntil on the maintenance event, which the event schema accepts', () => {
    expect(scheduled).toMatchObject({
      vendor: 'HTX',
      itemId: 'k7g299zl765l',
      scheduledFor: '2020-02-15T00:00:00.000Z',
      scheduledUntil: '2020-02-15T01:00:00.000Z',
    });
    expect(parseWatcherEvent(JSON.stringify(scheduled))).toMatchObject({ scheduledFor: '2020-02-15T00:00:00.000Z' });
    expect(() => parseWatcherEvent(JSON.stringify({ ...scheduled, scheduledUntil: 'soon' }))).toThrow(/scheduledUntil: must be an ISO 8601 time/);
    expect(events.find((event) => event.type === 'incident.opened')).not.toHaveProperty('scheduledFor');
  });

  it("shows the window as the email's When, and the notice's time as Posted", () => {
    const text = renderEmailText(scheduled);
    expect(text).toContain('When: 2020-02-15 00:00\u201301:00 UTC (scheduled)\n');
    expect(text).toContain('Posted: 2020-02-11 03:16 UTC\n');
    const incident = renderEmailText(events.find((event) => event.type === 'incident.opened')!);
    expect(incident).toContain('When: 2020-02-11 03:15 UTC\n');
    expect(incident).not.toContain('(scheduled)');
  });

  it('shows the window in the Slack root and in a reply', () => {
    expect(JSON.stringify(renderStandalone(scheduled))).toContain('*Scheduled*\\n2020-02-15 00:00\u201301:00 UTC');
    expect(JSON.stringify(renderReply(scheduled))).toContain('Scheduled: 2020-02-15 00:00\u201301:00 UTC');
  });

  it('shows the window of an open maintenance in the digest, with how long until it starts', () => {
    const { text } = renderDigest({
      frequency: 'daily',
      from: '2020-02-10T07:00:00.000Z',
      to: '2020-02-11T07:00:00.000Z',
      generatedAt: '2020-02-13T00:00:00.000Z',
      timeZone: 'UTC',
      events: [scheduled],
      openItems: [
        {
          source: 'htx',
          itemId: 'k7g299zl765l',
          title: 'Schedule maintenance',
          url: `${HTX}/incidents/k7g299zl765l`,
          kind: 'maintenance',
          status: 'scheduled',
          severity: 'info',
          regions: [],
          openedAt: '2020-02-11T03:16:31.527Z',
          scheduledFor: '2020-02-15T00:00:00.000Z',
          scheduledUntil: '2020-02-15T01:00:00.000Z',
        },
      ],
      rcaOwed: [],
      sources: [],
    });
    expect(text).toMatch(/scheduled 2020-02-15 00:00\u201301:00 UTC \(starts in 2\s+days\)/);
  });

  it('formats windows within a day, across days, and with one end known', () => {
    expect(formatWindow('2026-12-10T02:00:00Z', '2026-12-10T04:00:00Z')).toBe('2026-12-10 02:00\u201304:00 UTC');
    expect(formatWindow('2026-12-10T22:00:00Z', '2026-12-11T02:00:00Z')).toBe('2026-12-10 22:00 UTC \u2013 2026-12-11 02:00 UTC');
    expect(formatWindow('2026-12-10T22:00:00Z', undefined)).toBe('from 2026-12-10 22:00 UTC');
    expect(formatWindow(undefined, '2026-12-11T02:00:00Z')).toBe('until 2026-12-11 02:00 UTC');
    expect(formatWindow(undefined, undefined)).toBeUndefined();
  });
});
