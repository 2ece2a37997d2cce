// Auth0's Management API read with a machine-to-machine token: the one client every Management API reader shares (the
// tenant-log reader, adapters/auth0-management-api.ts; the tenant checks, sources/auth0-tenant-checks/). The token
// comes by client credentials and is cached per tenant, client and audience until a minute before it expires (tenants
// have a monthly allowance of such tokens); `getJson` GETs one path with it: rate limits (`x-ratelimit-*`, 429
// `Retry-After`) waited within one wait budget per client, 5xx, 408, timeouts and network failures retried through
// adapters/http-retries.ts, 401/403 answers turned into errors naming the scope the read needs, and answers the caller
// expects (a 404 that means something) handed back rather than thrown.
import { setTimeout as wait } from 'node:timers/promises';
import { ManagementApiError } from '../core/errors.js';
import type { ManagementApi, ManagementApiCredentials } from '../core/ports.js';
import { cleanLine } from '../core/text/clean-line.js';
import { DEFAULT_USER_AGENT } from './http-fetcher.js';
import { errorCode } from './http-fetcher-request.js';
import { AttemptFailure, DEFAULT_RETRY_POLICY, retryAfterSeconds, withRetries, type RetryPolicy } from './http-retries.js';

/** The port's credentials (core/ports.ts: the tenant URL, the application, its secret, the scopes its reads need), and knobs. */
export interface ManagementApiClientOptions extends ManagementApiCredentials {
  /**
   * Longest total wait for rate limits over the client's life (one run): pauses until `x-ratelimit-reset` and 429
   * `Retry-After` waits. A wait that would overrun it fails at once with `rateLimited: true`. @default 20000
   */
  readonly waitBudgetMs?: number;
  /** Deadline of one request. @default 10000 */
  readonly timeoutMs?: number;
  /** @default DEFAULT_USER_AGENT */
  readonly userAgent?: string;
  /** Retries of 5xx, 408, timeouts and network errors, and their backoff. @default DEFAULT_RETRY_POLICY's */
  readonly retryPolicy?: Partial<Pick<RetryPolicy, 'retries' | 'minDelayMs' | 'maxDelayMs'>>;
  /** Largest Management API answer read. @default 16 MiB */
  readonly maxAnswerBytes?: number;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds, for token expiry and `x-ratelimit-reset`. @default Date.now */
  readonly now?: () => number;
}

/** A token is refreshed this long before its `expires_in` runs out. */
const TOKEN_MARGIN_MS = 60_000;
const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const MAX_TOKEN_BYTES = 64 * 1024;
const MAX_VENDOR_TEXT = 200;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface CachedToken {
  readonly token: string;
  readonly refreshAt: number;
}

/** Tokens by tenant, client and audience, kept for the process's life so that a warm Lambda reuses its token. */
const tokenCache = new Map<string, CachedToken>();

