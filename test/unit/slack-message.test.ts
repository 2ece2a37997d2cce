import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type AffectedPackage, type EventType, type WatcherEvent } from '../../functions/core/model.js';
import type { SlackMessage } from '../../functions/core/ports.js';
import {
  SLACK_FIELD_MAX_CHARS,
  SLACK_HEADER_MAX_CHARS,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_FIELDS,
  SLACK_SECTION_TEXT_MAX_CHARS,
  SLACK_TEXT_MAX_CHARS,
  escapeSlackText,
  renderReply,
  renderRoot,
  renderStandalone,
  slackLink,
  threadStateFrom,
  type ThreadState,
} from '../../functions/core/slack-message.js';
import { sampleEvent } from '../support/sample-event.js';

const URL_ = 'https://status.auth0.com/incidents/rb4z1181bd4z';
const READ_MORE = `… <${URL_}|read more>`;
/** Slack's date formatting as the renderers write it: Unix seconds, the tokens, and the UTC text as the fallback. */
const SLACK_DATE = /<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC>/g;
const LINK = `<${URL_}|View on status.auth0.com>`;

/**
 * `2026-04-22 19:50` (UTC, `seconds` past the minute) as the renderers show a time: a Slack date token of the exact
 * Unix time, with the UTC text to the minute as its fallback.
 */
function slackDate(utc: string, seconds = 0): string {
  return `<!date^${Date.parse(`${utc.replace(' ', 'T')}:00Z`) / 1000 + seconds}^{date_short_pretty} {time}|${utc} UTC>`;
}

/** An Auth0 status event of `type`, with the given update as its latest; other fields realistic. */
function incident(type: EventType, label: string, at: string, text: string, overrides: Partial<WatcherEvent> = {}): WatcherEvent {
  return sampleEvent({
    id: `auth0-status-us-1:rb4z1181bd4z:${type}:${at}`,
    type,
    occurredAt: at,
    status: label.toLowerCase().replace(/\s+/g, '_'),
    summary: `${label}: ${text}`,
    update: { label, at, text },
    ...overrides,
  });
}

const opened = incident(
  'incident.opened',
  'Investigating',
  '2026-04-22T19:02:00Z',
  'We are investigating elevated error rates for authentication requests in US-1.',
  { severity: 'major' },
);
const identified = incident(
  'incident.updated',
  'Identified',
  '2026-04-22T19:40:00Z',
  'The issue has been identified as a faulty database failover and a fix is being implemented.',
);
const resolved = sampleEvent();
const rca = incident(
  'incident.rca_published',
  'Postmortem',
  '2026-04-24T09:00:00Z',
  'Root cause: a configuration change to the database failover policy caused connection exhaustion.',
  { status: 'postmortem' },
);

function changelogEvent(overrides: Partial<WatcherEvent> = {}): WatcherEvent {
  return sampleEvent({
    id: 'auth0-changelog:https://auth0.com/changelog#legacy-grants:changelog.published',
    type: 'changelog.published',
    source: 'auth0-changelog',
    sourceType: 'auth0-changelog',
    itemId: 'https://auth0.com/changelog#legacy-grants',
    title: 'Deprecation of legacy grant types for new tenants',
    url: 'https://auth0.com/changelog#legacy-grants',
    severity: 'minor',
    occurredAt: '2026-04-20T16:00:00Z',
    summary: 'Legacy grant types will no longer be available for tenants created after 2026-06-01.',
    changeType: 'deprecated',
    status: undefined,
    regions: undefined,
    update: undefined,
    ...overrides,
  });
}

const PACKAGES: readonly AffectedPackage[] = [
  { ecosystem: 'npm', name: 'express-openid-connect', vulnerableRange: '>= 2.0.0, < 2.17.1', firstPatchedVersion: '2.17.1' },
  { ecosystem: 'npm', name: 'nextjs-auth0', vulnerableRange: '< 3.5.0' },
];

