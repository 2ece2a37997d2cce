// The Management API reader against a loopback fake of an Auth0 tenant: client-credentials token and its cache,
// checkpoint paging of GET /api/v2/logs, rate limits within the wait budget, retries, and errors naming the URL, the
// client and the missing scope, never the secret. A shared fake clock makes every wait instant and measurable.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetAuth0Tokens, makeAuth0LogReader, type Auth0LogReaderOptions } from '../../functions/adapters/auth0-management-api.js';
import { DEFAULT_USER_AGENT } from '../../functions/adapters/http-fetcher.js';
import { ManagementApiError } from '../../functions/core/errors.js';
import type { TenantLog } from '../../functions/stream/ports.js';
import {
  fixtureBody,
  sampleLogs,
  startAuth0ManagementServer,
  tenantLog,
  type Auth0ManagementServer,
  type Auth0ManagementServerOptions,
} from '../support/auth0-management-server.js';

const START = Date.parse('2026-12-01T12:00:00.000Z');
/** Real and reconstructed sample events of the types the watcher reads most. */
const TEMPLATES = [...sampleLogs('f'), ...sampleLogs('fp'), ...sampleLogs('fu'), ...sampleLogs('s'), ...sampleLogs('depnote'), ...sampleLogs('api_limit')];

let clock: number;
let waits: number[];
let servers: Auth0ManagementServer[];

beforeEach(() => {
  clock = START;
  waits = [];
  servers = [];
  forgetAuth0Tokens();
});
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const now = () => clock;
const sleep = async (ms: number) => {
  waits.push(ms);
  clock += ms;
};

async function tenant(options: Auth0ManagementServerOptions = {}): Promise<Auth0ManagementServer> {
  const server = await startAuth0ManagementServer({ now, ...options });
  servers.push(server);
  return server;
}

function reader(server: Auth0ManagementServer, options: Partial<Auth0LogReaderOptions> = {}) {
  return makeAuth0LogReader({
    url: server.url,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    now,
    sleep,
    retryPolicy: { retries: 2, minDelayMs: 10, maxDelayMs: 40 },
    ...options,
  });
}

/** `n` real-shaped logs a second apart, from START − 1 h. */
function logs(n: number): TenantLog[] {
  return Array.from({ length: n }, (_, i) => tenantLog(TEMPLATES[i % TEMPLATES.length]!, new Date(START - 3_600_000 + i * 1000), i));
}

async function managementError(promise: Promise<unknown>): Promise<ManagementApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManagementApiError);
  return error as ManagementApiError;
}

const statuses = (server: Auth0ManagementServer, endpoint: 'token' | 'logs') => server.requests(endpoint).map((r) => r.status);

describe('token by client credentials', () => {
  it('fetches one token for the tenant audience and reuses it, across readers, until a minute before it expires', async () => {
    const server = await tenant({ tokenLifetimeSec: 3600 });
    server.append(...logs(3));
    const first = reader(server);
    await first.newestLogId();
    await first.page(server.logs()[0]!.log_id, 100);
    await reader(server).page(server.logs()[0]!.log_id, 100);
    expect(server.tokensIssued()).toBe(1);
    expect(server.requests('token')[0]).toMatchObject({ clientId: server.clientId, audience: `${server.url}/api/v2/` });
    expect(server.requests('logs')[0]!.userAgent).toBe(DEFAULT_USER_AGENT);

    clock = START + (3600 - 61) * 1000;
    await first.page(server.logs()[0]!.log_id, 100);
    expect(server.tokensIssued()).toBe(1);

    clock = START + (3600 - 59) * 1000;
    await first.page(server.logs()[0]!.log_id, 100);
    expect(server.tokensIssued()).toBe(2);
  });

  it("the fake's token answer has the fields of a real client-credentials answer", async () => {
    const server = await tenant();
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: server.clientId, client_secret: server.clientSecret, audience: server.audience }),
    });
    const real = fixtureBody('oauth-token.client-credentials.200.json') as Record<string, unknown>;
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    for (const [key, value] of Object.entries(real)) expect(typeof body[key], key).toBe(typeof value);
    expect(body.expires_in).toBe(real.expires_in);
  });

  it('replaces a cached token the API no longer accepts, once', async () => {
    const server = await tenant();
    server.append(...logs(2));
    const logReader = reader(server);
    await logReader.page(server.logs()[0]!.log_id, 100);
    server.expireTokens();
    const page = await logReader.page(server.logs()[0]!.log_id, 100);
    expect(page.map((log) => log.log_id)).toEqual([server.logs()[1]!.log_id]);
    expect(server.tokensIssued()).toBe(2);
    expect(statuses(server, 'logs')).toEqual([200, 401, 200]);
  });

  it('a refused client secret (401 access_denied) names the client id and the token URL, never the secret', async () => {
    const server = await tenant();
    const wrongSecret = 'wrong-secret-Zq81xV3mPq0w';
    const error = await managementError(reader(server, { clientSecret: wrongSecret }).page(logs(1)[0]!.log_id, 100));
    expect(error.status).toBe(401);
    expect(error.url).toBe(`${server.url}/oauth/token`);
    expect(error.message).toContain(server.clientId);
    expect(error.message).toContain('access_denied');
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(text).not.toContain(wrongSecret);
      expect(text).not.toContain(server.clientSecret);
    }
    expect(server.requests('logs')).toHaveLength(0);
  });

  it('a token endpoint that echoes the secret back has it removed from the error', async () => {
    const server = await tenant();
    server.failNext('token', 1, {
      kind: 'status',
      status: 401,
      body: { error: 'access_denied', error_description: `Unauthorized: client_secret=${server.clientSecret}` },
    });
    const error = await managementError(reader(server).newestLogId());
    expect(error.message).toContain('[secret]');
    expect(inspect(error, { depth: 5 })).not.toContain(server.clientSecret);
  });

  it('an application without a grant on the Management API (403 access_denied) is named with its client id', async () => {
    const server = await tenant({ scopes: [] });
    const error = await managementError(reader(server).newestLogId());
    expect(error.status).toBe(403);
    expect(error.message).toContain(server.clientId);
    expect(error.message).toContain('client-grant');
    expect(error.message).toContain('read:logs');
  });
});

