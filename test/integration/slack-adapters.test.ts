import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSlackWebApi, SLACK_EVENT_TYPE } from '../../functions/channels/slack/slack-web-api.js';
import { makeSlackWebhook } from '../../functions/channels/slack/slack-webhook-client.js';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import type { Logger, SlackMessage } from '../../functions/core/ports.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';

const CHANNEL = 'C0INCIDENTS';

function message(title: string, extra: string = 'Authentication requests in US-1 are failing.'): SlackMessage {
  return {
    text: `${title}: ${extra}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title } },
      { type: 'section', text: { type: 'mrkdwn', text: extra, verbatim: true } },
    ],
  };
}

function manyBlocks(n: number): SlackMessage {
  return {
    text: `${n} blocks`,
    blocks: Array.from({ length: n }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `block ${i}` } })),
  };
}

/** The error a promise rejects with, checked to be a SlackError. */
async function slackError(promise: Promise<unknown>): Promise<SlackError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackError);
  return error as SlackError;
}

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Milliseconds between the first two requests of a method. */
function gapMs(server: SlackTestServer, method: string): number {
  const [first, second] = server.requests(method);
  return (second?.at ?? NaN) - (first?.at ?? NaN);
}

let server: SlackTestServer;
beforeAll(async () => {
  server = await startSlackTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('Slack Web API adapter against the Slack test server', () => {
  const api = (options: { retries?: number; token?: string; logger?: Logger } = {}) =>
    makeSlackWebApi({ token: server.token, apiBaseUrl: server.apiBaseUrl, minRetryDelayMs: 10, ...options });

  it('posts a message and returns its ts, tagged with the event id, unfurls off and vendor text left inert', async () => {
    const posted = await api().postMessage({
      channel: CHANNEL,
      message: message('Elevated Errors on Public Cloud', 'Vendor says @channel &lt;!here&gt; look'),
      eventId: 'evt-post-1',
    });

    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const recorded = server.messages(CHANNEL).find((m) => m.ts === posted.ts);
    expect(recorded).toMatchObject({
      text: 'Elevated Errors on Public Cloud: Vendor says @channel &lt;!here&gt; look',
      blocks: message('Elevated Errors on Public Cloud', 'Vendor says @channel &lt;!here&gt; look').blocks,
      metadata: { event_type: SLACK_EVENT_TYPE, event_payload: { event_id: 'evt-post-1' } },
      broadcast: false,
      unfurlLinks: false,
      unfurlMedia: false,
      parse: 'none',
      linkNames: false,
      updates: 0,
    });
    expect(recorded?.threadTs).toBeUndefined();
  });

  it('posts a thread reply that is also broadcast to the channel', async () => {
    const root = await api().postMessage({ channel: CHANNEL, message: message('Incident root'), eventId: 'evt-root-2' });
    const reply = await api().postMessage({
      channel: CHANNEL,
      message: message('Resolved'),
      eventId: 'evt-reply-2',
      threadTs: root.ts,
      broadcast: true,
    });

    expect(server.replies(CHANNEL, root.ts)).toEqual([
      expect.objectContaining({ ts: reply.ts, threadTs: root.ts, broadcast: true, text: message('Resolved').text }),
    ]);
  });

  it('posts a thread reply only in the thread when broadcast is not asked for', async () => {
    const root = await api().postMessage({ channel: CHANNEL, message: message('Incident root'), eventId: 'evt-root-3' });
    await api().postMessage({ channel: CHANNEL, message: message('Monitoring'), eventId: 'evt-reply-3', threadTs: root.ts });

    expect(server.replies(CHANNEL, root.ts)).toEqual([expect.objectContaining({ broadcast: false })]);
  });

  it('replaces the text and blocks of a message with chat.update and keeps its event id', async () => {
    const { ts } = await api().postMessage({ channel: CHANNEL, message: message('Investigating'), eventId: 'evt-update-4' });
    await api().updateMessage({ channel: CHANNEL, ts, message: message('Resolved', 'All systems normal.') });

    const recorded = server.messages(CHANNEL).find((m) => m.ts === ts);
    expect(recorded?.updates).toBe(1);
    expect(recorded?.text).toBe('Resolved: All systems normal.');
    expect(recorded?.blocks).toEqual(message('Resolved', 'All systems normal.').blocks);
    expect(recorded?.metadata?.event_payload).toEqual({ event_id: 'evt-update-4' });
  });

  it('turns chat.update of an unknown ts into a permanent message_not_found', async () => {
    const error = await slackError(api().updateMessage({ channel: CHANNEL, ts: '1000000000.000001', message: message('x') }));
    expect(error).toMatchObject({ code: 'message_not_found', permanent: true });
    expect(error.message).toContain('chat.update');
  });

  it('finds a posted message by its event id in the channel and in a thread, and nothing for an unknown id', async () => {
    const since = `${Math.floor(Date.now() / 1000) - 60}.000000`;
    const root = await api().postMessage({ channel: CHANNEL, message: message('Root'), eventId: 'evt-find-root' });
    const reply = await api().postMessage({
      channel: CHANNEL,
      message: message('Update'),
      eventId: 'evt-find-reply',
      threadTs: root.ts,
    });

    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-find-root', oldestTs: since })).toBe(root.ts);
    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-find-reply', oldestTs: since, threadTs: root.ts })).toBe(
      reply.ts,
    );
    // A reply that was not broadcast is not in the channel's history.
    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-find-reply', oldestTs: since })).toBeUndefined();
    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-unknown', oldestTs: since })).toBeUndefined();
  });

  it('finds in the channel only its own messages: a thread reply broadcast to the channel is not taken for a root', async () => {
    const since = `${Math.floor(Date.now() / 1000) - 60}.000000`;
    const root = await api().postMessage({ channel: CHANNEL, message: message('Root'), eventId: 'evt-top-root' });
    const reply = await api().postMessage({
      channel: CHANNEL,
      message: message('Resolved'),
      eventId: 'evt-top-broadcast',
      threadTs: root.ts,
      broadcast: true,
    });

    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-top-broadcast', oldestTs: since })).toBeUndefined();
    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-top-broadcast', oldestTs: since, threadTs: root.ts })).toBe(reply.ts);
  });

  it('gives up on chat.update sooner than on a post: one retry of HTTP 500, and at once on a 429 asking for 10 s', async () => {
    const { ts } = await api().postMessage({ channel: CHANNEL, message: message('Investigating'), eventId: 'evt-update-bounded' });
    server.failNext('chat.update', 2, { kind: 'http', status: 500 });
    const before = server.calls('chat.update');
    expect(await slackError(api().updateMessage({ channel: CHANNEL, ts, message: message('Resolved') }))).toMatchObject({
      code: 'http_500',
      permanent: false,
    });
    expect(server.calls('chat.update') - before).toBe(2);

    server.failNext('chat.update', 1, { kind: 'ratelimit', retryAfterSec: 10 });
    const started = Date.now();
    const limited = await slackError(api().updateMessage({ channel: CHANNEL, ts, message: message('Resolved') }));
    expect(limited).toMatchObject({ code: 'ratelimited', permanent: false });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.messages(CHANNEL).find((m) => m.ts === ts)?.updates).toBe(0);
  });

  it('does not find a message posted before oldestTs, and does find one posted exactly at it', async () => {
    const { ts } = await api().postMessage({ channel: CHANNEL, message: message('Old'), eventId: 'evt-oldest' });
    const later = `${Math.floor(Date.now() / 1000) + 5}.000000`;

    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-oldest', oldestTs: later })).toBeUndefined();
    expect(await api().findPosted({ channel: CHANNEL, eventId: 'evt-oldest', oldestTs: ts })).toBe(ts);
  });

  it('follows the history cursor to find a message beyond the first page of 200', async () => {
    server.addChannel('C0PAGES');
    const since = `${Math.floor(Date.now() / 1000) - 60}.000000`;
    const first = await api().postMessage({ channel: 'C0PAGES', message: message('First'), eventId: 'evt-page-first' });
    for (let i = 0; i < 205; i++) {
      await api().postMessage({ channel: 'C0PAGES', message: message(`Filler ${i}`), eventId: `evt-filler-${i}` });
    }
    const before = server.calls('conversations.history');

    expect(await api().findPosted({ channel: 'C0PAGES', eventId: 'evt-page-first', oldestTs: since })).toBe(first.ts);
    expect(server.calls('conversations.history') - before).toBe(2);
  });

  it('waits for Retry-After on HTTP 429 and then posts exactly once', async () => {
    server.addChannel('C0RATE');
    server.failNext('chat.postMessage', 1, { kind: 'ratelimit', retryAfterSec: 1 });
    const before = server.requests('chat.postMessage').length;

    await api().postMessage({ channel: 'C0RATE', message: message('Rate limited'), eventId: 'evt-429' });

    const [first, second, ...rest] = server.requests('chat.postMessage').slice(before);
    expect(rest).toEqual([]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(server.messages('C0RATE')).toHaveLength(1);
  });

  it('fails at once, not permanently, when Retry-After is longer than it may wait', async () => {
    server.addChannel('C0RATELONG');
    server.failNext('chat.postMessage', 1, { kind: 'ratelimit', retryAfterSec: 120 });
    const before = server.calls('chat.postMessage');
    const started = Date.now();

    const error = await slackError(api().postMessage({ channel: 'C0RATELONG', message: message('x'), eventId: 'evt-429-long' }));

    expect(error).toMatchObject({ code: 'ratelimited', permanent: false });
    expect(error.message).toContain('120 s');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.calls('chat.postMessage') - before).toBe(1);
    expect(server.messages('C0RATELONG')).toEqual([]);
  });

  it('retries HTTP 500 twice and posts once', async () => {
    server.addChannel('C0FIVE');
    server.failNext('chat.postMessage', 2, { kind: 'http', status: 500 });
    const before = server.calls('chat.postMessage');

    await api().postMessage({ channel: 'C0FIVE', message: message('Flaky'), eventId: 'evt-500' });

    expect(server.calls('chat.postMessage') - before).toBe(3);
    expect(server.messages('C0FIVE')).toHaveLength(1);
  });

  it('retries a dropped connection and posts once', async () => {
    server.addChannel('C0DROP');
    server.failNext('chat.postMessage', 1, { kind: 'drop' });
    const before = server.calls('chat.postMessage');

    await api().postMessage({ channel: 'C0DROP', message: message('Dropped'), eventId: 'evt-drop' });

    expect(server.calls('chat.postMessage') - before).toBe(2);
    expect(server.messages('C0DROP')).toHaveLength(1);
  });

  it('does not post twice when Slack posted but the answer was lost', async () => {
    server.addChannel('C0LOST');
    server.failNext('chat.postMessage', 1, { kind: 'drop-after-post' });

    const { ts } = await api().postMessage({ channel: 'C0LOST', message: message('Answer lost'), eventId: 'evt-lost' });

    expect(server.messages('C0LOST').map((m) => m.ts)).toEqual([ts]);
    expect(server.calls('chat.postMessage')).toBeGreaterThanOrEqual(1);
    expect(server.calls('conversations.history')).toBeGreaterThanOrEqual(1);
  });

  it('turns invalid_auth into a permanent SlackError after exactly one call', async () => {
    const before = server.calls('chat.postMessage');
    const error = await slackError(
      api({ token: 'xoxb-not-the-right-token' }).postMessage({ channel: CHANNEL, message: message('x'), eventId: 'evt-auth' }),
    );

    expect(error).toMatchObject({ code: 'invalid_auth', permanent: true });
    expect(error.message).toBe('Slack chat.postMessage failed: invalid_auth');
    expect(server.calls('chat.postMessage') - before).toBe(1);
  });

  it('turns channel_not_found into a permanent SlackError after exactly one call', async () => {
    const before = server.calls('chat.postMessage');
    const error = await slackError(api().postMessage({ channel: 'C0NOWHERE', message: message('x'), eventId: 'evt-chan' }));

    expect(error).toMatchObject({ code: 'channel_not_found', permanent: true });
    expect(server.calls('chat.postMessage') - before).toBe(1);
  });

  it('retries a transient Slack error (internal_error) and posts once', async () => {
    server.addChannel('C0INTERNAL');
    server.failNext('chat.postMessage', 1, { kind: 'slack', error: 'internal_error' });
    await api().postMessage({ channel: 'C0INTERNAL', message: message('x'), eventId: 'evt-internal' });
    expect(server.messages('C0INTERNAL')).toHaveLength(1);
  });

  it('keeps a transient Slack error (internal_error) not permanent once retries are spent', async () => {
    server.failNext('chat.postMessage', 2, { kind: 'slack', error: 'internal_error' });
    const error = await slackError(
      api({ retries: 1 }).postMessage({ channel: CHANNEL, message: message('x'), eventId: 'evt-internal-2' }),
    );
    expect(error).toMatchObject({ code: 'internal_error', permanent: false });
  });

  it('gives up on repeated HTTP 503 with a SlackError that is not permanent', async () => {
    server.addChannel('C0DOWN');
    server.failNext('chat.postMessage', 3, { kind: 'http', status: 503 });
    const before = server.calls('chat.postMessage');

    const error = await slackError(
      api({ retries: 2 }).postMessage({ channel: 'C0DOWN', message: message('x'), eventId: 'evt-503' }),
    );

    expect(error).toMatchObject({ code: 'http_503', permanent: false });
    expect(server.calls('chat.postMessage') - before).toBe(3);
    expect(server.messages('C0DOWN')).toEqual([]);
  });

  it('never shows the token in error messages, in util.inspect of the errors, or in its log lines', async () => {
    const lines: string[] = [];
    const record = (message: string, keys?: Record<string, unknown>) => lines.push(`${message} ${JSON.stringify(keys)}`);
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const client = api({ retries: 1, logger });
    const failing = async (fault: () => void, run: () => Promise<unknown>) => {
      fault();
      return slackError(run());
    };

    const errors = [
      await failing(
        () => server.failNext('chat.postMessage', 2, { kind: 'http', status: 503 }),
        () => client.postMessage({ channel: CHANNEL, message: message('x'), eventId: 'evt-secret-1' }),
      ),
      await failing(
        () => server.failNext('chat.update', 2, { kind: 'drop' }),
        () => client.updateMessage({ channel: CHANNEL, ts: '1.000001', message: message('x') }),
      ),
      await failing(
        () => server.failNext('conversations.history', 1, { kind: 'slack', error: 'missing_scope' }),
        () => client.findPosted({ channel: CHANNEL, eventId: 'e', oldestTs: '0' }),
      ),
      await failing(
        () => server.failNext('conversations.replies', 2, { kind: 'ratelimit', retryAfterSec: 0 }),
        () => client.findPosted({ channel: CHANNEL, eventId: 'e', oldestTs: '0', threadTs: '1.000001' }),
      ),
    ];

    expect(errors.map((e) => [e.code, e.permanent])).toEqual([
      ['http_503', false],
      ['request_error', false],
      ['missing_scope', true],
      ['ratelimited', false],
    ]);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...errors.map((e) => `${e.message}\n${inspect(e, { depth: 10 })}`), ...lines]) {
      expect(text).not.toContain(server.token);
    }
  });

  it('refuses a token that is not a valid header value without quoting it', () => {
    let error: unknown;
    try {
      makeSlackWebApi({ token: 'xoxb-line\nbreak', apiBaseUrl: server.apiBaseUrl });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SlackError);
    expect((error as SlackError).permanent).toBe(true);
    expect(inspect(error)).not.toContain('xoxb-line');
  });
});

describe('Slack webhook adapter against the Slack test server', () => {
  const SECRET = 'T0WATCHER/B0WATCHER/s3cr3tWebhookPathDoNotLog';
  const hook = (name: string, options: { retries?: number } = {}) =>
    makeSlackWebhook({ url: server.webhookUrl(name), minRetryDelayMs: 10, ...options });

  it('posts the message once as JSON with unfurls off', async () => {
    await hook('ops/once').post(message('Maintenance scheduled'));

    expect(server.webhookPosts('ops/once')).toEqual([
      {
        text: message('Maintenance scheduled').text,
        blocks: message('Maintenance scheduled').blocks,
        unfurl_links: false,
        unfurl_media: false,
      },
    ]);
    expect(server.calls('webhook:ops/once')).toBe(1);
  });

  it('waits for Retry-After on HTTP 429 and then posts once', async () => {
    server.failNext('webhook:ops/rate', 1, { kind: 'ratelimit', retryAfterSec: 1 });

    await hook('ops/rate').post(message('Rate limited'));

    expect(server.calls('webhook:ops/rate')).toBe(2);
    expect(gapMs(server, 'webhook:ops/rate')).toBeGreaterThanOrEqual(950);
    expect(server.webhookPosts('ops/rate')).toHaveLength(1);
  });

  it('retries 5xx answers and a dropped connection, then posts once', async () => {
    server.failNext('webhook:ops/flaky', 2, { kind: 'http', status: 500, body: 'rollup_error' });
    server.failNext('webhook:ops/flaky', 1, { kind: 'drop' });

    await hook('ops/flaky').post(message('Flaky'));

    expect(server.calls('webhook:ops/flaky')).toBe(4);
    expect(server.webhookPosts('ops/flaky')).toHaveLength(1);
  });

  it('gives up on repeated 503 with a SlackError that is not permanent', async () => {
    server.failNext('webhook:ops/down', 3, { kind: 'http', status: 503 });

    const error = await slackError(hook('ops/down', { retries: 2 }).post(message('x')));

    expect(error).toMatchObject({ code: 'http_503', permanent: false });
    expect(server.calls('webhook:ops/down')).toBe(3);
  });

  it('turns invalid_token into a permanent SlackError after one call', async () => {
    server.failNext('webhook:ops/revoked', 1, { kind: 'slack', error: 'invalid_token' });

    const error = await slackError(hook('ops/revoked').post(message('x')));

    expect(error).toMatchObject({ code: 'invalid_token', permanent: true });
    expect(error.message).toContain('HTTP 403');
    expect(server.calls('webhook:ops/revoked')).toBe(1);
  });

  it('turns no_service (a removed webhook) into a permanent SlackError after one call', async () => {
    const url = server.webhookUrl('ops/placeholder').replace('ops/placeholder', 'ops/removed');

    const error = await slackError(makeSlackWebhook({ url, minRetryDelayMs: 10 }).post(message('x')));

    expect(error).toMatchObject({ code: 'no_service', permanent: true });
    expect(server.calls('webhook:ops/removed')).toBe(1);
  });

  it('never shows the webhook URL in its errors', async () => {
    const url = server.webhookUrl(SECRET);
    server.failNext(`webhook:${SECRET}`, 1, { kind: 'slack', error: 'channel_is_archived' });
    server.failNext(`webhook:${SECRET}`, 2, { kind: 'http', status: 502 });
    const closedPort = `http://127.0.0.1:${await freePort()}/services/${SECRET}`;

    const errors = [
      await slackError(makeSlackWebhook({ url, minRetryDelayMs: 10 }).post(message('x'))),
      await slackError(makeSlackWebhook({ url, minRetryDelayMs: 10, retries: 1 }).post(message('x'))),
      await slackError(makeSlackWebhook({ url: closedPort, minRetryDelayMs: 10, retries: 0 }).post(message('x'))),
      await slackError(Promise.resolve().then(() => makeSlackWebhook({ url: `not a url ${SECRET}` }))),
    ];

    expect(errors.map((e) => [e.code, e.permanent])).toEqual([
      ['channel_is_archived', true],
      ['http_502', false],
      ['request_error', false],
      ['invalid_webhook_url', true],
    ]);
    expect(errors[2]?.message).toContain('ECONNREFUSED');
    for (const error of errors) {
      const text = `${error.message}\n${inspect(error, { depth: 10 })}`;
      expect(text).not.toContain('s3cr3tWebhookPathDoNotLog');
      expect(text).not.toContain('/services/');
    }
  });
});

