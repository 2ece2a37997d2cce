// The Statuspage source on real githubstatus.com bodies: API requests and parse, postmortems, narrowing, feed mode,
// and the events the core derives from a sequence of API snapshots.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StatuspageSourceConfig } from '../../../functions/sources/statuspage/config-schema.js';
import { diffItems, type DiffContext } from '../../../functions/core/diff-items.js';
import type { IncidentItem, ParseResult } from '../../../functions/core/model.js';
import type { TrackedItem } from '../../../functions/core/tracked.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';
import { statuspageSource } from '../../../functions/sources/statuspage/plugin.js';
import { remember } from '../../support/remember-changes.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/statuspage/${name}`, import.meta.url), 'utf8');

const BASE = 'https://www.githubstatus.com';
const INCIDENTS_URL = `${BASE}/api/v2/incidents.json`;
const MAINTENANCES_URL = `${BASE}/api/v2/scheduled-maintenances.json`;
const FEED_URL = `${BASE}/history.atom`;

const apiConfig: StatuspageSourceConfig = { id: 'github', type: 'statuspage', url: BASE, vendor: 'GitHub', mode: 'api' };
const feedConfig: StatuspageSourceConfig = { ...apiConfig, mode: 'feed' };

function documentOf(url: string, body: string, contentType = 'application/json'): FetchedDocument {
  return { url, finalUrl: url, contentType, body };
}

/** The two API documents of one poll, from fixture files or bodies. */
function apiDocuments(incidents: string | object, maintenances: string | object = 'scheduled-maintenances-empty.json') {
  const body = (value: string | object): string => (typeof value === 'string' ? fixture(value) : JSON.stringify(value));
  return [documentOf(INCIDENTS_URL, body(incidents)), documentOf(MAINTENANCES_URL, body(maintenances))];
}

/** A fixture's JSON, cloned so that a test can change it. */
function json(name: string): { incidents?: Record<string, unknown>[]; scheduled_maintenances?: Record<string, unknown>[] } {
  return structuredClone(JSON.parse(fixture(name)));
}

function itemsOf(result: ParseResult): IncidentItem[] {
  if (!result.ok) throw new Error(`expected the parse to succeed: ${result.reason}`);
  return result.items as IncidentItem[];
}

function parseApi(incidents: string | object, maintenances?: string | object, config = apiConfig): IncidentItem[] {
  return itemsOf(statuspageSource.parse(apiDocuments(incidents, maintenances), config));
}

function parseFeed(name: string): IncidentItem[] {
  return itemsOf(statuspageSource.parse([documentOf(FEED_URL, fixture(name), 'application/atom+xml')], feedConfig));
}