function advisoryEvent(overrides: Partial<WatcherEvent> = {}): WatcherEvent {
  return sampleEvent({
    id: 'github-advisories:GHSA-7p99-3qxp-6m3v:advisory.published',
    type: 'advisory.published',
    source: 'github-advisories-auth0',
    sourceType: 'github-advisories',
    itemId: 'GHSA-7p99-3qxp-6m3v',
    title: 'express-openid-connect vulnerable to open redirect',
    url: 'https://github.com/advisories/GHSA-7p99-3qxp-6m3v',
    severity: 'major',
    occurredAt: '2026-04-21T12:00:00Z',
    summary: 'high severity advisory affecting express-openid-connect, nextjs-auth0 (CVE-2026-31337): express-openid-connect vulnerable to open redirect',
    packages: PACKAGES,
    status: undefined,
    regions: undefined,
    update: undefined,
    ...overrides,
  });
}

function sourceEvent(type: 'source.failing' | 'source.recovered'): WatcherEvent {
  const failing = type === 'source.failing';
  return sampleEvent({
    id: `auth0-status-us-1:auth0-status-us-1:${type}`,
    type,
    itemId: 'auth0-status-us-1',
    title: failing ? 'Watcher cannot read Auth0 status (US-1) (3 failures)' : 'Watcher reads Auth0 status (US-1) again',
    url: 'https://status.auth0.com/history.rss',
    severity: failing ? 'major' : 'info',
    occurredAt: failing ? '2026-04-22T18:00:00Z' : '2026-04-22T19:30:00Z',
    summary: failing
      ? '3 consecutive polls failed since 2026-04-22T18:00:00Z; last error: HTTP 503 (https://status.auth0.com/history.rss)'
      : 'Polling succeeds again after 3 failed polls since 2026-04-22T18:00:00Z.',
    status: failing ? 'failing' : 'recovered',
    regions: undefined,
    update: undefined,
  });
}

const fold = (...events: WatcherEvent[]): ThreadState =>
  events.reduce<ThreadState | undefined>((state, event) => threadStateFrom(state, event), undefined)!;

type Json = Record<string, unknown>;
const blocksOf = (message: SlackMessage): Json[] => message.blocks as Json[];
const texts = (message: SlackMessage): string[] => {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(message);
  return found;
};
const headerText = (message: SlackMessage): string => ((blocksOf(message)[0] as { text: { text: string } }).text.text);
const fieldTexts = (message: SlackMessage): string[] =>
  blocksOf(message)
    .flatMap((block) => (block.fields as Array<{ text: string }> | undefined) ?? [])
    .map((field) => field.text);
const sectionTexts = (message: SlackMessage): string[] =>
  blocksOf(message)
    .filter((block) => block.type === 'section' && block.text !== undefined)
    .map((block) => (block.text as { text: string }).text);
const contextTexts = (message: SlackMessage): string[] =>
  blocksOf(message)
    .filter((block) => block.type === 'context')
    .flatMap((block) => (block.elements as Array<{ text: string }>).map((element) => element.text));

/** Asserts the shapes and limits Slack enforces (it rejects the whole message otherwise). */
function expectValidSlackMessage(message: SlackMessage): void {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX_CHARS);
  expect(message.blocks.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
  for (const block of blocksOf(message)) {
    switch (block.type) {
      case 'header': {
        expect(Object.keys(block).sort()).toEqual(['text', 'type']);
        const text = block.text as Json;
        expect(text.type).toBe('plain_text');
        expect(text.emoji).toBe(true);
        expect((text.text as string).length).toBeGreaterThan(0);
        expect((text.text as string).length).toBeLessThanOrEqual(SLACK_HEADER_MAX_CHARS);
        break;
      }
      case 'section': {
        expect(block.text !== undefined || block.fields !== undefined).toBe(true);
        if (block.text !== undefined) {
          const text = block.text as Json;
          expect(text.type).toBe('mrkdwn');
          expect((text.text as string).length).toBeGreaterThan(0);
          expect((text.text as string).length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX_CHARS);
        }
        if (block.fields !== undefined) {
          const fields = block.fields as Json[];
          expect(fields.length).toBeGreaterThan(0);
          expect(fields.length).toBeLessThanOrEqual(SLACK_MAX_FIELDS);
          for (const field of fields) {
            expect(field.type).toBe('mrkdwn');
            expect((field.text as string).length).toBeLessThanOrEqual(SLACK_FIELD_MAX_CHARS);
          }
        }
        break;
      }
      case 'context': {
        const elements = block.elements as Json[];
        expect(elements.length).toBeGreaterThan(0);
        expect(elements.length).toBeLessThanOrEqual(10);
        for (const element of elements) {
          expect(element.type).toBe('mrkdwn');
          expect((element.text as string).length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX_CHARS);
        }
        break;
      }
      case 'divider':
        expect(Object.keys(block)).toEqual(['type']);
        break;
      default:
        throw new Error(`unexpected block type ${String(block.type)}`);
    }
  }
}

