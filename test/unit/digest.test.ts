import { describe, expect, it } from 'vitest';
import {
  DIGEST_MAX_BYTES,
  renderDigest,
  type DigestInput,
  type DigestOpenItem,
  type DigestSourceHealth,
} from '../../functions/core/digest.js';
import type { AffectedPackage, ChangeType, EventType, Severity, WatcherEvent } from '../../functions/core/model.js';
import {
  assessSubscriptions,
  expectedEmailSubscriptions,
  type ListedSubscription,
  type SubscriptionHealth,
} from '../../functions/core/subscription-health.js';
import { formatDuration } from '../../functions/core/text/time.js';
import { sampleEvent } from '../support/sample-event.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

// A daily period from 07:00 UTC to 07:00 UTC, generated just after it ends.
const FROM = '2026-11-25T07:00:00.000Z';
const TO = '2026-11-26T07:00:00.000Z';
const GENERATED = '2026-11-26T07:00:05.000Z';

/** The four default sources, all polled successfully shortly before the digest. */
function source(id: string, type: string, url: string, lastSuccessAt: string, name?: string): DigestSourceHealth {
  return { id, type, url, lastSuccessAt, consecutiveFailures: 0, ...(name ? { name } : {}) };
}
const SOURCES: readonly DigestSourceHealth[] = [
  source('auth0-status-us-1', 'auth0-status', 'https://status.auth0.com/feed?domain=acme.us.auth0.com', '2026-11-26T06:59:40.000Z', 'Auth0 status US-1'),
  source('auth0-status-eu-1', 'auth0-status', 'https://status.auth0.com/rss?domain=acme.eu.auth0.com', '2026-11-26T06:59:12.000Z'),
  source('auth0-changelog', 'auth0-changelog', 'https://auth0.com/changelog/rss.xml', '2026-11-26T06:45:00.000Z'),
  source('auth0-advisories', 'github-advisories', 'https://api.github.com/advisories', '2026-11-26T06:10:00.000Z'),
];

function digestInput(overrides: Partial<DigestInput> = {}): DigestInput {
  return {
    frequency: 'daily',
    from: FROM,
    to: TO,
    generatedAt: GENERATED,
    // Times as most tests read them; the digest in a zone of its own is tested on its own below.
    timeZone: 'UTC',
    events: [],
    openItems: [],
    rcaOwed: [],
    sources: SOURCES,
    ...overrides,
  };
}

/** One event of an incident's life on the US-1 status page. */
function incidentEvent(type: EventType, itemId: string, at: string, overrides: Partial<WatcherEvent> = {}): WatcherEvent {
  const label = { 'incident.opened': 'Investigating', 'incident.resolved': 'Resolved', 'incident.rca_published': 'Postmortem' }[type as string] ?? 'Update';
  return sampleEvent({
    id: `auth0-status-us-1:${itemId}:${type}:${at}`,
    type,
    itemId,
    title: 'Elevated login errors in US-1',
    url: `https://status.auth0.com/incidents/${itemId}`,
    occurredAt: at,
    detectedAt: at,
    status: label.toLowerCase(),
    update: { label, at, text: `${label}: authentication requests in US-1 are affected.` },
    ...overrides,
  });
}

function changeEvent(itemId: string, changeType: ChangeType, title: string, at: string): WatcherEvent {
  return sampleEvent({
    id: `auth0-changelog:${itemId}`,
    type: 'changelog.published',
    source: 'auth0-changelog',
    sourceType: 'auth0-changelog',
    itemId: `https://auth0.com/changelog/${itemId}`,
    title,
    url: `https://auth0.com/changelog/${itemId}`,
    severity: ['deprecated', 'upcoming-deprecation', 'removed', 'changed'].includes(changeType) ? 'major' : 'info',
    changeType,
    occurredAt: at,
    detectedAt: at,
    summary: title,
    status: undefined,
    regions: undefined,
    update: undefined,
  });
}

function advisoryEvent(
  type: EventType,
  ghsa: string,
  severity: Severity,
  title: string,
  at: string,
  packages: readonly AffectedPackage[],
): WatcherEvent {
  return sampleEvent({
    id: `auth0-advisories:${ghsa}:${type}:${at}`,
    type,
    source: 'auth0-advisories',
    sourceType: 'github-advisories',
    itemId: ghsa,
    title,
    url: `https://github.com/advisories/${ghsa}`,
    severity,
    occurredAt: at,
    detectedAt: at,
    summary: title,
    packages,
    status: undefined,
    regions: undefined,
    update: undefined,
  });
}

function openIncident(itemId: string, regions: readonly string[], openedAt: string, overrides: Partial<DigestOpenItem> = {}): DigestOpenItem {
  return {
    source: 'auth0-status-us-1',
    itemId,
    title: `Incident ${itemId}`,
    url: `https://status.auth0.com/incidents/${itemId}`,
    kind: 'incident',
    status: 'investigating',
    severity: 'major',
    regions,
    openedAt,
    ...overrides,
  };
}

/** The lines of one top-level section (a line in capitals), up to the next one or the footer. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) throw new Error(`no section ${heading}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^[A-Z][A-Z0-9 -]{3,}( \(.*\))?$/.test(line) || line === '-- ');
  return end < 0 ? rest : rest.slice(0, end);
}

/** Entries of a list: a line starting "  - " or "  ! " and its indented lines, joined by " " (so wrapping does not matter). */
function entries(lines: readonly string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    if (/^ {2}[-!] /.test(line)) found.push(line.trim());
    else if (line.startsWith('    ') && found.length > 0) found[found.length - 1] += ` ${line.trim()}`;
  }
  return found;
}

/** A day on which an incident opened, got an update and was resolved, plus a deprecation and an advisory. */
function busyDay(): WatcherEvent[] {
  return [
    incidentEvent('incident.opened', 'inc1', '2026-11-25T09:02:00.000Z', { severity: 'critical' }),
    incidentEvent('incident.updated', 'inc1', '2026-11-25T09:20:00.000Z', { severity: 'critical' }),
    incidentEvent('incident.resolved', 'inc1', '2026-11-25T09:41:00.000Z', { severity: 'critical' }),
    changeEvent('actions-node-22', 'added', 'Actions now support Node 22', '2026-11-25T11:00:00.000Z'),
    changeEvent('mgmt-v1', 'deprecated', 'Legacy Management API v1 endpoints are deprecated', '2026-11-25T12:00:00.000Z'),
    advisoryEvent('advisory.published', 'GHSA-7x2p-3qv5-jw6m', 'critical', 'jsonwebtoken accepts unsigned tokens', '2026-11-25T15:00:00.000Z', [
      { ecosystem: 'npm', name: 'jsonwebtoken', vulnerableRange: '< 9.0.3', firstPatchedVersion: '9.0.3' },
    ]),
  ];
}

