// The end-of-life countdown of the auth0-deprecations probe (pure), on real captures of Auth0's Deprecations and
// Migrations page: a silent baseline, announcements of new entries, each of the 90/30/7-day warnings once, the first
// run inside a band, a moved end of life (the real move of "New Management API Scopes Required for Connection Options"
// from April 24 to July 8, 2025), "TBA" reported and never guessed, a reworded heading, and an empty page failing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daysUntil, eolBand, type DeprecationsProbeState } from '../../../functions/core/deprecations/countdown.js';
import { ProbeError } from '../../../functions/core/errors.js';
import { parseWatcherEvent } from '../../../functions/core/event-schema.js';
import { eventFactLines } from '../../../functions/core/fact-lines.js';
import type { EventSourceInfo } from '../../../functions/core/event-factory.js';
import type { WatcherEvent } from '../../../functions/core/model.js';
import { judgeDeprecations, type Judgement } from '../../../functions/sources/auth0-deprecations/judge.js';
import { readDeprecationsPage, type PageEntry } from '../../../functions/sources/auth0-deprecations/page.js';

const DIR = join(import.meta.dirname, '../../fixtures/auth0-tenant/deprecations');
const PAGE = 'https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations';
const URL_READ = `${PAGE}.md`;
const SOURCE: EventSourceInfo = { id: 'auth0-deprecations', type: 'auth0-deprecations', vendor: 'Auth0', url: PAGE };

function capture(date: string): readonly PageEntry[] {
  const name = {
    '2025-09-17': 'deprecations-and-migrations.2025-09-17.9cde02646.mdx',
    '2025-10-09': 'deprecations-and-migrations.2025-10-09.5da4ef878.mdx',
    '2025-10-20': 'deprecations-and-migrations.2025-10-20.fd8ce5185.mdx',
    '2025-11-03': 'deprecations-and-migrations.2025-11-03.0716e75c7.mdx',
    '2026-08-19': 'deprecations-and-migrations.2026-08-19.092f7114e.mdx',
  }[date]!;
  const read = readDeprecationsPage(readFileSync(join(DIR, name), 'utf8'), PAGE);
  if (!read.ok) throw new Error(read.reason);
  return read.entries;
}

const judge = (entries: readonly PageEntry[], previous: unknown, at: string): Judgement =>
  judgeDeprecations(entries, previous, { source: SOURCE, now: new Date(at), url: URL_READ });

const summary = (events: readonly WatcherEvent[]) =>
  events.map((event) => ({ type: event.type, itemId: event.itemId, severity: event.severity, deprecation: event.deprecation }));

/** Runs the judge every `stepHours` from `from` to `until` on one page; every event, in order. */
function runDaily(entries: readonly PageEntry[], from: string, until: string, previous?: unknown, stepHours = 12) {
  const events: WatcherEvent[] = [];
  let state: unknown = previous;
  for (let at = Date.parse(from); at <= Date.parse(until); at += stepHours * 3_600_000) {
    const judged = judge(entries, state, new Date(at).toISOString());
    events.push(...judged.events);
    state = judged.state;
  }
  return { events, state: state as DeprecationsProbeState };
}