describe('escapeSlackText', () => {
  it('turns &, < and > into entities so mentions and links become text', () => {
    expect(escapeSlackText('<!channel> <!here> <@U024BE7LH> <!subteam^S0614TZR7|@team> <http://evil.example|Log in to Auth0> & co')).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U024BE7LH&gt; &lt;!subteam^S0614TZR7|@team&gt; &lt;http://evil.example|Log in to Auth0&gt; &amp; co',
    );
  });

  it('breaks bare @channel, @here and @everyone with a word joiner, whatever their case', () => {
    expect(escapeSlackText('ping @here, @Channel and @EVERYONE')).toBe('ping @\u2060here, @\u2060Channel and @\u2060EVERYONE');
  });

  it('escapes text that looks already escaped again, so it shows as the vendor wrote it', () => {
    expect(escapeSlackText('Tom &amp; Jerry &lt;!channel&gt;')).toBe('Tom &amp;amp; Jerry &amp;lt;!channel&amp;gt;');
  });

  it('removes control and invisible characters but keeps line breaks', () => {
    expect(escapeSlackText('a\u0000b\u0007c\u001b[31md\r\ne\tf\u202Eg\u200Bh\u007Fi\nj')).toBe('abc[31md\ne fghi\nj');
  });

  it('still breaks @here hidden behind a zero-width or control character', () => {
    expect(escapeSlackText('@\u200Bhere @\u0000channel')).toBe('@\u2060here @\u2060channel');
  });
});

describe('slackLink', () => {
  it('links an https URL with an escaped label', () => {
    expect(slackLink(URL_, 'Status page & history')).toBe(`<${URL_}|Status page &amp; history>`);
  });

  it('percent-encodes |, <, > and spaces in the URL and escapes &', () => {
    expect(slackLink('https://example.com/a b|c<d>?x=1&y=2', 'go')).toBe('<https://example.com/a%20b%7Cc%3Cd%3E?x=1&amp;y=2|go>');
  });

  it('strips | from the label so it cannot start a second label', () => {
    expect(slackLink(URL_, 'a|b <!here>')).toBe(`<${URL_}|ab &lt;!here&gt;>`);
  });

  it.each(['javascript:alert(1)', 'mailto:security@auth0.com', '/incidents/rb4z1181bd4z', 'not a url', 'ftp://status.auth0.com/x'])(
    'gives the escaped label alone for %s',
    (url) => {
      expect(slackLink(url, 'Log in <now>')).toBe('Log in &lt;now&gt;');
    },
  );

  it('leaves a URL of thousands of characters unlinked', () => {
    expect(slackLink(`https://status.auth0.com/${'a'.repeat(5000)}`, 'page')).toBe('page');
  });
});

describe('vendor text cannot ping, link or inject', () => {
  const HOSTILE = '<!channel> <!here> <@U024BE7LH> <!subteam^S0614TZR7> <http://evil.example|Log in to Auth0> @here @channel Tom &amp; Jerry \u0000\u0007\u001b[2J\u202Eevil';
  const hostileIncident = (type: EventType): WatcherEvent =>
    sampleEvent({
      type,
      source: `auth0-status-us-1 ${HOSTILE}`,
      vendor: `Auth0 ${HOSTILE}`,
      title: `Elevated Errors ${HOSTILE}`,
      summary: `Summary ${HOSTILE}`,
      status: `resolved ${HOSTILE}`,
      regions: ['US-1', HOSTILE],
      changeType: 'deprecated',
      packages: [{ ecosystem: `npm ${HOSTILE}`, name: `auth0 ${HOSTILE}`, vulnerableRange: `< 4 ${HOSTILE}`, firstPatchedVersion: `4 ${HOSTILE}` }],
      update: { label: `Resolved ${HOSTILE}`, at: '2026-04-22T20:14:05Z', text: `Fixed.\n${HOSTILE}` },
    });
  const messages = EVENT_TYPES.flatMap((type) => {
    const event = hostileIncident(type);
    return [
      [`root of ${type}`, renderRoot(fold(opened, event))],
      [`reply for ${type}`, renderReply(event)],
      [`standalone ${type}`, renderStandalone(event)],
    ] as const;
  });

  it.each(messages)('%s: no mention, no foreign link, no control character, every & an entity', (_name, message) => {
    expectValidSlackMessage(message);
    for (const shown of texts(message)) {
      // Our own date tokens are the only `<!…>` allowed: Slack formats them in each reader's zone.
      const text = shown.replace(SLACK_DATE, '');
      expect(text).not.toContain('<!');
      expect(text).not.toContain('<@');
      expect(text).not.toMatch(/<[^>]*\|Log in/);
      expect(text).not.toMatch(/<http:\/\/evil/);
      expect(text).not.toMatch(/@(here|channel|everyone)/i);
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202E]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      // The only links are ours, to the vendor's page.
      for (const [, target] of text.matchAll(/<([^>|]*)[|>]/g)) expect(target).toBe(URL_);
    }
    const json = JSON.stringify(message);
    expect(json).toContain('&amp;amp;');
    expect(json).toContain('@\u2060here');
  });
});

