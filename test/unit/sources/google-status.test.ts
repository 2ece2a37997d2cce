import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GoogleStatusSourceConfig } from '../../../functions/sources/google-status/config-schema.js';
import { diffItems, type DiffContext } from '../../../functions/core/diff-items.js';
import type { IncidentItem, ParseResult } from '../../../functions/core/model.js';
import type { TrackedItem } from '../../../functions/core/tracked.js';
import { googleStatusSource } from '../../../functions/sources/google-status/plugin.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';
import { remember } from '../../support/remember-changes.js';

const fixture = (path: string): string =>
  readFileSync(new URL(`../../fixtures/google-status/${path}`, import.meta.url), 'utf8');

/** A fresh copy of a JSON fixture, to change in one test. */
const records = (path: string): Array<Record<string, unknown>> => JSON.parse(fixture(path)) as Array<Record<string, unknown>>;

const config: GoogleStatusSourceConfig = {
  id: 'google-cloud',
  type: 'google-status',
  url: 'https://status.cloud.google.com/incidents.json',
  vendor: 'Google Cloud',
};

function parseBody(body: string, over: Partial<GoogleStatusSourceConfig> = {}): ParseResult {
  const source = { ...config, ...over };
  const document: FetchedDocument = { url: source.url, finalUrl: source.url, contentType: 'application/json', body };
  return googleStatusSource.parse([document], source);
}

function incidents(body: string, over: Partial<GoogleStatusSourceConfig> = {}): IncidentItem[] {
  const result = parseBody(body, over);
  if (!result.ok) throw new Error(`expected the body to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

function failure(body: string): string {
  const result = parseBody(body);
  if (result.ok) throw new Error('expected the parse to fail');
  return result.reason;
}

const IDENTITY = 'kT3mPq8XvN2aLw9YcR4e';
const BIGQUERY = 'rZvZvSKVdDHyWh4dZJ8D';

function byId(items: readonly IncidentItem[], id: string): IncidentItem {
  const item = items.find((candidate) => candidate.itemId === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

describe('google-status requests', () => {
  it('fetches the configured incidents.json as JSON, once', () => {
    expect(googleStatusSource.requests(config)).toEqual([{ url: config.url, expect: 'json' }]);
    expect(googleStatusSource.type).toBe('google-status');
    expect(googleStatusSource.vendor).toBe('Google');
  });
});

describe('google-status parse: the real incidents.json', () => {
  it('reads the ended BigQuery incident as resolved, with ISO times, impact, products and its dashboard URL', () => {
    expect(incidents(fixture('incidents.json'))).toEqual([
      {
        kind: 'incident',
        itemId: BIGQUERY,
        title: 'Retry errors for Google BigQuery in europe-north1',
        url: `https://status.cloud.google.com/incidents/${BIGQUERY}`,
        updatedAt: '2023-03-10T14:54:50.000Z',
        // `begin`: when the impact started.
        startedAt: '2023-03-10T14:09:43.000Z',
        updates: [
          {
            // SERVICE_INFORMATION, but `end` is set: the newest update says Resolved.
            label: 'Resolved',
            at: '2023-03-10T14:26:17.000Z',
            text: 'Summary: Retry errors for Google BigQuery in europe-north1\nDescription: We are experiencing an issue with Google BigQuery. [...]\nWorkaround: Retry requests',
          },
        ],
        // The record's location ids.
        regions: ['europe-north1'],
        impact: 'minor',
        components: ['Google BigQuery'],
      },
    ]);
  });
});

