// Local time: times in the configured zone with its abbreviation or offset (DST included) in emails and digests, Slack
// date tokens that show each reader their own zone, and the `timeZone` setting from the config file to the functions.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import { renderDigest } from '../../functions/core/digest.js';
import { renderEmailText } from '../../functions/core/event-text.js';
import { slackTime } from '../../functions/core/slack-escape.js';
import { formatTime, formatUtc, formatWindow, isUtcZone } from '../../functions/core/text/time.js';
import { compiledWatcherConfig } from '../../functions/poll/poll-lambda-config.js';
import { compiledDigestConfig, compiledPollConfig, compiledStreamConfig } from '../../lib/watcher-stack.js';
import { compiledProbeConfig } from '../../lib/probe-function.js';
import { configErrorOf } from '../support/config-error.js';
import { sampleEvent } from '../support/sample-event.js';

describe('times in a zone', () => {
  it('shows the wall-clock time with the zone\'s abbreviation, winter and summer', () => {
    expect(formatTime('2026-12-06T12:05:00Z', 'Europe/Berlin')).toBe('2026-12-06 13:05 CET');
    expect(formatTime('2026-07-06T12:05:00Z', 'Europe/Berlin')).toBe('2026-07-06 14:05 CEST');
    expect(formatTime('2026-12-06T12:05:00Z', 'America/New_York')).toBe('2026-12-06 07:05 EST');
    expect(formatTime('2026-07-06T12:05:00Z', 'Europe/London')).toBe('2026-07-06 13:05 BST');
  });

  it('names a zone without a common abbreviation by its offset', () => {
    expect(formatTime('2026-12-06T12:05:00Z', 'Asia/Tokyo')).toBe('2026-12-06 21:05 UTC+9');
    expect(formatTime('2026-12-06T12:05:00Z', 'Asia/Kolkata')).toBe('2026-12-06 17:35 UTC+5:30');
  });

  it('crosses the spring DST change: the last minute of CET, then CEST an hour later on the clock', () => {
    expect(formatTime('2026-03-29T00:59:00Z', 'Europe/Berlin')).toBe('2026-03-29 01:59 CET');
    expect(formatTime('2026-03-29T01:00:00Z', 'Europe/Berlin')).toBe('2026-03-29 03:00 CEST');
    // The autumn change repeats a wall-clock hour; the abbreviation tells the two apart.
    expect(formatTime('2026-10-25T00:30:00Z', 'Europe/Berlin')).toBe('2026-10-25 02:30 CEST');
    expect(formatTime('2026-10-25T01:30:00Z', 'Europe/Berlin')).toBe('2026-10-25 02:30 CET');
  });

  it('is exactly the UTC form in UTC or an unknown zone, and shows an unreadable stamp as given', () => {
    expect(formatTime('2026-12-06T12:05:00Z')).toBe('2026-12-06 12:05 UTC');
    expect(formatTime('2026-12-06T12:05:00Z', 'UTC')).toBe(formatUtc('2026-12-06T12:05:00Z'));
    expect(formatTime('2026-12-06T12:05:00Z', 'Mars/Olympus_Mons')).toBe('2026-12-06 12:05 UTC');
    expect(formatTime('Dec 6, noonish', 'Europe/Berlin')).toBe('Dec 6, noonish');
    expect(isUtcZone(undefined) && isUtcZone('UTC') && !isUtcZone('Europe/Berlin')).toBe(true);
  });

  it('writes a window within a day once, and in full when the zone name changes inside it', () => {
    expect(formatWindow('2026-12-10T02:00:00Z', '2026-12-10T04:00:00Z', 'America/New_York')).toBe('2026-12-09 21:00\u201323:00 EST');
    expect(formatWindow('2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z', 'Europe/Berlin')).toBe(
      '2026-03-29 01:00 CET \u2013 2026-03-29 04:00 CEST',
    );
    expect(formatWindow('2026-12-10T02:00:00Z', '2026-12-10T04:00:00Z')).toBe('2026-12-10 02:00\u201304:00 UTC');
  });
});

describe('Slack times', () => {
  it('are date tokens of the exact Unix time that each reader sees in their own zone, the UTC text as fallback', () => {
    expect(slackTime('2026-12-06T12:05:30Z')).toBe('<!date^1796558730^{date_short_pretty} {time}|2026-12-06 12:05 UTC>');
  });

  it('show an unreadable vendor stamp escaped, without a token it could break out of', () => {
    const hostile = 'soon <!channel> | <https://evil.example|log in>';
    const shown = slackTime(hostile);
    expect(shown).not.toContain('<!');
    expect(shown).not.toContain('<https');
    expect(shown).toBe('soon &lt;!channel&gt; | &lt;https://evil.example|log in&gt;');
  });
});

