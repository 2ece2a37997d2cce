// An incident's history on its events: the earlier updates (newest first, bounded) and its start, read from real Auth0
// incidents; emails listing them compactly, and resolutions saying how long the incident lasted in email, Slack and
// the digest.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../functions/core/digest.js';
import { EARLIER_UPDATE_CHARS, renderEmailText } from '../../functions/core/event-text.js';
import type { IncidentItem, ItemUpdate, WatcherEvent } from '../../functions/core/model.js';
import { renderReply, renderRoot, renderStandalone, threadStateFrom } from '../../functions/core/slack-message.js';
import { EVENT_BUDGETS, fitItemEvents } from '../../functions/core/text/event-budgets.js';
import { lastedText } from '../../functions/core/text/time.js';
import { utf8Bytes } from '../../functions/core/text/truncate.js';
import type { Auth0StatusSourceConfig } from '../../functions/sources/auth0-status/config-schema.js';
import { auth0StatusSource } from '../../functions/sources/auth0-status/plugin.js';
import { itemUpdate, playAuth0Us1Polls, publicCloudIncident } from '../support/diff-context.js';
import { sampleEvent } from '../support/sample-event.js';

const config: Auth0StatusSourceConfig = {
  id: 'auth0-status-us-1',
  type: 'auth0-status',
  url: 'https://status.auth0.com/feed?domain=example.auth0.com',
  region: 'US-1',
};

/** The incidents of a real snapshot (test/fixtures/auth0-status/README.md: real Auth0 incidents of January 2021). */
function incidents(name: string): IncidentItem[] {
  const body = readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
  const result = auth0StatusSource.parse([{ url: config.url, finalUrl: config.url, contentType: 'application/atom+xml', body }], config);
  if (!result.ok) throw new Error(`expected ${name} to parse: ${result.reason}`);
  return result.items as IncidentItem[];
}

/** The real CORS incident rx8wtk8svly4: seen open at 15:30 (four updates), resolved by 18:30. */
function realPolls(): WatcherEvent[] {
  return playAuth0Us1Polls([
    { now: '2021-01-20T15:30:00Z', baseline: true, items: incidents('real-seq-02-2021-01-20T1530.atom') },
    { now: '2021-01-20T18:30:00Z', items: incidents('real-seq-03-2021-01-20T1830.atom') },
  ]).flatMap((poll) => poll.events);
}

const CORS = 'rx8wtk8svly4';

describe('incident events carry their history', () => {
  it('lists the updates before the one the event is about, newest first, and the start the first update gives', () => {
    const resolved = realPolls().find((event) => event.itemId === CORS && event.type === 'incident.resolved')!;
    expect(resolved.update?.label).toBe('Resolved');
    expect(resolved.earlierUpdates?.map((update) => [update.label, update.at])).toEqual([
      ['Monitoring', '2021-01-20T14:47:00.000Z'],
      ['Update', '2021-01-20T13:48:00.000Z'],
      ['Identified', '2021-01-20T12:57:00.000Z'],
      ['Investigating', '2021-01-20T12:19:00.000Z'],
    ]);
    expect(resolved.startedAt).toBe('2021-01-20T12:19:00.000Z');
    // The opening seen mid-incident carries the same start as its occurredAt.
    const opened = realPolls().find((event) => event.itemId === CORS && event.type === 'incident.opened')!;
    expect(opened.startedAt).toBe(opened.occurredAt);
    expect(opened.earlierUpdates?.map((update) => update.label)).toEqual(['Update', 'Identified', 'Investigating']);
  });

  it('bounds the list to the newest updates, each text cut to its budget', () => {
    const long = 'The database cluster is being failed over to the standby region while traffic drains. '.repeat(40);
    const updates: ItemUpdate[] = Array.from({ length: 25 }, (_, i) =>
      itemUpdate(i === 0 ? 'Resolved' : 'Update', new Date(Date.UTC(2026, 3, 22, 8, 0) + (25 - i) * 600_000).toISOString(), long),
    );
    const [first, second] = playAuth0Us1Polls([
      { now: '2026-04-22T12:00:00Z', baseline: true, items: [publicCloudIncident(updates.slice(1))] },
      { now: '2026-04-22T13:00:00Z', items: [publicCloudIncident(updates)] },
    ]);
    expect(first!.events.map((event) => event.type)).toEqual(['incident.opened']);
    const resolved = second!.events[0]!;
    expect(resolved.type).toBe('incident.resolved');
    expect(resolved.earlierUpdates).toHaveLength(EVENT_BUDGETS.maxEarlierUpdates);
    expect(resolved.earlierUpdates!.map((update) => update.at)).toEqual(updates.slice(1, 11).map((update) => update.at));
    for (const update of resolved.earlierUpdates!) expect(utf8Bytes(update.text)).toBeLessThanOrEqual(EVENT_BUDGETS.earlierUpdateTextBytes);
  });

  it('leaves the earlier updates out before cutting update texts when one poll\'s events outgrow the outbox budget', () => {
    const earlier = Array.from({ length: 10 }, (_, i) => itemUpdate('Update', `2026-04-22T1${i}:00:00Z`, 'x'.repeat(400)));
    const events = Array.from({ length: 4 }, (_, i) => sampleEvent({ id: `e${i}`, earlierUpdates: earlier }));
    const total = events.reduce((sum, event) => sum + utf8Bytes(JSON.stringify(event)), 0);
    const fitted = fitItemEvents(events, total - 1);
    expect(fitted.every((event) => event.earlierUpdates === undefined)).toBe(true);
    expect(fitted.map((event) => event.update?.text)).toEqual(events.map((event) => event.update?.text));
  });
});