describe('google-status parse: snapshot sequence', () => {
  it('reads the open Identity Platform incident (no end) as a Disruption of major impact in its location', () => {
    const items = incidents(fixture('seq-01.json'));
    expect(items.map((item) => item.itemId)).toEqual([IDENTITY, BIGQUERY]);
    const open = byId(items, IDENTITY);
    expect(open).toMatchObject({
      title: 'Elevated error rates for Identity Platform sign-in in us-central1',
      url: `https://status.cloud.google.com/incidents/${IDENTITY}`,
      updatedAt: '2026-05-12T09:58:20.000Z',
      impact: 'major',
      components: ['Identity Platform'],
      regions: ['us-central1'],
    });
    expect(open.updates.map((update) => [update.label, update.at])).toEqual([['Disruption', '2026-05-12T09:58:12.000Z']]);
    expect(open.updates[0]?.text).toMatch(/^Summary: Elevated error rates .*\nDescription: We are experiencing an issue/);
  });

  it('lists a newer update first', () => {
    const open = byId(incidents(fixture('seq-02.json')), IDENTITY);
    expect(open.updates.map((update) => [update.label, update.at])).toEqual([
      ['Disruption', '2026-05-12T10:27:41.000Z'],
      ['Disruption', '2026-05-12T09:58:12.000Z'],
    ]);
  });

  it('labels the final AVAILABLE update Resolved once end is set', () => {
    const ended = byId(incidents(fixture('seq-03.json')), IDENTITY);
    expect(ended.updates.map((update) => update.label)).toEqual(['Resolved', 'Disruption', 'Disruption']);
    expect(ended.updates[0]?.at).toBe('2026-05-12T11:12:05.000Z');
  });

  it('keeps the update key of the RCA-as-edit and changes only its text and modified', () => {
    const before = byId(incidents(fixture('seq-03.json')), IDENTITY);
    const after = byId(incidents(fixture('seq-04.json')), IDENTITY);
    expect(after.updates.map((u) => [u.label, u.at])).toEqual(before.updates.map((u) => [u.label, u.at]));
    expect(after.updates[0]?.text).toMatch(/Root cause: a configuration change rolled out to the token-signing key cache/);
    expect(after.updatedAt).toBe('2026-05-19T16:40:03.000Z');
  });
});

describe('google-status parse: labels and edge cases', () => {
  it('sorts updates newest first by when, falling back to created', () => {
    const [record] = records('seq-02.json');
    const updates = record!['updates'] as Array<Record<string, unknown>>;
    updates.reverse();
    delete updates[1]!['when'];
    const item = byId(incidents(JSON.stringify([record])), IDENTITY);
    expect(item.updates.map((update) => update.at)).toEqual(['2026-05-12T10:27:41.000Z', '2026-05-12T09:58:12.000Z']);
  });

  it('maps outage, information and high severity', () => {
    const [record] = records('seq-01.json');
    const update = (record!['updates'] as Array<Record<string, unknown>>)[0]!;
    update['status'] = 'SERVICE_OUTAGE';
    record!['severity'] = 'high';
    const outage = byId(incidents(JSON.stringify([record])), IDENTITY);
    expect([outage.updates[0]?.label, outage.impact]).toEqual(['Outage', 'critical']);

    update['status'] = 'SERVICE_INFORMATION';
    delete record!['severity'];
    const information = byId(incidents(JSON.stringify([record])), IDENTITY);
    expect(information.updates[0]?.label).toBe('Update');
    expect(information).not.toHaveProperty('impact');
  });

  it('keeps an incident open while end is absent, even after an AVAILABLE update', () => {
    const [record] = records('seq-03.json');
    delete record!['end'];
    const item = byId(incidents(JSON.stringify([record])), IDENTITY);
    expect(item.updates.map((update) => update.label)).toEqual(['Available', 'Disruption', 'Disruption']);
  });

  it('labels a later "Incident Report" update Postmortem and keeps Resolved on the final update', () => {
    const [record] = records('seq-03.json');
    const report = {
      created: '2026-05-15T18:02:00+00:00',
      when: '2026-05-15T18:02:00+00:00',
      text: '# Incident Report\n\n## Summary\n\nOn Tuesday, 12 May 2026, Identity Platform sign-in failed for some users.',
      status: 'AVAILABLE',
    };
    (record!['updates'] as unknown[]).unshift(report);
    const item = byId(incidents(JSON.stringify([record])), IDENTITY);
    expect(item.updates.map((update) => [update.label, update.at])).toEqual([
      ['Postmortem', '2026-05-15T18:02:00.000Z'],
      ['Resolved', '2026-05-12T11:12:05.000Z'],
      ['Disruption', '2026-05-12T10:27:41.000Z'],
      ['Disruption', '2026-05-12T09:58:12.000Z'],
    ]);
    expect(item.updates[0]?.text).toMatch(/^Incident Report\n\nSummary\n\nOn Tuesday/);
  });

  it('resolves uri against the configured dashboard, so Google Workspace links stay under /appsstatus/dashboard/', () => {
    const url = 'https://www.google.com/appsstatus/dashboard/incidents.json';
    const [record] = records('seq-01.json');
    record!['uri'] = 'incidents/A9yjaWz1kE2rH7PqXb3n';
    record!['affected_products'] = [{ title: 'Gmail', id: 'NuhYvlvZdNbS2jcJ4UaK' }];
    const [item] = incidents(JSON.stringify([record]), { url, vendor: 'Google Workspace' });
    expect(item?.url).toBe('https://www.google.com/appsstatus/dashboard/incidents/A9yjaWz1kE2rH7PqXb3n');
    expect(item?.components).toEqual(['Gmail']);
  });

  it('falls back to incidents/<id> without a uri, and to service_name without products or external_desc', () => {
    const [record] = records('seq-01.json');
    delete record!['uri'];
    delete record!['affected_products'];
    delete record!['external_desc'];
    const [item] = incidents(JSON.stringify([record]));
    expect(item?.url).toBe(`https://status.cloud.google.com/incidents/${IDENTITY}`);
    expect(item?.title).toBe('Identity Platform');
    expect(item?.components).toEqual(['Identity Platform']);
  });

  it('parses an empty array as no incidents', () => {
    expect(parseBody('[]')).toEqual({ ok: true, items: [] });
  });
});

