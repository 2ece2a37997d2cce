// The webhook channel's signature (pure): what it signs and sends, checked against an independent implementation
// (WebCrypto, where the channel uses node:crypto), and the README's verification snippet, run as the README shows it:
// it accepts the channel's requests and refuses forgeries, other secrets and stale or future timestamps.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedWebhookRequest, WEBHOOK_HEADERS } from '../../functions/channels/webhook/webhook-signature.js';
import { sampleEvent } from '../support/sample-event.js';
import { realJanuary2021Events } from '../support/teams-and-webhook-events.js';

const SECRET = 'whsec-7b1f0c2e9d4a4f0b8e3c5a6d1f2e3b4c';
const NOW = new Date('2026-04-22T20:16:41.250Z');
const SNIPPET_URL = new URL('../../docs/webhook-verify.mjs', import.meta.url);

type Verify = (rawBody: Buffer | string, headers: Record<string, string>, secret: string, nowMs?: number) => unknown;
let verifyWatcherWebhook: Verify;
beforeAll(async () => {
  ({ verifyWatcherWebhook } = (await import(pathToFileURL(SNIPPET_URL.pathname).href)) as { verifyWatcherWebhook: Verify });
});

/** Headers as a Node server hands them to the receiver: lower-case names. */
const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

async function webCryptoHmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data))).toString('hex');
}

describe('the webhook channel’s signed request', () => {
  const event = realJanuary2021Events()[0]!;

  it('carries the event’s JSON as published, its id as Idempotency-Key, its type, and the time signed in Unix seconds', () => {
    const { body, headers } = signedWebhookRequest(event, SECRET, NOW);
    expect(JSON.parse(body)).toEqual(event);
    expect(headers).toMatchObject({
      [WEBHOOK_HEADERS.timestamp]: '1776889001',
      [WEBHOOK_HEADERS.idempotencyKey]: event.id,
      [WEBHOOK_HEADERS.eventType]: 'incident.opened',
    });
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256, as WebCrypto computes it independently', async () => {
    const { body, headers } = signedWebhookRequest(event, SECRET, NOW);
    expect(headers[WEBHOOK_HEADERS.signature]).toBe(`v1=${await webCryptoHmacHex(SECRET, `1776889001.${body}`)}`);
    expect(headers[WEBHOOK_HEADERS.signature]).not.toBe(`v1=${await webCryptoHmacHex('another secret', `1776889001.${body}`)}`);
  });

  it('percent-encodes an id a header cannot carry as it is', () => {
    const { headers } = signedWebhookRequest(sampleEvent({ id: 'statut-événement 1' }), SECRET, NOW);
    expect(headers[WEBHOOK_HEADERS.idempotencyKey]).toBe('statut-%C3%A9v%C3%A9nement%201');
  });
});

describe('the README’s verification snippet', () => {
  const event = realJanuary2021Events()[5]!;
  const signed = () => signedWebhookRequest(event, SECRET, NOW);

  it('is in the README word for word, in the webhook section', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const snippet = readFileSync(SNIPPET_URL, 'utf8');
    expect(readme).toContain('```js\n' + snippet + '```');
  });

  it('accepts the channel’s request, as a Buffer or a string, and returns the event', () => {
    const { body, headers } = signed();
    expect(verifyWatcherWebhook(Buffer.from(body), lower(headers), SECRET, NOW.getTime() + 60_000)).toEqual(event);
    expect(verifyWatcherWebhook(body, lower(headers), SECRET, NOW.getTime() - 60_000)).toEqual(event);
  });

  it('refuses a tampered body, another secret and a signature moved to another time', () => {
    const { body, headers } = signed();
    const tampered = body.replace('"severity":"major"', '"severity":"info"');
    expect(tampered).not.toBe(body);
    expect(() => verifyWatcherWebhook(tampered, lower(headers), SECRET, NOW.getTime())).toThrow('bad signature');
    expect(() => verifyWatcherWebhook(body, lower(headers), 'not-the-secret', NOW.getTime())).toThrow('bad signature');
    const moved = { ...lower(headers), 'x-watcher-timestamp': String(Number(headers[WEBHOOK_HEADERS.timestamp]) + 1) };
    expect(() => verifyWatcherWebhook(body, moved, SECRET, NOW.getTime())).toThrow('bad signature');
  });

  it('refuses a replay older than 5 minutes, and a timestamp from the future, even with a valid signature', () => {
    const { body, headers } = signed();
    expect(() => verifyWatcherWebhook(body, lower(headers), SECRET, NOW.getTime() + 5 * 60_000 + 1_000)).toThrow('stale timestamp');
    expect(() => verifyWatcherWebhook(body, lower(headers), SECRET, NOW.getTime() - 6 * 60_000)).toThrow('stale timestamp');
  });

  it('refuses a request without its signature or timestamp', () => {
    const { body, headers } = signed();
    const { 'x-watcher-signature': _signature, ...unsigned } = lower(headers);
    expect(() => verifyWatcherWebhook(body, unsigned, SECRET, NOW.getTime())).toThrow('missing signature');
    const { 'x-watcher-timestamp': _timestamp, ...undated } = lower(headers);
    expect(() => verifyWatcherWebhook(body, undated, SECRET, NOW.getTime())).toThrow('missing timestamp');
  });
});