describe('limits', () => {
  it('cuts a 10,000-character update to one section of at most 3,000 characters ending in a read-more link', () => {
    const words = 'Authentication requests are failing intermittently while we roll back the change. ';
    const event = incident('incident.updated', 'Update', '2026-04-22T19:50:00Z', words.repeat(125));
    expect(event.update!.text.length).toBeGreaterThan(10_000);
    for (const message of [renderReply(event), renderStandalone(event), renderRoot(fold(opened, event))]) {
      expectValidSlackMessage(message);
      const long = sectionTexts(message).find((text) => text.includes('roll back'))!;
      expect(long.length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX_CHARS);
      expect(long.length).toBeGreaterThan(2_800);
      expect(long.endsWith(READ_MORE)).toBe(true);
      expect(long.startsWith(`*Update* · ${slackDate('2026-04-22 19:50')}\n`)).toBe(true);
    }
  });

  it('never cuts an entity in half when escaping makes a long text longer', () => {
    const event = incident('incident.updated', 'Update', '2026-04-22T19:50:00Z', '<&>'.repeat(3_000));
    const long = sectionTexts(renderReply(event))[0]!;
    expect(long.length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX_CHARS);
    expect(long.endsWith(READ_MORE)).toBe(true);
    expect(long.slice(0, -READ_MORE.length)).toMatch(/(&lt;|&amp;|&gt;)$/);
    expect(long).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });

  it('lists 200 affected packages within the block and section limits, ending "and N more"', () => {
    const packages: AffectedPackage[] = Array.from({ length: 200 }, (_, i) => ({
      ecosystem: 'npm',
      name: `@auth0/package-with-a-long-descriptive-name-${i}`,
      vulnerableRange: `>= ${i}.0.0, < ${i}.4.2`,
      firstPatchedVersion: i % 3 === 0 ? undefined : `${i}.4.2`,
    }));
    for (const message of [renderStandalone(advisoryEvent({ packages })), renderRoot(fold(advisoryEvent({ packages })))]) {
      expectValidSlackMessage(message);
      const list = sectionTexts(message).find((text) => text.startsWith('*Affected packages*'))!;
      const shown = list.split('\n').filter((line) => line.startsWith('• ')).length;
      expect(shown).toBeGreaterThan(0);
      expect(list).toContain('• npm @auth0/package-with-a-long-descriptive-name-0: vulnerable &gt;= 0.0.0, &lt; 0.4.2, no fix yet');
      expect(list).toContain('• npm @auth0/package-with-a-long-descriptive-name-1: vulnerable &gt;= 1.0.0, &lt; 1.4.2, fixed in 1.4.2');
      expect(list.endsWith(`…and ${200 - shown} more, <https://github.com/advisories/GHSA-7p99-3qxp-6m3v|see the advisory>`)).toBe(true);
    }
  });

  it('keeps a header of a 1,000-character title within 150 characters, ending in an ellipsis', () => {
    const message = renderStandalone(sampleEvent({ title: `Elevated errors & latency ${'in every region '.repeat(60)}` }));
    expectValidSlackMessage(message);
    const header = headerText(message);
    expect(header.length).toBeLessThanOrEqual(SLACK_HEADER_MAX_CHARS);
    expect(header.startsWith('✅ Auth0: Elevated errors &amp; latency in every region')).toBe(true);
    expect(header.endsWith('…')).toBe(true);
  });

  it('keeps the fallback text readable and bounded for a huge title', () => {
    const message = renderReply(sampleEvent({ title: 'x'.repeat(100_000) }));
    expectValidSlackMessage(message);
    expect(message.text.length).toBeLessThan(1_000);
  });
});

