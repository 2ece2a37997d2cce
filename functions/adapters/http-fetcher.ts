// Adapter: the Fetcher port over HTTP(S): conditional GETs, same-site redirects, Link pagination, time and size caps.
// Built on node:http(s), which the AWS SDK loads anyway: the global fetch (undici) adds about 25 MiB of RSS on first
// use, a fifth of a 128 MB Lambda.
// One GET and its redirects are in http-fetcher-request.ts, reading a body in http-fetcher-body.ts.
import { validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders } from 'node:http';
import { FetchError } from '../core/errors.js';
import type { Fetcher, Validators } from '../core/ports.js';
import type { ContentFamily, FetchedDocument } from '../sources/source.js';
import { ACCEPT_ENCODING, readDocument } from './http-fetcher-body.js';
import {
  discard,
  getFollowingRedirects,
  parseUrl,
  sameSite,
  statusReason,
  withRedirect,
  type Call,
  type Response,
} from './http-fetcher-request.js';

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

const ACCEPT: Readonly<Record<ContentFamily, string>> = {
  xml: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8',
  json: 'application/json',
  markdown: 'text/markdown, text/plain;q=0.9',
};

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