/** Forgets every cached token (tests; a process that rotated a secret). */
export function forgetAuth0Tokens(): void {
  tokenCache.clear();
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** Builds the client. Throws `ManagementApiError` at once when the URL is unusable. */
export function makeManagementApiClient(options: ManagementApiClientOptions): ManagementApi {
  const origin = tenantOrigin(options.url);
  const audience = options.audience ?? `${origin}/api/v2/`;
  const tokenUrl = `${origin}/oauth/token`;
  const clientName = cleanLine(options.clientId, 128);
  const secret = options.clientSecret;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const sleep = options.sleep ?? ((ms: number) => wait(ms));
  const now = options.now ?? Date.now;
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy, maxRetryAfterSec: Number.MAX_SAFE_INTEGER };
  const cacheKey = `${origin}\n${options.clientId}\n${audience}`;
  const scopeWords = options.scopes.length === 1 ? `the scope ${options.scopes[0]}` : `the scopes ${options.scopes.join(', ')}`;
  let budgetLeftMs = options.waitBudgetMs ?? 20_000;
  /** From the last Management API answer: no request is left in this window until `resetAt` (epoch ms). */
  let exhaustedUntil: number | undefined;

  /** Vendor text made safe to quote: one clean bounded line that never contains the secret. */
  const quote = (text: string): string =>
    cleanLine(secret.length > 0 ? text.replaceAll(secret, '[secret]') : text, MAX_VENDOR_TEXT);

  /** Waits `ms` out of the budget, or fails with `rateLimited` when the budget cannot cover it. */
  const spend = async (ms: number, url: string, why: string, status?: number): Promise<void> => {
    if (ms > budgetLeftMs) {
      const reason = `${why}; waiting ${ms} ms would exceed this run's wait budget, the next run continues`;
      throw new ManagementApiError(url, reason, { ...(status !== undefined && { status }), rateLimited: true });
    }
    budgetLeftMs -= ms;
    if (ms > 0) await sleep(ms);
  };

  const noteRateLimit = (headers: Headers): void => {
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
    exhaustedUntil = remaining === 0 && Number.isFinite(reset) ? reset * 1000 : undefined;
  };

  /** One exchange with retries: network errors, timeouts, 408 and 5xx by backoff, 429 within the wait budget. */
  const exchange = (url: string, init: RequestInit, managementApi: boolean): Promise<Answer> =>
    withRetries(
      async () => {
        let response: Response;
        try {
          const send = options.fetch ?? fetch;
          response = await send(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
        } catch (error) {
          const reason = isTimeout(error) ? `timed out after ${timeoutMs} ms` : `connection failed: ${quote(errorCode(error))}`;
          throw new AttemptFailure(new ManagementApiError(url, reason), { retry: 'backoff' });
        }
        if (managementApi) noteRateLimit(response.headers);
        const text = await readCapped(response, managementApi ? maxAnswerBytes : MAX_TOKEN_BYTES, url, timeoutMs);
        const { status } = response;
        if (status === 429) {
          const reason = `rate limited: HTTP 429${vendorDetail(text, quote)}`;
          const retryAfter = response.headers.get('retry-after');
          const reset = Number(response.headers.get('x-ratelimit-reset') ?? Number.NaN);
          const waitMs =
            retryAfter !== null || !Number.isFinite(reset)
              ? retryAfterSeconds(retryAfter, now) * 1000
              : Math.max(0, reset * 1000 - now());
          await spend(waitMs, url, reason, status);
          throw new AttemptFailure(new ManagementApiError(url, reason, { status, rateLimited: true }), { retry: 'now' });
        }
        if (status >= 500 || status === 408) {
          const error = new ManagementApiError(url, `HTTP ${status}${vendorDetail(text, quote)}`, { status });
          throw new AttemptFailure(error, { retry: 'backoff' });
        }
        return { status, text };
      },
      {
        policy,
        sleep,
        exhausted: (error, attempts) =>
          error instanceof ManagementApiError
            ? new ManagementApiError(error.url, `${error.reason}; gave up after ${attempts} attempts`, {
                ...(error.status !== undefined && { status: error.status }),
                ...(error.rateLimited !== undefined && { rateLimited: error.rateLimited }),
              })
            : error,
      },
    );

  /** A token from the cache, or from the token endpoint by client credentials. */
  const token = async (): Promise<{ token: string; cached: boolean }> => {
    const cached = tokenCache.get(cacheKey);
    if (cached && now() < cached.refreshAt) return { token: cached.token, cached: true };
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: secret,
      audience,
    });
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': userAgent },
      body: body.toString(),
    };
    const answer = await exchange(tokenUrl, init, false);
    if (answer.status !== 200) {
      const refusal = tokenRefusal(answer, quote);
      throw new ManagementApiError(
        tokenUrl,
        `the token endpoint refused the client credentials of application ${clientName} (HTTP ${answer.status}${refusal}): ` +
          `check its client secret and that it is authorized for the Management API (${audience}) with ${scopeWords}`,
        { status: answer.status },
      );
    }
    const fresh = parseToken(answer.text);
    if (!fresh) throw new ManagementApiError(tokenUrl, 'the token endpoint answered without a usable access_token', { status: 200 });
    const refreshAt = now() + fresh.expiresInSec * 1000 - TOKEN_MARGIN_MS;
    if (refreshAt > now()) tokenCache.set(cacheKey, { token: fresh.token, refreshAt });
    return { token: fresh.token, cached: false };
  };

  return {
    origin,
    /** GETs a Management API URL with a token; a cached token the API refuses is replaced once. */
    async getJson(path, scope, { accept = [] } = {}) {
      const url = `${origin}${path.startsWith('/') ? path : `/${path}`}`;
      if (exhaustedUntil !== undefined) {
        const pauseMs = exhaustedUntil - now();
        exhaustedUntil = undefined;
        if (pauseMs > 0) await spend(pauseMs, url, 'the rate limit window is used up (x-ratelimit-remaining 0)');
      }
      for (let renewed = false; ; renewed = true) {
        const auth = await token();
        const init = { headers: { authorization: `Bearer ${auth.token}`, accept: 'application/json', 'user-agent': userAgent } };
        const answer = await exchange(url, init, true);
        if (answer.status === 200) return { url, status: 200, body: parseJson(url, answer) };
        if (accept.includes(answer.status)) return { url, status: answer.status, body: tryJson(answer.text) };
        if (answer.status === 401 && auth.cached && !renewed) {
          tokenCache.delete(cacheKey);
          continue;
        }
        throw refusedError(url, answer, scope, clientName, audience, quote);
      }
    },
  };
}

