// The auth0-status reader and the diff on real Auth0 incidents: the update history of status.auth0.com (then served
// by Statuspage as auth0.statuspage.io) as captured on 2021-01-27, written into the page's history feed markup and
// cut at four times between January 20 and January 27.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IncidentItem } from '../../../functions/core/model.js';
import { auth0StatusSource } from '../../../functions/sources/auth0-status/plugin.js';
import type { Auth0StatusSourceConfig } from '../../../functions/sources/auth0-status/config-schema.js';
import { htmlToText } from '../../../functions/sources/formats/html-text.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';
import { playAuth0Us1Polls } from '../../support/diff-context.js';

const text = (name: string): string => readFileSync(new URL(`../../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');

const config: Auth0StatusSourceConfig = {
  id: 'auth0-status-us-1',
  type: 'auth0-status',
  url: 'https://status.auth0.com/feed?domain=example.auth0.com',
  region: 'US-1',
};

const SNAPSHOTS = [
  'real-seq-01-2021-01-20T1230.atom',
  'real-seq-02-2021-01-20T1530.atom',
  'real-seq-03-2021-01-20T1830.atom',
  'real-seq-04-2021-01-27T0430.atom',
] as const;

function incidents(name: string): IncidentItem[] {
  const document: FetchedDocument = { url: config.url, finalUrl: config.url, contentType: 'application/atom+xml', body: text(name) };
  const result = auth0StatusSource.parse([document], config);
  if (!result.ok) throw new Error(`expected ${name} to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

function byId(items: readonly IncidentItem[], id: string): IncidentItem {
  const item = items.find((candidate) => candidate.itemId === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

/** What the captured page shows of each incident: id, title, and each update's label, UTC time (2021) and text. */
function incidentsOnThePage(): Array<{ itemId: string; title: string; updates: Array<{ label: string; at: string; text: string }> }> {
  const page = text('real-auth0-statuspage-2021-01-27.html');
  return page
    .split('<div class="incident-container">')
    .slice(1)
    .map((block) => {
      const link = /<a href="\/incidents\/([a-z0-9]{12})">([^<]*)<\/a>/.exec(block);
      const updates = [...block.matchAll(/<div class="update font-regular[^"]*">([\s\S]*?)<small>([\s\S]*?)<\/small>/g)].map((update) => {
        const label = /<strong>([^<]*)<\/strong>/.exec(update[1]!)![1]!;
        const body = update[1]!.replace(/^\s*<strong>[^<]*<\/strong>\s*-/, '');
        const [, month, day, time] = /^(\w+) (\d+), (\d\d:\d\d) UTC$/.exec(htmlToText(update[2]!))!;
        expect(month).toBe('Jan');
        return { label, at: `2021-01-${day!.padStart(2, '0')}T${time}:00.000Z`, text: htmlToText(body) };
      });
      return { itemId: link![1]!, title: htmlToText(link![2]!), updates };
    });
}

describe('auth0-status real captures: provenance', () => {
  it('the last snapshot carries exactly the incidents and updates of the captured page, newest first', () => {
    const page = incidentsOnThePage();
    expect(page.map((incident) => incident.itemId)).toEqual(['1592ylhhyrrl', 'rx8wtk8svly4', 'vt61qk2xqysz']);
    expect(page.flatMap((incident) => incident.updates)).toHaveLength(9);
    const parsed = incidents('real-seq-04-2021-01-27T0430.atom');
    expect(parsed.map(({ itemId, title, updates }) => ({ itemId, title, updates }))).toEqual(page);
  });

  it('each earlier snapshot is the later history cut at its time: every incident keeps the oldest updates', () => {
    for (let index = 0; index < SNAPSHOTS.length - 1; index += 1) {
      const earlier = incidents(SNAPSHOTS[index]!);
      const later = incidents(SNAPSHOTS[index + 1]!);
      for (const item of earlier) {
        const next = byId(later, item.itemId);
        expect(next.updates.slice(next.updates.length - item.updates.length)).toEqual(item.updates);
      }
    }
  });
});

describe('auth0-status parse: real incident history', () => {
  const last = incidents('real-seq-04-2021-01-27T0430.atom');

  it('reads <var data-var> update dates, taking the year from the entry date', () => {
    expect(byId(last, 'rx8wtk8svly4').updates.map((update) => [update.label, update.at])).toEqual([
      ['Resolved', '2021-01-20T18:11:00.000Z'],
      ['Monitoring', '2021-01-20T14:47:00.000Z'],
      ['Update', '2021-01-20T13:48:00.000Z'],
      ['Identified', '2021-01-20T12:57:00.000Z'],
      ['Investigating', '2021-01-20T12:19:00.000Z'],
    ]);
  });

  it('dates each item by its entry <updated>, the time of its newest update', () => {
    expect(last.map((item) => [item.itemId, item.updatedAt])).toEqual([
      ['1592ylhhyrrl', '2021-01-27T04:05:00.000Z'],
      ['rx8wtk8svly4', '2021-01-20T18:11:00.000Z'],
      ['vt61qk2xqysz', '2021-01-20T15:57:00.000Z'],
    ]);
  });

  it('turns a link inside an update into its text, with no markup left', () => {
    const identified = byId(last, 'vt61qk2xqysz').updates.at(-1)!;
    expect(identified.label).toBe('Identified');
    expect(identified.text).toMatch(/we recommend using the Management API v2 \(https:\/\/auth0\.com\/docs\/api\/management\/v2\)\.$/);
    expect(identified.text).not.toMatch(/[<>]/);
  });

  it('keeps every item an incident (no maintenance label) naming no Auth0 region label', () => {
    expect(last.map((item) => item.kind)).toEqual(['incident', 'incident', 'incident']);
    expect(last.flatMap((item) => item.regions)).toEqual([]);
  });

  it('reads the same history in the RSS form (<content:encoded>, no <description>) into items deep-equal to the Atom', () => {
    const document: FetchedDocument = {
      url: config.url,
      finalUrl: config.url,
      contentType: 'application/rss+xml',
      body: text('real-seq-04-2021-01-27T0430.rss'),
    };
    const result = auth0StatusSource.parse([document], config);
    expect(result).toEqual({ ok: true, items: last });
  });

  it('keys each incident on the id in its link, not on the Statuspage entry id', () => {
    expect(last.map((item) => item.url)).toEqual([
      'https://status.auth0.com/incidents/1592ylhhyrrl',
      'https://status.auth0.com/incidents/rx8wtk8svly4',
      'https://status.auth0.com/incidents/vt61qk2xqysz',
    ]);
  });
});

describe('auth0-status diff: the real January 2021 sequence, polled at four times over eight days', () => {
  const outcomes = playAuth0Us1Polls([
    { now: '2021-01-20T12:30:00Z', items: incidents(SNAPSHOTS[0]) },
    { now: '2021-01-20T15:30:00Z', items: incidents(SNAPSHOTS[1]) },
    { now: '2021-01-20T18:30:00Z', items: incidents(SNAPSHOTS[2]) },
    { now: '2021-01-27T04:30:00Z', items: incidents(SNAPSHOTS[3]) },
  ]);

  it('opens the CORS incident at its Investigating update', () => {
    expect(outcomes[0]!.events.map((event) => [event.type, event.itemId, event.occurredAt])).toEqual([
      ['incident.opened', 'rx8wtk8svly4', '2021-01-20T12:19:00.000Z'],
    ]);
  });

  it('opens the Dashboard incident at its first update and reports each new CORS update once, in order', () => {
    const events = outcomes[1]!.events;
    expect(events.map((event) => [event.type, event.itemId, event.occurredAt])).toEqual([
      ['incident.opened', 'vt61qk2xqysz', '2021-01-20T15:19:00.000Z'],
      ['incident.updated', 'rx8wtk8svly4', '2021-01-20T12:57:00.000Z'],
      ['incident.updated', 'rx8wtk8svly4', '2021-01-20T13:48:00.000Z'],
      ['incident.updated', 'rx8wtk8svly4', '2021-01-20T14:47:00.000Z'],
    ]);
  });

  it('resolves both incidents once each, at their Resolved times', () => {
    const resolved = outcomes[2]!.events.filter((event) => event.type === 'incident.resolved');
    expect(resolved.map((event) => [event.itemId, event.occurredAt]).sort()).toEqual([
      ['rx8wtk8svly4', '2021-01-20T18:11:00.000Z'],
      ['vt61qk2xqysz', '2021-01-20T15:57:00.000Z'],
    ]);
    expect(outcomes[2]!.events.every((event) => event.type === 'incident.resolved')).toBe(true);
  });

  it('a week later reports the DNS incident, first seen already resolved, as resolved only; nothing on the others', () => {
    expect(outcomes[3]!.events.map((event) => [event.type, event.itemId, event.occurredAt])).toEqual([
      ['incident.resolved', '1592ylhhyrrl', '2021-01-27T04:05:00.000Z'],
    ]);
  });

  it('announces no incident twice over the whole sequence', () => {
    const all = outcomes.flatMap((outcome) => outcome.events);
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    for (const type of ['incident.opened', 'incident.resolved']) {
      const ids = all.filter((event) => event.type === type).map((event) => event.itemId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