describe('threadStateFrom', () => {
  it('starts from the first event', () => {
    expect(fold(opened)).toEqual({
      family: 'incident',
      source: 'auth0-status-us-1',
      sourceType: 'auth0-status',
      vendor: 'Auth0',
      itemId: 'rb4z1181bd4z',
      title: 'Elevated Errors on Public Cloud',
      url: URL_,
      severity: 'major',
      status: 'investigating',
      regions: ['US-1'],
      openedAt: '2026-04-22T19:02:00Z',
      lastUpdateAt: '2026-04-22T19:02:00Z',
      lastUpdate: opened.update,
      lastEventType: 'incident.opened',
      summary: opened.summary,
    });
  });

  it('only ever raises severity', () => {
    expect(fold(opened, incident('incident.updated', 'Monitoring', '2026-04-22T20:00:00Z', 'Monitoring.', { severity: 'minor' })).severity).toBe('major');
    expect(fold(opened, identified).severity).toBe('critical');
    expect(fold(opened, identified, incident('incident.updated', 'Monitoring', '2026-04-22T20:00:00Z', 'Ok.', { severity: 'info' })).severity).toBe(
      'critical',
    );
  });

  it('keeps openedAt from the first event and moves lastUpdateAt to the latest', () => {
    const state = fold(opened, identified, resolved, rca);
    expect(state.openedAt).toBe('2026-04-22T19:02:00Z');
    expect(state.lastUpdateAt).toBe('2026-04-24T09:00:00Z');
  });

  it('takes status, title, regions and the update from the latest event', () => {
    const renamed = incident('incident.updated', 'Monitoring', '2026-04-22T19:55:00Z', 'A fix has been deployed.', {
      title: 'Elevated Errors on Public Cloud (US-1, EU-1)',
      regions: ['US-1', 'EU-1'],
    });
    const state = fold(opened, identified, renamed);
    expect(state.status).toBe('monitoring');
    expect(state.title).toBe('Elevated Errors on Public Cloud (US-1, EU-1)');
    expect(state.regions).toEqual(['US-1', 'EU-1']);
    expect(state.lastUpdate).toEqual(renamed.update);
    expect(state.lastEventType).toBe('incident.updated');
  });

  it('keeps status and regions when the latest event has none', () => {
    const state = fold(opened, { ...identified, status: undefined, regions: undefined });
    expect(state.status).toBe('investigating');
    expect(state.regions).toEqual(['US-1']);
  });

  it('does not let a late, older update turn a resolved root back to open', () => {
    const state = fold(opened, resolved, identified);
    expect(state.status).toBe('resolved');
    expect(state.lastUpdate).toEqual(resolved.update);
    expect(state.lastUpdateAt).toBe('2026-04-22T20:14:05Z');
    expect(state.severity).toBe('critical');
    expect(headerText(renderRoot(state)).startsWith('✅')).toBe(true);
  });

  it('marks the root-cause analysis as published, and keeps the mark', () => {
    expect(fold(opened, resolved).rcaPublished).toBeUndefined();
    expect(fold(opened, resolved, rca).rcaPublished).toBe(true);
    const after = incident('incident.updated', 'Update', '2026-04-25T10:00:00Z', 'We corrected a typo in the analysis.', { status: 'postmortem' });
    expect(fold(opened, resolved, rca, after).rcaPublished).toBe(true);
  });
});