describe('checkpoint paging', () => {
  it('reads every log after the checkpoint once, in log_id order, at most take per page, until an empty page', async () => {
    const server = await tenant();
    server.append(...logs(251));
    const logReader = reader(server);
    const checkpoint = server.logs()[0]!.log_id;
    const read: string[] = [];
    const sizes: number[] = [];
    for (let from = checkpoint; ; ) {
      const page = await logReader.page(from, 100);
      sizes.push(page.length);
      if (page.length === 0) break;
      read.push(...page.map((log) => log.log_id));
      from = page.at(-1)!.log_id;
    }
    expect(sizes).toEqual([100, 100, 50, 0]);
    expect(read).toEqual(server.logs().slice(1).map((log) => log.log_id));
    expect(server.requests('logs').every((request) => Number(request.query.take) <= 100)).toBe(true);
  });

  it("each next page is asked for exactly where the previous answer's Link rel=next points", async () => {
    const server = await tenant();
    server.append(...logs(25));
    const logReader = reader(server);
    let from = server.logs()[0]!.log_id;
    for (let page = await logReader.page(from, 10); page.length > 0; page = await logReader.page(from, 10)) from = page.at(-1)!.log_id;
    const requests = server.requests('logs');
    for (const [index, request] of requests.slice(1).entries()) {
      expect(requests[index]!.link).toBe(`<${server.url}${request.url}>; rel="next"`);
    }
    // Caught up: the empty page's next link is the URL just used.
    expect(requests.at(-1)!.link).toBe(`<${server.url}${requests.at(-1)!.url}>; rel="next"`);
  });

  it('passes real-shaped logs through as received (the checkpoint-page fixture, every field)', async () => {
    const server = await tenant();
    const fixture = fixtureBody('get-logs.checkpoint-page.json') as TenantLog[];
    const realFailures = sampleLogs('f'); // real ids from a 2021 tenant
    server.append(...realFailures, ...fixture);
    const page = await reader(server).page(server.logs()[realFailures.length - 1]!.log_id, 100);
    expect(page).toEqual([...fixture]);
    expect(page.map((log) => log.type)).toContain('depnote');
  });

  it('names the newest log by sort=date:-1&per_page=1, and nothing for a tenant without logs', async () => {
    const server = await tenant();
    const logReader = reader(server);
    expect(await logReader.newestLogId()).toBeUndefined();
    server.append(...logs(30));
    expect(await logReader.newestLogId()).toBe(server.logs().at(-1)!.log_id);
    expect(server.requests('logs').at(-1)!.query).toEqual({ sort: 'date:-1', per_page: '1' });
  });

  it('reads the caught-up answer (an empty page, x-ratelimit headers to spare) as no logs, without pausing', async () => {
    const server = await tenant();
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/auth0-tenant/get-logs.checkpoint-empty.json', import.meta.url), 'utf8')) as {
      response: { status: number; headers: Record<string, string>; body: unknown };
    };
    server.failNext('logs', 1, { kind: 'status', ...fixture.response });
    const logReader = reader(server);
    expect(await logReader.page(logs(1)[0]!.log_id, 100)).toEqual([]);
    expect(await logReader.newestLogId()).toBeUndefined();
    expect(waits).toEqual([]);
  });

  it('refuses a take above 100 before sending anything', async () => {
    const server = await tenant();
    await expect(reader(server).page(logs(1)[0]!.log_id, 101)).rejects.toThrow(RangeError);
    expect(server.requests()).toHaveLength(0);
  });
});

