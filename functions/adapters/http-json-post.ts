// One POST of a JSON body to a channel's HTTP endpoint (a Teams workflow, a signed-webhook receiver), retried through
// the one retry helper (http-retries.ts): 429 after Retry-After; 5xx, 408, 425, timeouts and network errors after
// backoff; any other answer outside 2xx is a refusal. An error names the endpoint as the channel calls it and never
// quotes the endpoint's secret parts (a Teams workflow URL carries its signature).
import type { DeliveryScope } from '../core/errors.js';
import { cleanLine } from '../core/text/clean-line.js';
import { AttemptFailure, DEFAULT_RETRY_POLICY, retryAfterSeconds, withRetries } from './http-retries.js';

export interface JsonPostOptions {
  /** Retries after 429, 5xx, timeouts and network errors. @default 4 */
  readonly retries?: number;
  /** First backoff delay; it doubles up to 4 s. @default 1000 */
  readonly minRetryDelayMs?: number;
  /** Deadline of one attempt. @default 10000 */
  readonly timeoutMs?: number;
  /** Longest `Retry-After` waited for; a longer one fails at once (not permanently). @default 30 */
  readonly maxRetryAfterSec?: number;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Where a channel posts, and how its errors name it. */
export interface JsonPostTarget {
  readonly url: string;
  /** The endpoint in error messages (`the Teams workflow`, `webhook https://hooks.example.com`). */
  readonly name: string;
  /** Strings an error never quotes (a secret URL, its path, its signature); longer ones are replaced first. */
  readonly secretParts?: readonly string[];
}

/** One attempt's request: built again for each attempt (a signed request carries the time it was signed). */
export interface JsonPostRequest {
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The channel's own error: `code` is `http_<status>`, `request_error` or `timeout`; `permanent` when a retry cannot help. */
export type JsonPostErrorFactory = (code: string, permanent: boolean, message: string) => Error;

/** What the endpoint answered when it accepted the body. */
export interface JsonPostAnswer {
  readonly status: number;
}

/** Statuses worth another attempt besides 429; every other status outside 2xx is a refusal. */
const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 408 || status === 425;

/** Longest part of an endpoint's answer quoted in an error. */
const DETAIL_MAX_CHARS = 200;

/**
 * POSTs `request()` to the target until it is accepted (2xx), refused, or the retries are spent; throws the channel's
 * error (`makeError`) otherwise. Redirects are not followed: one would send the body somewhere else.
 */
export async function postJson(
  target: JsonPostTarget,
  request: () => JsonPostRequest,
  makeError: JsonPostErrorFactory,
  options: JsonPostOptions = {},
): Promise<JsonPostAnswer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const secretParts = [...(target.secretParts ?? [])].filter((part) => part.length > 1).sort((a, b) => b.length - a.length);
  const scrub = (text: string) => secretParts.reduce((out, part) => out.replaceAll(part, '[redacted]'), text);
  const fail = (code: string, permanent: boolean, detail: string) => makeError(code, permanent, scrub(`${target.name}: ${detail}`));

  const attempt = async (): Promise<JsonPostAnswer> => {
    const { body, headers } = request();
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'auth0-ops-watcher', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // No `cause`: fetch's errors can quote the URL.
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const failure = timedOut
        ? fail('timeout', false, `timed out after ${timeoutMs} ms`)
        : fail('request_error', false, `connection failed: ${networkReason(error)}`);
      throw new AttemptFailure(failure, { retry: 'backoff' });
    }
    const text = await response.text().catch(() => '');
    const { status } = response;
    if (status >= 200 && status < 300) return { status };
    const detail = answerDetail(text);
    const described = `HTTP ${status}${detail ? ` (${detail})` : ''}`;
    if (status === 429) {
      const retryAfterSec = retryAfterSeconds(response.headers.get('retry-after'));
      throw new AttemptFailure(fail('http_429', false, `rate limited, ${described}; retry after ${retryAfterSec} s`), {
        retry: 'after',
        retryAfterSec,
      });
    }
    if (RETRYABLE_STATUS(status)) throw new AttemptFailure(fail(`http_${status}`, false, `failed: ${described}`), { retry: 'backoff' });
    if (status >= 300 && status < 400) throw fail(`http_${status}`, true, `answered a redirect (HTTP ${status}), which is not followed`);
    throw fail(`http_${status}`, true, `refused the message: ${described}`);
  };

  const policy = {
    ...DEFAULT_RETRY_POLICY,
    ...(options.retries !== undefined && { retries: options.retries }),
    ...(options.minRetryDelayMs !== undefined && { minDelayMs: options.minRetryDelayMs }),
    ...(options.maxRetryAfterSec !== undefined && { maxRetryAfterSec: options.maxRetryAfterSec }),
  };
  return withRetries(attempt, {
    policy,
    sleep: options.sleep,
    exhausted: (error, attempts) => {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return makeError(typeof code === 'string' ? code : 'request_error', false, `${String(message)}; gave up after ${attempts} attempts`);
    },
  });
}

/**
 * How a channel posting through {@link postJson} sorts its failures by code: `route` when the endpoint turns every
 * message away (401, 403, 404, 409 a flow turned off, 410, a redirect, a URL it cannot use), `event` when it refused this
 * message (400, 413, 415, 422), `transient` for what a later attempt may get through (429, 5xx, network, timeouts).
 * Any other permanent refusal is `route`: holding the queue loses nothing, parking an event might.
 */
export function scopeOfPostFailure(code: string, permanent: boolean): DeliveryScope {
  if (!permanent) return 'transient';
  if (['http_400', 'http_413', 'http_415', 'http_422'].includes(code)) return 'event';
  return 'route';
}

/** `https://` anywhere, `http://` only to a loopback host (tests); what a channel checks of a URL it resolved from a secret. */
export function isPostableUrl(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname.startsWith('127.'));
}

/**
 * The part of an answer worth quoting: an Azure/Logic Apps style `{"error":{"code","message"}}`, a `{"message"}`, or
 * the text itself; one cleaned line, bounded (the endpoint's text is untrusted).
 */
function answerDetail(text: string): string {
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } | string; message?: unknown };
    const error = parsed.error;
    if (typeof error === 'object' && error !== null) {
      detail = [error.code, error.message].filter((part) => typeof part === 'string').join(': ');
    } else if (typeof error === 'string') detail = error;
    else if (typeof parsed.message === 'string') detail = parsed.message;
  } catch {
    // not JSON: the text as it is
  }
  return cleanLine(detail, DETAIL_MAX_CHARS);
}

/** The system or undici code in a fetch failure's cause chain (ECONNREFUSED, UND_ERR_SOCKET, …), else its innermost message. */
export function networkReason(error: unknown): string {
  let current = error;
  let message = 'network error';
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    message = current.message;
    current = current.cause ?? (current instanceof AggregateError ? current.errors[0] : undefined);
  }
  return message;
}
