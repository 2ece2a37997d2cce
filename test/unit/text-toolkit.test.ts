// The text-safety toolkit every renderer uses: cleaning, byte budgets, the one subject rule, wrapping and times.
import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../functions/core/digest.js';
import { renderSubject } from '../../functions/core/event-text.js';
import { cleanLine, withoutControls } from '../../functions/core/text/clean-line.js';
import { SUBJECT_MAX_CHARS, subjectLine, toSubjectAscii } from '../../functions/core/text/subject.js';
import { formatUtc } from '../../functions/core/text/time.js';
import { TRUNCATION_MARK, truncateChars, truncateToBytes, utf8Bytes } from '../../functions/core/text/truncate.js';
import { MAIL_LINE_WIDTH, wrap, wrapKeepingMark } from '../../functions/core/text/wrap.js';
import { alarmPublishInput } from '../../functions/ops/alarm-notification.js';
import { sampleEvent } from '../support/sample-event.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;
const HOSTILE = 'Évil\r\nBcc: x@example.com\u0000 “quoted” — 認証エラー\u202E🔥 '.repeat(20);

describe('one subject rule: printable ASCII, one line, under the 100 characters SNS takes', () => {
  const alarm = {
    accountId: '111122223333',
    region: 'eu-west-1',
    alarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x',
    alarmData: {
      alarmName: HOSTILE,
      state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-26T09:15:42.611+0000' },
      previousState: { value: 'OK' },
      configuration: { description: 'x' },
    },
  } as unknown as CloudWatchAlarmEvent;
  const subjects = {
    event: renderSubject(sampleEvent({ vendor: HOSTILE, title: HOSTILE })),
    digest: renderDigest({
      frequency: 'weekly',
      from: '2026-11-19T07:00:00Z',
      to: '2026-11-26T07:00:00Z',
      generatedAt: '2026-11-26T07:00:05Z',
      timeZone: 'Europe/Paris',
      events: [sampleEvent({ title: HOSTILE })],
      openItems: Array.from({ length: 12 }, (_, index) => ({
        source: 'auth0-status-us-1',
        itemId: `open-${index}`,
        title: HOSTILE,
        url: 'https://status.auth0.com/',
        kind: 'incident' as const,
        severity: 'major' as const,
        regions: ['US-1'],
        openedAt: '2026-11-25T07:00:00Z',
      })),
      rcaOwed: [],
      sources: [{ id: 'a', type: 'feed', url: 'https://a.example/', consecutiveFailures: 3 }],
    }).subject,
    alarm: alarmPublishInput(alarm, 'arn:aws:sns:eu-west-1:111122223333:ops').Subject!,
  };

  it.each(Object.entries(subjects))('holds for the %s subject', (_kind, subject) => {
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.length).toBeLessThan(100);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
  });

  it('cuts a subject of exactly 100 characters, which SNS would refuse', () => {
    expect(SUBJECT_MAX_CHARS).toBe(99);
    const hundred = `ALARM: "${'x'.repeat(78)}" in eu-west-1`;
    expect(hundred).toHaveLength(100);
    expect(subjectLine(hundred).length).toBeLessThanOrEqual(99);
    expect(subjectLine(hundred).endsWith('...')).toBe(true);
    expect(subjectLine('ALARM: "short" in eu-west-1')).toBe('ALARM: "short" in eu-west-1');
  });

  it('transliterates typography and accents, and marks anything else with "?"', () => {
    expect(toSubjectAscii('Auth0’s “Login” — São Paulo… 認証')).toBe('Auth0\'s "Login" - Sao Paulo... ?');
  });
});

describe('cleaning', () => {
  it('folds white space and line separators, and removes controls and invisible marks', () => {
    expect(cleanLine(' a\r\n\tb\u2028c\u0085d  \u0000e\u200Bf\u202Eg ')).toBe('a b c d efg');
  });

  it('replaces a lone surrogate, which no encoder can send, with U+FFFD', () => {
    expect(cleanLine('a\uD800b\uDC00c🔥')).toBe('a\uFFFDb\uFFFDc🔥');
  });

  it('keeps the newline when asked (Slack prose keeps its lines)', () => {
    expect(withoutControls('a\nb\u0007c', { keepNewline: true })).toBe('a\nbc');
    expect(withoutControls('a\nb\u0007c')).toBe('abc');
  });

  it('caps a line in characters, never inside a character, with an ellipsis', () => {
    expect(cleanLine('🔥'.repeat(10), 5)).toBe('🔥🔥🔥🔥…');
    expect(truncateChars('alpha beta gamma delta', 15, '...')).toBe('alpha beta...');
  });
});

describe('byte budgets', () => {
  it('counts UTF-8 bytes as Buffer does, a lone surrogate as the 3-byte replacement character', () => {
    for (const text of ['', 'abc', 'ü€🔥', 'a\uD800b', '\uDC00', '🔥\uD83D']) expect(utf8Bytes(text)).toBe(bytes(text));
  });

  it('returns text that fits unchanged', () => {
    expect(truncateToBytes('Resolved.', 100)).toBe('Resolved.');
  });

  it('cuts to the byte budget without splitting a multi-byte character and ends with the mark', () => {
    const cut = truncateToBytes('€'.repeat(1_000), 500);
    expect(bytes(cut)).toBeLessThanOrEqual(500);
    expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(cut.replace(TRUNCATION_MARK, '')).toMatch(/^€+$/);
  });

  it('prefers to cut at a word boundary', () => {
    const cut = truncateToBytes('alpha beta gamma delta epsilon zeta eta theta', 40);
    expect(cut).toBe(`alpha beta${TRUNCATION_MARK}`);
  });
});

describe('wrapping plain-text mail', () => {
  it('wraps words at 76 columns with the indents given, and splits a token too long for any line', () => {
    const lines = wrap(`${'word '.repeat(40)}${'x'.repeat(1_000)}`, '  - ', '    ');
    expect(lines[0]!.startsWith('  - word')).toBe(true);
    for (const line of lines.slice(1)) expect(line.startsWith('    ')).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(404);
    for (const line of lines.filter((l) => !l.includes('x'))) expect(line.length).toBeLessThanOrEqual(MAIL_LINE_WIDTH);
  });

  it('never splits the truncation mark across lines', () => {
    const lines = wrapKeepingMark(`${'word '.repeat(30).trim()}${TRUNCATION_MARK}`, '  ');
    expect(lines.some((line) => line.endsWith(TRUNCATION_MARK))).toBe(true);
  });
});

describe('times', () => {
  it('shows a time in UTC to the minute, and an unreadable stamp as given', () => {
    expect(formatUtc('2026-04-22T20:14:05Z')).toBe('2026-04-22 20:14 UTC');
    expect(formatUtc('2026-04-22T22:14:05+02:00')).toBe('2026-04-22 20:14 UTC');
    expect(formatUtc('late\nevening')).toBe('late evening');
    expect(formatUtc('')).toBe('unknown');
  });
});