describe('renderDigest: a busy day', () => {
  const digest = renderDigest(digestInput({ events: busyDay() }));

  it('orders the sections for a reader: headline, open, resolved, RCAs, change log, advisories, health, footer', () => {
    const positions = [
      'Auth0 ops digest — Thursday, November 26, 2026 (daily)',
      'Period: from 2026-11-25 07:00 UTC to 2026-11-26 07:00 UTC',
      'OPEN INCIDENTS NOW (0)',
      'RESOLVED IN THIS PERIOD (1)',
      'ROOT-CAUSE ANALYSES',
      'CHANGE LOG (2 entries, 1 needs attention)',
      'SECURITY ADVISORIES (1)',
      'WATCHER HEALTH (4 sources, as of 2026-11-26 07:00 UTC)',
      'Covers events detected from 2026-11-25 07:00 UTC to 2026-11-26 07:00 UTC;',
      'Sent by auth0-ops-watcher.',
    ].map((needle) => digest.text.indexOf(needle));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(digest.text.startsWith('Auth0 ops digest — ')).toBe(true);
  });

  it('opens with a one-line overview of the period and of what is open now', () => {
    expect(digest.text.replace(/\n/g, ' ')).toContain(
      'In this period: 1 incident opened, 1 resolved, 1 incident update, 2 change-log entries (1 needs attention), 1 advisory; all 4 sources OK.',
    );
    expect(digest.text).toContain('Now: 0 incidents open.');
  });

  it('lists the resolved incident once, with its resolution time, time to resolve and the updates it had', () => {
    expect(entries(section(digest.text, 'RESOLVED IN THIS PERIOD'))).toEqual([
      '- [CRITICAL] Elevated login errors in US-1 (US-1) ' +
        'Resolved 2026-11-25 09:41 UTC after 39 min; this period: opened, 1 update ' +
        'https://status.auth0.com/incidents/inc1',
    ]);
    // Its opening and update are told in that entry, not repeated as "other updates".
    expect(digest.text).not.toContain('OTHER UPDATES');
    expect(section(digest.text, 'OPEN INCIDENTS NOW')).toContain('  None open at 2026-11-26 07:00 UTC.');
  });

  it('lists the deprecation first, marked "!", then the addition, each with type, date and link', () => {
    expect(entries(section(digest.text, 'CHANGE LOG'))).toEqual([
      '! [deprecated] Legacy Management API v1 endpoints are deprecated 2026-11-25 https://auth0.com/changelog/mgmt-v1',
      '- [added] Actions now support Node 22 2026-11-25 https://auth0.com/changelog/actions-node-22',
    ]);
  });

  it('lists the advisory with its package, vulnerable range and fixed version', () => {
    expect(entries(section(digest.text, 'SECURITY ADVISORIES'))).toEqual([
      '- [CRITICAL] GHSA-7x2p-3qv5-jw6m: jsonwebtoken accepts unsigned tokens (new) ' +
        'jsonwebtoken (npm): vulnerable < 9.0.3, fixed in 9.0.3 ' +
        'https://github.com/advisories/GHSA-7x2p-3qv5-jw6m',
    ]);
  });

  it('says in the subject what was resolved and what needs attention', () => {
    expect(digest.subject).toBe('[Auth0 digest] Nov 26: 1 resolved, 1 change needs attention, 1 advisory');
    expect(digest.quiet).toBe(false);
  });
});

