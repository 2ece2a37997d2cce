// The Slack status board, pure: the fold of the route's events into rows (real Auth0 incidents of January 2021, the
// synthetic login judged on real-shaped token-endpoint answers, the watcher's own health) and its Block Kit rendering.
import { describe, expect, it } from 'vitest';
import { testEvent } from '../../functions/core/delivery-check.js';
import { recordFailure, recordSuccess } from '../../functions/core/source-health.js';
import { EMPTY_SOURCE_STATE } from '../../functions/core/tracked.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { boardStateFrom, EMPTY_BOARD, orderedRows, rowLight, type BoardState } from '../../functions/core/slack-board.js';
import { boardLine, renderBoard, slackPermalink } from '../../functions/core/slack-board-render.js';
import { SLACK_MAX_BLOCKS, SLACK_SECTION_TEXT_MAX_CHARS } from '../../functions/core/slack-blocks.js';
import { realAuth0IncidentEvents, realIncident } from '../support/real-auth0-incident.js';
import { sampleEvent } from '../support/sample-event.js';
import { syntheticLoginEvents } from '../support/synthetic-login-events.js';
import { boardRowSeeds } from '../../functions/config/board-rows.js';
import { parseConfig } from '../../functions/config/config.js';

const CHANNEL = 'C0HELPDESK';
const fold = (events: readonly WatcherEvent[], from: BoardState = EMPTY_BOARD, ts = (e: WatcherEvent) => `1611145000.${e.itemId.length}00000`) =>
  events.reduce((state, event) => boardStateFrom(state, event, ts(event)), from);

const syntheticEvents = syntheticLoginEvents;

