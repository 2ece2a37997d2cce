// Integration: the HTTP fetcher against a real server on loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { FetchError } from '../../functions/core/errors.js';
import type { FetchRequest } from '../../functions/sources/source.js';
import { redirectTo, stall, startFeedServer, truncate, type FeedServer } from '../support/feed-server.js';

const ATOM =
  '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Status</title></feed>';
const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

const fetcher = makeHttpFetcher();
const xml = (url: string): FetchRequest => ({ url, expect: 'xml' });
const json = (url: string): FetchRequest => ({ url, expect: 'json' });
const paged = (url: string): FetchRequest => ({ url, expect: 'json', paginate: 'link-header' });
const requestsTo = (path: string) => server.requests.filter((r) => r.path.split('?')[0] === path);

/** Awaits a rejection and checks it is a FetchError with this reason and URL. */
async function expectFetchError(
  promise: Promise<unknown>,
  expected: { reason: string | RegExp; url: string },
): Promise<FetchError> {
  const error = await promise.then(
    () => expect.unreachable('expected a FetchError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  const fetchError = error as FetchError;
  if (typeof expected.reason === 'string') expect(fetchError.reason).toBe(expected.reason);
  else expect(fetchError.reason).toMatch(expected.reason);
  expect(fetchError.url).toBe(expected.url);
  expect(fetchError.message).toBe(`${fetchError.reason} (${expected.url})`);
  return fetchError;
}

describe('conditional GET', () => {
  it('returns the xml body with its ETag and Last-Modified as validators', async () => {
    const contentType = 'application/atom+xml; charset=utf-8';
    server.setRoute('/feed', { body: ATOM, contentType, etag: '"v1"', lastModified: LAST_MODIFIED });
    const outcome = await fetcher.fetch(xml(server.url('/feed')), {});
    expect(outcome).toEqual({
      status: 'ok',
      documents: [
        { url: server.url('/feed'), finalUrl: server.url('/feed'), contentType, body: ATOM },
      ],
      validators: { etag: '"v1"', lastModified: LAST_MODIFIED },
      bytes: Buffer.byteLength(ATOM),
    });
    const headers = requestsTo('/feed').at(-1)?.headers;
    expect(headers?.['user-agent']).toBe('auth0-ops-watcher/0.1 (+https://github.com/auth0-ops-watcher)');
    expect(headers?.accept).toContain('application/atom+xml');
  });

  it('returns not-modified when the server answers 304 to If-None-Match', async () => {
    server.setRoute('/etag', { body: ATOM, contentType: 'application/xml', etag: '"v2"' });
    const outcome = await fetcher.fetch(xml(server.url('/etag')), { validators: { etag: '"v2"' } });
    expect(outcome).toEqual({ status: 'not-modified' });
    expect(requestsTo('/etag').at(-1)?.headers['if-none-match']).toBe('"v2"');
  });

  it('returns not-modified when the server answers 304 to If-Modified-Since', async () => {
    server.setRoute('/lm', { body: ATOM, contentType: 'application/xml', lastModified: LAST_MODIFIED });
    const outcome = await fetcher.fetch(xml(server.url('/lm')), { validators: { lastModified: LAST_MODIFIED } });
    expect(outcome).toEqual({ status: 'not-modified' });
    expect(requestsTo('/lm').at(-1)?.headers['if-modified-since']).toBe(LAST_MODIFIED);
  });

  it('returns the body and the new validators when the server ignores the conditional request', async () => {
    server.setRoute('/ignores', { body: ATOM, contentType: 'application/xml', headers: { etag: '"v3"' } });
    const outcome = await fetcher.fetch(xml(server.url('/ignores')), { validators: { etag: '"v1"' } });
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ body: ATOM }], validators: { etag: '"v3"' } });
    expect(requestsTo('/ignores').at(-1)?.headers['if-none-match']).toBe('"v1"');
  });

  it('serves the replaced snapshot on the next poll', async () => {
    server.setRoute('/snapshots', { body: '<feed>one</feed>', contentType: 'application/atom+xml', etag: '"1"' });
    const first = await fetcher.fetch(xml(server.url('/snapshots')), {});
    server.setRoute('/snapshots', { body: '<feed>two</feed>', contentType: 'application/atom+xml', etag: '"2"' });
    const validators = first.status === 'ok' ? first.validators : undefined;
    const second = await fetcher.fetch(xml(server.url('/snapshots')), { validators });
    expect(second).toMatchObject({ status: 'ok', documents: [{ body: '<feed>two</feed>' }] });
    expect(second).toMatchObject({ validators: { etag: '"2"' } });
    expect(requestsTo('/snapshots').at(-1)?.headers['if-none-match']).toBe('"1"');
  });
});

