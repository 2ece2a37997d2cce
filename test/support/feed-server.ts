// Test support: a programmable HTTP server on loopback that stands in for vendor feeds in integration tests.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** A canned answer. With `etag` or `lastModified` set, a matching conditional request gets a 304. */
export interface StaticRoute {
  /** @default 200 */
  readonly status?: number;
  readonly body?: string | Uint8Array;
  /** Sets Content-Type; leave out (and set no header) to send none. */
  readonly contentType?: string;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send the body chunked, without Content-Length. @default false */
  readonly chunked?: boolean;
}

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface FeedServer {
  /** `http://127.0.0.1:<port><path>`; pass `'localhost'` as host for a second site served by the same server. */
  url(path: string, host?: string): string;
  /** Routes match the path with its query first, then the path alone; replace a route to serve the next snapshot. */
  setRoute(path: string, route: RouteHandler | StaticRoute): void;
  /** Every request received, oldest first. */
  readonly requests: ReceivedRequest[];
  /** Stops listening and destroys open connections, stalled ones included. */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and a free port. Unknown paths answer 404. */
export async function startFeedServer(): Promise<FeedServer> {
  const notFound = serveBody({ status: 404, body: 'not found', contentType: 'text/plain' });
  const routes = new Map<string, RouteHandler>();
  const requests: ReceivedRequest[] = [];

  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers });
    // A client that gives up early (size cap, timeout) makes writes fail; that is the point of such tests.
    response.on('error', () => undefined);
    const handler = routes.get(path) ?? routes.get(path.split('?')[0] ?? path) ?? notFound;
    // A handler that throws cuts the connection, as a crashing vendor server would.
    Promise.resolve()
      .then(() => handler(request, response))
      .catch(() => response.destroy());
  });
  const { port, close } = await listenOnLoopback(server);

  return {
    url: (path, host = '127.0.0.1') => `http://${host}:${port}${path}`,
    setRoute(path, route) {
      routes.set(path, typeof route === 'function' ? route : serveBody(route));
    },
    requests,
    close,
  };
}

/** Serves a body, answering 304 to an `If-None-Match` or `If-Modified-Since` that matches. */
export function serveBody(route: StaticRoute): RouteHandler {
  return (request, response) => {
    const headers: Record<string, string> = {
      ...(route.contentType !== undefined && { 'content-type': route.contentType }),
      ...(route.etag !== undefined && { etag: route.etag }),
      ...(route.lastModified !== undefined && { 'last-modified': route.lastModified }),
      ...route.headers,
    };
    if (isFresh(request, route)) {
      response.writeHead(304, headers).end();
      return;
    }
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : (route.body ?? new Uint8Array());
    if (!route.chunked) headers['content-length'] = String(body.byteLength);
    response.writeHead(route.status ?? 200, headers);
    if (route.chunked) {
      // Several writes so that Node sends Transfer-Encoding: chunked.
      for (let offset = 0; offset < body.byteLength; offset += 16_384) {
        response.write(body.subarray(offset, offset + 16_384));
      }
      response.end();
    } else {
      response.end(body);
    }
  };
}

function isFresh(request: IncomingMessage, route: StaticRoute): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (route.etag !== undefined && ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => tag.trim() === route.etag || tag.trim() === '*');
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (route.lastModified !== undefined && ifModifiedSince !== undefined) {
    return Date.parse(ifModifiedSince) >= Date.parse(route.lastModified);
  }
  return false;
}

/** Sends the headers (and `bodyStart`) and then never finishes; with `beforeHeaders`, sends nothing at all. */
export function stall(
  options: { contentType?: string; bodyStart?: string; beforeHeaders?: boolean } = {},
): RouteHandler {
  return (_request, response) => {
    if (options.beforeHeaders) return;
    response.writeHead(200, { 'content-type': options.contentType ?? 'application/xml' });
    // Without a body write, flushHeaders is what puts the headers on the wire.
    if (options.bodyStart !== undefined) response.write(options.bodyStart);
    else response.flushHeaders();
  };
}

/** Announces `declaredLength` bytes, sends `body` (shorter), then cuts the connection. */
export function truncate(options: { body: string; declaredLength: number; contentType?: string }): RouteHandler {
  return (_request, response) => {
    response.writeHead(200, {
      'content-type': options.contentType ?? 'application/xml',
      'content-length': String(options.declaredLength),
    });
    response.write(options.body, () => setTimeout(() => response.socket?.destroy(), 10));
  };
}

/** Answers with a redirect to `location` (absolute or relative, sent as is). */
export function redirectTo(location: string, status = 302): RouteHandler {
  return (_request, response) => {
    response.writeHead(status, { location }).end();
  };
}