describe('the end-of-life countdown', () => {
  it('counts whole UTC days and puts them in the nearest band not yet passed', () => {
    expect(daysUntil('2026-06-10', new Date('2026-06-09T23:59:00Z'))).toBe(1);
    expect(daysUntil('2026-06-10', new Date('2026-06-10T00:00:00Z'))).toBe(0);
    expect(daysUntil('2026-06-10', new Date('2026-06-11T08:00:00Z'))).toBe(-1);
    expect([120, 91, 90, 31, 30, 20, 8, 7, 1, 0, -1].map(eolBand)).toEqual([undefined, undefined, 90, 90, 30, 30, 30, 7, 7, 7, undefined]);
  });

  it('is silent about the entries on its first run, but for the one end of life already within 90 days (warned once)', () => {
    const first = judge(capture('2025-10-09'), undefined, '2025-10-10T06:00:00Z');
    expect(first.events.filter((event) => event.type === 'deprecation.announced')).toEqual([]);
    // Allow Omitting Password on SMTP…: end of life November 13, 2025, 34 days ahead; everything else passed or is "TBA".
    expect(summary(first.events)).toEqual([
      {
        type: 'deprecation.eol_approaching',
        itemId: 'allow-omitting-password-on-smtp-email-provider-host-related-changes',
        severity: 'info',
        deprecation: { deprecatedOn: '2025-05-13', endOfLife: '2025-11-13', daysLeft: 34 },
      },
    ]);
    expect(Object.keys(first.state.entries)).toHaveLength(14);
  });

  it('announces an entry not seen before, once, with its dates and days left (the page of 2025-10-20)', () => {
    const known = judge(capture('2025-10-09'), undefined, '2025-10-10T06:00:00Z').state;
    const next = judge(capture('2025-10-20'), known, '2025-10-21T06:00:00Z');
    expect(summary(next.events)).toEqual([
      {
        type: 'deprecation.announced',
        itemId: 'unconfirmed-login-with-non-verifiable-callback-uri-redirects',
        severity: 'info',
        deprecation: { deprecatedOn: '2025-10-28', endOfLife: '2026-04-28', daysLeft: 189 },
      },
      // Meanwhile the SMTP entry warned at 34 days on the first run has come within 30.
      {
        type: 'deprecation.eol_approaching',
        itemId: 'allow-omitting-password-on-smtp-email-provider-host-related-changes',
        severity: 'minor',
        deprecation: { deprecatedOn: '2025-05-13', endOfLife: '2025-11-13', daysLeft: 23 },
      },
    ]);
    expect(next.events[0]).toMatchObject({
      title: 'Unconfirmed Login with Non-Verifiable Callback URI Redirects',
      url: `${PAGE}#unconfirmed-login-with-non-verifiable-callback-uri-redirects`,
      source: 'auth0-deprecations',
      sourceType: 'auth0-deprecations',
    });
    expect(next.events[0]!.summary).toMatch(/^Deprecated on 2025-10-28; end of life on 2026-04-28 \(189 days left\)\. Auth0 recommends/);
    // The same page again: nothing new.
    expect(judge(capture('2025-10-20'), next.state, '2025-10-21T10:00:00Z').events).toEqual([]);
  });

  it('warns 90, 30 and 7 days before an end of life, each once, with the severity rising, over four months of runs twice a day', () => {
    const page = capture('2026-08-19');
    const { events } = runDaily(page, '2026-07-01T03:00:00Z', '2026-10-30T03:00:00Z');
    const thirdParty = events.filter((event) => event.itemId === 'enhanced-security-for-third-party-applications');
    expect(thirdParty.map((event) => [event.type, event.detectedAt.slice(0, 10), event.severity, event.deprecation?.daysLeft])).toEqual([
      ['deprecation.eol_approaching', '2026-07-25', 'info', 90],
      ['deprecation.eol_approaching', '2026-09-23', 'minor', 30],
      ['deprecation.eol_approaching', '2026-10-16', 'major', 7],
    ]);
    expect(thirdParty[2]!.summary).toMatch(/^End of life in 7 days, on 2026-10-23: the 7-day warning\./);
    // No entry is warned twice about one band, and ids are unique.
    const keys = events.map((event) => `${event.itemId}|${event.summary.match(/the (\d+)-day warning/)?.[1]}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    // Every event is a valid schema-version-1 event, as consumers parse it.
    for (const event of events) expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
  });

  it('tells an operator deploying 20 days before an end of life once (the 30-day warning), then at 7 days, never the missed 90', () => {
    const page = capture('2026-08-19');
    // Weak TLS 1.2 Cipher Suites: end of life June 10, 2026; the watcher first runs on May 21.
    const { events } = runDaily(page, '2026-05-21T09:00:00Z', '2026-06-12T09:00:00Z');
    const tls = events.filter((event) => event.itemId === 'weak-tls-12-cipher-suites');
    expect(tls.map((event) => [event.detectedAt.slice(0, 10), event.deprecation?.daysLeft, event.severity])).toEqual([
      ['2026-05-21', 20, 'minor'],
      ['2026-06-03', 7, 'major'],
    ]);
    expect(events.every((event) => event.type === 'deprecation.eol_approaching')).toBe(true);
  });

  it('restarts the countdown when the page moves an end of life, naming the date it moved from (April 24 → July 8, 2025)', () => {
    // The real pages of 2025-10-20 and 2025-11-03, judged as if read in the spring of 2025.
    const before = capture('2025-10-20');
    const after = capture('2025-11-03');
    const id = 'new-management-api-scopes-required-for-connection-options';
    const spring = runDaily(before, '2025-03-01T00:00:00Z', '2025-04-01T00:00:00Z');
    expect(spring.events.filter((event) => event.itemId === id).map((event) => event.deprecation?.daysLeft)).toEqual([54, 30]);
    expect(spring.state.entries[id]).toMatchObject({ endOfLife: '2025-04-24', warned: [90, 30] });

    const moved = judge(after, spring.state, '2025-04-02T00:00:00Z');
    expect(moved.events.filter((event) => event.itemId === id)).toEqual([]); // 97 days ahead: no band yet
    expect(moved.state.entries[id]).toMatchObject({ endOfLife: '2025-07-08', warned: [], movedFrom: '2025-04-24' });

    const later = runDaily(after, '2025-04-03T00:00:00Z', '2025-07-08T00:00:00Z', moved.state, 24);
    const warnings = later.events.filter((event) => event.itemId === id);
    expect(warnings.map((event) => [event.detectedAt.slice(0, 10), event.deprecation?.daysLeft])).toEqual([
      ['2025-04-09', 90],
      ['2025-06-08', 30],
      ['2025-07-01', 7],
    ]);
    expect(warnings[0]!.summary).toContain('on 2025-07-08 (moved from 2025-04-24)');
    const earlier = spring.events.filter((event) => event.itemId === id).map((event) => event.id);
    expect(warnings.some((event) => earlier.includes(event.id))).toBe(false);
  });

  it('reports an end of life written "TBA" and never counts down from it; a date given later starts the countdown', () => {
    const tba = judge(capture('2025-10-09'), undefined, '2025-10-10T00:00:00Z');
    expect(tba.unreadable).toEqual(['Rules and Hooks Deprecations: end of life "TBA" is not a date']);
    expect(tba.state.entries['rules-and-hooks-deprecations']).toMatchObject({ title: 'Rules and Hooks Deprecations', endOfLifeText: 'TBA' });
    expect(tba.state.entries['rules-and-hooks-deprecations']?.endOfLife).toBeUndefined();
    expect(tba.events.some((event) => event.itemId === 'rules-and-hooks-deprecations')).toBe(false);

    const dated = judge(capture('2025-10-20'), tba.state, '2025-10-21T00:00:00Z');
    expect(dated.unreadable).toEqual([]);
    expect(dated.state.entries['rules-and-hooks-deprecations']).toMatchObject({ endOfLife: '2026-11-18', warned: [], movedFrom: 'TBA' });
    const countdown = runDaily(capture('2025-10-20'), '2026-08-19T00:00:00Z', '2026-08-21T00:00:00Z', dated.state, 24);
    expect(countdown.events.filter((event) => event.itemId === 'rules-and-hooks-deprecations').map((event) => event.deprecation)).toEqual([
      { deprecatedOn: '2023-05-16', endOfLife: '2026-11-18', daysLeft: 90 },
    ]);
  });

  it('announces a new entry whose end of life is "TBA" saying so, without a date', () => {
    const withoutRules = capture('2025-10-09').filter((entry) => entry.id !== 'rules-and-hooks-deprecations');
    const known = judge(withoutRules, undefined, '2025-10-10T00:00:00Z').state;
    const next = judge(capture('2025-10-09'), known, '2025-10-10T04:00:00Z');
    expect(next.events).toHaveLength(1);
    expect(next.events[0]).toMatchObject({ type: 'deprecation.announced', itemId: 'rules-and-hooks-deprecations', deprecation: { deprecatedOn: '2023-05-16' } });
    expect(next.events[0]!.deprecation?.endOfLife).toBeUndefined();
    expect(next.events[0]!.summary).toContain('end of life "TBA" (not a date the watcher can read)');
  });

  it('keeps the countdown of a reworded heading ("Deprecate Opt-in to WCAG…" became "Opt-in to WCAG…") and announces only new entries', () => {
    const november = judge(capture('2025-11-03'), undefined, '2025-11-04T00:00:00Z').state;
    const august = judge(capture('2026-08-19'), november, '2026-08-20T00:00:00Z');
    const announced = august.events.filter((event) => event.type === 'deprecation.announced').map((event) => event.itemId);
    expect(announced).not.toContain('opt-in-to-wcag-22-aa-compliant-ui-for-universal-login');
    expect(august.state.entries['opt-in-to-wcag-22-aa-compliant-ui-for-universal-login']?.firstSeenAt).toBe('2025-11-04T00:00:00.000Z');
    expect(announced).toEqual([
      'uncapped-user-profile-data',
      'enhanced-security-for-third-party-applications',
      'legacy-management-of-connections-enabled-clients',
      'weak-tls-12-cipher-suites',
      'prompt-for-organization-name-without-sso',
      'audience-validation-for-private-key-jwt-authentication',
      'multiple-actions-for-custom-phone-and-email-provider-triggers',
      'uncustomizable-brute-force-protection-unblock-email-flow',
      'field-fromsandbox-in-authentication-api-error-responses',
      'unrestricted-offset-pagination-in-connections-management-api',
    ]);
    expect(august.removed).toEqual([
      'Unwarranted Session Removal After Management API User Updates',
      'Mandatory Use of SNI for HTTPS requests',
      'Protected Properties in Non-Custom Social Connections',
      'Always Use HTTPS for Communication with Auth0',
      'Management API Transition: Updating Roles Assignment to Require Create Scope',
      'Update Applications that use Cross-Origin Authentication',
    ]);
  });

  it('fails on a page without entries, naming the URL and how many the last read listed, on the first run too', () => {
    const known = judge(capture('2025-11-03'), undefined, '2025-11-04T00:00:00Z').state;
    expect(() => judge([], known, '2025-11-05T00:00:00Z')).toThrowError(
      new ProbeError(URL_READ, 'the page lists no deprecations where the last read listed 15: its format may have changed'),
    );
    try {
      judge([], undefined, '2025-11-05T00:00:00Z');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProbeError);
      expect((error as ProbeError).url).toBe(URL_READ);
      expect((error as ProbeError).reason).toBe('the page lists no deprecations: its format may have changed');
    }
  });

  it('lays out a warning\'s dates as fact lines for emails and Slack, the days left in words', () => {
    const tls = runDaily(capture('2026-08-19'), '2026-06-09T09:00:00Z', '2026-06-10T09:00:00Z', undefined, 24).events.filter(
      (event) => event.itemId === 'weak-tls-12-cipher-suites',
    );
    expect(tls.map((event) => eventFactLines(event))).toEqual([
      [
        ['Deprecated', '2025-12-10'],
        ['End of life', '2026-06-10 (1 day left)'],
      ],
    ]);
    expect(eventFactLines({ deprecation: { endOfLife: '2026-06-10', daysLeft: 0 } })).toEqual([['End of life', '2026-06-10 (today)']]);
  });

  it('keeps its state small: the whole current page in under 8 KB of JSON', () => {
    const { state } = judge(capture('2026-08-19'), undefined, '2026-08-20T00:00:00Z');
    const bytes = Buffer.byteLength(JSON.stringify(state));
    expect(bytes).toBeLessThan(8 * 1024);
  });
});
