// Adapter: the Fetcher port over HTTP(S): conditional GETs, same-site redirects, Link pagination, time and size caps.
// Built on node:http(s), which the AWS SDK loads anyway: the global fetch (undici) adds about 25 MiB of RSS on first
// use, a fifth of a 128 MB Lambda.
import {
  STATUS_CODES,
  request as httpRequest,
  validateHeaderName,
  validateHeaderValue,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { FetchError } from '../core/errors.js';
import type { FetchOptions, Fetcher, Validators } from '../core/ports.js';
import type { ContentFamily, FetchedDocument, FetchRequest } from '../sources/source.js';

export const DEFAULT_USER_AGENT = 'auth0-ops-watcher/0.1 (+https://github.com/auth0-ops-watcher)';

export interface HttpFetcherOptions {
  /**
   * Deadline for one `fetch` call: connecting, headers and bodies of all its redirects and pages.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * Largest body accepted per page, in bytes (after content decoding).
   * @default 5242880 (5 MiB)
   */
  readonly maxBytes?: number;
  /**
   * Redirects followed per page; only same-host redirects are followed at all.
   * @default 3
   */
  readonly maxRedirects?: number;
  /**
   * Pages followed through `Link: rel="next"`; a request with more pages fails rather than returning a partial list.
   * @default 10
   */
  readonly maxPages?: number;
  /** @default DEFAULT_USER_AGENT */
  readonly userAgent?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const ACCEPT: Readonly<Record<ContentFamily, string>> = {
  xml: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8',
  json: 'application/json',
  markdown: 'text/markdown, text/plain;q=0.9',
};

/** Decoders of the Content-Encodings accepted; ACCEPT_ENCODING offers them. `x-gzip` is gzip (RFC 9110 §8.4.1.3). */
const DECODERS: ReadonlyMap<string, () => Transform> = new Map([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);
const ACCEPT_ENCODING = 'gzip, deflate, br';

const ACCEPTS: Readonly<Record<ContentFamily, (mediaType: string) => boolean>> = {
  // atom+xml and rss+xml are covered by the `+xml` suffix.
  xml: (t) => t === 'application/xml' || t === 'text/xml' || t.endsWith('+xml'),
  json: (t) => t === 'application/json' || t.endsWith('+json'),
  markdown: (t) => t === 'text/markdown' || t === 'text/x-markdown' || t === 'text/plain',
};

/** What a body without a Content-Type must start with to be taken as the family; markdown cannot be recognised. */
const SNIFF: Readonly<Record<ContentFamily, { pattern: RegExp; contentType: string } | undefined>> = {
  xml: { pattern: /^\s*<(\?xml|feed|rss)\b/, contentType: 'application/xml' },
  json: { pattern: /^\s*[[{]/, contentType: 'application/json' },
  markdown: undefined,
};

/** Everything the steps of one `fetch` call share. Internal: it holds the token, so it is never thrown or logged. */
interface Call {
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
interface Response {
  readonly status: number;
  readonly statusText: string;
  /** A header's value; Node joins a repeated header with ", " (and keeps the first of single-valued ones). */
  header(name: string): string | undefined;
  readonly body: IncomingMessage;
}

type PageResult =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      readonly document: FetchedDocument;
      readonly bytes: number;
      readonly validators: Validators | undefined;
      readonly next: string | undefined;
    };

/** Builds the HTTP Fetcher on node:http(s). Per-call `timeoutMs` and `maxBytes` override these options. */
export function makeHttpFetcher(options: HttpFetcherOptions = {}): Fetcher {
  return {
    async fetch(request, fetchOptions) {
      const timeoutMs = fetchOptions.timeoutMs ?? options.timeoutMs ?? 10_000;
      const token = fetchOptions.bearerToken;
      // Only server-supplied text (Location, Link) could carry the token into a reason; scrub it all the same.
      const redact = (text: string) => (token ? text.replaceAll(token, '[redacted]') : text);
      const fail = (url: string, reason: string, cause?: unknown) =>
        new FetchError(redact(url), redact(reason), cause === undefined ? undefined : { cause });
      const origin = parseUrl(request.url);
      if (!origin) throw fail(request.url, 'invalid URL');
      if (origin.protocol !== 'https:' && origin.protocol !== 'http:') {
        throw fail(request.url, `unsupported protocol ${origin.protocol}`);
      }
      const call: Call = {
        request,
        origin,
        signal: AbortSignal.timeout(timeoutMs),
        timeoutMs,
        maxBytes: fetchOptions.maxBytes ?? options.maxBytes ?? 5 * 1024 * 1024,
        maxRedirects: options.maxRedirects ?? 3,
        userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
        token,
        fail,
      };
      const maxPages = options.maxPages ?? 10;

      const documents: FetchedDocument[] = [];
      let bytes = 0;
      let validators: Validators | undefined;
      let pageUrl: string | undefined = request.url;
      while (pageUrl !== undefined) {
        if (documents.length === maxPages) throw fail(request.url, `more than ${maxPages} pages`);
        const first = documents.length === 0;
        // Validators describe the first page only; later pages are always fetched in full.
        const page = await fetchPage(call, pageUrl, first ? fetchOptions.validators : undefined);
        if (page.status === 'not-modified') return { status: 'not-modified' };
        documents.push(page.document);
        bytes += page.bytes;
        if (first) validators = page.validators;
        pageUrl = page.next;
      }
      return documents.length === 1 && validators
        ? { status: 'ok', documents, validators, bytes }
        : { status: 'ok', documents, bytes };
    },
  };
}

async function fetchPage(call: Call, url: string, validators: Validators | undefined): Promise<PageResult> {
  const headers = requestHeaders(call, url, validators);
  const { response, finalUrl } = await getFollowingRedirects(call, url, headers);
  const conditional = validators?.etag !== undefined || validators?.lastModified !== undefined;
  if (response.status === 304 && conditional) {
    discard(response);
    return { status: 'not-modified' };
  }
  // After a same-site redirect, a refusal names where the request started: a moved or removed page reads as one.
  const redirected = finalUrl === url ? call : { ...call, fail: withRedirect(call, url) };
  if (response.status < 200 || response.status > 299) {
    discard(response);
    throw redirected.fail(finalUrl, statusReason(response));
  }
  const { document, bytes } = await readDocument(redirected, response, url, finalUrl);
  return {
    status: 'ok',
    document,
    bytes,
    validators: validatorsOf(response),
    next: call.request.paginate === 'link-header' ? nextLink(call, response, finalUrl) : undefined,
  };
}

function requestHeaders(call: Call, url: string, validators: Validators | undefined): OutgoingHttpHeaders {
  // A token that is not a valid header value is refused here, before it goes near a header or an error message.
  if (call.token !== undefined && !/^[\x21-\x7e]+$/.test(call.token)) {
    throw call.fail(url, 'bearer token is not a valid header value');
  }
  // Names are lower-cased so that a source's own header (Accept) replaces the default rather than doubling it.
  const headers = new Map<string, string>([
    ['user-agent', call.userAgent],
    ['accept', ACCEPT[call.request.expect]],
    ['accept-encoding', ACCEPT_ENCODING],
  ]);
  try {
    for (const [name, value] of Object.entries(call.request.headers ?? {})) {
      validateHeaderName(name);
      validateHeaderValue(name, value);
      headers.set(name.toLowerCase(), value);
    }
  } catch (error) {
    throw call.fail(url, 'invalid request header', error);
  }
  if (call.token !== undefined) headers.set('authorization', `Bearer ${call.token}`);
  if (validators?.etag !== undefined) headers.set('if-none-match', validators.etag);
  if (validators?.lastModified !== undefined) headers.set('if-modified-since', validators.lastModified);
  return Object.fromEntries(headers);
}

/** GETs `url`, following same-site redirects; returns the first non-redirect response and where it came from. */
async function getFollowingRedirects(
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
function withRedirect(call: Call, from: string): Call['fail'] {
  return (url, reason, cause) => call.fail(url, `${reason} (redirected from ${from})`, cause);
}

/**
 * A strict decoder for the label, or undefined when TextDecoder does not know it. Strips a BOM (ignoreBOM is
 * false). Fatal: bytes that are not valid in the charset fail the body instead of becoming U+FFFD, which would
 * be stored as vendor text and make the next correctly decoded body look like an edit (a false RCA).
 */
function textDecoder(charset: string): TextDecoder | undefined {
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    return undefined;
  }
}

/**
 * The charset of an XML body whose Content-Type names none (RFC 7303 §3.2, XML 1.0 Appendix F): its byte order
 * mark, else the `encoding` of its XML declaration, else UTF-8. A declaration read from single-byte text cannot
 * truthfully say UTF-16, so that label is ignored.
 */
function xmlCharset(raw: Uint8Array): string {
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) return 'utf-8';
  if (raw[0] === 0xff && raw[1] === 0xfe) return 'utf-16le';
  if (raw[0] === 0xfe && raw[1] === 0xff) return 'utf-16be';
  const head = Buffer.from(raw.subarray(0, 200)).toString('latin1');
  const label = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/.exec(head)?.[1];
  return label === undefined || /^utf-?16/i.test(label) ? 'utf-8' : label;
}

function parseUrl(value: string, base?: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/** Same host and port; `https` may not become `http`. */
function sameSite(origin: URL, target: URL): boolean {
  if (target.host !== origin.host) return false;
  return target.protocol === origin.protocol || (origin.protocol === 'http:' && target.protocol === 'https:');
}

async function readDocument(
  call: Call,
  response: Response,
  url: string,
  finalUrl: string,
): Promise<{ document: FetchedDocument; bytes: number }> {
  const family = call.request.expect;
  const header = response.header('content-type');
  const mediaType = header?.split(';')[0]?.trim().toLowerCase() || undefined;
  const refuse = (reason: string): never => {
    discard(response);
    throw call.fail(finalUrl, reason);
  };
  // Content-Length counts the bytes on the wire (still encoded): a body announced over the cap is refused unread.
  if (Number(response.header('content-length')) > call.maxBytes) return refuse(tooLarge(call));
  if (mediaType !== undefined && !ACCEPTS[family](mediaType)) {
    return refuse(`expected ${family} but got ${mediaType}`);
  }
  const declared = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header ?? '')?.[1];
  if (declared !== undefined && !textDecoder(declared)) return refuse(`unsupported charset: ${declared}`);
  const encoding = response.header('content-encoding');
  const codings = contentCodings(encoding);
  if (!codings) return refuse(`unsupported content encoding: ${encoding}`);
  const raw = await readBody(call, response, codings, finalUrl);
  const charset = declared ?? (family === 'xml' ? xmlCharset(raw) : 'utf-8');
  const decoder = textDecoder(charset);
  if (!decoder) throw call.fail(finalUrl, `unsupported charset: ${charset} (from the XML declaration)`);
  let body: string;
  try {
    body = decoder.decode(raw);
  } catch (error) {
    throw call.fail(finalUrl, `body is not valid ${charset}`, error);
  }
  let contentType = header ?? '';
  if (mediaType === undefined) {
    const sniff = SNIFF[family];
    if (!sniff?.pattern.test(body)) throw call.fail(finalUrl, `expected ${family} but got no content type`);
    contentType = sniff.contentType;
  }
  return { document: { url, finalUrl, contentType, body }, bytes: raw.byteLength };
}

/**
 * The codings of a Content-Encoding in the order they were applied, `identity` left out; undefined when one of
 * them has no decoder (the body could not be read, and decoding it as text would store garbage).
 */
function contentCodings(header: string | undefined): string[] | undefined {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  return codings.every((coding) => DECODERS.has(coding)) ? codings : undefined;
}

/**
 * Reads the body through a decoder per content coding (the last one applied is undone first), giving up as soon
 * as the decoded bytes exceed the size cap. Whatever way it ends early, the streams and the connection are destroyed.
 */
async function readBody(call: Call, response: Response, codings: readonly string[], finalUrl: string): Promise<Buffer> {
  const message = response.body;
  // A failing stream in a pipeline destroys the others with its error: the first one to fail names the cause.
  let failed: { readonly coding: string | undefined } | undefined;
  message.once('error', () => (failed ??= { coding: undefined }));
  const decoders = codings.toReversed().map((coding) => {
    const decoder = DECODERS.get(coding)!();
    decoder.once('error', () => (failed ??= { coding }));
    return decoder;
  });
  // Errors reach the loop below through the last stream, which the pipeline destroys with the first error.
  const body: Readable = decoders.at(-1) ?? message;
  if (decoders.length > 0) pipeline([message, ...decoders], () => undefined);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > call.maxBytes) throw call.fail(finalUrl, tooLarge(call));
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (call.signal.aborted) throw call.fail(finalUrl, timeoutReason(call), error);
    if (failed?.coding !== undefined) {
      const detail = error instanceof Error ? `: ${error.message}` : '';
      throw call.fail(finalUrl, `body is not valid ${failed.coding}${detail}`, error);
    }
    // The connection ended before the announced length (or the last chunk); a reset socket keeps its error.
    const reset = errorCode(message.socket?.errored) === 'ECONNRESET' ? ': connection reset (ECONNRESET)' : '';
    throw call.fail(finalUrl, `response body truncated${reset}`, error);
  } finally {
    body.destroy();
    message.destroy();
  }
  return Buffer.concat(chunks, total);
}

function validatorsOf(response: Response): Validators | undefined {
  const etag = response.header('etag');
  const lastModified = response.header('last-modified');
  if (etag === undefined && lastModified === undefined) return undefined;
  return { ...(etag !== undefined && { etag }), ...(lastModified !== undefined && { lastModified }) };
}

/** The RFC 8288 `rel="next"` target of a page, resolved against the page's URL; it must stay on the same site. */
function nextLink(call: Call, response: Response, pageUrl: string): string | undefined {
  const header = response.header('link');
  if (header === undefined) return undefined;
  for (const [, target, params] of header.matchAll(/<([^>]*)>([^,]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(params ?? '');
    if (!(rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).includes('next')) continue;
    const next = parseUrl(target ?? '', pageUrl);
    if (!next) throw call.fail(pageUrl, `unusable next link: ${target}`);
    if (!sameSite(call.origin, next)) throw call.fail(pageUrl, `next page on another site: ${next.href}`);
    return next.href;
  }
  return undefined;
}

/** Headers worth naming in a failure, by status: rate limits, and when to come back (RFC 9110 §10.2.3). */
const STATUS_HEADERS: Readonly<Record<number, readonly string[]>> = {
  403: ['retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  429: ['retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  503: ['retry-after'],
};

function statusReason(response: Response): string {
  const text = response.statusText || STATUS_CODES[response.status] || 'Unknown Status';
  const limits = (STATUS_HEADERS[response.status] ?? []).flatMap((name) => {
    const value = response.header(name);
    return value === undefined ? [] : [`${name} ${value}`];
  });
  return [`HTTP ${response.status} ${text}`, ...limits].join(', ');
}

function timeoutReason(call: Call): string {
  return `timed out after ${call.timeoutMs} ms`;
}

function tooLarge(call: Call): string {
  return `response larger than ${call.maxBytes} bytes`;
}

/** The system or Node error code somewhere in a request failure's cause chain (ECONNREFUSED, ENOTFOUND, …). */
function errorCode(error: unknown): string {
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
function discard(response: Response): void {
  response.body.destroy();
}