describe('rate limits', () => {
  it('pauses until x-ratelimit-reset when the window has no requests left, then reads on without a 429', async () => {
    const server = await tenant({ rateLimit: { limit: 2, windowSec: 60 } });
    server.append(...logs(30));
    const logReader = reader(server, { waitBudgetMs: 120_000 });
    let from = server.logs()[0]!.log_id;
    for (let i = 0; i < 3; i++) from = (await logReader.page(from, 10)).at(-1)!.log_id;
    expect(statuses(server, 'logs')).toEqual([200, 200, 200]);
    expect(waits).toEqual([60_000]);
    const resetAt = Math.ceil((START + 60_000) / 1000) * 1000;
    expect(server.requests('logs')[2]!.at).toBeGreaterThanOrEqual(resetAt);
  });

  it('waits the Retry-After of a 429, then reads the page', async () => {
    const server = await tenant();
    server.append(...logs(5));
    server.failNext('logs', 1, { kind: 'ratelimit', retryAfterSec: 2 });
    const page = await reader(server).page(server.logs()[0]!.log_id, 100);
    expect(page).toHaveLength(4);
    expect(waits).toEqual([2000]);
    expect(statuses(server, 'logs')).toEqual([429, 200]);
  });

  it('waits until x-ratelimit-reset after a 429 without Retry-After', async () => {
    const server = await tenant();
    server.append(...logs(5));
    server.failNext('logs', 1, { kind: 'ratelimit', resetInSec: 3 });
    await reader(server).page(server.logs()[0]!.log_id, 100);
    expect(waits).toEqual([3000]);
  });

  it('a 429 that would outlast the wait budget ends the read at once as rateLimited, naming the URL', async () => {
    const server = await tenant();
    server.append(...logs(5));
    server.failNext('logs', 1, { kind: 'ratelimit', retryAfterSec: 30 });
    const error = await managementError(reader(server, { waitBudgetMs: 5_000 }).page(server.logs()[0]!.log_id, 100));
    expect(error.rateLimited).toBe(true);
    expect(error.status).toBe(429);
    expect(error.url).toBe(`${server.url}/api/v2/logs?from=${server.logs()[0]!.log_id}&take=100`);
    expect(error.message).toContain(error.url);
    expect(error.message).toContain('wait budget');
    expect(waits).toEqual([]);
    expect(statuses(server, 'logs')).toEqual([429]);
  });

  it('the budget is one for the whole run: waits add up until the next one no longer fits', async () => {
    const server = await tenant();
    server.append(...logs(5));
    const logReader = reader(server, { waitBudgetMs: 5_000 });
    const first = server.logs()[0]!.log_id;
    for (let i = 0; i < 2; i++) {
      server.failNext('logs', 1, { kind: 'ratelimit', retryAfterSec: 2 });
      expect(await logReader.page(first, 100)).toHaveLength(4);
    }
    server.failNext('logs', 1, { kind: 'ratelimit', retryAfterSec: 2 });
    const error = await managementError(logReader.page(first, 100));
    expect(waits).toEqual([2000, 2000]);
    expect(error.rateLimited).toBe(true);
    expect(statuses(server, 'logs')).toEqual([429, 200, 429, 200, 429]);
  });

  it('a used-up window whose reset lies beyond the budget stops before sending the request', async () => {
    const server = await tenant({ rateLimit: { limit: 1, windowSec: 60 } });
    server.append(...logs(5));
    const logReader = reader(server, { waitBudgetMs: 1_000 });
    const page = await logReader.page(server.logs()[0]!.log_id, 2);
    const error = await managementError(logReader.page(page.at(-1)!.log_id, 2));
    expect(error.rateLimited).toBe(true);
    expect(error.message).toContain('x-ratelimit-remaining 0');
    expect(statuses(server, 'logs')).toEqual([200]);
  });

  it('without an injected clock, a Retry-After of 1 s is waited in real time', async () => {
    const server = await startAuth0ManagementServer();
    servers.push(server);
    server.append(...logs(3));
    server.failNext('logs', 1, { kind: 'ratelimit', retryAfterSec: 1 });
    const logReader = makeAuth0LogReader({ url: server.url, clientId: server.clientId, clientSecret: server.clientSecret });
    await logReader.page(server.logs()[0]!.log_id, 100);
    const [limited, retried] = server.requests('logs');
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(990);
  });
});