function byId(items: readonly IncidentItem[], id: string): IncidentItem {
  const item = items.find((candidate) => candidate.itemId === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

describe('statuspage requests', () => {
  it.each([BASE, `${BASE}/`])('asks the API for incidents and scheduled maintenances as JSON in api mode (%s)', (url) => {
    expect(statuspageSource.requests({ ...apiConfig, url })).toEqual([
      { url: INCIDENTS_URL, expect: 'json' },
      { url: MAINTENANCES_URL, expect: 'json' },
    ]);
  });

  it.each([BASE, `${BASE}/`])('asks for history.atom as XML in feed mode (%s)', (url) => {
    expect(statuspageSource.requests({ ...feedConfig, url })).toEqual([{ url: FEED_URL, expect: 'xml' }]);
  });

  it('declares its type and a generic vendor that the configured vendor overrides', () => {
    expect(statuspageSource.type).toBe('statuspage');
    expect(statuspageSource.vendor).toBe('Statuspage');
  });
});

describe('statuspage parse: api mode on the real incidents.json', () => {
  const items = parseApi('incidents.json');

  it('reads an incident with its id, page link, ISO times, labels, impact and components', () => {
    expect(items).toEqual([
      {
        kind: 'incident',
        itemId: '69sb0f8lydp4',
        title: 'Incident with Pages and Actions',
        url: 'https://www.githubstatus.com/incidents/69sb0f8lydp4',
        updatedAt: '2024-09-16T22:08:39.349Z',
        updates: [
          { label: 'Resolved', at: '2024-09-16T22:08:39.333Z', text: 'This incident has been resolved.' },
          {
            label: 'Investigating',
            at: '2024-09-16T21:31:02.798Z',
            text: 'We are investigating reports of degraded performance for Actions and Pages',
          },
        ],
        startedAt: '2024-09-16T21:31:02.713Z',
        regions: [],
        impact: 'major',
        components: ['Actions', 'Pages'],
      },
    ]);
  });

  it('links items under the page base URL even when it is configured with a trailing slash', () => {
    const [item] = parseApi('incidents.json', undefined, { ...apiConfig, url: `${BASE}/` });
    expect(item?.url).toBe('https://www.githubstatus.com/incidents/69sb0f8lydp4');
  });

  it('dates an update by display_at, falling back to created_at, in UTC', () => {
    const body = json('incidents.json');
    const updates = body.incidents![0]!['incident_updates'] as Record<string, unknown>[];
    updates[0]!['display_at'] = '2024-09-16T17:10:00-05:00';
    updates[1]!['display_at'] = null;
    updates[1]!['created_at'] = '2024-09-16T21:31:02Z';
    expect(parseApi(body)[0]?.updates.map((update) => update.at)).toEqual([
      '2024-09-16T22:10:00.000Z',
      '2024-09-16T21:31:02.000Z',
    ]);
  });

  it.each([
    ['critical', 'critical'],
    ['major', 'major'],
    ['minor', 'minor'],
    ['none', 'info'],
    ['maintenance', 'info'],
  ])('maps impact %s to severity %s', (impact, severity) => {
    const body = json('incidents.json');
    body.incidents![0]!['impact'] = impact;
    expect(parseApi(body)[0]?.impact).toBe(severity);
  });

  it('leaves the severity to the core when the impact is missing or unknown', () => {
    const body = json('incidents.json');
    body.incidents![0]!['impact'] = 'catastrophic';
    expect(parseApi(body)[0]).not.toHaveProperty('impact');
    delete body.incidents![0]!['impact'];
    expect(parseApi(body)[0]).not.toHaveProperty('impact');
  });

  it.each([
    ['investigating', 'Investigating'],
    ['identified', 'Identified'],
    ['monitoring', 'Monitoring'],
    ['resolved', 'Resolved'],
    ['postmortem', 'Postmortem'],
    ['scheduled', 'Scheduled'],
    ['in_progress', 'In progress'],
    ['verifying', 'Verifying'],
    ['completed', 'Completed'],
    ['update', 'Update'],
    ['degraded_again', 'Degraded again'],
  ])('labels an update with status %s as "%s"', (status, label) => {
    const body = json('incidents.json');
    (body.incidents![0]!['incident_updates'] as Record<string, unknown>[])[0]!['status'] = status;
    expect(parseApi(body)[0]?.updates[0]?.label).toBe(label);
  });

  it('turns HTML in an update body into plain text', () => {
    const body = json('incidents.json');
    (body.incidents![0]!['incident_updates'] as Record<string, unknown>[])[0]!['body'] =
      '<p>Fixed &amp; deployed.</p><p>See <a href="https://example.com">the post</a>.</p>';
    expect(parseApi(body)[0]?.updates[0]?.text).toBe('Fixed & deployed.\n\nSee the post.');
  });

  it('reads an empty incidents list as no items, not as a failure', () => {
    expect(parseApi({ page: {}, incidents: [] })).toEqual([]);
  });
});

describe('statuspage parse: api mode, scheduled maintenances', () => {
  it('reads a scheduled maintenance as a maintenance item with info impact, its components and its window', () => {
    const items = parseApi('api-seq-01-incidents.json', 'scheduled-maintenances.json');
    expect(items.map((item) => [item.itemId, item.kind])).toEqual([
      ['x4q8m2rk7vdn', 'incident'],
      ['t3v9qnx0c2lb', 'incident'],
      ['w1c5hm8rz0ty', 'maintenance'],
    ]);
    expect(byId(items, 'w1c5hm8rz0ty')).toEqual({
      kind: 'maintenance',
      itemId: 'w1c5hm8rz0ty',
      title: 'Scheduled maintenance for Git Operations',
      url: 'https://www.githubstatus.com/incidents/w1c5hm8rz0ty',
      updatedAt: '2026-10-14T09:30:27.041Z',
      updates: [
        {
          label: 'Scheduled',
          at: '2026-10-14T09:30:27.029Z',
          text: 'We will be performing database maintenance for Git Operations. Git pushes may be briefly delayed during the maintenance window.',
        },
      ],
      startedAt: '2026-10-14T09:30:27.001Z',
      regions: [],
      impact: 'info',
      components: ['Git Operations'],
      scheduledFor: '2026-10-20T14:00:00.000Z',
      scheduledUntil: '2026-10-20T16:00:00.000Z',
    });
  });

  it('treats a maintenance that incidents.json lists as a maintenance', () => {
    const incidents = json('incidents.json');
    incidents.incidents!.push(json('scheduled-maintenances.json').scheduled_maintenances![0]!);
    expect(byId(parseApi(incidents), 'w1c5hm8rz0ty').kind).toBe('maintenance');
  });

  it('lists an item returned by both documents once', () => {
    const incidents = json('api-seq-01-incidents.json');
    incidents.incidents!.push(json('scheduled-maintenances.json').scheduled_maintenances![0]!);
    const items = parseApi(incidents, 'scheduled-maintenances.json');
    expect(items.map((item) => item.itemId)).toEqual(['x4q8m2rk7vdn', 't3v9qnx0c2lb', 'w1c5hm8rz0ty']);
  });
});

describe('statuspage parse: api mode, postmortems', () => {
  it('adds a Postmortem update dated by updated_at when an incident turns postmortem without one', () => {
    const item = byId(parseApi('api-seq-04-incidents.json'), 'x4q8m2rk7vdn');
    expect(item.updates.map((update) => update.label)).toEqual(['Postmortem', 'Resolved', 'Identified', 'Investigating']);
    expect(item.updates[0]).toEqual({
      label: 'Postmortem',
      at: '2026-10-17T16:30:12.918Z',
      text: 'A postmortem was published on the status page.',
    });
  });

  it('adds nothing to a resolved incident', () => {
    const item = byId(parseApi('api-seq-03-incidents.json'), 'x4q8m2rk7vdn');
    expect(item.updates.map((update) => update.label)).toEqual(['Resolved', 'Identified', 'Investigating']);
  });

  it('does not add a second Postmortem update when the incident already has one', () => {
    const body = json('api-seq-04-incidents.json');
    const updates = body.incidents![0]!['incident_updates'] as Record<string, unknown>[];
    updates.unshift({ ...updates[0], id: 'p0stm0rt3m01', status: 'postmortem', body: 'Root cause: a bad deploy.', display_at: '2026-10-17T16:29:00Z' });
    const item = byId(parseApi(body), 'x4q8m2rk7vdn');
    expect(item.updates.filter((update) => update.label === 'Postmortem')).toEqual([
      { label: 'Postmortem', at: '2026-10-17T16:29:00.000Z', text: 'Root cause: a bad deploy.' },
    ]);
  });
});

describe('statuspage parse: api mode, narrowing to components', () => {
  const narrowed = (components: string[], incidents: string | object = 'api-seq-01-incidents.json') =>
    parseApi(incidents, 'scheduled-maintenances.json', { ...apiConfig, components }).map((item) => item.itemId);

  it('keeps only items affecting a configured component, compared case-insensitively', () => {
    expect(narrowed(['actions'])).toEqual(['x4q8m2rk7vdn']);
    expect(narrowed(['Git Operations', 'PAGES'])).toEqual(['t3v9qnx0c2lb', 'w1c5hm8rz0ty']);
    expect(narrowed(['Codespaces'])).toEqual([]);
  });

  it('matches components named only in an update’s affected components', () => {
    const body = json('incidents.json');
    body.incidents![0]!['components'] = [];
    expect(narrowed(['Pages'], body)).toEqual(['69sb0f8lydp4']);
  });

  it('drops an item that names no component when narrowing, and keeps it otherwise', () => {
    const body = json('incidents.json');
    body.incidents![0]!['components'] = [];
    for (const update of body.incidents![0]!['incident_updates'] as Record<string, unknown>[]) update['affected_components'] = null;
    expect(narrowed(['Actions'], body)).toEqual([]);
    const [item] = parseApi(body);
    expect(item?.itemId).toBe('69sb0f8lydp4');
    expect(item).not.toHaveProperty('components');
  });
});

describe('statuspage parse: api mode failures', () => {
  function reasonOf(documents: FetchedDocument[]): string {
    const result = statuspageSource.parse(documents, apiConfig);
    if (result.ok) throw new Error('expected the parse to fail');
    return result.reason;
  }

  it('fails on JSON of the wrong shape at incidents.json, naming the URL', () => {
    const reason = reasonOf(apiDocuments('not-statuspage.json'));
    expect(reason).toContain(INCIDENTS_URL);
    expect(reason).toContain('"incidents"');
  });

  it('fails on JSON of the wrong shape at scheduled-maintenances.json, naming that URL', () => {
    const reason = reasonOf(apiDocuments('incidents.json', 'not-statuspage.json'));
    expect(reason).toContain(MAINTENANCES_URL);
    expect(reason).toContain('"scheduled_maintenances"');
  });

  it('fails when scheduled-maintenances.json answers with an incidents list', () => {
    expect(reasonOf(apiDocuments('incidents.json', 'incidents.json'))).toContain(MAINTENANCES_URL);
  });

  it('fails on a body that is not JSON, naming the URL', () => {
    const reason = reasonOf([documentOf(INCIDENTS_URL, '<!doctype html><title>Status</title>'), documentOf(MAINTENANCES_URL, '{}')]);
    expect(reason).toMatch(new RegExp(`^${INCIDENTS_URL.replace(/[.?/]/g, '\\$&')} is not JSON`));
  });

  it('fails on an incident without an id, naming the record and URL', () => {
    const body = json('incidents.json');
    delete body.incidents![0]!['id'];
    expect(reasonOf(apiDocuments(body))).toBe(`incidents[0] of ${INCIDENTS_URL} has no usable id`);
  });

  it('fails on an update with an unreadable date, naming the incident', () => {
    const body = json('incidents.json');
    (body.incidents![0]!['incident_updates'] as Record<string, unknown>[])[1]!['display_at'] = 'yesterday';
    const reason = reasonOf(apiDocuments(body));
    expect(reason).toContain(`incidents[0] of ${INCIDENTS_URL} (69sb0f8lydp4) update 1`);
    expect(reason).toContain('display_at "yesterday"');
  });

  it('fails when nothing was fetched', () => {
    expect(reasonOf([])).toBe('no document was fetched');
  });
});

describe('statuspage parse: feed mode', () => {
  it('reads history.atom with the Statuspage feed markup, keyed on the /incidents/ link', () => {
    expect(parseFeed('history.atom')).toEqual([
      {
        kind: 'incident',
        itemId: 'bhbcjn4n3jzp',
        title: 'Intermittent failures creating agent tasks',
        url: 'https://www.githubstatus.com/incidents/bhbcjn4n3jzp',
        updatedAt: '2026-08-21T00:37:20.000Z',
        updates: [
          {
            label: 'Resolved',
            at: '2026-08-21T00:37:00.000Z',
            text: 'This incident has been resolved. Thank you for your patience and understanding as we addressed this issue. A detailed root cause analysis will be shared as soon as it is available.',
          },
          {
            label: 'Update',
            at: '2026-08-20T20:37:00.000Z',
            text: 'We are seeing gradual recovery in Copilot Cloud Agent task status visibility as we deploy a fix for the root cause. Session output remains delayed by approximately one hour while remediation continues.',
          },
          {
            label: 'Investigating',
            at: '2026-08-20T14:43:00.000Z',
            text: 'We are investigating reports of impacted performance for some GitHub services.',
          },
        ],
        regions: [],
      },
    ]);
  });

  it('reads the real RCA edit as the same incident whose Resolved text was rewritten', () => {
    const [before] = parseFeed('rca-edit-before.atom');
    const [after] = parseFeed('rca-edit-after.atom');
    expect(before?.itemId).toBe('gx7js8bd0jpz');
    expect(after?.itemId).toBe('gx7js8bd0jpz');
    expect(after?.updates.map((update) => [update.label, update.at])).toEqual(
      before?.updates.map((update) => [update.label, update.at]),
    );
    expect(before?.updates[0]?.text).toMatch(/^This incident was posted in error\./);
    expect(after?.updates[0]?.text).toMatch(/^On February 18, 2026, between 05:02 UTC and 11:30 UTC/);
    expect(after?.updates[1]).toEqual(before?.updates[1]);
    expect(after?.updatedAt).toBe('2026-08-21T22:46:26.000Z');
  });

  it('ignores configured components, which the feed cannot name', () => {
    const narrowed = statuspageSource.parse(
      [documentOf(FEED_URL, fixture('history.atom'), 'application/atom+xml')],
      { ...feedConfig, components: ['Codespaces'] },
    );
    expect(itemsOf(narrowed).map((item) => item.itemId)).toEqual(['bhbcjn4n3jzp']);
  });

  it('fails on a body that is not a feed, naming the URL', () => {
    const result = statuspageSource.parse([documentOf(FEED_URL, '<html><body>Status</body></html>', 'application/xml')], feedConfig);
    expect(result).toEqual({ ok: false, reason: `${FEED_URL}: not an Atom or RSS feed (root element <html>)` });
  });
});

// ---------------------------------------------------------------- events the core derives from these items

const SOURCE = { id: 'github', type: 'statuspage', vendor: 'GitHub', url: BASE };


function run(steps: Array<{ now: string; items: IncidentItem[]; baseline?: boolean }>) {
  let state = new Map<string, TrackedItem>();
  return steps.map((step) => {
    const ctx: DiffContext = { source: SOURCE, baseline: step.baseline ?? false, now: new Date(step.now), trackResolvedDays: 60 };
    const changes = diffItems(ctx, state, step.items);
    state = remember(state, changes);
    return changes.flatMap((change) => change.events);
  });
}

describe('statuspage items through the core diff', () => {
  it('turns the API snapshot sequence into opened, updated, scheduled, resolved and one rca_published', () => {
    const polls = run([
      { now: '2026-10-14T09:06:00Z', baseline: true, items: parseApi('api-seq-01-incidents.json', 'scheduled-maintenances-empty.json') },
      { now: '2026-10-14T09:40:00Z', items: parseApi('api-seq-02-incidents.json', 'scheduled-maintenances.json') },
      { now: '2026-10-14T10:25:00Z', items: parseApi('api-seq-03-incidents.json', 'scheduled-maintenances.json') },
      { now: '2026-10-17T16:35:00Z', items: parseApi('api-seq-04-incidents.json', 'scheduled-maintenances.json') },
      { now: '2026-10-17T16:40:00Z', items: parseApi('api-seq-04-incidents.json', 'scheduled-maintenances.json') },
    ]);
    const summary = polls.map((events) => events.map((e) => [e.type, e.itemId, e.severity, e.update?.label]));
    expect(summary).toEqual([
      [['incident.opened', 'x4q8m2rk7vdn', 'minor', 'Investigating']],
      [
        ['incident.updated', 'x4q8m2rk7vdn', 'major', 'Identified'],
        ['maintenance.scheduled', 'w1c5hm8rz0ty', 'info', 'Scheduled'],
      ],
      [['incident.resolved', 'x4q8m2rk7vdn', 'major', 'Resolved']],
      [['incident.rca_published', 'x4q8m2rk7vdn', 'major', 'Postmortem']],
      [],
    ]);
    expect(polls.flat().filter((e) => e.type === 'incident.rca_published')).toHaveLength(1);
    expect(polls[3]?.[0]).toMatchObject({
      occurredAt: '2026-10-17T16:30:12.918Z',
      url: 'https://www.githubstatus.com/incidents/x4q8m2rk7vdn',
      components: ['Actions'],
      status: 'postmortem',
    });
    expect(polls[1]?.[1]?.components).toEqual(['Git Operations']);
  });

  it('emits exactly one incident.rca_published when the real feed rewrites a resolved update', () => {
    const polls = run([
      { now: '2026-08-18T12:30:00Z', baseline: true, items: parseFeed('rca-edit-before.atom') },
      { now: '2026-08-22T00:00:00Z', items: parseFeed('rca-edit-after.atom') },
      { now: '2026-08-22T00:05:00Z', items: parseFeed('rca-edit-after.atom') },
    ]);
    expect(polls.map((events) => events.map((e) => [e.type, e.itemId, e.update?.label]))).toEqual([
      [],
      [['incident.rca_published', 'gx7js8bd0jpz', 'Resolved']],
      [],
    ]);
  });
});
