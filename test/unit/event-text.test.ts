import { describe, expect, it } from 'vitest';
import { EMAIL_BODY_MAX_BYTES, renderEmailText, renderSubject } from '../../functions/core/event-text.js';
import { describeEventType } from '../../functions/core/event-types.js';
import { EVENT_TYPES, type EventType, type WatcherEvent } from '../../functions/core/model.js';
import { SUBJECT_MAX_CHARS } from '../../functions/core/text/subject.js';
import { TRUNCATION_MARK } from '../../functions/core/text/truncate.js';
import { sampleEvent } from '../support/sample-event.js';

const makeEvent = sampleEvent;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

describe('renderSubject', () => {
  it('names severity, vendor, what happened and the title', () => {
    expect(renderSubject(makeEvent())).toBe('[CRITICAL] Auth0 incident resolved: Elevated Errors on Public Cloud');
  });

  it('shortens a long title with an ellipsis so the subject stays under 100 characters', () => {
    const title = 'Elevated error rates and increased latency for Authentication API, Management API and Universal Login in US-1';
    const subject = renderSubject(makeEvent({ title }));
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
    expect(subject).toMatch(/^\[CRITICAL\] Auth0 incident resolved: Elevated error rates .*\.\.\.$/);
  });

  it('folds line breaks and drops control characters so a vendor title cannot add header lines', () => {
    const title = 'Elevated errors\r\nBcc: attacker@example.com\n\nX-Injected: yes\u0000\u0007\t\u2028done';
    const subject = renderSubject(makeEvent({ title }));
    expect(subject).not.toMatch(/[\r\n\u0000-\u001F\u007F\u2028]/);
    expect(subject).toBe('[CRITICAL] Auth0 incident resolved: Elevated errors Bcc: attacker@example.com X-Injected: yes done');
  });

  it('transliterates typographic punctuation and accents to printable ASCII', () => {
    const title = 'Auth0’s “Login” — degraded in São Paulo…';
    const subject = renderSubject(makeEvent({ title }));
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject).toBe('[CRITICAL] Auth0 incident resolved: Auth0\'s "Login" - degraded in Sao Paulo...');
  });

  it('stays printable ASCII under 100 characters for a long hostile title and vendor', () => {
    const event = makeEvent({
      vendor: 'Évil\nVendor™ '.repeat(20),
      title: '認証エラー\u202Eevil\r\n'.repeat(50) + '🔥'.repeat(80),
      severity: 'minor',
    });
    const subject = renderSubject(event);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.startsWith('[MINOR] Evil Vendor')).toBe(true);
  });

  it('falls back to "(untitled)" when the title is only white space', () => {
    expect(renderSubject(makeEvent({ title: ' \n\t ' }))).toBe('[CRITICAL] Auth0 incident resolved: (untitled)');
  });
});

