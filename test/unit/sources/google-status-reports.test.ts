// Google's incident reports, read from real incidents.json captures (test/fixtures/google-status/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffItems, type DiffContext } from '../../../functions/core/diff-items.js';
import type { IncidentItem } from '../../../functions/core/model.js';
import type { TrackedItem } from '../../../functions/core/tracked.js';
import type { GoogleStatusSourceConfig } from '../../../functions/sources/google-status/config-schema.js';
import { googleStatusSource } from '../../../functions/sources/google-status/plugin.js';
import { remember } from '../../support/remember-changes.js';

type Raw = Record<string, unknown> & { updates: Array<Record<string, unknown>> };

const fixture = (path: string): string =>
  readFileSync(new URL(`../../fixtures/google-status/${path}`, import.meta.url), 'utf8');
const records = (path: string): Raw[] => JSON.parse(fixture(path)) as Raw[];

const CLOUD_2026 = 'real-cloud-2026-07.json';
const CLOUD_2022 = 'real-cloud-2022-07-trimmed.json';

const config: GoogleStatusSourceConfig = {
  id: 'google-cloud',
  type: 'google-status',
  url: 'https://status.cloud.google.com/incidents.json',
  vendor: 'Google Cloud',
};

function incidents(body: string): IncidentItem[] {
  const result = googleStatusSource.parse(
    [{ url: config.url, finalUrl: config.url, contentType: 'application/json', body }],
    config,
  );
  if (!result.ok) throw new Error(`expected the body to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

function byId(items: readonly IncidentItem[], id: string): IncidentItem {
  const item = items.find((candidate) => candidate.itemId === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

const labels = (item: IncidentItem): string[] => item.updates.map((update) => update.label);

describe('google-status reports: the 2026 capture (Markdown headings, escaped headings)', () => {
  const items = incidents(fixture(CLOUD_2026));

  it('resolves every ended incident exactly once, however many reports follow', () => {
    expect(items).toHaveLength(4);
    for (const item of items) expect(labels(item).filter((label) => label === 'Resolved'), item.itemId).toHaveLength(1);
  });

  it('reads "# Preliminary Incident Report" and "## \\# Incident Report" as Postmortems after the closing update', () => {
    const cooling = byId(items, '3BvH3LVGcupoYqV6F4Nw');
    // The closing update kept SERVICE_DISRUPTION; the two reports after it are AVAILABLE.
    expect(labels(cooling)).toEqual(['Postmortem', 'Postmortem', 'Resolved', ...Array<string>(9).fill('Disruption')]);
    expect(cooling.updates[0]?.text).toMatch(/^Incident Report\nSummary\nOn Wednesday, 15 July 2026/);
    expect(cooling.updates[1]?.text).toMatch(/^Preliminary Incident Report\nWe sincerely apologize/);
    expect(cooling.updates[2]).toMatchObject({ at: '2026-07-16T12:25:47.000Z' });
  });

  it('reads "## Preliminary Incident Report" and "# Incident Report" the same way, the closing update being AVAILABLE', () => {
    expect(labels(byId(items, 'T8gmtofFSTGT5tbhyciF')).slice(0, 4)).toEqual(['Postmortem', 'Postmortem', 'Resolved', 'Disruption']);
    expect(labels(byId(items, '41E5S3mkTGDfkZuJZH5k'))).toEqual(['Postmortem', 'Postmortem', 'Resolved']);
  });

  it('removes Markdown escapes and heading markers from the report text', () => {
    const report = byId(items, '3BvH3LVGcupoYqV6F4Nw').updates[0]!.text;
    expect(report).not.toMatch(/\\[#*_[\]>]/);
    expect(report).not.toMatch(/^#/m);
    expect(report).toContain('Remediation and Prevention\nGoogle engineers were alerted');
    expect(report).toContain('system improvements [ETA Aug 2026].');
    expect(report).toContain('Switch temperature >60°C alerts triggered.');
  });

  it('takes the regions from the incident’s and its updates’ locations, by id', () => {
    expect(byId(items, '3BvH3LVGcupoYqV6F4Nw').regions).toEqual(['europe-west4']);
    expect(byId(items, 'T8gmtofFSTGT5tbhyciF').regions).toEqual([
      'australia-southeast2',
      'europe-west3',
      'australia-southeast1',
      'northamerica-northeast2',
    ]);
    expect(byId(items, '5fGQt4VbkDnr3Yp8PXPr').regions).toEqual(['asia-south2', 'global']);
  });
});

describe('google-status reports: the 2022 capture (the headings and notes of older reports)', () => {
  const items = incidents(fixture(CLOUD_2022));

  it('resolves every ended incident exactly once', () => {
    expect(items).toHaveLength(9);
    for (const item of items) expect(labels(item).filter((label) => label === 'Resolved'), item.itemId).toHaveLength(1);
  });

  it('recognises "**Mini Incident Report**", "# MINI INCIDENT REPORT", "# Incident Report" and "**INCIDENT REPORT**"', () => {
    expect(labels(byId(items, 'eo76pxZiDgWVz4z3kmUv')).slice(0, 3)).toEqual(['Postmortem', 'Postmortem', 'Resolved']);
    expect(labels(byId(items, 'iAgVMxJUfE1J9et7j9KB')).slice(0, 2)).toEqual(['Postmortem', 'Resolved']);
    expect(labels(byId(items, 'fc7GCA6kAgnBihezUAkx')).slice(0, 3)).toEqual(['Postmortem', 'Postmortem', 'Resolved']);
    expect(byId(items, 'iAgVMxJUfE1J9et7j9KB').updates[0]?.text).toMatch(/^MINI INCIDENT REPORT\nWe apologize/);
  });

  it('recognises reports without a heading by their "Incident Start:" line or "ROOT CAUSE:" section', () => {
    const apigee = byId(items, 'sPyYB214xAhqnoxNrrnW');
    expect(apigee.updates[0]?.text).toMatch(/^We apologize for the inconvenience/);
    expect(labels(apigee).slice(0, 2)).toEqual(['Postmortem', 'Resolved']);
    const console = byId(items, 'huJFgyiNYPPypbw8PX9Y');
    expect(console.updates[0]?.text).toMatch(/^SUMMARY:\nOn Tuesday, 14 June 2022/);
    expect(labels(console).slice(0, 3)).toEqual(['Postmortem', 'Postmortem', 'Resolved']);
  });

  it('reads a later closing note or a pointer to another incident’s report as Completed, not as a resolution', () => {
    const bigquery = byId(items, 'Gt6njQyniuxXViQULV2T');
    // "**Mini Incident-Report:**", then two AVAILABLE closing notes 85 seconds apart: the first one closed it.
    expect(labels(bigquery).slice(0, 5)).toEqual(['Postmortem', 'Postmortem', 'Completed', 'Resolved', 'Outage']);
    const support = byId(items, 'TFyk1uenaojF2iJAnAAL');
    expect(labels(support)[0]).toBe('Completed');
    expect(support.updates[0]?.text).toMatch(/^The Incident Report is now available/);
  });

  it('keeps progress updates posted after the backdated end as progress, before the closing update', () => {
    const useast1 = byId(items, '6sfxucMj6DuhVzmj9Xr8');
    const record = records(CLOUD_2022).find((r) => r['id'] === '6sfxucMj6DuhVzmj9Xr8')!;
    const end = Date.parse(record['end'] as string);
    const progressAfterEnd = useast1.updates.filter((u) => u.label === 'Disruption' && Date.parse(u.at) > end);
    expect(progressAfterEnd).toHaveLength(4);
    expect(labels(useast1).slice(0, 2)).toEqual(['Postmortem', 'Resolved']);
  });

  it('names all 29 regions of a multi-region incident', () => {
    const regions = byId(items, 'TaA75H7XA1DQyM2ReK2f').regions;
    expect(regions).toHaveLength(29);
    expect(regions.slice(0, 2)).toEqual(['asia-east1', 'asia-east2']);
  });
});

describe('google-status reports: labels never change when later updates arrive', () => {
  for (const path of [CLOUD_2026, CLOUD_2022]) {
    it(`keeps every earlier label when the newest post-resolution updates are taken away (${path})`, () => {
      let compared = 0;
      for (const record of records(path)) {
        const full = incidents(JSON.stringify([record]))[0]!;
        const closing = labels(full).indexOf('Resolved');
        for (let dropped = 1; dropped <= closing; dropped += 1) {
          const kept = new Set(full.updates.slice(dropped).map((u) => u.at));
          const earlier = { ...record, updates: record.updates.filter((u) => kept.has(new Date(u['when'] as string).toISOString())) };
          expect(labels(incidents(JSON.stringify([earlier]))[0]!), `${full.itemId} without ${dropped}`).toEqual(
            labels(full).slice(dropped),
          );
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(5);
    });
  }
});

/**
 * The feed as it stood at `at`, rebuilt from the real capture: the updates posted by then, and `end` only once the
 * closing update is posted (Google sets both together; its `end` is backdated to when the impact ended).
 */
function asOf(record: Raw, at: string, closedAt: string): Raw {
  const updates = record.updates.filter((u) => Date.parse(u['when'] as string) <= Date.parse(at));
  const copy: Raw = { ...record, updates, most_recent_update: updates[0]!, modified: updates[0]!['when'] };
  if (Date.parse(at) < Date.parse(closedAt)) {
    delete copy['end'];
    copy['currently_affected_locations'] = record['previously_affected_locations'];
    copy['previously_affected_locations'] = [];
  }
  return copy;
}

describe('google-status reports through the core diff: the cooling failure of July 2026, poll by poll', () => {
  const SOURCE = { id: 'google-cloud', type: 'google-status', vendor: 'Google Cloud', url: config.url };
  const record = records(CLOUD_2026).find((r) => r['id'] === '3BvH3LVGcupoYqV6F4Nw')!;
  const closedAt = '2026-07-16T12:25:47Z';
  const polls = [
    '2026-07-16T03:35:00Z', // opened
    '2026-07-16T05:00:00Z',
    '2026-07-16T09:00:00Z',
    '2026-07-16T12:00:00Z',
    '2026-07-16T12:30:00Z', // closed
    '2026-07-17T12:00:00Z', // nothing new
    '2026-07-18T01:00:00Z', // preliminary report
    '2026-07-25T14:00:00Z', // full report
    '2026-07-30T12:00:00Z', // the capture itself: nothing new
  ];
  let state = new Map<string, TrackedItem>();
  const events = polls.map((now, index) => {
    const ctx: DiffContext = { source: SOURCE, baseline: index === 0, now: new Date(now), trackResolvedDays: 60 };
    const body = JSON.stringify([index === polls.length - 1 ? record : asOf(record, now, closedAt)]);
    const changes = diffItems(ctx, state, incidents(body));
    state = remember(state, changes);
    return changes.flatMap((change) => change.events);
  });

  it('emits one opened, the updates, one resolved, one rca_published for the first report and updated for the next', () => {
    expect(events.map((poll) => poll.map((event) => event.type))).toEqual([
      ['incident.opened'],
      ['incident.updated', 'incident.updated'],
      ['incident.updated', 'incident.updated', 'incident.updated'],
      ['incident.updated', 'incident.updated', 'incident.updated'],
      ['incident.resolved'],
      [],
      ['incident.rca_published'],
      ['incident.updated'],
      [],
    ]);
  });

  it('announces the reports with their own text and time, and every event with the incident’s region', () => {
    const rca = events[6]![0]!;
    expect(rca.update).toMatchObject({ label: 'Postmortem', at: '2026-07-18T00:22:37.000Z' });
    expect(rca.update?.text).toMatch(/^Preliminary Incident Report/);
    expect(events[7]![0]!.update?.text).toMatch(/^Incident Report\nSummary/);
    expect(events[4]![0]!.update).toMatchObject({ label: 'Resolved', at: '2026-07-16T12:25:47.000Z' });
    // Opened as of the incident's begin, three and a half hours before Google's first update.
    expect(events[0]![0]!.occurredAt).toBe('2026-07-15T23:57:00.000Z');
    for (const event of events.flat()) expect(event.regions).toEqual(['europe-west4']);
  });
});