describe('google-status parse: narrowing to products', () => {
  it('keeps only incidents whose products intersect the configured ones, case-insensitively', () => {
    const items = incidents(fixture('seq-01.json'), { products: ['identity platform', 'Cloud Run'] });
    expect(items.map((item) => item.itemId)).toEqual([IDENTITY]);
    expect(incidents(fixture('seq-01.json'), { products: ['Google BigQuery'] }).map((i) => i.itemId)).toEqual([BIGQUERY]);
    expect(incidents(fixture('seq-01.json'), { products: ['Gmail'] })).toEqual([]);
  });

  it('matches any of an incident’s several products', () => {
    const [record] = records('seq-01.json');
    record!['affected_products'] = [
      { title: 'Cloud Run', id: 'a' },
      { title: 'Identity Platform', id: 'b' },
    ];
    const [item] = incidents(JSON.stringify([record]), { products: ['IDENTITY PLATFORM'] });
    expect(item?.components).toEqual(['Cloud Run', 'Identity Platform']);
  });
});

describe('google-status parse: invalid bodies fail and say why', () => {
  it('refuses an object instead of an array, naming the URL and what came back', () => {
    expect(failure(fixture('invalid.json'))).toBe(
      'https://status.cloud.google.com/incidents.json answered with a JSON object (keys: error), not an array of incidents',
    );
  });

  it('refuses a body that is not JSON', () => {
    expect(failure('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>')).toMatch(
      /^https:\/\/status\.cloud\.google\.com\/incidents\.json did not answer with JSON: /,
    );
  });

  it('refuses null and strings', () => {
    expect(failure('null')).toMatch(/answered with null, not an array/);
    expect(failure('"maintenance"')).toMatch(/answered with a JSON string, not an array/);
  });

  it('names the record that is not an object or has no id', () => {
    expect(failure('[42]')).toBe('incident record 0 of https://status.cloud.google.com/incidents.json is not an incident object');
    const [record] = records('seq-01.json');
    delete record!['id'];
    expect(failure(JSON.stringify([record]))).toMatch(/^incident record 0 of .* has no id$/);
  });

  it('names the incident with an unreadable date', () => {
    const [record] = records('seq-01.json');
    (record!['updates'] as Array<Record<string, unknown>>)[0]!['when'] = 'yesterday 2026';
    expect(failure(JSON.stringify([record]))).toMatch(
      new RegExp(`^incident ${IDENTITY} .*: update 0 has an unreadable update time \\(when\\) "yesterday 2026"$`),
    );
    const [ended] = records('seq-03.json');
    ended!['end'] = 12;
    expect(failure(JSON.stringify([ended]))).toMatch(/has an unreadable end 12$/);
  });

  it('names the incident without any update, and one whose uri is not a web address', () => {
    const [record] = records('seq-01.json');
    record!['updates'] = [];
    delete record!['most_recent_update'];
    expect(failure(JSON.stringify([record]))).toMatch(new RegExp(`^incident ${IDENTITY} .* has no updates$`));
    const [linked] = records('seq-01.json');
    linked!['uri'] = 'javascript:alert(1)';
    expect(failure(JSON.stringify([linked]))).toMatch(/has a uri that is not a web address: "javascript:alert\(1\)"$/);
  });
});

