// The HTTP fetcher's requests: one GET on node:http(s), same-site redirects, and the reasons a request fails.
import { STATUS_CODES, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FetchError } from '../core/errors.js';
import type { FetchRequest } from '../sources/source.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Everything the steps of one `fetch` call share. Internal: it holds the token, so it is never thrown or logged. */
export interface Call {
  readonly request: FetchRequest;
  /** The request's URL: redirects and next links must stay on its host. */
  readonly origin: URL;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  readonly token: string | undefined;
  readonly fail: (url: string, reason: string, cause?: unknown) => FetchError;
}

/** A response whose headers have arrived; its body is still to be read (`readBody`) or released (`discard`). */
export interface Response {
  readonly status: number;
  readonly statusText: string;
  /** A header's value; Node joins a repeated header with ", " (and keeps the first of single-valued ones). */
  header(name: string): string | undefined;
  readonly body: IncomingMessage;
}

/** GETs `url`, following same-site redirects; returns the first non-redirect response and where it came from. */
export async function getFollowingRedirects(
  call: Call,
  url: string,
  headers: OutgoingHttpHeaders,
): Promise<{ response: Response; finalUrl: string }> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    let response: Response;
    try {
      response = await get(call, current, headers);
    } catch (error) {
      const code = errorCode(error);
      const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? ` (cannot resolve ${new URL(current).hostname})` : '';
      const reason = call.signal.aborted ? timeoutReason(call) : `connection failed: ${code}${hint}`;
      throw call.fail(current, reason, error);
    }
    if (!REDIRECT_STATUSES.has(response.status)) return { response, finalUrl: current };
    discard(response);
    const location = response.header('location');
    const target = location === undefined ? undefined : parseUrl(location, current);
    if (!target) throw call.fail(current, `${statusReason(response)} without a usable Location`);
    if (!sameSite(call.origin, target)) throw call.fail(current, `redirected to another site: ${target.href}`);
    if (redirects === call.maxRedirects) throw call.fail(current, 'too many redirects');
    current = target.href;
  }
}

/**
 * Sends one GET and resolves once the response headers are in. `agent: false` gives each request a connection of
 * its own, closed after it: no pooled socket outlives the call, keeps a CLI run alive or goes stale in a frozen
 * Lambda. The call's signal destroys the request at the deadline, and with it the socket and any body being read.
 * A failure after the headers is reported by the body's stream, so the request's later `error` is ignored here.
 */
function get(call: Call, url: string, headers: OutgoingHttpHeaders): Promise<Response> {
  return new Promise((resolve, reject) => {
    const send = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', headers, agent: false, signal: call.signal });
    request.on('error', reject);
    request.on('response', (message) =>
      resolve({
        status: message.statusCode ?? 0,
        statusText: message.statusMessage ?? '',
        header: (name) => {
          const value = message.headers[name];
          return Array.isArray(value) ? value.join(', ') : value;
        },
        body: message,
      }),
    );
    request.end();
  });
}

/** `call.fail`, with the reason saying which URL redirected to the one that failed. */
export function withRedirect(call: Call, from: string): Call['fail'] {
  return (url, reason, cause) => call.fail(url, `${reason} (redirected from ${from})`, cause);
}

export function parseUrl(value: string, base?: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/** Same host and port; `https` may not become `http`. */
export function sameSite(origin: URL, target: URL): boolean {
  if (target.host !== origin.host) return false;
  return target.protocol === origin.protocol || (origin.protocol === 'http:' && target.protocol === 'https:');
}

/** Headers worth naming in a failure, by status: rate limits, and when to come back (RFC 9110 §10.2.3). */
const STATUS_HEADERS: Readonly<Record<number, readonly string[]>> = {
  403: ['retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  429: ['retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  503: ['retry-after'],
};

export function statusReason(response: Response): string {
  const text = response.statusText || STATUS_CODES[response.status] || 'Unknown Status';
  const limits = (STATUS_HEADERS[response.status] ?? []).flatMap((name) => {
    const value = response.header(name);
    return value === undefined ? [] : [`${name} ${value}`];
  });
  return [`HTTP ${response.status} ${text}`, ...limits].join(', ');
}

export function timeoutReason(call: Call): string {
  return `timed out after ${call.timeoutMs} ms`;
}

/** The system or Node error code somewhere in a request failure's cause chain (ECONNREFUSED, ENOTFOUND, …). */
export function errorCode(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = current instanceof AggregateError ? current.errors[0] : undefined;
    current = current.cause ?? inner;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Releases a response whose body is not wanted: destroying it closes the connection instead of reading on. */
export function discard(response: Response): void {
  response.body.destroy();
}