describe('renderRoot', () => {
  it('shows an open incident with status, severity, regions, times, the latest update and the vendor link', () => {
    const message = renderRoot(fold(opened, identified));
    expectValidSlackMessage(message);
    expect(headerText(message)).toBe('🔴 Auth0: Elevated Errors on Public Cloud');
    expect(fieldTexts(message)).toEqual([
      '*Status*\nIdentified',
      '*Severity*\nCritical',
      '*Regions*\nUS-1',
      `*Last update*\n${slackDate('2026-04-22 19:40')}`,
      `*Opened*\n${slackDate('2026-04-22 19:02')}`,
    ]);
    expect(sectionTexts(message)).toEqual([
      `*Identified* · ${slackDate('2026-04-22 19:40')}\nThe issue has been identified as a faulty database failover and a fix is being implemented.`,
    ]);
    expect(contextTexts(message)).toEqual([`Source: auth0-status-us-1 · ${LINK}`]);
    expect(message.text).toBe(
      '[CRITICAL] Auth0 incident updated: Elevated Errors on Public Cloud\nIdentified: The issue has been identified as a faulty database failover and a fix is being implemented.',
    );
  });

  it.each([
    ['major', '🟠'],
    ['minor', '🟡'],
    ['info', '🔵'],
  ] as const)('marks an open %s incident with %s', (severity, emoji) => {
    expect(headerText(renderRoot(fold({ ...opened, severity })))).toBe(`${emoji} Auth0: Elevated Errors on Public Cloud`);
  });

  it('marks a resolved incident with ✅ and says when the root-cause analysis is in the thread', () => {
    const resolvedRoot = renderRoot(fold(opened, identified, resolved));
    expect(headerText(resolvedRoot)).toBe('✅ Auth0: Elevated Errors on Public Cloud');
    // Opened 19:02, resolved 20:14: the root says how long it lasted.
    expect(fieldTexts(resolvedRoot)[0]).toBe('*Status*\nResolved after 1 h 12 min');
    expect(contextTexts(resolvedRoot)).not.toContain('📝 Root-cause analysis published (see thread)');

    const withRca = renderRoot(fold(opened, identified, resolved, rca));
    expectValidSlackMessage(withRca);
    expect(headerText(withRca)).toBe('✅ Auth0: Elevated Errors on Public Cloud');
    expect(fieldTexts(withRca)[0]).toBe('*Status*\nPostmortem (resolved after 1 h 12 min)');
    expect(contextTexts(withRca)).toEqual(['📝 Root-cause analysis published (see thread)', `Source: auth0-status-us-1 · ${LINK}`]);
  });

  it('shows a maintenance with its readable status, and ✅ once completed', () => {
    const started = incident('maintenance.started', 'In progress', '2026-04-23T02:00:00Z', 'Scheduled maintenance is in progress.', {
      severity: 'info',
      title: 'Database maintenance in EU-1',
      regions: ['EU-1'],
    });
    const completed = incident('maintenance.completed', 'Completed', '2026-04-23T03:00:00Z', 'The scheduled maintenance has been completed.', {
      severity: 'info',
      title: 'Database maintenance in EU-1',
      regions: ['EU-1'],
    });
    const inProgress = renderRoot(fold(started));
    expectValidSlackMessage(inProgress);
    expect(headerText(inProgress)).toBe('🔵 Auth0: Database maintenance in EU-1');
    expect(fieldTexts(inProgress).slice(0, 3)).toEqual(['*Status*\nIn progress', '*Severity*\nInfo', '*Regions*\nEU-1']);
    const done = renderRoot(fold(started, completed));
    expect(headerText(done)).toBe('✅ Auth0: Database maintenance in EU-1');
    expect(sectionTexts(done)).toEqual([`*Completed* · ${slackDate('2026-04-23 03:00')}\nThe scheduled maintenance has been completed.`]);
  });

  it('uses the status the event type implies when the vendor gave none, and names no regions as such', () => {
    const message = renderRoot(fold({ ...opened, status: undefined, regions: [] }));
    expect(fieldTexts(message).slice(0, 3)).toEqual(['*Status*\nOpen', '*Severity*\nMajor', '*Regions*\nNone named']);
  });

  it('shows a change-log entry with its change type, publication time and summary', () => {
    const message = renderRoot(fold(changelogEvent()));
    expectValidSlackMessage(message);
    expect(headerText(message)).toBe('📣 Auth0 change log: Deprecation of legacy grant types for new tenants');
    expect(fieldTexts(message)).toEqual(['*Change type*\n⚠️ deprecated', `*Published*\n${slackDate('2026-04-20 16:00')}`]);
    expect(sectionTexts(message)).toEqual(['Legacy grant types will no longer be available for tenants created after 2026-06-01.']);
    expect(contextTexts(message)).toEqual(['Source: auth0-changelog · <https://auth0.com/changelog#legacy-grants|View on auth0.com>']);
    expect(message.text.startsWith('[MINOR] Auth0 change-log entry: Deprecation of legacy grant types for new tenants')).toBe(true);
  });

  it('flags only the change types that need attention', () => {
    expect(fieldTexts(renderRoot(fold(changelogEvent({ changeType: 'added' }))))[0]).toBe('*Change type*\nadded');
    for (const changeType of ['deprecated', 'upcoming-deprecation', 'removed', 'changed'] as const) {
      expect(fieldTexts(renderRoot(fold(changelogEvent({ changeType }))))[0]).toBe(`*Change type*\n⚠️ ${changeType}`);
    }
  });

  it('shows an advisory with severity, status, ids, summary and affected packages', () => {
    const message = renderRoot(fold(advisoryEvent()));
    expectValidSlackMessage(message);
    expect(headerText(message)).toBe('🛡️ Security advisory: express-openid-connect vulnerable to open redirect');
    expect(fieldTexts(message)).toEqual([
      '*Severity*\nMajor',
      '*Status*\nPublished',
      '*Advisory*\nGHSA-7p99-3qxp-6m3v',
      '*CVE*\nCVE-2026-31337',
      `*Published*\n${slackDate('2026-04-21 12:00')}`,
    ]);
    expect(sectionTexts(message)).toEqual([
      'high severity advisory affecting express-openid-connect, nextjs-auth0 (CVE-2026-31337): express-openid-connect vulnerable to open redirect',
      '*Affected packages*\n' +
        '• npm express-openid-connect: vulnerable &gt;= 2.0.0, &lt; 2.17.1, fixed in 2.17.1\n' +
        '• npm nextjs-auth0: vulnerable &lt; 3.5.0, no fix yet',
    ]);
    expect(contextTexts(message)).toEqual([
      'Source: github-advisories-auth0 · <https://github.com/advisories/GHSA-7p99-3qxp-6m3v|View on github.com>',
    ]);
  });

  it('shows an advisory as withdrawn, with when it last changed', () => {
    const withdrawn = advisoryEvent({ type: 'advisory.withdrawn', occurredAt: '2026-04-23T08:00:00Z' });
    const message = renderRoot(fold(advisoryEvent(), withdrawn));
    expect(fieldTexts(message)).toContain('*Status*\nWithdrawn');
    expect(fieldTexts(message)).toContain(`*Last update*\n${slackDate('2026-04-23 08:00')}`);
  });

  it('shows a failing source with ⚠️ and a recovered one with ✅ in the watcher\'s words, linking the source URL', () => {
    const failing = renderRoot(fold(sourceEvent('source.failing')));
    expectValidSlackMessage(failing);
    expect(headerText(failing)).toBe('⚠️ Watcher cannot read Auth0 status (US-1) (3 failures)');
    expect(failing.text.split('\n')[0]).toBe('[MAJOR] Watcher cannot read Auth0 status (US-1) (3 failures)');
    expect(sectionTexts(failing)).toEqual([
      '3 consecutive polls failed since 2026-04-22T18:00:00Z; last error: HTTP 503 (https://status.auth0.com/history.rss)',
    ]);
    expect(contextTexts(failing)).toEqual(['Source: auth0-status-us-1 · <https://status.auth0.com/history.rss|View on status.auth0.com>']);

    const recovered = renderRoot(fold(sourceEvent('source.failing'), sourceEvent('source.recovered')));
    expect(headerText(recovered)).toBe('✅ Watcher reads Auth0 status (US-1) again');
    expect(sectionTexts(recovered)).toEqual(['Polling succeeds again after 3 failed polls since 2026-04-22T18:00:00Z.']);
  });

  it('leaves out the link when the vendor URL is not http(s)', () => {
    const message = renderRoot(fold({ ...opened, url: 'javascript:alert(document.cookie)' }));
    expectValidSlackMessage(message);
    expect(contextTexts(message)).toEqual(['Source: auth0-status-us-1']);
    expect(JSON.stringify(message)).not.toContain('javascript:');
  });
});