describe('server errors and refusals', () => {
  it('retries 5xx and a dropped connection with backoff, then reads the page', async () => {
    const server = await tenant();
    server.append(...logs(4));
    server.failNext('logs', 1, { kind: 'status', status: 503 });
    server.failNext('logs', 1, { kind: 'drop' });
    const page = await reader(server).page(server.logs()[0]!.log_id, 100);
    expect(page).toHaveLength(3);
    expect(waits).toEqual([10, 20]);
    expect(statuses(server, 'logs')).toEqual([503, 0, 200]);
  });

  it('gives up on a lasting 5xx with an error naming the URL, the status and the attempts', async () => {
    const server = await tenant();
    server.append(...logs(4));
    server.failNext('logs', 10, { kind: 'status', status: 500, body: { statusCode: 500, error: 'Internal Server Error', message: 'boom' } });
    const from = server.logs()[0]!.log_id;
    const error = await managementError(reader(server).page(from, 100));
    expect(error.status).toBe(500);
    expect(error.rateLimited).toBeUndefined();
    expect(error.message).toContain(`${server.url}/api/v2/logs?from=${from}&take=100`);
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('gave up after 3 attempts');
    expect(server.requests('logs')).toHaveLength(3);
  });

  it('a token without read:logs (403 insufficient_scope) names the missing scope and the client, without retrying', async () => {
    const server = await tenant({ scopes: ['read:users'] });
    server.append(...logs(2));
    const error = await managementError(reader(server).page(server.logs()[0]!.log_id, 100));
    expect(error.status).toBe(403);
    expect(error.missingScope).toBe('read:logs');
    expect(error.message).toContain('read:logs');
    expect(error.message).toContain(server.clientId);
    expect(error.message).toContain('/api/v2/logs');
    expect(server.requests('logs')).toHaveLength(1);
  });

  it('a 401 that a fresh token does not cure names the scope the application needs', async () => {
    const server = await tenant();
    server.append(...logs(2));
    const logReader = reader(server);
    await logReader.newestLogId();
    server.failNext('logs', 2, { kind: 'status', status: 401, body: fixtureBody('get-logs.401-expired-token.json') });
    const error = await managementError(logReader.page(server.logs()[0]!.log_id, 100));
    expect(error.status).toBe(401);
    expect(error.missingScope).toBe('read:logs');
    expect(error.message).toContain('Expired token received');
    expect(server.tokensIssued()).toBe(2);
  });
});

describe('untrusted answers', () => {
  it('refuses an answer that is not a list of logs, naming the URL', async () => {
    const server = await tenant();
    server.failNext('logs', 1, { kind: 'status', status: 200, body: { logs: [] } });
    const error = await managementError(reader(server).page(logs(1)[0]!.log_id, 100));
    expect(error.message).toContain('not a list of logs');
    expect(error.message).toContain('/api/v2/logs?from=');
  });

  it('refuses a log whose id could not name an archive object', async () => {
    const server = await tenant();
    const [log] = logs(1);
    server.failNext('logs', 1, { kind: 'status', status: 200, body: [{ ...log, log_id: '../../etc/passwd' }] });
    const error = await managementError(reader(server).page('90020261201100000000000000000000000000000000000000000000', 100));
    expect(error.message).toContain('no usable log_id');
  });

  it('refuses logs out of log_id order or not after the checkpoint', async () => {
    const server = await tenant();
    const [a, b] = logs(2);
    server.failNext('logs', 1, { kind: 'status', status: 200, body: [b, a] });
    const error = await managementError(reader(server).page('90020261201100000000000000000000000000000000000000000000', 100));
    expect(error.message).toContain('not in log_id order');
    server.failNext('logs', 1, { kind: 'status', status: 200, body: [a] });
    const behind = await managementError(reader(server).page(b!.log_id, 100));
    expect(behind.message).toContain('not in log_id order');
  });

  it('refuses plain http to a tenant that is not on loopback', () => {
    expect(() => makeAuth0LogReader({ url: 'http://acme-prod.us.auth0.com', clientId: 'x', clientSecret: 'y' })).toThrow(/must be https/);
  });
});