describe('renderDigest: ordering', () => {
  it('puts change types needing attention first (deprecated, upcoming-deprecation, removed, changed), then the rest by time', () => {
    const events = [
      changeEvent('a', 'added', 'Added early', '2026-11-25T08:00:00.000Z'),
      changeEvent('b', 'changed', 'Stricter redirect URI checks', '2026-11-25T08:30:00.000Z'),
      changeEvent('c', 'fixed', 'Fixed a typo in the login page', '2026-11-25T09:00:00.000Z'),
      changeEvent('d', 'removed', 'Removed the legacy lock widget', '2026-11-25T10:00:00.000Z'),
      changeEvent('e', 'upcoming-deprecation', 'Rules will be removed', '2026-11-25T11:00:00.000Z'),
      changeEvent('f', 'deprecated', 'Hooks are deprecated', '2026-11-25T12:00:00.000Z'),
      changeEvent('g', 'updated', 'Improved log streams', '2026-11-25T13:00:00.000Z'),
    ];
    const { text } = renderDigest(digestInput({ events }));
    const firstLines = entries(section(text, 'CHANGE LOG')).map((entry) => entry.replace(/ \d{4}-\d{2}-\d{2} https:\S+$/, ''));
    expect(firstLines).toEqual([
      '! [deprecated] Hooks are deprecated',
      '! [upcoming-deprecation] Rules will be removed',
      '! [removed] Removed the legacy lock widget',
      '! [changed] Stricter redirect URI checks',
      '- [added] Added early',
      '- [fixed] Fixed a typo in the login page',
      '- [updated] Improved log streams',
    ]);
    expect(text).toContain('CHANGE LOG (7 entries, 4 need attention)');
  });

  it('orders advisories by severity, critical first, marks withdrawn ones and says when there is no fix yet', () => {
    const pkg = (name: string, vulnerableRange: string, firstPatchedVersion?: string): AffectedPackage => ({
      ecosystem: 'npm',
      name,
      vulnerableRange,
      ...(firstPatchedVersion ? { firstPatchedVersion } : {}),
    });
    const at = (hour: number): string => `2026-11-25T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const jwt = 'Signature bypass in jsonwebtoken';
    const events = [
      advisoryEvent('advisory.published', 'GHSA-low1-0000-0000', 'info', 'Verbose error page', at(8), [
        pkg('express-openid-connect', '< 2.17.1', '2.17.1'),
      ]),
      advisoryEvent('advisory.published', 'GHSA-maj1-0000-0000', 'major', 'Open redirect in nextjs-auth0', at(9), [
        pkg('@auth0/nextjs-auth0', '>= 3.0.0, < 3.5.1'),
      ]),
      advisoryEvent('advisory.published', 'GHSA-crit-0000-0000', 'critical', jwt, at(10), [pkg('jsonwebtoken', '< 9.0.3', '9.0.3')]),
      advisoryEvent('advisory.updated', 'GHSA-crit-0000-0000', 'critical', jwt, at(11), [pkg('jsonwebtoken', '< 9.0.4', '9.0.4')]),
      advisoryEvent('advisory.withdrawn', 'GHSA-wdrn-0000-0000', 'minor', 'Not a vulnerability after all', at(12), [
        pkg('auth0-lock', '< 12.0.0', '12.0.0'),
      ]),
    ];
    const { text } = renderDigest(digestInput({ events }));
    expect(text).toContain('SECURITY ADVISORIES (4)');
    expect(entries(section(text, 'SECURITY ADVISORIES'))).toEqual([
      '- [CRITICAL] GHSA-crit-0000-0000: Signature bypass in jsonwebtoken (new, updated) ' +
        'jsonwebtoken (npm): vulnerable < 9.0.4, fixed in 9.0.4 https://github.com/advisories/GHSA-crit-0000-0000',
      '- [MAJOR] GHSA-maj1-0000-0000: Open redirect in nextjs-auth0 (new) ' +
        '@auth0/nextjs-auth0 (npm): vulnerable >= 3.0.0, < 3.5.1, no fix yet https://github.com/advisories/GHSA-maj1-0000-0000',
      '- [MINOR] GHSA-wdrn-0000-0000: Not a vulnerability after all (WITHDRAWN) ' +
        'auth0-lock (npm): vulnerable < 12.0.0, fixed in 12.0.0 https://github.com/advisories/GHSA-wdrn-0000-0000',
      '- [INFO] GHSA-low1-0000-0000: Verbose error page (new) ' +
        'express-openid-connect (npm): vulnerable < 2.17.1, fixed in 2.17.1 https://github.com/advisories/GHSA-low1-0000-0000',
    ]);
  });

  it('renders the same text whatever order the events arrive in (time, then id)', () => {
    const events = [
      ...busyDay(),
      changeEvent('same-time-b', 'added', 'Second at the same minute', '2026-11-25T12:00:00.000Z'),
      changeEvent('same-time-a', 'added', 'First at the same minute', '2026-11-25T12:00:00.000Z'),
    ];
    const forwards = renderDigest(digestInput({ events }));
    const backwards = renderDigest(digestInput({ events: [...events].reverse() }));
    expect(backwards).toEqual(forwards);
    const text = forwards.text;
    expect(text.indexOf('First at the same minute')).toBeLessThan(text.indexOf('Second at the same minute'));
  });
});

describe('renderDigest: open incidents', () => {
  it('groups open incidents per region, in region order with "No region named" last, each with status, age and link', () => {
    const openItems = [
      openIncident('eu1', ['EU-1'], '2026-11-26T03:48:00.000Z', { status: 'identified', title: 'Slow logins in EU-1' }),
      openIncident('us1', ['US-1'], '2026-11-25T06:00:05.000Z', { severity: 'critical', title: 'Login outage in US-1' }),
      openIncident('both', ['US-1', 'AU-1'], '2026-11-26T06:30:05.000Z', { title: 'Email delivery delays' }),
      openIncident('none', [], '2026-11-26T07:00:00.000Z', { title: 'Dashboard errors', status: undefined }),
    ];
    const { text, subject } = renderDigest(digestInput({ events: busyDay(), openItems }));
    const lines = section(text, 'OPEN INCIDENTS NOW (4)');
    expect(lines.filter((line) => line.startsWith('Region: '))).toEqual([
      'Region: AU-1 (1)',
      'Region: EU-1 (1)',
      'Region: US-1 (2)',
      'Region: No region named (1)',
    ]);
    const open = entries(lines);
    expect(open).toContain(
      '- [MAJOR] Slow logins in EU-1 Status: identified; open for 3 h 12 min (since 2026-11-26 03:48 UTC) https://status.auth0.com/incidents/eu1',
    );
    // Within a region: critical first.
    const usStart = lines.indexOf('Region: US-1 (2)');
    expect(lines[usStart + 1]).toBe('  - [CRITICAL] Login outage in US-1');
    expect(lines[usStart + 2]).toBe('    Status: investigating; open for 1 day 1 h (since 2026-11-25 06:00 UTC)');
    expect(open).toContain(
      '- [MAJOR] Email delivery delays Status: investigating; open for 30 min (since 2026-11-26 06:30 UTC); also US-1 https://status.auth0.com/incidents/both',
    );
    expect(open).toContain(
      '- [MAJOR] Dashboard errors Status: open; open for less than 1 min (since 2026-11-26 07:00 UTC) https://status.auth0.com/incidents/none',
    );
    expect(subject).toBe('[Auth0 digest] Nov 26: 4 open incidents, 1 resolved, 1 change needs attention, 1 advisory');
  });

  it('tells what an open incident did in the period on its own entry instead of under other updates', () => {
    const events = [
      incidentEvent('incident.opened', 'live', '2026-11-26T03:48:00.000Z'),
      incidentEvent('incident.updated', 'live', '2026-11-26T04:10:00.000Z'),
      incidentEvent('incident.updated', 'live', '2026-11-26T05:10:00.000Z'),
    ];
    const openItems = [openIncident('live', ['US-1'], '2026-11-26T03:48:00.000Z', { status: 'monitoring' })];
    const { text } = renderDigest(digestInput({ events, openItems }));
    expect(text).toContain('    Status: monitoring; open for 3 h 12 min (since 2026-11-26 03:48 UTC);\n    this period: opened, 2 updates');
    expect(text).not.toContain('OTHER UPDATES');
  });

  it('lists open maintenance after the incidents, and completed maintenance after the resolved incidents', () => {
    const maintenance: DigestOpenItem = {
      source: 'auth0-status-eu-1',
      itemId: 'mnt1',
      title: 'Scheduled database maintenance',
      url: 'https://status.auth0.com/incidents/mnt1',
      kind: 'maintenance',
      status: 'scheduled',
      severity: 'info',
      regions: ['EU-1'],
      openedAt: '2026-11-24T10:00:00.000Z',
    };
    const completed = incidentEvent('maintenance.completed', 'mnt0', '2026-11-25T04:00:00.000Z', {
      title: 'Network upgrade',
      severity: 'info',
      status: 'completed',
      occurredAt: '2026-11-25T08:00:00.000Z',
    });
    const { text } = renderDigest(digestInput({ events: [...busyDay(), completed], openItems: [openIncident('x', ['US-1'], GENERATED), maintenance] }));
    const open = section(text, 'OPEN INCIDENTS NOW');
    const maintenanceAt = open.indexOf('Maintenance scheduled or in progress (1):');
    expect(maintenanceAt).toBeGreaterThan(open.indexOf('Region: US-1 (1)'));
    expect(open.slice(maintenanceAt + 1, maintenanceAt + 5)).toEqual([
      '  - [INFO] Scheduled database maintenance',
      '    Status: scheduled; since 2026-11-24 10:00 UTC (1 day 21 h ago); regions',
      '    EU-1',
      '    https://status.auth0.com/incidents/mnt1',
    ]);
    const resolved = section(text, 'RESOLVED IN THIS PERIOD');
    expect(resolved.slice(resolved.indexOf('Maintenance completed (1):'))).toEqual([
      'Maintenance completed (1):',
      '  - [INFO] Network upgrade (US-1)',
      '    Completed 2026-11-25 08:00 UTC',
      '    https://status.auth0.com/incidents/mnt0',
      '',
    ]);
  });
  it('says when maintenance that lies ahead starts instead of how long it has been open', () => {
    const ahead: DigestOpenItem = {
      source: 'auth0-status-eu-1',
      itemId: 'mnt3',
      title: 'Planned storage upgrade',
      url: 'https://status.auth0.com/incidents/mnt3',
      kind: 'maintenance',
      status: 'scheduled',
      severity: 'info',
      regions: [],
      openedAt: '2026-11-28T01:00:00.000Z',
    };
    const { text, subject } = renderDigest(digestInput({ openItems: [ahead] }));
    expect(text).toContain('  - [INFO] Planned storage upgrade\n    Status: scheduled; starts 2026-11-28 01:00 UTC (in 1 day 17 h)\n');
    expect(text).toContain('OPEN INCIDENTS NOW (0)\n  None open at 2026-11-26 07:00 UTC.\nMaintenance scheduled or in progress (1):');
    expect(subject).toBe('[Auth0 digest] Nov 26: all quiet, 1 maintenance open');
  });
});

describe('renderDigest: an incident in several regions of one status page', () => {
  // The regional sources share the incident (its scope); each event names the source that saw it.
  const SCOPE = '@status.auth0.com';
  const shared = (type: EventType, at: string, source: string) =>
    incidentEvent(type, 'glob4l1nc1d', at, { scope: SCOPE, source, regions: ['EU-1', 'US-1'], id: `${SCOPE}:${type}:${at}` });

  it('tells an open incident seen through two region sources as one entry with all its events', () => {
    const events = [
      shared('incident.opened', '2026-11-26T03:48:00.000Z', 'auth0-status-us-1'),
      shared('incident.updated', '2026-11-26T04:10:00.000Z', 'auth0-status-eu-1'),
      shared('incident.updated', '2026-11-26T05:10:00.000Z', 'auth0-status-us-1'),
    ];
    const openItems = [
      openIncident('glob4l1nc1d', ['EU-1', 'US-1'], '2026-11-26T03:48:00.000Z', { scope: SCOPE, status: 'monitoring' }),
    ];
    const { text, subject } = renderDigest(digestInput({ events, openItems }));
    expect(text).toContain('In this period: 1 incident opened, 2 incident updates');
    expect(section(text, 'OPEN INCIDENTS NOW (1)').filter((line) => line.includes('this period: opened, 2 updates'))).toHaveLength(2); // under EU-1 and US-1
    expect(text).not.toContain('OTHER UPDATES');
    expect(subject).toContain('1 open incident');
  });

  it('lists an incident resolved through another region source than the one that opened it once, its RCA no longer owed', () => {
    const events = [
      shared('incident.opened', '2026-11-25T09:02:00.000Z', 'auth0-status-eu-1'),
      shared('incident.resolved', '2026-11-25T09:41:00.000Z', 'auth0-status-us-1'),
      shared('incident.rca_published', '2026-11-26T06:00:00.000Z', 'auth0-status-eu-1'),
    ];
    const rcaOwed = [{ source: 'auth0-status-us-1', scope: SCOPE, itemId: 'glob4l1nc1d', title: 'x', url: 'u', resolvedAt: '2026-11-25T09:41:00.000Z' }];
    const { text } = renderDigest(digestInput({ events, rcaOwed }));
    expect(entries(section(text, 'RESOLVED IN THIS PERIOD (1)'))).toEqual([
      '- [CRITICAL] Elevated login errors in US-1 (EU-1, US-1) Resolved 2026-11-25 09:41 UTC after 39 min; this period: opened, ' +
        'root-cause analysis published https://status.auth0.com/incidents/glob4l1nc1d',
    ]);
    expect(text).toContain('Still owed (0)');
  });
});

describe('renderDigest: root-cause analyses', () => {
  it('shows an RCA arriving weeks after the resolution under "Published in this period" with an excerpt', () => {
    const rca = incidentEvent('incident.rca_published', 'oct29', '2026-11-25T16:00:00.000Z', {
      title: 'Login failures in EU-1',
      regions: ['EU-1'],
      update: {
        label: 'Postmortem',
        at: '2026-10-29T14:00:00.000Z',
        text:
          'Summary\n\nOn October 29 a configuration change to the session store reduced its capacity in EU-1, and login ' +
          'requests timed out for 41 minutes until the change was rolled back. ' +
          'We have added a canary stage for session-store changes and alarms on capacity. '.repeat(5),
      },
    });
    const { text } = renderDigest(digestInput({ events: [{ ...rca, detectedAt: '2026-11-25T16:01:30.000Z' }] }));
    const published = entries(section(text, 'ROOT-CAUSE ANALYSES').slice(section(text, 'ROOT-CAUSE ANALYSES').findIndex((l) => l.startsWith('Published'))));
    expect(published).toHaveLength(1);
    expect(published[0]).toMatch(
      /^- \[CRITICAL\] Login failures in EU-1 \(EU-1\) Published \(detected 2026-11-25 16:01 UTC\): "Summary On October 29 a configuration change to the session store/,
    );
    expect(published[0]).toMatch(/…" https:\/\/status\.auth0\.com\/incidents\/oct29$/);
    expect(text).toContain('Published in this period (1):');
    expect(text).toContain('1 RCA published');
  });

  it('lists incidents resolved without an RCA under "Still owed", oldest first, with how many days ago', () => {
    const rcaOwed = [
      { source: 'auth0-status-us-1', itemId: 'recent', title: 'Elevated login errors in US-1', url: 'https://status.auth0.com/incidents/recent', resolvedAt: '2026-11-25T09:41:00.000Z' },
      { source: 'auth0-status-eu-1', itemId: 'old', title: 'Slow token issuance in EU-1', url: 'https://status.auth0.com/incidents/old', resolvedAt: '2026-11-14T06:00:00.000Z' },
    ];
    const { text, subject } = renderDigest(digestInput({ events: busyDay(), rcaOwed }));
    const rcaLines = section(text, 'ROOT-CAUSE ANALYSES');
    expect(rcaLines[0]).toBe('Still owed (2):');
    expect(entries(rcaLines.slice(0, rcaLines.findIndex((line) => line.startsWith('Published'))))).toEqual([
      '- Slow token issuance in EU-1 Resolved 12 days ago (2026-11-14 06:00 UTC), no root-cause analysis yet https://status.auth0.com/incidents/old',
      '- Elevated login errors in US-1 Resolved 21 h 19 min ago (2026-11-25 09:41 UTC), no root-cause analysis yet https://status.auth0.com/incidents/recent',
    ]);
    expect(subject).toContain('2 RCA owed');
    expect(text).toContain('Now: 0 incidents open; 2 RCAs owed.');
  });

  it('does not list an RCA as owed when it was published in this period', () => {
    const rca = incidentEvent('incident.rca_published', 'old', '2026-11-25T16:00:00.000Z');
    const rcaOwed = [{ source: 'auth0-status-us-1', itemId: 'old', title: 'Slow token issuance', url: 'https://status.auth0.com/incidents/old', resolvedAt: '2026-11-14T06:00:00.000Z' }];
    const { text, subject } = renderDigest(digestInput({ events: [rca], rcaOwed }));
    expect(text).toContain('Still owed (0):\n  None.');
    expect(subject).not.toContain('owed');
  });
});

describe('renderDigest: other updates', () => {
  it('groups the updates of one incident into a single entry ("5 updates") when it is neither open nor resolved here', () => {
    // Follow-ups on an incident resolved before the period: it is no longer open and not resolved in this period.
    const followUps = [1, 2, 3, 4, 5].map((hour) =>
      incidentEvent('incident.updated', 'followup', `2026-11-25T1${hour}:00:00.000Z`, { status: 'postmortem', title: 'Follow-up on the US-1 outage' }),
    );
    const maintenance = incidentEvent('maintenance.scheduled', 'mnt2', '2026-11-25T08:00:00.000Z', { title: 'Planned network work', severity: 'info', status: 'scheduled' });
    const { text } = renderDigest(digestInput({ events: [...followUps, maintenance] }));
    expect(text).toContain('OTHER UPDATES (2)');
    expect(entries(section(text, 'OTHER UPDATES'))).toEqual([
      '- [INFO] Planned network work (US-1): scheduled; latest: scheduled, 2026-11-25 08:00 UTC https://status.auth0.com/incidents/mnt2',
      '- [CRITICAL] Follow-up on the US-1 outage (US-1): 5 updates; latest: postmortem, 2026-11-25 15:00 UTC https://status.auth0.com/incidents/followup',
    ]);
  });
});

describe('renderDigest: watcher health', () => {
  const failing: DigestSourceHealth = {
    id: 'auth0-changelog',
    name: 'Auth0 change log',
    type: 'auth0-changelog',
    url: 'https://auth0.com/changelog/rss.xml',
    lastSuccessAt: '2026-11-26T04:45:00.000Z',
    consecutiveFailures: 9,
    failingSince: '2026-11-26T05:00:00.000Z',
    lastError: { at: '2026-11-26T06:45:00.000Z', reason: 'HTTP 503 Service Unavailable' },
  };
  const failingEvent = sampleEvent({
    id: 'auth0-changelog:failing:2026-11-26T05:00:00.000Z',
    type: 'source.failing',
    source: 'auth0-changelog',
    itemId: 'auth0-changelog',
    title: 'Watcher cannot read Auth0 change log (9 failures)',
    severity: 'major',
    occurredAt: '2026-11-26T05:00:00.000Z',
    detectedAt: '2026-11-26T05:45:00.000Z',
    status: 'failing',
    regions: undefined,
    update: undefined,
  });
  const sources = [SOURCES[0]!, SOURCES[1]!, failing, SOURCES[3]!];

  it('shows a failing source first with since when, failures, last error and last successful poll, and says so in the subject', () => {
    const { text, subject } = renderDigest(digestInput({ events: [...busyDay(), failingEvent], sources }));
    const health = section(text, 'WATCHER HEALTH');
    expect(health.slice(0, 6)).toEqual([
      '  Checked: 4 sources: 3 OK, 1 failing.',
      '  - auth0-changelog (Auth0 change log, auth0-changelog): FAILING since',
      '    2026-11-26 05:00 UTC (9 consecutive failures)',
      '    last error 2026-11-26 06:45 UTC: HTTP 503 Service Unavailable',
      '    last successful poll: 2026-11-26 04:45 UTC (2 h 15 min ago)',
      '  - auth0-advisories (github-advisories): OK',
    ]);
    expect(health).toContain('Health changes in this period (1):');
    // The health change reads as the watcher's, not as the vendor's outage.
    expect(health).toContain('  - 2026-11-26 05:00 UTC Watcher cannot read Auth0 change log (9 failures)');
    expect(text).toContain('1 advisory; 1 source failing.');
    expect(subject).toBe('[Auth0 digest] Nov 26: source failing, 1 resolved, 1 change needs attention, 1 advisory');
  });

  it('does not print source URLs, which may carry a private-cloud token', () => {
    const { text } = renderDigest(digestInput({ sources }));
    expect(text).not.toContain('rss.xml');
    expect(text).not.toContain('domain=acme');
  });

  it('flags a source silent whose last successful poll is older than three intervals and an hour, in the list and the subject', () => {
    // The change log (every 15 minutes) last succeeded at 06:45; generated at 07:00. Silent beyond 105 minutes.
    const atCadence = SOURCES.map((s) => (s.id === 'auth0-changelog' ? { ...s, everyMinutes: 15 } : s));
    expect(renderDigest(digestInput({ sources: atCadence })).text).toContain('  Checked: 4 sources: 4 OK.');
    const stopped = SOURCES.map((s) =>
      s.id === 'auth0-changelog' ? { ...s, everyMinutes: 15, lastSuccessAt: '2026-11-26T05:14:00.000Z' } : s,
    );
    const { text, subject } = renderDigest(digestInput({ events: busyDay(), sources: stopped }));
    const health = section(text, 'WATCHER HEALTH');
    expect(health.slice(0, 4)).toEqual([
      '  Checked: 4 sources: 3 OK, 1 silent.',
      '  - auth0-changelog (auth0-changelog): SILENT (no successful poll for longer',
      '    than three intervals; is its schedule running?)',
      '    last successful poll: 2026-11-26 05:14 UTC (1 h 46 min ago)',
    ]);
    expect(text).toContain('1 source silent.');
    expect(subject).toMatch(/: source silent, /);
    // Without a cadence (the local CLI, polled whenever it is run) nothing is silent.
    const noCadence = stopped.map(({ everyMinutes: _, ...s }) => s);
    expect(renderDigest(digestInput({ sources: noCadence })).text).toContain('  Checked: 4 sources: 4 OK.');
  });

  it('says "never polled successfully" for a source without a successful poll', () => {
    const fresh: DigestSourceHealth = { id: 'auth0-status-au-1', type: 'auth0-status', url: 'https://status.auth0.com/feed', consecutiveFailures: 0 };
    const { text } = renderDigest(digestInput({ sources: [...SOURCES, fresh] }));
    expect(text).toContain('  - auth0-status-au-1 (auth0-status): NOT POLLED YET\n    never polled successfully');
  });
});

describe('renderDigest: subscription health', () => {
  const EVENTS = 'arn:aws:sns:eu-west-1:123456789012:Auth0OpsWatcher-StateTopic-AbC';
  const DIGESTS = 'arn:aws:sns:eu-west-1:123456789012:Auth0OpsWatcher-StateDigestTopic-XyZ';
  const expected = expectedEmailSubscriptions({
    alerts: [
      { addresses: ['oncall@example.com', 'sre@example.com'], rules: { types: ['incident.*'], minSeverity: 'major', regions: ['US-1'] } },
      { addresses: ['all@example.com'] },
    ],
    digest: { addresses: ['ops@example.com'] },
  });
  const email = (endpoint: string, topicArn: string, pending = false): ListedSubscription => ({
    protocol: 'email',
    endpoint,
    subscriptionArn: pending ? 'PendingConfirmation' : `${topicArn}:${endpoint}`,
  });
  const notifier: ListedSubscription = { protocol: 'lambda', endpoint: 'arn:aws:lambda:eu-west-1:123456789012:function:n', subscriptionArn: `${EVENTS}:n` };
  const allConfirmed = (): ListedSubscription[] => [
    email('oncall@example.com', EVENTS),
    email('sre@example.com', EVENTS),
    email('all@example.com', EVENTS),
    notifier,
  ];
  const health = (events: readonly ListedSubscription[] | string, digests: readonly ListedSubscription[] | string): SubscriptionHealth =>
    assessSubscriptions(expected, [
      typeof events === 'string'
        ? { topic: 'events', topicArn: EVENTS, outcome: 'failed', reason: events }
        : { topic: 'events', topicArn: EVENTS, outcome: 'listed', subscriptions: events },
      typeof digests === 'string'
        ? { topic: 'digest', topicArn: DIGESTS, outcome: 'failed', reason: digests }
        : { topic: 'digest', topicArn: DIGESTS, outcome: 'listed', subscriptions: digests },
    ]);
  const render = (subscriptions: SubscriptionHealth | undefined, overrides: Partial<DigestInput> = {}) =>
    renderDigest(digestInput({ events: busyDay(), subscriptions, ...overrides }));
  /** The subscription part: from its "Email subscriptions:" line to the end of WATCHER HEALTH. */
  const part = (text: string): string[] => {
    const health = section(text, 'WATCHER HEALTH');
    return health.slice(health.findIndex((line) => line.startsWith('Email subscriptions:'))).filter((line) => line !== '');
  };

  it('says all are confirmed, per topic, and raises nothing at the top or in the subject when all is well', () => {
    const { text, subject } = render(health(allConfirmed(), [email('OPS@example.com', DIGESTS)]));
    expect(part(text)).toEqual([
      'Email subscriptions: all 4 confirmed (3 on the event topic, 1 on the digest',
      '  topic).',
      '  Other subscribers, not checked here (the Slack notifiers among them): 1',
      '  lambda on the event topic.',
    ]);
    expect(text).not.toMatch(/see WATCHER HEALTH/);
    expect(subject).not.toMatch(/subscription/);
  });

  it('lists an address pending confirmation with the command that confirms it so that unsubscribing needs authentication', () => {
    const { text, subject } = render(health(allConfirmed(), [email('ops@example.com', DIGESTS, true)]));
    const lines = part(text);
    expect(lines[0]).toBe('Email subscriptions: 3 of 4 confirmed, 1 pending confirmation.');
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(
      'Pending confirmation (1): an address receives nothing until it confirms, and SNS deletes a subscription nobody ' +
        'confirms within 48 hours. Open the "AWS Notification - Subscription Confirmation" mail and follow its link; ' +
        'or better, so that unsubscribing needs AWS credentials and a mail scanner following the unsubscribe link ' +
        'cannot remove it, set TOKEN to the value after "Token=" in that link and run the command shown.',
    );
    const at = lines.indexOf('  ! ops@example.com (email.digest, digest topic)');
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '      aws sns confirm-subscription \\',
      `        --topic-arn ${DIGESTS} \\`,
      '        --token "$TOKEN" \\',
      '        --authenticate-on-unsubscribe true',
    ]);
    expect(text).toContain('\nEmail subscriptions: 1 address not confirmed; see WATCHER HEALTH.\n');
    expect(subject).toMatch(/: 1 subscription unconfirmed, 1 resolved/);
  });

  it('lists a missing address with the subscribe command carrying the filter policy of its alert entry, and an unfiltered one without', () => {
    const events = [email('oncall@example.com', EVENTS), notifier];
    const { text, subject } = render(health(events, [email('ops@example.com', DIGESTS)]));
    const lines = part(text);
    expect(lines[0]).toBe('Email subscriptions: 2 of 4 confirmed, 2 missing.');
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(
      'Missing (2): no longer subscribed, so it receives nothing: unsubscribed (a mail scanner following the ' +
        'unsubscribe link of any SNS mail does this) or never confirmed and expired.',
    );
    const sre = lines.indexOf('  ! sre@example.com (email.alerts[0], event topic)');
    const policy = '{"type":[{"prefix":"incident."}],"severity":["critical","major"],"region":["US-1",{"exists":false}]}';
    expect(lines.slice(sre + 1, sre + 6)).toEqual([
      '      aws sns subscribe \\',
      `        --topic-arn ${EVENTS} \\`,
      '        --protocol email \\',
      '        --notification-endpoint sre@example.com \\',
      `        --attributes '${JSON.stringify({ FilterPolicy: policy, FilterPolicyScope: 'MessageAttributes' })}'`,
    ]);
    // The attributes are what SNS takes: a FilterPolicy that is itself JSON, scoped to the message attributes.
    const attributes = JSON.parse(lines[sre + 5]!.trim().replace(/^--attributes '|'$/g, '')) as Record<string, string>;
    expect(JSON.parse(attributes['FilterPolicy']!)).toEqual({ type: [{ prefix: 'incident.' }], severity: ['critical', 'major'], region: ['US-1', { exists: false }] });
    const all = lines.indexOf('  ! all@example.com (email.alerts[1], event topic)');
    expect(lines.slice(all + 1, all + 5)).toEqual([
      '      aws sns subscribe \\',
      `        --topic-arn ${EVENTS} \\`,
      '        --protocol email \\',
      '        --notification-endpoint all@example.com',
    ]);
    expect(text).toContain('\nEmail subscriptions: 2 addresses no longer subscribed; see WATCHER HEALTH.\n');
    expect(subject).toMatch(/: 2 subscriptions missing, 1 resolved/);
  });

  it('quotes an address for the shell, so a quote in it cannot break the command', () => {
    const quoted = assessSubscriptions(expectedEmailSubscriptions({ alerts: [{ addresses: ["o'brien@example.com"] }] }), [
      { topic: 'events', topicArn: EVENTS, outcome: 'listed', subscriptions: [] },
    ]);
    expect(part(render(quoted).text)).toContain("        --notification-endpoint 'o'\\''brien@example.com'");
  });

  it('lists subscriptions the config does not name, for information only', () => {
    const events = [...allConfirmed(), email('former@example.com', EVENTS), email('new@example.com', EVENTS, true)];
    const { text, subject } = render(health(events, [email('ops@example.com', DIGESTS)]));
    expect(part(text).slice(0, 5)).toEqual([
      'Email subscriptions: all 4 confirmed (3 on the event topic, 1 on the digest',
      '  topic); 2 not in the config.',
      '  Not in the config, for information (2):',
      '  - former@example.com (event topic, confirmed)',
      '  - new@example.com (event topic, pending confirmation)',
    ]);
    expect(text).not.toMatch(/see WATCHER HEALTH/);
    expect(subject).not.toMatch(/subscription/);
  });

  it('still sends the digest when a topic cannot be listed, says why, and says so at the top and in the subject', () => {
    const denied = 'AuthorizationErrorException: not authorized to perform: SNS:ListSubscriptionsByTopic';
    const { text, subject } = render(health(denied, [email('ops@example.com', DIGESTS)]));
    expect(part(text)).toEqual([
      'Email subscriptions: the 1 confirmed (1 on the digest topic).',
      '  ! Could not check the subscriptions of the event topic (3 configured',
      '    addresses not checked): AuthorizationErrorException: not authorized to',
      '    perform: SNS:ListSubscriptionsByTopic',
    ]);
    expect(text).toContain('\nEmail subscriptions: the subscriptions of the event topic could not be\nchecked; see WATCHER HEALTH.\n');
    expect(subject).toMatch(/: subscriptions unchecked, 1 resolved/);
  });

  it('raises subscription problems in a quiet digest too', () => {
    const { text, subject } = render(health([notifier], 'ThrottledException: Rate exceeded'), { events: [] });
    expect(text).toMatch(
      /^All quiet: [^]*\nEmail subscriptions: 3 addresses no longer subscribed; the subscriptions of\nthe digest topic could not be checked; see WATCHER HEALTH\.\n\nWATCHER HEALTH/m,
    );
    expect(subject).toBe('[Auth0 digest] Nov 26: all quiet, 3 subscriptions missing, subscriptions unchecked');
  });

  it('leaves subscriptions out entirely where there are none to check (the local CLI)', () => {
    const { text, subject } = render(undefined);
    expect(text).not.toMatch(/subscription/i);
    expect(subject).not.toMatch(/subscription/i);
  });
});

describe('renderDigest: a quiet period', () => {
  it('says all quiet, names every source with its last successful poll, and reports quiet with no counts', () => {
    const digest = renderDigest(digestInput());
    expect(digest.quiet).toBe(true);
    expect(digest.counts).toEqual({});
    expect(digest.subject).toBe('[Auth0 digest] Nov 26: all quiet');
    expect(digest.text).toBe(
      [
        'Auth0 ops digest — Thursday, November 26, 2026 (daily)',
        'Period: from 2026-11-25 07:00 UTC to 2026-11-26 07:00 UTC',
        '',
        'All quiet: no new incidents, change-log entries or advisories between',
        '2026-11-25 07:00 UTC and 2026-11-26 07:00 UTC.',
        '',
        'WATCHER HEALTH (4 sources, as of 2026-11-26 07:00 UTC)',
        '  Checked: 4 sources: 4 OK.',
        '  - auth0-advisories (github-advisories): OK',
        '    last successful poll: 2026-11-26 06:10 UTC (50 min ago)',
        '  - auth0-changelog (auth0-changelog): OK',
        '    last successful poll: 2026-11-26 06:45 UTC (15 min ago)',
        '  - auth0-status-eu-1 (auth0-status): OK',
        '    last successful poll: 2026-11-26 06:59 UTC (less than 1 min ago)',
        '  - auth0-status-us-1 (Auth0 status US-1, auth0-status): OK',
        '    last successful poll: 2026-11-26 06:59 UTC (less than 1 min ago)',
        '',
        '-- ',
        'Covers events detected from 2026-11-25 07:00 UTC to 2026-11-26 07:00 UTC;',
        'the next digest starts where this one ends. Open items, owed root-cause',
        'analyses and source health are as of 2026-11-26 07:00 UTC. All times are',
        'UTC.',
        'Sent by auth0-ops-watcher.',
        '',
      ].join('\n'),
    );
  });

  it('still lists what is open and the RCAs owed when nothing new happened', () => {
    const rcaOwed = [{ source: 'auth0-status-us-1', itemId: 'old', title: 'Slow token issuance', url: 'https://status.auth0.com/incidents/old', resolvedAt: '2026-11-14T06:00:00.000Z' }];
    const digest = renderDigest(digestInput({ openItems: [openIncident('long', ['US-1'], '2026-11-24T07:00:00.000Z')], rcaOwed }));
    expect(digest.quiet).toBe(true);
    expect(digest.subject).toBe('[Auth0 digest] Nov 26: all quiet, 1 open incident, 1 RCA owed');
    expect(digest.text).toContain('OPEN INCIDENTS NOW (1)\nRegion: US-1 (1)\n  - [MAJOR] Incident long\n    Status: investigating; open for 2 days (since 2026-11-24 07:00 UTC)');
    expect(digest.text).toContain('ROOT-CAUSE ANALYSES\nStill owed (1):\n  - Slow token issuance\n    Resolved 12 days ago');
    expect(digest.text).not.toContain('Published in this period');
  });

  it('warns that silence from a failing source proves nothing, and does not call the period all quiet in the subject', () => {
    const broken: DigestSourceHealth = { ...SOURCES[2]!, consecutiveFailures: 4, failingSince: '2026-11-26T05:00:00.000Z', lastError: { at: '2026-11-26T06:45:00.000Z', reason: 'timed out after 10000 ms' } };
    const digest = renderDigest(digestInput({ sources: [SOURCES[0]!, SOURCES[1]!, broken, SOURCES[3]!] }));
    expect(digest.quiet).toBe(true);
    expect(digest.subject).toBe('[Auth0 digest] Nov 26: no new events, source failing');
    expect(digest.text).toContain('Caution: this source was not read successfully at the end of the period, so\nsilence from it proves nothing: auth0-changelog. See WATCHER HEALTH.');
    expect(digest.text).toContain('last error 2026-11-26 06:45 UTC: timed out after 10000 ms');
  });
});

describe('renderDigest: headline and subject', () => {
  it('names the week in the reader\'s time zone in a weekly headline and subject', () => {
    // Monday 00:00 to Monday 00:00 in New York.
    const digest = renderDigest(
      digestInput({ frequency: 'weekly', from: '2026-11-23T05:00:00.000Z', to: '2026-11-30T05:00:00.000Z', generatedAt: '2026-11-30T05:00:03.000Z', timeZone: 'America/New_York', events: busyDay() }),
    );
    expect(digest.text.split('\n')[0]).toBe('Auth0 ops digest — week ending Sunday, November 29, 2026 (weekly)');
    // The digest's times are in its zone too, named by their abbreviation.
    expect(digest.text).toContain('Period: from 2026-11-23 00:00 EST to 2026-11-30 00:00 EST');
    expect(digest.subject).toBe('[Auth0 weekly digest] Nov 23-29: 1 resolved, 1 change needs attention, 1 advisory');
  });

  it('names a weekly period across two months with both months', () => {
    const digest = renderDigest(digestInput({ frequency: 'weekly', from: '2026-10-26T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', timeZone: 'UTC' }));
    expect(digest.subject).toBe('[Auth0 weekly digest] Oct 26-Nov 1: all quiet');
  });

  it('dates a daily digest in the reader\'s time zone, and falls back to UTC for an unknown zone', () => {
    expect(renderDigest(digestInput({ timeZone: 'America/Los_Angeles' })).text).toMatch(/^Auth0 ops digest — Wednesday, November 25, 2026 \(daily\)\n/);
    const fallback = renderDigest(digestInput({ timeZone: 'Mars/Olympus_Mons' }));
    expect(fallback.text).toMatch(/^Auth0 ops digest — Thursday, November 26, 2026 \(daily\)\n/);
    expect(fallback.subject).toBe('[Auth0 digest] Nov 26: all quiet');
  });

  it('keeps the subject printable ASCII under 100 characters with hostile titles and every kind of news at once', () => {
    const hostile = 'Évil\r\nBcc: attacker@example.com\u0000\u202E 認証エラー 🔥 '.repeat(40);
    const events = [
      ...busyDay().map((event) => ({ ...event, title: hostile })),
      incidentEvent('incident.rca_published', 'rca', '2026-11-25T16:00:00.000Z', { title: hostile }),
      changeEvent('x', 'fixed', hostile, '2026-11-25T17:00:00.000Z'),
    ];
    const openItems = Array.from({ length: 1234 }, (_, i) => openIncident(`open${i}`, ['US-1'], '2026-11-25T08:00:00.000Z', { title: hostile }));
    const rcaOwed = Array.from({ length: 321 }, (_, i) => ({ source: 's', itemId: `o${i}`, title: hostile, url: 'https://status.auth0.com/x', resolvedAt: '2026-11-20T00:00:00.000Z' }));
    const sources = SOURCES.map((source) => ({ ...source, consecutiveFailures: 3 }));
    const { subject, text } = renderDigest(digestInput({ frequency: 'weekly', from: '2026-10-26T00:00:00.000Z', events, openItems, rcaOwed, sources }));
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject).toBe('[Auth0 weekly digest] Oct 26-Nov 26: 1234 open incidents, 4 sources failing, 1 resolved, ...');
    // Vendor text never breaks a line or adds a heading of its own.
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F\u202E\r]/);
    expect(text.split('\n').filter((line) => line.startsWith('Bcc:'))).toEqual([]);
  });

  it('counts events per type exactly, a redelivered event (same id) once', () => {
    const events = [
      ...busyDay(),
      busyDay()[1]!,
      incidentEvent('incident.updated', 'inc1', '2026-11-25T09:30:00.000Z'),
      changeEvent('c2', 'removed', 'Removed', '2026-11-25T18:00:00.000Z'),
      changeEvent('c3', 'fixed', 'Fixed', '2026-11-25T18:00:00.000Z'),
    ];
    expect(renderDigest(digestInput({ events })).counts).toEqual({
      'incident.opened': 1,
      'incident.updated': 2,
      'incident.resolved': 1,
      'changelog.published': 4,
      'advisory.published': 1,
    });
  });
});

describe('renderDigest: size', () => {
  /** A busy week: 5,000 events across every section, with long non-ASCII titles. */
  function hugeWeek(): WatcherEvent[] {
    const events: WatcherEvent[] = [];
    const title = (kind: string, i: number): string => `${kind} ${i}: élevé taux d’erreurs — ${'x'.repeat(80)} end-${kind}-${i}`;
    const at = (i: number): string => new Date(Date.parse('2026-11-19T07:00:00.000Z') + i * 60_000).toISOString();
    for (let i = 0; i < 1000; i += 1) events.push(incidentEvent('incident.resolved', `res${i}`, at(i), { title: title('resolved', i) }));
    for (let i = 0; i < 1500; i += 1) events.push(incidentEvent('incident.updated', `upd${i % 300}`, at(i), { title: title('updated', i % 300) }));
    for (let i = 0; i < 1000; i += 1) events.push(changeEvent(`ch${i}`, i % 4 === 0 ? 'deprecated' : 'added', title('change', i), at(i)));
    for (let i = 0; i < 1000; i += 1) {
      events.push(advisoryEvent('advisory.published', `GHSA-${i}`, (['critical', 'major', 'minor', 'info'] as const)[i % 4]!, title('advisory', i), at(i), [
        { ecosystem: 'npm', name: `pkg-${i}`, vulnerableRange: '< 1.0.0', firstPatchedVersion: '1.0.0' },
      ]));
    }
    for (let i = 0; i < 500; i += 1) events.push(incidentEvent('incident.rca_published', `rca${i}`, at(i), { title: title('rca', i) }));
    return events;
  }
  const input = digestInput({ frequency: 'weekly', from: '2026-11-19T07:00:00.000Z', events: hugeWeek() });

  /** Every entry of the content sections is whole: its title's end marker and its link are there. */
  function expectWholeEntries(text: string): void {
    const content = text.slice(0, text.indexOf('WATCHER HEALTH'));
    const listed = entries(content.split('\n'));
    expect(listed.length).toBeGreaterThan(0);
    for (const entry of listed) {
      expect(entry).toMatch(/end-[a-z]+-\d+/);
      expect(entry).toMatch(/ https:\/\/\S+$/);
    }
  }

  /** Shown entries plus the "…and N more" of each of the section's lists add up to the section's total. */
  function expectSummarised(text: string, heading: string, total: number): void {
    const lines = section(text, heading);
    const more = lines.map((line) => /^ {2}…and (\d+) more \(see /.exec(line)).filter((match) => match !== null);
    expect(more.length).toBeGreaterThan(0);
    expect(entries(lines).length + more.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(total);
  }

  it('stays within the default size with "…and N more" per section and no entry cut', () => {
    expect(input.events).toHaveLength(5000);
    const { text, counts } = renderDigest(input);
    expect(bytes(text)).toBeLessThanOrEqual(DIGEST_MAX_BYTES);
    expect(counts).toEqual({ 'incident.resolved': 1000, 'incident.updated': 1500, 'incident.rca_published': 500, 'changelog.published': 1000, 'advisory.published': 1000 });
    expectSummarised(text, 'RESOLVED IN THIS PERIOD', 1000);
    expectSummarised(text, 'CHANGE LOG', 1000);
    expectSummarised(text, 'SECURITY ADVISORIES', 1000);
    expectSummarised(text, 'OTHER UPDATES', 300);
    expect(entries(section(text, 'RESOLVED IN THIS PERIOD'))).toHaveLength(30);
    expectWholeEntries(text);
    expect(text).toContain('Long lists are shortened to fit one email');
  });

  it('shows fewer entries per list, still whole, when the size limit is small', () => {
    const { text } = renderDigest(input, { maxBytes: 20_000 });
    expect(bytes(text)).toBeLessThanOrEqual(20_000);
    expectSummarised(text, 'RESOLVED IN THIS PERIOD', 1000);
    expectSummarised(text, 'SECURITY ADVISORIES', 1000);
    expect(entries(section(text, 'RESOLVED IN THIS PERIOD')).length).toBeLessThan(30);
    expectWholeEntries(text);
    // Every section and every source is still there.
    for (const heading of ['OPEN INCIDENTS NOW', 'RESOLVED IN THIS PERIOD', 'ROOT-CAUSE ANALYSES', 'CHANGE LOG', 'SECURITY ADVISORIES', 'OTHER UPDATES', 'WATCHER HEALTH']) {
      expect(text).toContain(`\n${heading}`);
    }
    for (const source of SOURCES) expect(text).toContain(`  - ${source.id} (`);
    expect(text.endsWith('Sent by auth0-ops-watcher.\n')).toBe(true);
  });

  it('lists critical advisories first when it has to leave some out', () => {
    const { text } = renderDigest(input, { maxBytes: 20_000 });
    const shown = entries(section(text, 'SECURITY ADVISORIES'));
    expect(shown.every((entry) => entry.startsWith('- [CRITICAL]'))).toBe(true);
  });

  it('keeps whole paragraphs and says so when even the shortest form does not fit', () => {
    const { text } = renderDigest(input, { maxBytes: 600 });
    expect(bytes(text)).toBeLessThanOrEqual(600);
    expect(text.startsWith('Auth0 ops digest — week ending')).toBe(true);
    expect(text).toContain('(This digest was shortened to fit the size limit.)');
  });
});

describe('formatDuration', () => {
  it('reads like "3 h 12 min", "45 min", "2 days 4 h"', () => {
    expect(formatDuration(30_000)).toBe('less than 1 min');
    expect(formatDuration(45 * 60_000)).toBe('45 min');
    expect(formatDuration((3 * 60 + 12) * 60_000)).toBe('3 h 12 min');
    expect(formatDuration(5 * 3_600_000)).toBe('5 h');
    expect(formatDuration((52 * 60 + 5) * 60_000)).toBe('2 days 4 h');
    expect(formatDuration(24 * 3_600_000)).toBe('1 day');
    expect(formatDuration(-5_000)).toBe('less than 1 min');
  });
});