describe('the board folded from the route events', () => {
  const [opened, , , , ...rest] = realIncident();
  const incident = realIncident();

  it('turns the Auth0 region amber while a major incident is open, and green once it is resolved', () => {
    const open = fold(incident.slice(0, 4));
    expect(rowLight(open.rows['auth0:US-1']!)).toBe('amber');
    const resolved = fold(incident);
    expect(rowLight(resolved.rows['auth0:US-1']!)).toBe('green');
    expect(orderedRows(resolved).map((row) => row.name)).toEqual(['Auth0 US-1']);
    expect(opened!.type).toBe('incident.opened');
    expect(rest.at(-1)!.type).toBe('incident.resolved');
  });

  it('turns the region red while a critical incident is open beside a major one, worst first', () => {
    const all = realAuth0IncidentEvents();
    // Up to the critical incident's opening (the second event announced): one major and one critical open.
    const state = fold(all.slice(0, 2));
    expect(rowLight(state.rows['auth0:US-1']!)).toBe('red');
    expect(boardLine(state.rows['auth0:US-1']!, CHANNEL)).toMatch(/^🔴 \*Auth0 US-1\* · critical, monitoring: <https:\/\/slack.com\/archives\/C0HELPDESK\/p/);
    // The whole history: everything resolved, green.
    expect(rowLight(fold(all).rows['auth0:US-1']!)).toBe('green');
  });

  it('leaves a resolved incident resolved when an older update of it arrives late, or the resolution is redelivered', () => {
    const resolved = fold(incident);
    const rootTs = Object.values(resolved.rows['auth0:US-1']!.items)[0]!.threadTs;
    const late = boardStateFrom(resolved, incident[2]!, rootTs);
    expect(rowLight(late.rows['auth0:US-1']!)).toBe('green');
    expect(boardStateFrom(resolved, incident.at(-1)!, rootTs)).toEqual(resolved);
  });

  it('gives the same board whatever order a batch of an incident events arrives in', () => {
    expect(fold([...incident].reverse())).toEqual(fold(incident));
  });

  it('keeps a row per dependency source, named by its vendor', () => {
    const github = sampleEvent({ id: 'gh-1', type: 'incident.opened', vendor: 'GitHub', source: 'github', sourceType: 'statuspage', severity: 'minor', status: 'investigating', regions: [] });
    const state = fold([github]);
    expect(rowLight(state.rows['dependency:github']!)).toBe('amber');
    expect(state.rows['dependency:github']).toMatchObject({ kind: 'dependency', name: 'GitHub' });
  });

  it('shows the configured rows from the start, green, and the heard ones in their place without repeating them', () => {
    const seeds = boardRowSeeds(
      parseConfig(
        {
          sources: [
            { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=acme.us.auth0.com', region: 'US-1' },
            { id: 'auth0-status-eu-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=acme.eu.auth0.com', region: 'EU-1' },
            { id: 'github', type: 'statuspage', url: 'https://www.githubstatus.com/history.atom', vendor: 'GitHub' },
            { id: 'login-us', type: 'auth0-synthetic-login', url: 'https://acme.us.auth0.com' },
            { id: 'auth0-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' },
          ],
        },
        '/tmp',
      ).sources,
    );
    expect(seeds.map((seed) => seed.key)).toEqual(['auth0:US-1', 'auth0:EU-1', 'dependency:github', 'synthetic:login-us', 'watcher']);
    const quiet = renderBoard(EMPTY_BOARD, CHANNEL, seeds);
    const text = JSON.stringify(quiet.blocks);
    for (const name of ['Auth0 US-1', 'Auth0 EU-1', 'GitHub', 'Synthetic login (login-us)', 'Watcher']) expect(text).toContain(`🟢 *${name}*`);
    expect(quiet.text).toBe('Status board: 0 red, 0 amber, 5 green');
    const github = sampleEvent({ id: 'gh-1', type: 'incident.opened', vendor: 'GitHub', source: 'github', sourceType: 'statuspage', severity: 'minor', status: 'investigating', regions: [] });
    const heard = renderBoard(fold([github]), CHANNEL, seeds);
    expect(heard.text).toBe('Status board: 0 red, 1 amber, 4 green');
    expect(orderedRows(fold([github]), seeds).map((row) => row.name)).toEqual(['Auth0 EU-1', 'Auth0 US-1', 'GitHub', 'Synthetic login (login-us)', 'Watcher']);
  });

  it('turns the synthetic login red when the probe fails (503 twice) and green when it logs in again (200)', () => {
    const events = syntheticEvents(['503.temporarily_unavailable', '503.temporarily_unavailable', '200']);
    expect(events.map((e) => e.type)).toEqual(['synthetic.failing', 'synthetic.recovered']);
    const failing = fold(events.slice(0, 1));
    expect(rowLight(failing.rows['synthetic:login-us']!)).toBe('red');
    expect(boardLine(failing.rows['synthetic:login-us']!, CHANNEL)).toContain('login failing');
    expect(rowLight(fold(events).rows['synthetic:login-us']!)).toBe('green');
  });

  it('shows the watcher red while it cannot read a source, and green once it reads it again', () => {
    const source = { id: 'github', type: 'statuspage', vendor: 'GitHub', url: 'https://www.githubstatus.com/history.atom', name: 'GitHub status' };
    const failed = recordFailure(EMPTY_SOURCE_STATE, source, { url: source.url, reason: 'HTTP 503' }, new Date('2026-11-20T10:00:00Z'), 1);
    const recovered = recordSuccess(failed.state, source, new Date('2026-11-20T10:05:00Z'));
    const failing = fold(failed.events);
    expect(Object.keys(failing.rows)).toEqual(['watcher']);
    expect(rowLight(failing.rows['watcher']!)).toBe('red');
    expect(rowLight(fold([...failed.events, ...recovered.events]).rows['watcher']!)).toBe('green');
  });

  it('shows a failing tenant check red and a passing one green', () => {
    const failed = sampleEvent({ id: 'chk-1', type: 'tenant.check_failed', source: 'checks', sourceType: 'auth0-tenant-checks', itemId: 'email-provider', check: 'email-provider', severity: 'major', occurredAt: '2026-11-20T10:00:00Z' });
    const passed = { ...failed, id: 'chk-2', type: 'tenant.check_passed' as const, occurredAt: '2026-11-20T11:00:00Z' };
    expect(rowLight(fold([failed]).rows['checks:checks']!)).toBe('red');
    expect(rowLight(fold([failed, passed]).rows['checks:checks']!)).toBe('green');
  });

  it('leaves the board unchanged for families it does not show (change log, advisories)', () => {
    const changelog = sampleEvent({ type: 'changelog.published', itemId: 'x' });
    expect(boardStateFrom(EMPTY_BOARD, changelog)).toBe(EMPTY_BOARD);
  });

  it('leaves the board unchanged for the test event of npm start -- test, which nothing ever resolves', () => {
    const test = testEvent({ runId: 'r1', now: new Date('2026-11-20T10:00:00Z') });
    expect(test.type).toBe('incident.opened');
    expect(boardStateFrom(EMPTY_BOARD, test)).toBe(EMPTY_BOARD);
  });
});

describe('the board rendered', () => {
  it('lists rows in order (Auth0, dependencies, probes, checks, watcher) with their light, name and thread link', () => {
    const incident = realIncident();
    const github = sampleEvent({ id: 'gh-1', type: 'incident.opened', vendor: 'GitHub', source: 'github', sourceType: 'statuspage', itemId: 'gh', severity: 'critical', status: 'investigating' });
    const state = fold([...incident.slice(0, 2), github], EMPTY_BOARD, (e) => (e.itemId === 'gh' ? '1763634000.000200' : '1611145000.000100'));
    const rendered = renderBoard(state, CHANNEL);
    const text = JSON.stringify(rendered.blocks);
    expect(rendered.text).toBe('Status board: 1 red, 1 amber, 0 green');
    expect((rendered.blocks[0] as { text: { text: string } }).text.text).toBe('🔴 Status board');
    const lines = (rendered.blocks[1] as { text: { text: string } }).text.text.split('\n');
    expect(lines[0]).toMatch(/^🟠 \*Auth0 US-1\* · major, monitoring: <https:\/\/slack.com\/archives\/C0HELPDESK\/p1611145000000100\|/);
    expect(lines[1]).toMatch(/^🔴 \*GitHub\* · critical, investigating: <https:\/\/slack.com\/archives\/C0HELPDESK\/p1763634000000200\|/);
    expect(text).toContain('Updated ');
  });

  it('builds the permalink from the channel and the ts without its dot', () => {
    expect(slackPermalink('C0HELPDESK', '1611145000.000100')).toBe('https://slack.com/archives/C0HELPDESK/p1611145000000100');
  });

  it('escapes vendor text: a hostile vendor name and title cannot mention or link', () => {
    const hostile = sampleEvent({ type: 'incident.opened', vendor: '<!channel> Evil', title: '<http://evil.example|log in> @here', status: 'investigating' });
    const line = boardLine(fold([hostile]).rows[`dependency:${hostile.source}`]!, CHANNEL);
    expect(line).not.toContain('<!channel>');
    expect(line).toContain('&lt;!channel&gt; Evil');
    expect(line).not.toContain('<http://evil.example');
    expect(line).not.toMatch(/@here/);
  });

  it('stays within 50 blocks and 3,000 characters a section with a thousand rows, saying how many are not shown', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      sampleEvent({ id: `e${i}`, type: 'incident.opened', vendor: `Vendor ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`, source: `s${i}`, itemId: `i${i}`, title: 'T'.repeat(200), severity: 'major', status: 'investigating' }),
    );
    const rendered = renderBoard(fold(many), CHANNEL);
    expect(rendered.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    for (const block of rendered.blocks as Array<{ text?: { text: string } }>) {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX_CHARS);
    }
    expect(JSON.stringify(rendered.blocks)).toMatch(/more rows not shown/);
  });

  it('says nothing was heard yet on a board without rows', () => {
    const rendered = renderBoard(EMPTY_BOARD, CHANNEL);
    expect(rendered.text).toBe('Status board: 0 red, 0 amber, 0 green');
    expect(JSON.stringify(rendered.blocks)).toContain('Nothing heard yet');
  });
});