describe('HTTP and network failures', () => {
  it('fails with the status line on HTTP 500', async () => {
    server.setRoute('/error', { status: 500, body: 'boom', contentType: 'text/plain' });
    await expectFetchError(fetcher.fetch(xml(server.url('/error')), {}), {
      reason: 'HTTP 500 Internal Server Error',
      url: server.url('/error'),
    });
  });

  it('names Retry-After and the remaining rate limit on HTTP 429', async () => {
    server.setRoute('/limited', {
      status: 429,
      body: '{"message":"slow down"}',
      contentType: 'application/json',
      headers: { 'retry-after': '120', 'x-ratelimit-remaining': '0' },
    });
    await expectFetchError(fetcher.fetch(xml(server.url('/limited')), {}), {
      reason: 'HTTP 429 Too Many Requests, retry-after 120, x-ratelimit-remaining 0',
      url: server.url('/limited'),
    });
  });

  it('fails with ECONNREFUSED when nothing listens on the port', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/feed`;
    await expectFetchError(fetcher.fetch(xml(url), {}), { reason: 'connection failed: ECONNREFUSED', url });
  });

  it('gives up on a server that never sends headers within the deadline', async () => {
    server.setRoute('/silent', stall({ beforeHeaders: true }));
    const started = performance.now();
    await expectFetchError(makeHttpFetcher({ timeoutMs: 300 }).fetch(xml(server.url('/silent')), {}), {
      reason: 'timed out after 300 ms',
      url: server.url('/silent'),
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('gives up on a body that stalls after the headers, within the deadline', async () => {
    server.setRoute('/slow', stall({ bodyStart: '<?xml version="1.0"?><feed>' }));
    const started = performance.now();
    await expectFetchError(makeHttpFetcher({ timeoutMs: 300 }).fetch(xml(server.url('/slow')), {}), {
      reason: 'timed out after 300 ms',
      url: server.url('/slow'),
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('lets a call shorten the fetcher timeout', async () => {
    server.setRoute('/slow-override', stall());
    const started = performance.now();
    await expectFetchError(fetcher.fetch(xml(server.url('/slow-override')), { timeoutMs: 200 }), {
      reason: 'timed out after 200 ms',
      url: server.url('/slow-override'),
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('fails with ECONNRESET when the server closes the connection before any response', async () => {
    server.setRoute('/hang-up', (_request, response) => void response.socket?.destroy());
    await expectFetchError(fetcher.fetch(xml(server.url('/hang-up')), {}), {
      reason: 'connection failed: ECONNRESET',
      url: server.url('/hang-up'),
    });
  });

  it('fails when the connection closes before the announced Content-Length', async () => {
    server.setRoute('/truncated', truncate({ body: '<?xml version="1.0"?><feed><entry>', declaredLength: 10_000 }));
    await expectFetchError(fetcher.fetch(xml(server.url('/truncated')), {}), {
      reason: 'response body truncated',
      url: server.url('/truncated'),
    });
  });

  it('fails when a chunked body ends without its last chunk', async () => {
    server.setRoute('/cut-chunked', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.write('<?xml version="1.0"?><feed>', () => setTimeout(() => response.socket?.destroy(), 10));
    });
    await expectFetchError(fetcher.fetch(xml(server.url('/cut-chunked')), {}), {
      reason: 'response body truncated',
      url: server.url('/cut-chunked'),
    });
  });
});

describe('content encoding', () => {
  const encoded = (body: Uint8Array, encoding: string) => ({
    body,
    contentType: 'application/xml',
    headers: { 'content-encoding': encoding },
  });

  it('offers the encodings it decodes', async () => {
    server.setRoute('/offer', { body: ATOM, contentType: 'application/xml' });
    await fetcher.fetch(xml(server.url('/offer')), {});
    expect(requestsTo('/offer').at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['GZip, identity', gzipSync],
  ])('decodes a %s body and counts its decoded bytes', async (encoding, compress) => {
    server.setRoute('/encoded', encoded(compress(ATOM), encoding));
    const outcome = await fetcher.fetch(xml(server.url('/encoded')), {});
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ body: ATOM }], bytes: Buffer.byteLength(ATOM) });
  });

  it('undoes stacked encodings in reverse order', async () => {
    server.setRoute('/stacked', encoded(brotliCompressSync(gzipSync(ATOM)), 'gzip, br'));
    const outcome = await fetcher.fetch(xml(server.url('/stacked')), {});
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ body: ATOM }] });
  });

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ])('applies the size cap to the decoded bytes of a small %s body', async (encoding, compress) => {
    const bomb = compress(`<feed>${' '.repeat(8 * 1024 * 1024)}</feed>`);
    expect(bomb.byteLength).toBeLessThan(65_536);
    server.setRoute('/bomb', encoded(bomb, encoding));
    await expectFetchError(fetcher.fetch(xml(server.url('/bomb')), { maxBytes: 65_536 }), {
      reason: 'response larger than 65536 bytes',
      url: server.url('/bomb'),
    });
  });

  it('refuses an encoding it cannot decode without reading the body', async () => {
    server.setRoute('/zstd', encoded(Buffer.from('(zstd frame)'), 'zstd'));
    await expectFetchError(fetcher.fetch(xml(server.url('/zstd')), {}), {
      reason: 'unsupported content encoding: zstd',
      url: server.url('/zstd'),
    });
  });

  it('fails a body that is not valid in its encoding', async () => {
    server.setRoute('/not-gzip', encoded(Buffer.from(ATOM), 'gzip'));
    await expectFetchError(fetcher.fetch(xml(server.url('/not-gzip')), {}), {
      reason: 'body is not valid gzip: incorrect header check',
      url: server.url('/not-gzip'),
    });
  });

  it('fails a complete response whose gzip stream is cut short', async () => {
    server.setRoute('/short-gzip', encoded(gzipSync(ATOM).subarray(0, -12), 'gzip'));
    await expectFetchError(fetcher.fetch(xml(server.url('/short-gzip')), {}), {
      reason: 'body is not valid gzip: unexpected end of file',
      url: server.url('/short-gzip'),
    });
  });

  it('reports a gzip body cut off by the connection as truncated', async () => {
    const zipped = gzipSync(`<feed>${'z'.repeat(100_000)}</feed>`);
    server.setRoute('/cut-gzip', (_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/xml',
        'content-encoding': 'gzip',
        'content-length': String(zipped.byteLength),
      });
      response.write(zipped.subarray(0, zipped.byteLength / 2), () => setTimeout(() => response.socket?.destroy(), 10));
    });
    await expectFetchError(fetcher.fetch(xml(server.url('/cut-gzip')), {}), {
      reason: 'response body truncated',
      url: server.url('/cut-gzip'),
    });
  });
});

describe('size cap', () => {
  const big = `<?xml version="1.0"?><feed>${'x'.repeat(6 * 1024 * 1024)}</feed>`;

  it('refuses a Content-Length above the default 5 MiB cap before reading the body', async () => {
    // Announces the size and sends no body: only a check of the header can fail this before the deadline.
    server.setRoute('/big', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(big.length) });
      response.flushHeaders();
    });
    await expectFetchError(fetcher.fetch(xml(server.url('/big')), { timeoutMs: 1000 }), {
      reason: 'response larger than 5242880 bytes',
      url: server.url('/big'),
    });
  });

  it('refuses a body above the default 5 MiB cap', async () => {
    server.setRoute('/big-sent', { body: big, contentType: 'application/xml' });
    await expectFetchError(fetcher.fetch(xml(server.url('/big-sent')), {}), {
      reason: 'response larger than 5242880 bytes',
      url: server.url('/big-sent'),
    });
  });

  it('stops reading a chunked body once it passes the per-call cap', async () => {
    server.setRoute('/big-chunked', { body: big, contentType: 'application/xml', chunked: true });
    await expectFetchError(fetcher.fetch(xml(server.url('/big-chunked')), { maxBytes: 65_536 }), {
      reason: 'response larger than 65536 bytes',
      url: server.url('/big-chunked'),
    });
  });

  it('accepts a chunked body of exactly the cap', async () => {
    const body = `<feed>${'y'.repeat(1024 - 13)}</feed>`;
    server.setRoute('/exact', { body, contentType: 'application/xml', chunked: true });
    const outcome = await makeHttpFetcher({ maxBytes: 1024 }).fetch(xml(server.url('/exact')), {});
    expect(outcome).toMatchObject({ status: 'ok', bytes: 1024 });
  });
});

describe('content type and decoding', () => {
  it('refuses an HTML page served with 200 to an xml request', async () => {
    const page = '<!doctype html><title>Sign in</title>';
    server.setRoute('/html', { body: page, contentType: 'text/html; charset=utf-8' });
    await expectFetchError(fetcher.fetch(xml(server.url('/html')), {}), {
      reason: 'expected xml but got text/html',
      url: server.url('/html'),
    });
  });

  it("lets a source's own Accept header replace the default", async () => {
    server.setRoute('/accept', { body: '[]', contentType: 'application/json' });
    const request = { ...json(server.url('/accept')), headers: { Accept: 'application/vnd.github+json' } };
    await fetcher.fetch(request, {});
    expect(requestsTo('/accept').at(-1)?.headers.accept).toBe('application/vnd.github+json');
  });

  it('accepts vendor +json types for a json request', async () => {
    server.setRoute('/advisories', { body: '[]', contentType: 'application/vnd.github+json' });
    const outcome = await fetcher.fetch(json(server.url('/advisories')), {});
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ body: '[]' }] });
  });

  it('recognises an xml body sent without a content type', async () => {
    server.setRoute('/untyped', { body: `\n  ${ATOM}` });
    const outcome = await fetcher.fetch(xml(server.url('/untyped')), {});
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ contentType: 'application/xml' }] });
  });

  it('refuses a markdown request answered without a content type', async () => {
    server.setRoute('/untyped-md', { body: '# Bulletins' });
    await expectFetchError(fetcher.fetch({ url: server.url('/untyped-md'), expect: 'markdown' }, {}), {
      reason: 'expected markdown but got no content type',
      url: server.url('/untyped-md'),
    });
  });

  it('names a charset TextDecoder does not know', async () => {
    server.setRoute('/klingon', { body: ATOM, contentType: 'application/xml; charset=x-klingon' });
    await expectFetchError(fetcher.fetch(xml(server.url('/klingon')), {}), {
      reason: 'unsupported charset: x-klingon',
      url: server.url('/klingon'),
    });
  });

  it('decodes a declared ISO-8859-1 body', async () => {
    const body = Buffer.from('<feed>café</feed>', 'latin1');
    server.setRoute('/latin1', { body, contentType: 'text/xml; charset="ISO-8859-1"' });
    const outcome = await fetcher.fetch(xml(server.url('/latin1')), {});
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ body: '<feed>café</feed>' }] });
  });

  it('strips a UTF-8 byte order mark and counts its bytes', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ATOM)]);
    server.setRoute('/bom', { body, contentType: 'application/xml' });
    const outcome = await fetcher.fetch(xml(server.url('/bom')), {});
    expect(outcome).toMatchObject({ status: 'ok', documents: [{ body: ATOM }], bytes: body.byteLength });
  });
});

describe('redirects', () => {
  it('follows a same-host redirect and records the final URL', async () => {
    server.setRoute('/old', redirectTo('/new', 301));
    server.setRoute('/new', { body: ATOM, contentType: 'application/xml' });
    const outcome = await fetcher.fetch(xml(server.url('/old')), {});
    expect(outcome).toMatchObject({
      status: 'ok',
      documents: [{ url: server.url('/old'), finalUrl: server.url('/new'), body: ATOM }],
    });
  });

  it('refuses a redirect to another host', async () => {
    server.setRoute('/elsewhere', redirectTo(server.url('/new', 'localhost')));
    await expectFetchError(fetcher.fetch(xml(server.url('/elsewhere')), {}), {
      reason: `redirected to another site: ${server.url('/new', 'localhost')}`,
      url: server.url('/elsewhere'),
    });
    expect(requestsTo('/new').filter((r) => r.headers.host?.startsWith('localhost'))).toEqual([]);
  });

  it('gives up on a redirect loop after the redirect limit', async () => {
    server.setRoute('/loop', redirectTo('/loop', 307));
    const before = requestsTo('/loop').length;
    await expectFetchError(fetcher.fetch(xml(server.url('/loop')), {}), {
      reason: 'too many redirects',
      url: server.url('/loop'),
    });
    expect(requestsTo('/loop').length - before).toBe(4);
  });
});

describe('link-header pagination', () => {
  const page = (n: number, link?: string) => ({
    body: `[{"page":${n}}]`,
    contentType: 'application/json',
    etag: `"p${n}"`,
    ...(link !== undefined && { headers: { link } }),
  });

  it('follows rel="next" over three pages and returns no validators', async () => {
    // Absolute links on the first page, relative ones after, several relations per header.
    const firstLinks = `<${server.url('/pages?page=2')}>; rel="next", <${server.url('/pages?page=3')}>; rel=last`;
    server.setRoute('/pages', page(1, firstLinks));
    server.setRoute('/pages?page=2', page(2, '</pages?page=3>; rel="next", </pages>; rel="first"'));
    server.setRoute('/pages?page=3', page(3, '</pages>; rel="first"'));
    const outcome = await fetcher.fetch(paged(server.url('/pages')), { validators: { etag: '"old"' } });
    expect(outcome).toEqual({
      status: 'ok',
      documents: [1, 2, 3].map((n) => ({
        url: server.url(n === 1 ? '/pages' : `/pages?page=${n}`),
        finalUrl: server.url(n === 1 ? '/pages' : `/pages?page=${n}`),
        contentType: 'application/json',
        body: `[{"page":${n}}]`,
      })),
      bytes: 3 * '[{"page":1}]'.length,
    });
    const sent = requestsTo('/pages').slice(-3);
    expect(sent.map((r) => r.headers['if-none-match'])).toEqual(['"old"', undefined, undefined]);
  });

  it('returns validators for a paginated request that fits in one page', async () => {
    server.setRoute('/one-page', page(1));
    const outcome = await fetcher.fetch(paged(server.url('/one-page')), {});
    expect(outcome).toMatchObject({ status: 'ok', validators: { etag: '"p1"' } });
  });

  it('treats a 304 on the first page as not-modified for the whole request', async () => {
    server.setRoute('/cached-pages', page(1, '</cached-pages?page=2>; rel="next"'));
    const outcome = await fetcher.fetch(paged(server.url('/cached-pages')), { validators: { etag: '"p1"' } });
    expect(outcome).toEqual({ status: 'not-modified' });
    expect(requestsTo('/cached-pages').map((r) => r.path)).toEqual(['/cached-pages']);
  });

  it('fails rather than returning a partial list when there are more than 10 pages', async () => {
    server.setRoute('/endless', (request, response) => {
      const n = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
      response.writeHead(200, { 'content-type': 'application/json', link: `</endless?page=${n + 1}>; rel="next"` });
      response.end('[]');
    });
    await expectFetchError(fetcher.fetch(paged(server.url('/endless')), {}), {
      reason: 'more than 10 pages',
      url: server.url('/endless'),
    });
    expect(requestsTo('/endless')).toHaveLength(10);
  });

  it('refuses a next link to another host', async () => {
    server.setRoute('/hop', page(1, `<${server.url('/hop?page=2', 'localhost')}>; rel="next"`));
    await expectFetchError(fetcher.fetch(paged(server.url('/hop')), {}), {
      reason: `next page on another site: ${server.url('/hop?page=2', 'localhost')}`,
      url: server.url('/hop'),
    });
  });
});

describe('bearer token', () => {
  const token = 'ghp_s3cr3tT0kenValue';

  /** The token must appear nowhere a log line could pick it up. */
  function expectNoToken(error: FetchError): void {
    expect(error.message).not.toContain(token);
    expect(error.reason).not.toContain(token);
    expect(error.url).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
    expect(inspect(error, { depth: 10 })).not.toContain(token);
    expect(String(error.stack)).not.toContain(token);
  }

  it('sends the token as an Authorization bearer header', async () => {
    server.setRoute('/private', { body: '[]', contentType: 'application/json' });
    await fetcher.fetch(json(server.url('/private')), { bearerToken: token });
    expect(requestsTo('/private').at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('keeps the token out of an HTTP 401 error', async () => {
    server.setRoute('/denied', { status: 401, body: `bad credentials: ${token}`, contentType: 'text/plain' });
    const error = await expectFetchError(fetcher.fetch(json(server.url('/denied')), { bearerToken: token }), {
      reason: 'HTTP 401 Unauthorized',
      url: server.url('/denied'),
    });
    expectNoToken(error);
  });

  it('redacts the token when a server echoes it into a redirect', async () => {
    server.setRoute('/echo', redirectTo(server.url(`/steal?t=${token}`, 'localhost')));
    const error = await expectFetchError(fetcher.fetch(json(server.url('/echo')), { bearerToken: token }), {
      reason: `redirected to another site: ${server.url('/steal?t=[redacted]', 'localhost')}`,
      url: server.url('/echo'),
    });
    expectNoToken(error);
  });

  it('refuses a token that is not a valid header value without quoting it', async () => {
    const bad = `${token}\r\nX-Injected: 1`;
    const error = await expectFetchError(fetcher.fetch(json(server.url('/private')), { bearerToken: bad }), {
      reason: 'bearer token is not a valid header value',
      url: server.url('/private'),
    });
    expectNoToken(error);
  });

  it('keeps the token out of a timeout error and its cause', async () => {
    server.setRoute('/private-slow', stall({ contentType: 'application/json' }));
    const slow = fetcher.fetch(json(server.url('/private-slow')), { bearerToken: token, timeoutMs: 200 });
    const error = await expectFetchError(slow, {
      reason: 'timed out after 200 ms',
      url: server.url('/private-slow'),
    });
    expectNoToken(error);
  });
});

describe('invalid requests', () => {
  it('fails on a URL that does not parse', async () => {
    await expectFetchError(fetcher.fetch(xml('not a url'), {}), { reason: 'invalid URL', url: 'not a url' });
  });
});