describe('google-status through the core diff: seq-01 → seq-04', () => {
  const SOURCE = { id: 'google-cloud', type: 'google-status', vendor: 'Google Cloud', url: config.url };

  function ctx(now: string, baseline = false): DiffContext {
    return { source: SOURCE, baseline, now: new Date(now), trackResolvedDays: 60 };
  }

  /** Applies the changes of one diff to the remembered map, as the store would. */

  const steps = [
    { file: 'seq-01.json', now: '2026-05-12T10:00:00Z', baseline: true },
    { file: 'seq-02.json', now: '2026-05-12T10:30:00Z' },
    { file: 'seq-03.json', now: '2026-05-12T11:15:00Z' },
    { file: 'seq-04.json', now: '2026-05-19T17:00:00Z' },
    { file: 'seq-04.json', now: '2026-05-19T17:05:00Z' },
  ];
  let state = new Map<string, TrackedItem>();
  const polls = steps.map((step) => {
    const changes = diffItems(ctx(step.now, step.baseline), state, incidents(fixture(step.file)));
    state = remember(state, changes);
    return changes.flatMap((change) => change.events);
  });

  it('announces the open incident at baseline, dated by its begin, and ignores the incident that ended years ago', () => {
    expect(polls[0]!.map((e) => [e.type, e.itemId, e.update?.label])).toEqual([['incident.opened', IDENTITY, 'Disruption']]);
    expect(polls[0]![0]).toMatchObject({
      severity: 'major',
      components: ['Identity Platform'],
      url: `https://status.cloud.google.com/incidents/${IDENTITY}`,
      // Dated by the incident's begin, not by its first update (09:58:12).
      occurredAt: '2026-05-12T09:41:00.000Z',
    });
  });

  it('emits incident.updated for the newer update, incident.resolved when it ends, incident.rca_published for the edit', () => {
    expect(polls.slice(1).map((events) => events.map((e) => [e.type, e.update?.label]))).toEqual([
      [['incident.updated', 'Disruption']],
      [['incident.resolved', 'Resolved']],
      [['incident.rca_published', 'Resolved']],
      [],
    ]);
    expect(polls[3]![0]?.occurredAt).toBe('2026-05-19T16:40:03.000Z');
  });

  it('announces each change exactly once over the whole sequence', () => {
    const types = polls.flat().map((e) => e.type);
    expect(types).toEqual(['incident.opened', 'incident.updated', 'incident.resolved', 'incident.rca_published']);
    expect(new Set(polls.flat().map((e) => e.id)).size).toBe(4);
  });

  it('emits only incident.rca_published when an incident report is posted as a new update after the end', () => {
    const [record, old] = records('seq-03.json');
    (record!['updates'] as unknown[]).unshift({
      created: '2026-05-15T18:02:00+00:00',
      when: '2026-05-15T18:02:00+00:00',
      text: '# Mini Incident Report\n\nWe apologize for the inconvenience this service disruption may have caused.',
      status: 'AVAILABLE',
    });
    let remembered = new Map<string, TrackedItem>();
    remembered = remember(remembered, diffItems(ctx('2026-05-12T11:15:00Z', true), remembered, incidents(fixture('seq-03.json'))));
    const changes = diffItems(ctx('2026-05-15T18:05:00Z'), remembered, incidents(JSON.stringify([record, old])));
    expect(changes.flatMap((c) => c.events).map((e) => [e.type, e.update?.label])).toEqual([
      ['incident.rca_published', 'Postmortem'],
    ]);
  });
});