describe('emails carry the incident\'s updates, compactly', () => {
  it('lists the earlier updates newest first under the latest, each with its label, time and first words', () => {
    const resolved = realPolls().find((event) => event.itemId === CORS && event.type === 'incident.resolved')!;
    const lines = renderEmailText(resolved).split('\n');
    const start = lines.indexOf('Earlier updates (newest first):');
    expect(start).toBeGreaterThan(lines.findIndex((line) => line.startsWith('Latest update (Resolved, 2021-01-20 18:11 UTC)')));
    const heads = lines.slice(start).filter((line) => line.startsWith('  - '));
    expect(heads).toEqual([
      '  - Monitoring, 2021-01-20 14:47 UTC:',
      '  - Update, 2021-01-20 13:48 UTC:',
      '  - Identified, 2021-01-20 12:57 UTC:',
      '  - Investigating, 2021-01-20 12:19 UTC:',
    ]);
    expect(lines[start + 2]).toBe('    The fix has finished being deployed and we are monitoring the results');
  });

  it('shows only the first characters of a long earlier update and stays within the byte budget', () => {
    const earlier = [itemUpdate('Identified', '2026-04-22T19:40:00Z', `${'Failover in progress; '.repeat(100)}END`)];
    const body = renderEmailText(sampleEvent({ earlierUpdates: earlier }));
    const text = body.split('Earlier updates (newest first):\n')[1]!.split('\n\nLink:')[0]!;
    expect(text).not.toContain('END');
    expect(text.replace(/\s+/g, ' ').length).toBeLessThan(EARLIER_UPDATE_CHARS + 60);
    expect(utf8Bytes(renderEmailText(sampleEvent({ earlierUpdates: earlier }), { maxBytes: 2_000 }))).toBeLessThanOrEqual(2_000);
  });

  it('says nothing of earlier updates when there were none', () => {
    expect(renderEmailText(sampleEvent())).not.toContain('Earlier updates');
  });
});

describe('resolutions say how long the incident lasted', () => {
  it('words a duration in hours and minutes, and gives none for an unreadable or missing stamp', () => {
    expect(lastedText('2021-01-20T12:19:00Z', '2021-01-20T18:11:00Z')).toBe('5 h 52 min');
    expect(lastedText(undefined, '2021-01-20T18:11:00Z')).toBeUndefined();
    expect(lastedText('sometime', '2021-01-20T18:11:00Z')).toBeUndefined();
  });

  it('in the email, from the incident\'s start to the resolving update, in the configured zone', () => {
    const resolved = realPolls().find((event) => event.itemId === CORS && event.type === 'incident.resolved')!;
    expect(renderEmailText(resolved).split('\n')).toContain('Resolved after 5 h 52 min (began 2021-01-20 12:19 UTC)');
    expect(renderEmailText(resolved, { timeZone: 'Europe/Berlin' }).split('\n')).toContain(
      'Resolved after 5 h 52 min (began 2021-01-20 13:19 CET)',
    );
    // Not on an update, nor on a resolution that does not say when the incident began.
    const opened = realPolls().find((event) => event.itemId === CORS && event.type === 'incident.opened')!;
    expect(renderEmailText(opened)).not.toContain('Resolved after');
    expect(renderEmailText(sampleEvent())).not.toContain('Resolved after');
  });

  it('in Slack: the resolution reply, the thread root and the webhook post', () => {
    const events = realPolls().filter((event) => event.itemId === CORS);
    const [opened, resolved] = [events[0]!, events[1]!];
    const replyHead = (message: ReturnType<typeof renderReply>): string =>
      (message.blocks[0] as { text: { text: string } }).text.text.split('\n')[0]!;
    expect(replyHead(renderReply(resolved))).toMatch(/^\*✅ Resolved after 5 h 52 min\* · <!date\^/);
    // A resolution without a start of its own counts from when the thread opened.
    const { startedAt: _start, ...withoutStart } = resolved;
    expect(replyHead(renderReply(withoutStart, { openedAt: '2021-01-20T17:11:00Z' }))).toMatch(/^\*✅ Resolved after 1 h\* · /);
    expect(replyHead(renderReply(withoutStart))).toMatch(/^\*✅ Resolved\* · /);

    const status = (message: ReturnType<typeof renderRoot>): string | undefined =>
      JSON.stringify(message.blocks).match(/\*Status\*\\n([^"]*)"/)?.[1];
    expect(status(renderRoot(threadStateFrom(threadStateFrom(undefined, opened), resolved)))).toBe('Resolved after 5 h 52 min');
    expect(status(renderStandalone(resolved))).toBe('Resolved after 5 h 52 min');
    // A post that knows only the resolution knows no start: no "after less than 1 min".
    expect(status(renderStandalone(withoutStart))).toBe('Resolved');
    expect(replyHead(renderReply(withoutStart, { openedAt: withoutStart.occurredAt }))).toMatch(/^\*✅ Resolved\* · /);
    expect(status(renderRoot(threadStateFrom(undefined, opened)))).toBe('Monitoring');
  });

  it('in the digest, from the resolution\'s own start when the log holds no earlier event of the incident', () => {
    const resolved = realPolls().find((event) => event.itemId === CORS && event.type === 'incident.resolved')!;
    const digest = renderDigest({
      frequency: 'daily',
      from: '2021-01-20T08:00:00.000Z',
      to: '2021-01-21T08:00:00.000Z',
      generatedAt: '2021-01-21T08:00:02.000Z',
      timeZone: 'UTC',
      events: [resolved],
      openItems: [],
      rcaOwed: [],
      sources: [],
    });
    expect(digest.text).toContain('Resolved 2021-01-20 18:11 UTC after 5 h 52 min');
  });
});