describe('renderReply', () => {
  it('leads a resolution with ✅ Resolved, the time and the text, then the vendor link', () => {
    const message = renderReply(resolved);
    expectValidSlackMessage(message);
    expect(sectionTexts(message)).toEqual([
      `*✅ Resolved* · ${slackDate('2026-04-22 20:14', 5)}\nThis incident has been resolved. Authentication requests in US-1 are succeeding normally.`,
    ]);
    expect(contextTexts(message)).toEqual([`Source: auth0-status-us-1 · ${LINK}`]);
    expect(message.text).toBe(
      '[CRITICAL] Auth0 incident resolved: Elevated Errors on Public Cloud\nResolved: This incident has been resolved. Authentication requests in US-1 are succeeding normally.',
    );
  });

  it('announces a root-cause analysis with its text', () => {
    expect(sectionTexts(renderReply(rca))).toEqual([
      `*📝 Root-cause analysis published* · ${slackDate('2026-04-24 09:00')}\nRoot cause: a configuration change to the database failover policy caused connection exhaustion.`,
    ]);
  });

  it("leads an ordinary update with the vendor's label", () => {
    expect(sectionTexts(renderReply(identified))).toEqual([
      `*Identified* · ${slackDate('2026-04-22 19:40')}\nThe issue has been identified as a faulty database failover and a fix is being implemented.`,
    ]);
  });

  it('names maintenance milestones by what happened', () => {
    const started = incident('maintenance.started', 'In progress', '2026-04-23T02:00:00Z', 'Scheduled maintenance is in progress.');
    const completed = incident('maintenance.completed', 'Completed', '2026-04-23T03:00:00Z', 'The scheduled maintenance has been completed.');
    expect(sectionTexts(renderReply(started))).toEqual([`*Maintenance started* · ${slackDate('2026-04-23 02:00')}\nScheduled maintenance is in progress.`]);
    expect(sectionTexts(renderReply(completed))).toEqual([
      `*✅ Maintenance completed* · ${slackDate('2026-04-23 03:00')}\nThe scheduled maintenance has been completed.`,
    ]);
  });

  it('says a source recovered, with the summary, linking the source URL', () => {
    const message = renderReply(sourceEvent('source.recovered'));
    expectValidSlackMessage(message);
    expect(sectionTexts(message)).toEqual([
      `*✅ Recovered* · ${slackDate('2026-04-22 19:30')}\nPolling succeeds again after 3 failed polls since 2026-04-22T18:00:00Z.`,
    ]);
    expect(contextTexts(message)).toEqual(['Source: auth0-status-us-1 · <https://status.auth0.com/history.rss|View on status.auth0.com>']);
  });

  it.each(EVENT_TYPES.map((type) => [type]))('renders a valid reply for %s', (type) => {
    expectValidSlackMessage(renderReply(sampleEvent({ type })));
  });
});