describe('emails and digests in the configured zone', () => {
  it('shows every time of an email in the zone, with its abbreviation', () => {
    const text = renderEmailText(sampleEvent({ scheduledFor: '2026-07-10T02:00:00Z', scheduledUntil: '2026-07-10T04:00:00Z' }), {
      timeZone: 'Europe/Berlin',
    });
    expect(text).toContain('When: 2026-07-10 04:00\u201306:00 CEST (scheduled)');
    expect(text).toContain('Posted: 2026-04-22 22:14 CEST');
    expect(text).toContain('Detected: 2026-04-22 22:16 CEST');
    expect(text).toContain('Latest update (Resolved, 2026-04-22 22:14 CEST):');
    expect(text).not.toMatch(/\d\d:\d\d UTC/);
  });

  it('says "All times are UTC" in a UTC digest only, and names the zone otherwise', () => {
    const input = {
      frequency: 'daily' as const,
      from: '2026-12-05T07:00:00.000Z',
      to: '2026-12-06T07:00:00.000Z',
      generatedAt: '2026-12-06T07:00:02.000Z',
      events: [],
      openItems: [],
      rcaOwed: [],
      sources: [],
    };
    const berlin = renderDigest({ ...input, timeZone: 'Europe/Berlin' }).text;
    expect(berlin).toContain('Period: from 2026-12-05 08:00 CET to 2026-12-06 08:00 CET');
    expect(berlin).not.toContain('All times are UTC');
    expect(berlin.replace(/\n/g, ' ')).toContain('Times are Europe/Berlin time.');
    expect(renderDigest({ ...input, timeZone: 'UTC' }).text.replace(/\n/g, ' ')).toContain('All times are UTC.');
  });
});

describe('the timeZone setting', () => {
  const source = { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' };

  it('is UTC by default, and the digest\'s zone when the digest names none', () => {
    expect(parseConfig({ sources: [source] }, '/').timeZone).toBe('UTC');
    const config = parseConfig({ sources: [source], timeZone: 'Europe/Berlin', email: { digest: { addresses: ['ops@example.com'] } } }, '/');
    expect(config.timeZone).toBe('Europe/Berlin');
    expect(config.email.digest?.timeZone).toBe('Europe/Berlin');
  });

  it('yields to the digest\'s own zone for the digest', () => {
    const config = parseConfig(
      { sources: [source], timeZone: 'Europe/Berlin', email: { digest: { addresses: ['ops@example.com'], timeZone: 'America/New_York' } } },
      '/',
    );
    expect([config.timeZone, config.email.digest?.timeZone]).toEqual(['Europe/Berlin', 'America/New_York']);
  });

  it('refuses a zone Intl does not know, naming the key once', () => {
    const message = configErrorOf(() =>
      parseConfig({ sources: [source], timeZone: 'Europe/Atlantis', email: { digest: { addresses: ['ops@example.com'] } } }, '/'),
    );
    expect(message).toContain('timeZone: must be an IANA time zone such as "Europe/Berlin"');
    expect(message).not.toContain('email.digest.timeZone');
  });

  it('reaches the poll, tenant-log, probe and digest functions\' compiled config, and only when it is not UTC', () => {
    const berlin = parseConfig({ sources: [source], timeZone: 'Europe/Berlin', email: { digest: { addresses: ['ops@example.com'] } } }, '/');
    for (const compiled of [compiledPollConfig(berlin), compiledStreamConfig(berlin), compiledProbeConfig(berlin)]) {
      expect((JSON.parse(compiled) as { timeZone?: string }).timeZone).toBe('Europe/Berlin');
    }
    expect(compiledWatcherConfig({ WATCHER_CONFIG: compiledPollConfig(berlin) }).timeZone).toBe('Europe/Berlin');
    expect(compiledWatcherConfig({ WATCHER_CONFIG: compiledDigestConfig(berlin) }).email?.digest?.timeZone).toBe('Europe/Berlin');
    const utc = parseConfig({ sources: [source] }, '/');
    expect(JSON.parse(compiledPollConfig(utc))).not.toHaveProperty('timeZone');
  });

  it('is refused in a compiled config when it is not a string', () => {
    const compiled = { ...(JSON.parse(compiledPollConfig(parseConfig({ sources: [source] }, '/'))) as object), timeZone: 1 };
    expect(configErrorOf(() => compiledWatcherConfig({ WATCHER_CONFIG: JSON.stringify(compiled) }))).toContain('timeZone must be a string');
  });
});