/** The tenant's origin; `https:`, or `http:` on a loopback host. */
function tenantOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ManagementApiError(cleanLine(url, MAX_VENDOR_TEXT), 'the tenant URL is not a valid URL');
  }
  const loopback = parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !loopback) throw new ManagementApiError(parsed.origin, 'the tenant URL must be https');
  if (parsed.username !== '' || parsed.password !== '') throw new ManagementApiError(parsed.origin, 'the tenant URL must not carry credentials');
  return parsed.origin;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseJson(url: string, answer: Answer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new ManagementApiError(url, 'the answer is not JSON', { status: answer.status });
  }
}

function parseToken(text: string): { token: string; expiresInSec: number } | undefined {
  const parsed = tryJson(text);
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { access_token: token, expires_in: expiresIn } = parsed as Record<string, unknown>;
  if (typeof token !== 'string' || !/^[\x21-\x7E]{1,16384}$/.test(token)) return undefined;
  return { token, expiresInSec: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 0 };
}

/** A JSON error body's fields: the Management API's `{statusCode, error, message, errorCode}` or OAuth's `{error, error_description}`. */
function managementErrorBody(body: unknown): { error?: string; message?: string; errorCode?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { error, message, error_description: description, errorCode: code } = body as Record<string, unknown>;
  const detail = typeof message === 'string' ? message : typeof description === 'string' ? description : undefined;
  return {
    ...(typeof error === 'string' && { error }),
    ...(detail !== undefined && { message: detail }),
    ...(typeof code === 'string' && { errorCode: code }),
  };
}

const errorBody = (text: string) => managementErrorBody(tryJson(text));

/** `: <errorCode or error>: <message>` from an error body, cleaned; empty when it says nothing. */
function vendorDetail(text: string, quote: (text: string) => string): string {
  const body = errorBody(text);
  const parts = [body.errorCode ?? body.error, body.message].filter((part): part is string => part !== undefined && part !== '');
  return parts.length === 0 ? '' : `: ${quote(parts.join(': '))}`;
}

function tokenRefusal(answer: Answer, quote: (text: string) => string): string {
  const body = errorBody(answer.text);
  const parts = [body.error, body.message].filter((part): part is string => part !== undefined && part !== '');
  return parts.length === 0 ? '' : ` ${quote(parts.join(': '))}`;
}

/** A 4xx other than 429 from the Management API: 401/403 name the missing scope (the answer's, else the read's). */
function refusedError(
  url: string,
  answer: Answer,
  scope: string,
  clientName: string,
  audience: string,
  quote: (text: string) => string,
): ManagementApiError {
  const { status } = answer;
  const detail = vendorDetail(answer.text, quote);
  if (status !== 401 && status !== 403) return new ManagementApiError(url, `HTTP ${status}${detail}`, { status });
  const expected = /expected any of:\s*([A-Za-z0-9:_.-]+)/.exec(errorBody(answer.text).message ?? '')?.[1];
  const missingScope = expected ?? scope;
  const reason =
    status === 403
      ? `the application ${clientName} lacks the scope ${missingScope} (HTTP 403${detail}): grant it on the Auth0 Management API`
      : `the Management API did not accept the token of application ${clientName} (HTTP 401${detail}): authorize the ` +
        `application for ${audience} with the scope ${missingScope}`;
  return new ManagementApiError(url, reason, { status, missingScope });
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The answer's text, at most `maxBytes` (a larger one fails without retry). */
async function readCapped(response: Response, maxBytes: number, url: string, timeoutMs: number): Promise<string> {
  const tooLarge = () => new AttemptFailure(new ManagementApiError(url, `the answer is larger than ${maxBytes} bytes`), { retry: 'never' });
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    const reason = isTimeout(error) ? `timed out after ${timeoutMs} ms` : `the answer was cut off: ${errorCode(error)}`;
    throw new AttemptFailure(new ManagementApiError(url, reason), { retry: 'backoff' });
  }
  return Buffer.concat(chunks).toString('utf8');
}