describe('renderEmailText', () => {
  it.each(EVENT_TYPES.map((type) => [type]))('renders %s as readable text with status, regions, UTC time, source and link', (type: EventType) => {
    const event = makeEvent({ type, id: `auth0-status-us-1:rb4z1181bd4z:${type}`, regions: ['US-1', 'EU-1'] });
    const body = renderEmailText(event);
    const lines = body.split('\n');
    // The watcher's own health is the watcher's, not the vendor's (a title not naming the watcher is led by "Watcher:").
    const headline = type.startsWith('source.') ? 'Watcher: Elevated Errors on Public Cloud' : `Auth0 ${describeEventType(type)}: Elevated Errors on Public Cloud`;
    expect(lines[0]).toBe(headline);
    expect(lines).toContain('Status: resolved');
    expect(lines).toContain('Severity: critical');
    expect(lines).toContain('Regions: US-1, EU-1');
    expect(lines).toContain('When: 2026-04-22 20:14 UTC');
    expect(lines).toContain('Source: auth0-status-us-1 (Auth0)');
    expect(lines).toContain('Link: https://status.auth0.com/incidents/rb4z1181bd4z');
    expect(lines).toContain('Sent by auth0-ops-watcher.');
    expect(lines).toContain(`Event id: auth0-status-us-1:rb4z1181bd4z:${type} (${type})`);
    expect(body).not.toContain('{"');
  });

  it('gives every event type its own human phrase', () => {
    const phrases = EVENT_TYPES.map(describeEventType);
    expect(new Set(phrases).size).toBe(EVENT_TYPES.length);
    expect(phrases).toContain('root-cause analysis published');
    expect(phrases).toContain('change-log entry');
    expect(phrases).toContain('security advisory');
    expect(phrases).toContain('source failing');
  });

  it('shows the latest update with its label, UTC time and text', () => {
    const body = renderEmailText(makeEvent());
    expect(body).toContain('Latest update (Resolved, 2026-04-22 20:14 UTC):\n  This incident has been resolved.');
  });

  it('shows the summary when the event carries no update', () => {
    const { update: _update, ...rest } = makeEvent();
    const body = renderEmailText(rest);
    expect(body).toContain('Summary:\n  Auth0 resolved the incident "Elevated Errors on Public Cloud" affecting\n  US-1.\n');
    expect(body).not.toContain('Latest update');
  });

  it('states what the event type implies when the vendor gave no status, and when no regions are named', () => {
    const { status: _status, regions: _regions, ...rest } = makeEvent({ type: 'maintenance.started' });
    const body = renderEmailText(rest);
    expect(body).toContain('Status: in progress\n');
    expect(body).toContain('Regions: none named\n');
  });

  it('lists the change type of a change-log entry and flags the ones needing attention', () => {
    const event = makeEvent({
      type: 'changelog.published',
      source: 'auth0-changelog',
      title: 'Deprecation of the legacy /userinfo response shape',
      url: 'https://auth0.com/changelog#legacy-userinfo',
      changeType: 'deprecated',
      severity: 'major',
    });
    expect(renderEmailText(event)).toContain('Change type: deprecated (needs attention)\n');
    expect(renderEmailText({ ...event, changeType: 'added' })).toContain('Change type: added\n');
  });

  it('lists affected packages with vulnerable range and first patched version', () => {
    const event = makeEvent({
      type: 'advisory.published',
      source: 'github-advisories',
      title: 'auth0 SDK leaks refresh tokens in debug logs',
      url: 'https://github.com/advisories/GHSA-5r2p-j47h-mhpg',
      severity: 'major',
      packages: [
        { ecosystem: 'npm', name: 'auth0', vulnerableRange: '>= 4.0.0, < 4.3.1', firstPatchedVersion: '4.3.1' },
        { ecosystem: 'npm', name: 'express-openid-connect', vulnerableRange: '< 2.17.2' },
      ],
    });
    const body = renderEmailText(event);
    expect(body).toContain('Affected packages:\n');
    expect(body).toContain('  - auth0 (npm): vulnerable >= 4.0.0, < 4.3.1; first patched 4.3.1\n');
    expect(body).toContain('  - express-openid-connect (npm): vulnerable < 2.17.2; no patched version\n    yet\n');
  });

  it('keeps vendor text indented on its own lines so it cannot pose as a Link or Status line', () => {
    const text = 'Fixed.\r\n\r\nLink: https://evil.example/login\nStatus: all good\u0000\u001B[31m';
    const body = renderEmailText(makeEvent({ update: { label: 'Resolved', at: '2026-04-22T20:14:05Z', text } }));
    const lines = body.split('\n');
    expect(lines.filter((line) => line.startsWith('Link:'))).toEqual([
      'Link: https://status.auth0.com/incidents/rb4z1181bd4z',
    ]);
    expect(lines.filter((line) => line.startsWith('Status:'))).toEqual(['Status: resolved']);
    expect(body).toContain('  Fixed. Link: https://evil.example/login Status: all good[31m');
    expect(body).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F]/);
  });

  it('wraps the update text at 76 columns, indented under its heading', () => {
    const text = 'We are continuing to monitor the recovery of the Authentication API. '.repeat(20);
    const body = renderEmailText(makeEvent({ update: { label: 'Monitoring', at: '2026-04-22T19:58:00Z', text } }));
    const paragraph = body.split('\n').filter((line) => line.startsWith('  '));
    expect(paragraph.length).toBeGreaterThan(15);
    for (const line of paragraph) expect(line.length).toBeLessThanOrEqual(76);
    expect(paragraph.join(' ').replace(/ +/g, ' ').trim()).toBe(text.trim());
  });

  it('cuts a huge update text so the body stays under 200 KB, keeping the link and footer', () => {
    const text = 'Timeline of the incident with every request id we observed: req_9f8e7d6c5b4a. '.repeat(4_000);
    const body = renderEmailText(makeEvent({ update: { label: 'Postmortem', at: '2026-04-24T09:00:00Z', text } }));
    expect(bytes(text)).toBeGreaterThan(300_000);
    expect(bytes(body)).toBeLessThanOrEqual(EMAIL_BODY_MAX_BYTES);
    expect(body).toContain('(truncated, see link)');
    expect(body).toContain('Link: https://status.auth0.com/incidents/rb4z1181bd4z\n');
    expect(body).toContain('Sent by auth0-ops-watcher.');
  });

  it('honours a smaller byte budget when asked', () => {
    const text = 'ü'.repeat(50_000);
    const body = renderEmailText(makeEvent({ update: { label: 'Update', at: '2026-04-22T19:40:00Z', text } }), {
      maxBytes: 10_000,
    });
    expect(bytes(body)).toBeLessThanOrEqual(10_000);
    expect(body).toContain(TRUNCATION_MARK);
  });

  it('shows an unreadable timestamp as given rather than "Invalid Date"', () => {
    const body = renderEmailText(makeEvent({ occurredAt: 'Tue, 22 Apr 2026 late evening' }));
    expect(body).toContain('When: Tue, 22 Apr 2026 late evening\n');
    expect(body).not.toContain('Invalid Date');
  });
});
