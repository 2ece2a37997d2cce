import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Auth0StatusSourceConfig } from '../../../functions/sources/auth0-status/config-schema.js';
import type { IncidentItem, ParseResult } from '../../../functions/core/model.js';
import { auth0StatusSource } from '../../../functions/sources/auth0-status/plugin.js';
import { parseUpdates } from '../../../functions/sources/formats/status-page-feed.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

const config: Auth0StatusSourceConfig = {
  id: 'auth0-status-us-5',
  type: 'auth0-status',
  url: 'https://status.auth0.com/feed?domain=example.us.auth0.com',
  region: 'US-5',
};

function documentOf(body: string): FetchedDocument {
  return { url: config.url, finalUrl: config.url, contentType: 'application/atom+xml', body };
}

function parseFixture(path: string): ParseResult {
  return auth0StatusSource.parse([documentOf(fixture(path))], config);
}

function incidents(path: string): IncidentItem[] {
  const result = parseFixture(path);
  if (!result.ok) throw new Error(`expected ${path} to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

function byId(items: readonly IncidentItem[], id: string): IncidentItem {
  const item = items.find((candidate) => candidate.itemId === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

describe('auth0-status requests', () => {
  it('fetches the configured feed as XML, once', () => {
    expect(auth0StatusSource.requests(config)).toEqual([{ url: config.url, expect: 'xml' }]);
    expect(auth0StatusSource.type).toBe('auth0-status');
    expect(auth0StatusSource.vendor).toBe('Auth0');
  });
});

describe('auth0-status parse: base feed', () => {
  const items = incidents('auth0-status/feed.atom');

  it('keys incidents on the id in the /incidents/ link', () => {
    expect(items.map((item) => item.itemId)).toEqual(['s6nmyrpsnbmj', 'rb4z1181bd4z', 'mdvjz43ydzb9', 'k2w8yq0v7t3n']);
    expect(byId(items, 'rb4z1181bd4z').url).toBe('https://status.auth0.com/incidents/rb4z1181bd4z');
  });

  it('reads the update history newest first with labels, UTC times and plain text', () => {
    expect(byId(items, 's6nmyrpsnbmj')).toEqual({
      kind: 'incident',
      itemId: 's6nmyrpsnbmj',
      title: 'Tenant Logs and Group Memberships Impacted on US-5 Public Cloud',
      url: 'https://status.auth0.com/incidents/s6nmyrpsnbmj',
      updatedAt: '2026-10-06T10:12:00.000Z',
      updates: [
        {
          label: 'Identified',
          at: '2026-10-06T10:12:00.000Z',
          text: 'The issue has been identified and a fix is being implemented. Tenant log delivery is delayed; no logs have been lost.',
        },
        {
          label: 'Investigating',
          at: '2026-10-06T09:41:00.000Z',
          text: 'We are investigating delays in tenant logs and group membership updates in US-5.',
        },
      ],
      regions: ['US-5'],
    });
  });

  it('keeps a later Postmortem update on top of the resolved history', () => {
    const item = byId(items, 'mdvjz43ydzb9');
    expect(item.updates.map((update) => [update.label, update.at])).toEqual([
      ['Postmortem', '2026-03-30T16:02:00.000Z'],
      ['Resolved', '2026-03-09T14:20:00.000Z'],
      ['Monitoring', '2026-03-09T13:52:00.000Z'],
      ['Investigating', '2026-03-09T13:10:00.000Z'],
    ]);
    expect(item.updates[0]?.text).toMatch(/^What happened: a configuration change to a database connection pool/);
  });

  it('marks an entry with maintenance labels as a maintenance', () => {
    const item = byId(items, 'k2w8yq0v7t3n');
    expect(item.kind).toBe('maintenance');
    expect(item.updates.map((update) => update.label)).toEqual(['Completed', 'In progress', 'Scheduled']);
    expect(byId(items, 'mdvjz43ydzb9').kind).toBe('incident');
  });

  it('collects regions named in the title and updates, once each, in order of appearance', () => {
    expect(byId(items, 'mdvjz43ydzb9').regions).toEqual(['US-1']);
    expect(byId(items, 'k2w8yq0v7t3n').regions).toEqual(['EU-1']);
    expect(byId(items, 'rb4z1181bd4z').regions).toEqual([]);
  });

  it('reads the RSS form into the same items as the Atom form', () => {
    const rss = incidents('auth0-status/feed.rss');
    expect(rss).toEqual(items.filter((item) => ['s6nmyrpsnbmj', 'rb4z1181bd4z'].includes(item.itemId)));
  });
});

describe('auth0-status parse: snapshot sequence', () => {
  it('parses the baseline: open US-5 incident, resolved incident, completed maintenance', () => {
    const items = incidents('auth0-status/seq-01-baseline.atom');
    expect(items.map((item) => [item.itemId, item.kind, item.updates[0]?.label])).toEqual([
      ['s6nmyrpsnbmj', 'incident', 'Identified'],
      ['rb4z1181bd4z', 'incident', 'Resolved'],
      ['k2w8yq0v7t3n', 'maintenance', 'Completed'],
    ]);
  });

  it('reads the RSS baseline into items deep-equal to the Atom baseline', () => {
    expect(incidents('auth0-status/seq-01-baseline.rss')).toEqual(incidents('auth0-status/seq-01-baseline.atom'));
  });

  it('sees a new Monitoring update and a new open incident in the changed snapshot', () => {
    const items = incidents('auth0-status/seq-02-update.atom');
    const updated = byId(items, 's6nmyrpsnbmj');
    expect(updated.updates.map((update) => update.label)).toEqual(['Monitoring', 'Identified', 'Investigating']);
    expect(updated.updates[0]).toEqual({
      label: 'Monitoring',
      at: '2026-10-06T10:48:00.000Z',
      text: 'A fix has been implemented and we are monitoring the results. Delayed tenant logs are being delivered.',
    });
    expect(updated.updatedAt).toBe('2026-10-06T10:48:00.000Z');
    expect(byId(items, 'n3wincid3nt1')).toEqual({
      kind: 'incident',
      itemId: 'n3wincid3nt1',
      title: 'Elevated Errors in US-1',
      url: 'https://status.auth0.com/incidents/n3wincid3nt1',
      updatedAt: '2026-10-06T10:35:00.000Z',
      updates: [
        {
          label: 'Investigating',
          at: '2026-10-06T10:35:00.000Z',
          text: 'We are investigating elevated error rates for User Authentication in US-1 Production.',
        },
      ],
      regions: ['US-1'],
    });
  });

  it('sees the Resolved update', () => {
    const item = byId(incidents('auth0-status/seq-03-resolved.atom'), 's6nmyrpsnbmj');
    expect(item.updates[0]).toEqual({
      label: 'Resolved',
      at: '2026-10-06T11:25:00.000Z',
      text: 'This incident has been resolved. All delayed tenant logs have been delivered.',
    });
  });

  it('reads an RCA written into the existing Resolved update: same id and update time, new text, later updatedAt', () => {
    const before = byId(incidents('auth0-status/seq-03-resolved.atom'), 's6nmyrpsnbmj');
    const after = byId(incidents('auth0-status/seq-04-rca-edit.atom'), 's6nmyrpsnbmj');
    expect(after.updates).toHaveLength(before.updates.length);
    expect(after.updates[0]?.label).toBe('Resolved');
    expect(after.updates[0]?.at).toBe(before.updates[0]?.at);
    expect(after.updates[0]?.text).not.toBe(before.updates[0]?.text);
    expect(after.updates[0]?.text).toContain('\n\nRoot cause: a schema migration slowed the consumers');
    expect(after.updatedAt).toBe('2026-10-27T15:00:00.000Z');
    expect(after.updates.slice(1)).toEqual(before.updates.slice(1));
  });

  it('parses a markup-only variant into items deep-equal to its predecessor', () => {
    expect(fixture('auth0-status/seq-05-markup-only.atom')).not.toBe(fixture('auth0-status/seq-04-rca-edit.atom'));
    expect(incidents('auth0-status/seq-05-markup-only.atom')).toEqual(incidents('auth0-status/seq-04-rca-edit.atom'));
  });

  it('sees a Postmortem added on top of a resolved incident', () => {
    const item = byId(incidents('auth0-status/seq-06-postmortem.atom'), 'rb4z1181bd4z');
    expect(item.updates.map((update) => [update.label, update.at])).toEqual([
      ['Postmortem', '2026-10-28T09:00:00.000Z'],
      ['Resolved', '2026-04-22T20:14:00.000Z'],
      ['Investigating', '2026-04-22T19:55:00.000Z'],
    ]);
    expect(item.kind).toBe('incident');
  });

  it('sees a new scheduled maintenance', () => {
    const items = incidents('auth0-status/seq-07-maintenance.atom');
    expect(items.map((item) => item.itemId)).toEqual([
      'm4int3n4nc31',
      'rb4z1181bd4z',
      's6nmyrpsnbmj',
      'n3wincid3nt1',
      'k2w8yq0v7t3n',
    ]);
    const maintenance = byId(items, 'm4int3n4nc31');
    expect(maintenance.kind).toBe('maintenance');
    expect(maintenance.regions).toEqual(['US-5']);
    expect(maintenance.updates).toEqual([
      {
        label: 'Scheduled',
        at: '2026-10-29T12:00:00.000Z',
        text: 'We will be performing database maintenance in US-5 on Nov 12 between 04:00 and 06:00 UTC. Tenant log delivery may be delayed by up to 10 minutes during the window; no downtime is expected.',
      },
    ]);
  });
});

describe('auth0-status parse: dates', () => {
  const items = incidents('auth0-status/year-boundary.atom');

  it('takes the previous year for updates dated after a January entry (Dec/Jan boundary)', () => {
    expect(byId(items, 'y3arb0und4ry').updates.map((update) => update.at)).toEqual([
      '2027-01-01T00:40:00.000Z',
      '2026-12-31T23:55:00.000Z',
      '2026-12-31T23:10:00.000Z',
    ]);
  });

  it('dates a December incident with a January postmortem correctly', () => {
    expect(byId(items, 'w33ksl4t3rrc').updates.map((update) => [update.label, update.at])).toEqual([
      ['Postmortem', '2027-01-20T10:00:00.000Z'],
      ['Resolved', '2026-12-28T14:00:00.000Z'],
      ['Investigating', '2026-12-28T12:30:00.000Z'],
    ]);
  });

  it('writes update times as toISOString does, for any year a body may give', () => {
    const at = (date: string, entryMs?: number) =>
      parseUpdates(`<p><small>${date}</small><br><strong>Update</strong> - x</p>`, entryMs, 'entry')[0]?.at;
    const entry = Date.UTC(2027, 0, 1);
    expect(at('Feb 29, 2024 23:59 UTC')).toBe(new Date(Date.UTC(2024, 1, 29, 23, 59)).toISOString());
    expect(at('Dec 31, 23:10 UTC', entry)).toBe('2026-12-31T23:10:00.000Z');
    expect(at('Jan 5, 0999 10:00 UTC')).toBe('0999-01-05T10:00:00.000Z');
    // Date.UTC reads years 0 to 99 as 1900 to 1999; the times stay what they always were.
    expect(at('Jan 5, 0026 10:00 UTC')).toBe('1926-01-05T10:00:00.000Z');
    expect(() => at('Feb 29, 2026 10:00 UTC')).toThrow('is not a real date in 2026');
  });

  it('reads an update dated in a named zone (PDT) at its UTC instant', () => {
    const body = fixture('auth0-status/seq-01-baseline.atom').replace('Oct 6, 10:12 UTC', 'Oct 6, 03:12 PDT');
    const result = auth0StatusSource.parse([documentOf(body)], config);
    if (!result.ok) throw new Error(result.reason);
    const item = byId(result.items as IncidentItem[], 's6nmyrpsnbmj');
    expect(item.updates[0]?.at).toBe('2026-10-06T10:12:00.000Z');
  });

  it('leaves out and reports an entry dated in a zone it does not know, naming the entry and the zone; reads the rest', () => {
    const body = fixture('auth0-status/seq-01-baseline.atom').replace('Oct 6, 10:12 UTC', 'Oct 6, 10:12 XYZT');
    const result = auth0StatusSource.parse([documentOf(body)], config);
    if (!result.ok) throw new Error(result.reason);
    expect(result.items.map((item) => item.itemId)).toEqual(['rb4z1181bd4z', 'k2w8yq0v7t3n']);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped?.[0]).toContain('Tenant Logs and Group Memberships Impacted on US-5 Public Cloud');
    expect(result.skipped?.[0]).toContain('XYZT');
  });
});

describe('auth0-status parse: Statuspage variant (githubstatus.com, real)', () => {
  it('reads <var data-var> dates, extra spaces and entity-escaped HTML content', () => {
    const [item] = incidents('statuspage/history.atom');
    expect(item?.itemId).toBe('bhbcjn4n3jzp');
    expect(item?.url).toBe('https://www.githubstatus.com/incidents/bhbcjn4n3jzp');
    expect(item?.title).toBe('Intermittent failures creating agent tasks');
    expect(item?.updates.map((update) => [update.label, update.at])).toEqual([
      ['Resolved', '2026-08-21T00:37:00.000Z'],
      ['Update', '2026-08-20T20:37:00.000Z'],
      ['Investigating', '2026-08-20T14:43:00.000Z'],
    ]);
    expect(item?.updates[2]?.text).toBe('We are investigating reports of impacted performance for some GitHub services.');
  });

  it('parses the real RCA-edit pair: same id, same Resolved time, different Resolved text', () => {
    const [before] = incidents('statuspage/rca-edit-before.atom');
    const [after] = incidents('statuspage/rca-edit-after.atom');
    expect(before?.itemId).toBe('gx7js8bd0jpz');
    expect(after?.itemId).toBe('gx7js8bd0jpz');
    expect(before?.updatedAt).toBe('2026-08-18T12:09:11.000Z');
    expect(after?.updatedAt).toBe('2026-08-21T22:46:26.000Z');
    expect(after?.updates[0]?.at).toBe(before?.updates[0]?.at);
    expect(before?.updates[0]?.text).toMatch(/^This incident was posted in error\./);
    expect(after?.updates[0]?.text).toMatch(/^On February 18, 2026, between 05:02 UTC and 11:30 UTC/);
    expect(after?.updates[0]?.text).toContain('\n\nThese issues were caused by failures in backend requests');
  });

  it('reads RSS <description> bodies, takes the maintenance window from <pubDate>/<maintenanceEndDate>, leaves out the "THIS IS A SCHEDULED EVENT" paragraph', () => {
    const [incident, maintenance] = incidents('statuspage/history.rss');
    expect(incident?.itemId).toBe('tc051c121cs7');
    expect(incident?.updates[1]?.text).toMatch(/^We're currently observing increased failures/);
    expect(maintenance).toEqual({
      kind: 'maintenance',
      itemId: 'cnntrg2j816c',
      title: 'GOV.UK Publishing maintenance Tue 16 Jan 12:00-16:00 GMT (future planned maintenance)',
      url: 'https://status.publishing.service.gov.uk/incidents/cnntrg2j816c',
      updatedAt: '2024-01-16T12:00:00.000Z',
      scheduledFor: '2024-01-16T12:00:00.000Z',
      scheduledUntil: '2024-01-16T16:00:00.000Z',
      updates: [
        {
          label: 'Scheduled',
          at: '2024-01-08T16:20:00.000Z',
          text: 'Hello,\n\nWe plan to do some maintenance work on the GOV.UK Publishing applications on Tue 16 January 2024 between 12:00 and 16:00 GMT. [... trimmed ...]',
        },
      ],
      regions: [],
    });
  });
});

describe('auth0-status parse: invalid and edge documents', () => {
  it('parses a valid feed with zero entries as no items', () => {
    expect(parseFixture('auth0-status/empty.atom')).toEqual({ ok: true, items: [] });
  });

  it('fails a truncated feed', () => {
    const result = parseFixture('auth0-status/truncated.atom');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^malformed XML: the document ends with <feed>, <entry>, <content> still open/);
  });

  it('rejects an entity-expansion DOCTYPE', () => {
    expect(parseFixture('auth0-status/entity-bomb.atom')).toEqual({
      ok: false,
      reason: 'XML declares a DOCTYPE or ENTITY, which feeds never need; refused (entity-expansion attacks)',
    });
  });

  it('rejects a document nested 200 levels deep', () => {
    expect(parseFixture('auth0-status/deep-nesting.xml')).toEqual({
      ok: false,
      reason: 'XML nests elements deeper than 100 levels; refused',
    });
  });

  it('names the root element of an HTML error page', () => {
    expect(parseFixture('auth0-status/not-a-feed.html')).toEqual({
      ok: false,
      reason: 'not an Atom or RSS feed (root element <html>)',
    });
  });

  it('leaves out and reports an entry without an /incidents/ link, id or guid, and reads the other', () => {
    const result = parseFixture('auth0-status/no-incident-link.atom');
    if (!result.ok) throw new Error(`expected the feed to parse: ${result.reason}`);
    expect(result.skipped).toEqual([
      'entry "Degraded Performance for Management API in AU-1" has no /incidents/<12-character id> link, id or guid',
    ]);
    expect(result.items).toHaveLength(1);
    expect(result.items[0]!.title).not.toBe('Degraded Performance for Management API in AU-1');
  });

  it('fails, naming the entry, when its content has no dated update', () => {
    const body = fixture('auth0-status/seq-01-baseline.atom').replace(
      /<content type="html"><!\[CDATA\[<p><small>Apr 22[\s\S]*?\]\]><\/content>/,
      '<content type="html"><![CDATA[<p>We are looking into it.</p>]]></content>',
    );
    expect(auth0StatusSource.parse([documentOf(body)], config)).toEqual({
      ok: false,
      reason:
        'entry "Elevated Errors on Public Cloud Environments" has no dated update (<small>date</small> <strong>label</strong> - text) in its body',
    });
  });

  it('falls back to an <id> holding the incident link when the link does not', () => {
    const body = fixture('auth0-status/seq-01-baseline.atom').replace(
      '<link href="https://status.auth0.com/incidents/rb4z1181bd4z"/>',
      '<link href="https://status.auth0.com/"/>',
    );
    const result = auth0StatusSource.parse([documentOf(body)], config);
    expect(result.ok && result.items.map((item) => item.itemId)).toEqual(['s6nmyrpsnbmj', 'rb4z1181bd4z', 'k2w8yq0v7t3n']);
  });
});
