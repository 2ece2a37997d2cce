// The Teams channel's Adaptive Card (pure): what a real Auth0 incident update looks like as a card, vendor text kept
// inert in the Markdown subset cards render, and the message kept under Teams' size limit.
import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  escapeCardMarkdown,
  renderTeamsMessage,
  TEAMS_MESSAGE_MAX_BYTES,
} from '../../functions/channels/teams/teams-card.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { TRUNCATION_MARK } from '../../functions/core/text/truncate.js';
import { sampleEvent } from '../support/sample-event.js';
import { dashboardIdentifiedText, realJanuary2021Events } from '../support/teams-and-webhook-events.js';

type Element = Record<string, unknown>;
const cardOf = (event: WatcherEvent, maxBytes?: number) => renderTeamsMessage(event, { maxBytes }).attachments[0].content as Element;
const bodyOf = (event: WatcherEvent) => cardOf(event)['body'] as Element[];
const factsOf = (event: WatcherEvent) =>
  Object.fromEntries(((bodyOf(event).find((e) => e['type'] === 'FactSet')!['facts'] as Element[]) ?? []).map((f) => [f['title'], f['value']]));
const textsOf = (event: WatcherEvent) => bodyOf(event).filter((e) => e['type'] === 'TextBlock').map((e) => e['text'] as string);

/** Markdown a card would render as a link, emphasis or code: an opening mark not preceded by a backslash. */
const LIVE_MARKDOWN = /(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)\*(?<!\\)\*|(?<!\\)_\S|(?<!\\)`|(?<!\\)<at>/;

describe('the Teams card of an event', () => {
  const events = realJanuary2021Events();
  const opened = events.find((e) => e.type === 'incident.opened' && e.itemId === 'rx8wtk8svly4')!;
  const resolved = events.find((e) => e.type === 'incident.resolved' && e.itemId === 'vt61qk2xqysz')!;

  it('is one Adaptive Card 1.4 in a Workflows message envelope, with a button to the vendor page', () => {
    const message = renderTeamsMessage(opened);
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null });
    expect(cardOf(opened)).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.4',
      actions: [{ type: 'Action.OpenUrl', title: 'View on status.auth0.com', url: 'https://status.auth0.com/incidents/rx8wtk8svly4' }],
    });
  });

  it('leads with the severity, the vendor’s phrase and the title, coloured by severity and green once resolved', () => {
    const [headline] = bodyOf(opened);
    expect(headline).toMatchObject({
      type: 'TextBlock',
      text: '[MAJOR] Auth0 incident opened: Missing CORS headers for cached /.well-known/jwks.json',
      weight: 'Bolder',
      color: 'Warning',
    });
    expect(bodyOf(resolved)[0]).toMatchObject({ text: expect.stringMatching(/^\[CRITICAL\] Auth0 incident resolved: /), color: 'Good' });
    expect(bodyOf(sampleEvent({ type: 'incident.opened', severity: 'critical' }))[0]!['color']).toBe('Attention');
  });

  it('lists status, severity, regions, components and the event’s fact lines in its FactSet', () => {
    expect(factsOf(opened)).toMatchObject({ Status: 'investigating', Severity: 'major', Regions: 'US-1', Source: 'auth0-status-us-1 (Auth0)' });
    const probe = sampleEvent({
      type: 'incident.opened',
      components: ['Authentication API', 'Management API'],
      synthetic: { outcome: 'slow', latencyMs: 4210.4, thresholdMs: 3000, consecutive: 3 },
    });
    expect(factsOf(probe)).toMatchObject({
      Components: 'Authentication API, Management API',
      Latency: '4210 ms \\(threshold 3000 ms\\)', // escaped: fact lines carry vendor text
      'In a row': '3',
    });
  });

  it('shows the latest update’s label, time and text, and the summary', () => {
    const texts = textsOf(opened);
    expect(texts).toContain('Investigating · 2021-01-20 12:19 UTC');
    expect(texts.some((text) => text.startsWith('We have identified an issue where requests to the /.well-known/jwks.json endpoint'))).toBe(true);
    expect(texts).toContain(escapeCardMarkdown(opened.summary));
  });

  it('escapes a real update that quotes a URL in parentheses, so it shows as written and forms no link', () => {
    const text = dashboardIdentifiedText();
    expect(text).toContain('(https://auth0.com/docs/api/management/v2)');
    const texts = textsOf(sampleEvent({ update: { label: 'Identified', at: '2021-01-20T15:19:00Z', text } }));
    expect(texts).toContainEqual(expect.stringContaining('\\(https://auth0.com/docs/api/management/v2\\)'));
  });

  it('keeps hostile vendor text inert: no injected link, emphasis, list, code or mention anywhere on the card', () => {
    const hostile = sampleEvent({
      vendor: '**Auth0**',
      title: '[Reset your password](https://evil.example/login) **NOW**',
      summary: '- step one\n1. _urgent_ `code` <at>General</at> &amp; \\[x](y)',
      status: '# resolved',
      regions: ['[US-1](https://evil.example)'],
      components: ['*Dashboard*'],
      update: { label: '__Resolved__', at: '2026-04-22T20:14:05Z', text: '> quoted [a](javascript:alert(1))' },
      synthetic: { outcome: 'failing', cause: 'invalid_grant [here](https://evil.example)' },
    });
    const card = cardOf(hostile);
    const strings = JSON.stringify(card['body']);
    const values = [...textsOf(hostile), ...Object.values(factsOf(hostile)).map(String)];
    for (const value of values) expect(value).not.toMatch(LIVE_MARKDOWN);
    expect(textsOf(hostile)[0]).toBe('[CRITICAL] \\*\\*Auth0\\*\\* incident resolved: \\[Reset your password\\]\\(https://evil.example/login\\) \\*\\*NOW\\*\\*');
    expect(factsOf(hostile)['Status']).toBe('\\# resolved');
    expect(textsOf(hostile)).toContain('\\- step one 1. \\_urgent\\_ \\`code\\` \\<at\\>General\\</at\\> \\&amp; \\\\\\[x\\]\\(y\\)');
    expect(strings).not.toContain('javascript:alert(1))');
  });

  it('stays under the size limit with a 100 KB update text, which it cuts with the truncation mark', () => {
    const huge = sampleEvent({ update: { label: 'Update', at: '2026-04-22T20:14:05Z', text: 'The fix is rolling out [region] '.repeat(3_300) } });
    const message = renderTeamsMessage(huge);
    const bytes = Buffer.byteLength(JSON.stringify(message));
    expect(bytes).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
    expect(bytes).toBeGreaterThan(TEAMS_MESSAGE_MAX_BYTES / 2);
    expect(textsOf(huge).some((text) => text.endsWith(escapeCardMarkdown(TRUNCATION_MARK)))).toBe(true);
    // A tighter limit is kept too, with the headline and the button still there.
    const small = renderTeamsMessage(huge, { maxBytes: 6_000 });
    expect(Buffer.byteLength(JSON.stringify(small))).toBeLessThanOrEqual(6_000);
    expect((small.attachments[0].content as Element)['actions']).toHaveLength(1);
  });

  it('gives no button for a link that is not http(s)', () => {
    expect(cardOf(sampleEvent({ url: 'javascript:alert(1)' }))['actions']).toBeUndefined();
  });
});