describe('the Slack test server validates messages as Slack does', () => {
  it('rejects 51 blocks from a webhook with 400 invalid_blocks, and 50 pass', async () => {
    const hook = makeSlackWebhook({ url: server.webhookUrl('ops/limits'), minRetryDelayMs: 10 });

    const error = await slackError(hook.post(manyBlocks(51)));
    await hook.post(manyBlocks(50));

    expect(error).toMatchObject({ code: 'invalid_blocks', permanent: true });
    expect(error.message).toContain('HTTP 400');
    expect(server.webhookPosts('ops/limits')).toHaveLength(1);
  });

  it('rejects 51 blocks, a 3,001-character section and a 151-character header from chat.postMessage', async () => {
    const api = makeSlackWebApi({ token: server.token, apiBaseUrl: server.apiBaseUrl, minRetryDelayMs: 10 });
    const post = (m: SlackMessage) => slackError(api.postMessage({ channel: CHANNEL, message: m, eventId: 'evt-limits' }));
    const before = server.messages(CHANNEL).length;

    const errors = [
      await post(manyBlocks(51)),
      await post({ text: 'long', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] }),
      await post({ text: 'long', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }] }),
      await post({ text: 'x'.repeat(40_001), blocks: [] }),
    ];

    expect(errors.map((e) => [e.code, e.permanent])).toEqual([
      ['invalid_blocks', true],
      ['invalid_blocks', true],
      ['invalid_blocks', true],
      ['msg_too_long', true],
    ]);
    expect(server.messages(CHANNEL)).toHaveLength(before);
  });

  it('deletes a message as a person would: a reply to it answers thread_not_found, an update message_not_found', async () => {
    const api = makeSlackWebApi({ token: server.token, apiBaseUrl: server.apiBaseUrl, minRetryDelayMs: 10 });
    const root = await api.postMessage({ channel: CHANNEL, message: message('Deleted soon'), eventId: 'evt-deleted-root' });
    server.deleteMessage(CHANNEL, root.ts);

    const reply = await slackError(api.postMessage({ channel: CHANNEL, message: message('x'), eventId: 'evt-deleted-reply', threadTs: root.ts }));
    const update = await slackError(api.updateMessage({ channel: CHANNEL, ts: root.ts, message: message('x') }));
    const lookup = await slackError(api.findPosted({ channel: CHANNEL, eventId: 'evt-deleted-reply', oldestTs: '0', threadTs: root.ts }));

    expect([reply.code, update.code, lookup.code]).toEqual(['thread_not_found', 'message_not_found', 'thread_not_found']);
    expect(server.messages(CHANNEL).some((m) => m.ts === root.ts)).toBe(false);
  });

  it('answers a webhook with neither text nor blocks with 400 no_text', async () => {
    const response = await fetch(server.webhookUrl('ops/raw'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unfurl_links: false }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('no_text');
  });

  it('accepts a JSON Web API call with the bearer token and a thread_ts only of an existing root', async () => {
    const call = (body: unknown) =>
      fetch(`${server.apiBaseUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${server.token}` },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ ok: boolean; ts?: string; error?: string }>);

    const root = await call({ channel: CHANNEL, text: 'root', blocks: [{ type: 'divider' }] });
    const reply = await call({ channel: CHANNEL, text: 'reply', thread_ts: root.ts });
    const orphan = await call({ channel: CHANNEL, text: 'orphan', thread_ts: '1000000000.000001' });
    const nested = await call({ channel: CHANNEL, text: 'nested', thread_ts: reply.ts });

    expect(root).toMatchObject({ ok: true });
    expect(reply).toMatchObject({ ok: true });
    expect(orphan).toEqual({ ok: false, error: 'thread_not_found' });
    expect(nested).toEqual({ ok: false, error: 'thread_not_found' });
  });
});