describe('renderStandalone', () => {
  it('shows a change-log deprecation with the ⚠️ change type', () => {
    const message = renderStandalone(changelogEvent({ changeType: 'upcoming-deprecation' }));
    expectValidSlackMessage(message);
    expect(headerText(message)).toBe('📣 Auth0 change log: Deprecation of legacy grant types for new tenants');
    expect(fieldTexts(message)).toEqual(['*Change type*\n⚠️ upcoming-deprecation', `*Published*\n${slackDate('2026-04-20 16:00')}`]);
  });

  it('shows the update an incident event is about', () => {
    const message = renderStandalone(identified);
    expect(headerText(message)).toBe('🔴 Auth0: Elevated Errors on Public Cloud');
    expect(sectionTexts(message)).toEqual([
      `*Identified* · ${slackDate('2026-04-22 19:40')}\nThe issue has been identified as a faulty database failover and a fix is being implemented.`,
    ]);
  });

  it('shows a root-cause analysis itself rather than pointing at a thread', () => {
    const message = renderStandalone(rca);
    expect(headerText(message)).toBe('✅ Auth0: Elevated Errors on Public Cloud');
    expect(sectionTexts(message)[0]).toContain('Root cause: a configuration change');
    expect(contextTexts(message)).toContain('📝 Root-cause analysis published');
    expect(JSON.stringify(message)).not.toContain('see thread');
    expect(message.text.startsWith('[CRITICAL] Auth0 root-cause analysis published: Elevated Errors on Public Cloud')).toBe(true);
  });

  it.each(EVENT_TYPES.map((type) => [type]))('renders a valid standalone message for %s', (type) => {
    const message = renderStandalone(sampleEvent({ type }));
    expectValidSlackMessage(message);
    // The watcher's own health names the watcher, everything else the vendor.
    expect(message.text.startsWith(type.startsWith('source.') ? '[CRITICAL] Watcher' : '[CRITICAL] Auth0 ')).toBe(true);
  });
});
