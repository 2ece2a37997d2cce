// Hostile and broken sources against the real poller (HTTP fetcher, dynalite store, recording publisher): every
// fault fails the poll with a reason that names it, announces no item, changes no state, stays within time and
// memory, and the good body served afterwards is read as if nothing had happened.
import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import type { SourceConfig } from '../../functions/config/config.js';
import type { StateStore } from '../../functions/core/ports.js';
import type { PollResult } from '../../functions/poll/poll-source.js';
import { itemScopeOf } from '../../functions/sources/registry.js';
import { DYNAMO_BACKENDS } from '../support/dynamo-backends.js';
import {
  redirectTo,
  stall,
  startFeedServer,
  truncate,
  type FeedServer,
  type RouteHandler,
  type StaticRoute,
} from '../support/feed-server.js';
import { usePollerTestBed } from '../support/poller-test-bed.js';

const TABLE = 'watcher-hostile-test';
const backend = DYNAMO_BACKENDS[0]!;

const MiB = 1024 * 1024;
/** Every source gets a 1 s fetch deadline and a 1 MiB cap, so a poll must be over well within POLL_BUDGET_MS. */
const TIMEOUT_MS = 1_000;
const MAX_BYTES = MiB;
const POLL_BUDGET_MS = 3_000;
/**
 * Peak growth of RSS and heap allowed while a huge or explosive body is polled. Below the 50 MB of the huge body,
 * so holding it would show; measured growth is under 8 MiB.
 */
const MEMORY_BUDGET = 32 * MiB;
const TOKEN = 'ghp_h0stileS0urcesT3stT0ken0123456789abcd';

const fixture = (dir: string, name: string) =>
  readFileSync(new URL(`../fixtures/${dir}/${name}`, import.meta.url), 'utf8');
const GOOD_FEED = fixture('auth0-status', 'feed.atom');
const ATOM = 'application/atom+xml; charset=utf-8';
const ENTRIES = GOOD_FEED.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
const FEED_HEAD = GOOD_FEED.slice(0, GOOD_FEED.indexOf('<entry>'));
const FEED_TAIL = '\n</feed>\n';

/** A feed with the good feed's head and these entries. */
function feedWith(entries: readonly string[]): string {
  return `${FEED_HEAD}${entries.join('\n  ')}${FEED_TAIL}`;
}

type Kind = 'auth0-status' | 'github-advisories';

const GOOD: Readonly<Record<Kind, StaticRoute>> = {
  'auth0-status': { body: GOOD_FEED, contentType: ATOM },
  'github-advisories': {
    body: fixture('github-advisories', 'advisories.json'),
    contentType: 'application/json; charset=utf-8',
  },
};

const bed = usePollerTestBed(TABLE, backend);
/** The bed's feed server, by the name the tests below use (set once the bed has started it). */
let server: FeedServer;
beforeAll(() => {
  server = bed.server;
});

interface WatchOptions {
  readonly failureThreshold?: number;
  readonly maxBytes?: number;
  /** Where the source URL points (default: the feed server); the route is always set on the feed server. */
  readonly urlOf?: (path: string) => string;
}

/** A source of one kind served by the feed server, with its own path, poller, clock and recorders. */
function watch(kind: Kind, options: WatchOptions = {}) {
  const n = bed.next();
  const id = `hostile-${n}`;
  const path = `/source-${n}`;
  const url = (options.urlOf ?? ((p: string) => bed.server.url(p)))(path);
  const common = {
    id,
    timeoutMs: TIMEOUT_MS,
    maxBytes: options.maxBytes ?? MAX_BYTES,
    ...(options.failureThreshold !== undefined && { failureThreshold: options.failureThreshold }),
  };
  const config: SourceConfig =
    kind === 'auth0-status'
      ? // A year of tracking keeps all four baseline incidents in the store, so "no state change" covers them all.
        { ...common, type: kind, url, region: 'US-1', trackResolvedDays: 365 }
      : { ...common, type: kind, url, packages: [{ ecosystem: 'npm', name: 'jsonwebtoken' }], token: 'env:GITHUB_TOKEN' };

  const watched = bed.watch({
    config,
    start: '2026-10-06T10:15:00Z',
    fetcher: makeHttpFetcher(),
    secrets: makeSecretResolver({ env: { GITHUB_TOKEN: TOKEN } }),
  });
  return {
    ...watched,
    config,
    path,
    serve: (route: RouteHandler | StaticRoute) => bed.server.setRoute(path, route),
    serveGood: () => bed.server.setRoute(path, GOOD[kind]),
    snapshot: async () => {
      await watched.ready;
      return snapshotOf(watched.store, config);
    },
  };
}
type Watched = ReturnType<typeof watch>;

/** A source that has polled its good snapshot once (the baseline), with the baseline's events recorded. */
async function baselined(kind: Kind = 'auth0-status', options: WatchOptions = {}): Promise<Watched> {
  const w = watch(kind, options);
  w.serveGood();
  const first = await w.poll();
  expect(first.outcome, first.reason).toBe('changed');
  expect(first.itemCount).toBeGreaterThan(0);
  return w;
}

/**
 * What the store remembers of a source: its record without the health fields a failure is allowed to touch
 * (and without its version, which such a write bumps), and every item record with its version and outbox.
 */
async function snapshotOf(store: StateStore, config: SourceConfig) {
  const source = await store.getSource(config.id);
  const kept: Record<string, unknown> = { ...source?.value };
  // lastEvent links the source's own health events (source.failing, source.recovered), which a failure may announce.
  for (const health of ['consecutiveFailures', 'failingSince', 'lastError', 'failingAnnounced', 'lastEvent']) delete kept[health];
  const items = await store.listItems(itemScopeOf(config));
  return {
    source: kept,
    sourceOutbox: source?.outbox ?? [],
    items: [...items]
      .map((r) => ({ value: r.value, version: r.version, outbox: r.outbox }))
      .sort((a, b) => a.value.itemId.localeCompare(b.value.itemId)),
  };
}

interface Measured<T> {
  readonly value: T;
  readonly ms: number;
  /** Peak growth over the start, sampled every few milliseconds and at the end. */
  readonly rssGrowth: number;
  readonly heapGrowth: number;
}

async function measured<T>(run: () => Promise<T>): Promise<Measured<T>> {
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const began = performance.now();
  try {
    const value = await run();
    const ms = performance.now() - began;
    sample();
    return { value, ms, rssGrowth: peakRss - start.rss, heapGrowth: peakHeap - start.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

interface Containment {
  /** Puts the fault in place: serves the hostile response, or breaks the connection below HTTP. */
  readonly inject: () => void | Promise<void>;
  /** Puts the good snapshot back (default: serve it again). */
  readonly restore?: () => void | Promise<void>;
  readonly reason: RegExp;
  /** The URL the result must name; default: the source URL (for advisories: its request URL). */
  readonly url?: string;
  /** Also hold the poll to the memory budget. */
  readonly memory?: boolean;
  readonly withinMs?: number;
}

/**
 * The contract for every fault: on a baselined source, the faulty poll fails in time, names the reason and the
 * URL, publishes nothing (`source.failing` is the only event a failure may add, and only at the threshold),
 * leaves the store as it was; then the good snapshot again is read with no re-notification.
 */
async function expectContained(w: Watched, fault: Containment): Promise<Measured<PollResult>> {
  const before = await w.snapshot();
  const from = w.delivered.length;
  const loggedFrom = w.logged.length;
  await fault.inject();

  const run = await measured(() => w.poll());
  const result = run.value;
  expect(result.outcome, `expected a failure, got ${result.outcome}`).toBe('failed');
  expect(result.reason).toMatch(fault.reason);
  if (fault.url !== undefined) expect(result.url).toBe(fault.url);
  else expect(result.url.startsWith(w.config.url), `${result.url} names ${w.config.url}`).toBe(true);
  expect(run.ms).toBeLessThan(fault.withinMs ?? POLL_BUDGET_MS);
  if (fault.memory) {
    expect(run.rssGrowth, `RSS grew ${(run.rssGrowth / MiB).toFixed(1)} MiB`).toBeLessThan(MEMORY_BUDGET);
    expect(run.heapGrowth, `heap grew ${(run.heapGrowth / MiB).toFixed(1)} MiB`).toBeLessThan(MEMORY_BUDGET);
  }
  // No item event; and one failure stays under the default threshold of 3, so no source.failing either.
  expect(w.delivered.slice(from)).toEqual([]);
  expect(await w.snapshot()).toEqual(before);
  // The run says which source, which URL and why.
  expect(w.logged.slice(loggedFrom)).toContainEqual({
    level: 'warn',
    message: 'source failed',
    keys: { source: w.config.id, url: result.url, reason: result.reason },
  });

  await (fault.restore ?? w.serveGood)();
  const next = await w.poll();
  expect(['unchanged', 'changed'], `${next.outcome}: ${next.reason}`).toContain(next.outcome);
  expect(w.delivered.slice(from)).toEqual([]);
  const health = (await w.store.getSource(w.config.id))?.value;
  expect(health?.consecutiveFailures).toBe(0);
  expect(health?.lastError?.reason).toBe(result.reason);
  return run;
}

/** Waits until the response can take more, or is gone; never buffers more than one chunk in the process. */
function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/** Streams a feed-looking body of `totalBytes` in 64 KiB chunks, honouring backpressure; counts what it sent. */
function hugeFeed(totalBytes: number, options: { announceLength: boolean }) {
  const filler = Buffer.from(ENTRIES[0]!.repeat(Math.ceil(65_536 / ENTRIES[0]!.length)));
  const sent = { bytes: 0 };
  const handler: RouteHandler = async (_request, response) => {
    let closed = false;
    response.on('close', () => (closed = true));
    response.writeHead(200, {
      'content-type': ATOM,
      ...(options.announceLength && { 'content-length': String(totalBytes) }),
    });
    while (sent.bytes < totalBytes && !closed) {
      const piece = filler.subarray(0, Math.min(filler.length, totalBytes - sent.bytes));
      sent.bytes += piece.length;
      if (!response.write(piece)) await drainedOrClosed(response);
    }
    if (!closed) response.end();
  };
  return { handler, sent };
}

interface TcpFront {
  url(path: string): string;
  /** `proxy` forwards to the feed server; `silent` accepts connections and never reads or answers. */
  setMode(mode: 'proxy' | 'silent'): void;
  /** Stops listening: connections to the port are refused. */
  stop(): Promise<void>;
  /** Listens on the same port again. */
  start(): Promise<void>;
}

/** A TCP endpoint in front of the feed server, for faults below HTTP. */
async function startTcpFront(): Promise<TcpFront> {
  const targetPort = Number(new URL(server.url('/')).port);
  const sockets = new Set<Socket>();
  let mode: 'proxy' | 'silent' = 'proxy';
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const make = () =>
    createTcpServer((socket) => {
      track(socket);
      if (mode === 'silent') return;
      const upstream = connect(targetPort, '127.0.0.1');
      track(upstream);
      upstream.on('close', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
    });
  const listen = (s: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
  let tcp = make();
  await listen(tcp, 0);
  const { port } = tcp.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    setMode(next) {
      mode = next;
      // Pooled keep-alive connections were set up in the other mode.
      dropAll();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        dropAll();
      }),
    async start() {
      tcp = make();
      await listen(tcp, port);
    },
  };
}

describe(`hostile and broken sources against the real poller on ${backend.name}`, () => {
  describe('huge bodies', () => {
    it('fails a 50 MB streamed body (no Content-Length) at the 1 MiB cap, without reading or holding it', async () => {
      const w = await baselined();
      const huge = hugeFeed(50_000_000, { announceLength: false });
      const run = await expectContained(w, {
        inject: () => w.serve(huge.handler),
        reason: /^response larger than 1048576 bytes$/,
        memory: true,
      });
      // The fetcher stopped reading: the server got nowhere near sending it all.
      expect(huge.sent.bytes).toBeLessThan(20 * MiB);
      expect(run.ms).toBeLessThan(2_000);
    });

    it('fails a Content-Length announcing 50 MB before reading the body', async () => {
      const w = await baselined();
      const huge = hugeFeed(50_000_000, { announceLength: true });
      await expectContained(w, {
        inject: () => w.serve(huge.handler),
        reason: /^response larger than 1048576 bytes$/,
        memory: true,
      });
      expect(huge.sent.bytes).toBeLessThan(20 * MiB);
    });
  });

  describe('slow servers', () => {
    it('times out a server that sends headers and then stalls mid-body', async () => {
      const w = await baselined();
      const run = await expectContained(w, {
        inject: () => w.serve(stall({ contentType: ATOM, bodyStart: FEED_HEAD })),
        reason: /^timed out after 1000 ms$/,
      });
      expect(run.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    });

    it('times out a server that accepts the TCP connection but never answers', async () => {
      const front = await startTcpFront();
      try {
        const w = await baselined('auth0-status', { urlOf: front.url });
        const run = await expectContained(w, {
          inject: () => front.setMode('silent'),
          restore: () => front.setMode('proxy'),
          reason: /^timed out after 1000 ms$/,
        });
        expect(run.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      } finally {
        await front.stop();
      }
    });
  });

  describe('truncated bodies', () => {
    it('fails a body cut off before its announced Content-Length', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () =>
          w.serve(
            truncate({
              body: GOOD_FEED.slice(0, GOOD_FEED.length / 2),
              declaredLength: Buffer.byteLength(GOOD_FEED),
              contentType: ATOM,
            }),
          ),
        reason: /^response body truncated/,
      });
    });

    it('fails a complete HTTP response whose XML ends in the middle of an entry', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: fixture('auth0-status', 'truncated.atom'), contentType: ATOM }),
        reason: /^malformed XML: the document ends with <feed>, <entry>, <content> still open \(truncated\?\)/,
      });
    });
  });

  describe('bodies that are not the expected format', () => {
    const errorPage = fixture('auth0-status', 'not-a-feed.html');

    it('fails an HTML error page served with 200 and text/html', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: errorPage, contentType: 'text/html; charset=utf-8' }),
        reason: /^expected xml but got text\/html$/,
      });
    });

    it('fails an HTML error page served as application/xml: root <html> is not a feed', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: errorPage, contentType: 'application/xml' }),
        reason: /^not an Atom or RSS feed \(root element <html>\)$/,
      });
    });

    it('fails a JSON body served as application/json to an XML source', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: '{"incidents":[]}', contentType: 'application/json' }),
        reason: /^expected xml but got application\/json$/,
      });
    });

    it('fails a JSON body mislabelled as application/xml', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: '{"incidents":[]}', contentType: 'application/xml' }),
        reason: /^not XML: the body starts with "\{\\"incidents\\":\[\]\}"/,
      });
    });

    it('fails an HTML page where the advisories API should answer JSON', async () => {
      const w = await baselined('github-advisories');
      await expectContained(w, {
        inject: () => w.serve({ body: fixture('github-advisories', 'error-page.html'), contentType: 'text/html' }),
        reason: /^expected json but got text\/html$/,
      });
    });

    it('fails a GitHub rate-limit message answered with status 200 instead of advisories', async () => {
      const w = await baselined('github-advisories');
      await expectContained(w, {
        inject: () =>
          w.serve({ body: '{"message":"API rate limit exceeded"}', contentType: 'application/json; charset=utf-8' }),
        reason: /^GitHub answered with an error instead of advisories: "API rate limit exceeded"$/,
      });
    });
  });

  describe('malformed XML', () => {
    it('fails a feed with an unclosed tag in the middle', async () => {
      const w = await baselined();
      const broken = GOOD_FEED.replace(
        '<title type="html"><![CDATA[Elevated',
        '<title type="html"><summary><![CDATA[Elevated',
      );
      await expectContained(w, {
        inject: () => w.serve({ body: broken, contentType: ATOM }),
        reason: /^malformed XML at line 15, column \d+: Expected closing tag 'summary'/,
      });
    });

    it('fails a feed with binary garbage between two entries', async () => {
      const w = await baselined();
      const garbage = Buffer.from([0x00, 0x01, 0x1b, 0x7f, 0xff, 0xfe, 0x80, 0x9c, 0xc3, 0x28, 0x00]);
      const body = Buffer.concat([
        Buffer.from(`${FEED_HEAD}${ENTRIES[0]}`),
        garbage,
        Buffer.from(`${ENTRIES.slice(1).join('\n  ')}${FEED_TAIL}`),
      ]);
      await expectContained(w, {
        inject: () => w.serve({ body, contentType: ATOM }),
        reason: /^body is not valid utf-8/,
      });
    });

    it('fails a feed whose incident text carries control characters XML forbids', async () => {
      const w = await baselined();
      // Valid UTF-8, so it reaches the parser; as a "correction" of an open incident it would be stored silently.
      const body = GOOD_FEED.replace('Tenant log delivery is delayed', 'Tenant log\u0000\u001b[2J delivery is delayed');
      await expectContained(w, {
        inject: () => w.serve({ body, contentType: ATOM }),
        reason: /^malformed XML at line 12, column \d+: character U\+0000 is not allowed in XML$/,
      });
    });
  });

  // A body that does not decode as its declared charset fails rather than being guessed at: text decoded wrongly
  // would be stored as vendor text, and the next correct body would then read as an edit (for a resolved incident,
  // a false incident.rca_published). An XML body with no charset in its Content-Type is read by its BOM or XML
  // declaration (RFC 7303), else as UTF-8.
  describe('encodings', () => {
    it('fails UTF-8 bytes declared as charset=utf-16: it decodes to text that is not XML', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: GOOD_FEED, contentType: 'application/atom+xml; charset=utf-16' }),
        reason: /^not XML: the body starts with "\u3f3c\u6d78/,
      });
    });

    it('fails UTF-16 bytes declared as charset=utf-8', async () => {
      const w = await baselined();
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_FEED, 'utf16le')]);
      await expectContained(w, {
        inject: () => w.serve({ body: utf16, contentType: ATOM }),
        reason: /^body is not valid utf-8$/,
      });
    });

    it('fails a latin-1 body declared as charset=utf-8 rather than storing replacement characters', async () => {
      const w = await baselined();
      const latin1 = Buffer.from(GOOD_FEED.replace('The issue has been identified', 'The issue has been identifié'), 'latin1');
      await expectContained(w, {
        inject: () => w.serve({ body: latin1, contentType: ATOM }),
        reason: /^body is not valid utf-8$/,
      });
    });

    it('fails a charset nobody knows (x-klingon)', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: GOOD_FEED, contentType: 'application/atom+xml; charset=x-klingon' }),
        reason: /^unsupported charset: x-klingon$/,
      });
    });

    const LATIN1_ENTRY = `<entry>
    <title type="html"><![CDATA[Connexions dégradées en Europe]]></title>
    <id>https://status.auth0.com/incidents/l4t1n1nc1d3t</id>
    <link href="https://status.auth0.com/incidents/l4t1n1nc1d3t"/>
    <updated>2026-10-06T10:14:00Z</updated>
    <content type="html"><![CDATA[<p><small>Oct 6, 10:14 UTC</small><br><strong>Investigating</strong> - Les connexions sont dégradées (café, naïve, €-free latin-1).</p>]]></content>
  </entry>`;
    const latin1Feed = (declaration: boolean) =>
      Buffer.from(
        feedWith([LATIN1_ENTRY, ...ENTRIES]).replace(
          '<?xml version="1.0" encoding="UTF-8"?>',
          declaration ? '<?xml version="1.0" encoding="ISO-8859-1"?>' : '<?xml version="1.0"?>',
        ),
        'latin1',
      );

    it.each([
      ['declared by charset=ISO-8859-1', 'application/atom+xml; charset=ISO-8859-1', false],
      ['declared only by its XML declaration', 'application/atom+xml', true],
    ])('reads a latin-1 body %s: the é of a new incident survives', async (_name, contentType, declaration) => {
      const w = await baselined();
      const body = latin1Feed(declaration);
      expect(body.includes(0xe9) && !body.includes(Buffer.from('é'))).toBe(true);
      const from = w.delivered.length;
      w.serve({ body, contentType });
      const result = await w.poll();
      expect(result.outcome, result.reason).toBe('changed');
      expect(w.delivered.slice(from).map((e) => [e.type, e.itemId, e.title])).toEqual([
        ['incident.opened', 'l4t1n1nc1d3t', 'Connexions dégradées en Europe'],
      ]);
      expect(w.delivered.at(-1)?.update?.text).toContain('dégradées (café, naïve');
      const stored = (await w.items()).find((r) => r.value.itemId === 'l4t1n1nc1d3t');
      expect(stored?.value.title).toBe('Connexions dégradées en Europe');
    });
  });

  describe('hostile XML', () => {
    it('refuses a billion-laughs entity expansion without expanding it', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: fixture('auth0-status', 'entity-bomb.atom'), contentType: ATOM }),
        reason: /^XML declares a DOCTYPE or ENTITY, which feeds never need; refused/,
        memory: true,
        withinMs: 500,
      });
    });

    it('refuses an external entity (XXE on file:///etc/passwd) and leaks nothing of the file', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: fixture('auth0-status', 'xxe.atom'), contentType: ATOM }),
        reason: /^XML declares a DOCTYPE or ENTITY, which feeds never need; refused/,
        withinMs: 500,
      });
      const everything = JSON.stringify([w.delivered, w.logged, await w.snapshot()]);
      expect(everything).not.toMatch(/root:|\/bin\/(ba)?sh|x3xtern4l3nt/);
    });

    it('refuses elements nested 10,000 deep', async () => {
      const w = await baselined();
      const deep = `${FEED_HEAD}<entry>${'<div>'.repeat(10_000)}${'</div>'.repeat(10_000)}</entry>${FEED_TAIL}`;
      await expectContained(w, {
        inject: () => w.serve({ body: deep, contentType: ATOM }),
        reason: /^XML nests elements deeper than 100 levels; refused$/,
        memory: true,
        withinMs: 500,
      });
    });

    it('refuses 200,000 sibling entries within the size cap before parsing them', async () => {
      const w = await baselined('auth0-status', { maxBytes: 2 * MiB });
      const siblings = `${FEED_HEAD}${'<entry/>'.repeat(200_000)}${FEED_TAIL}`;
      expect(Buffer.byteLength(siblings)).toBeLessThan(2 * MiB);
      // Measured before the element cap: parsed in 1 to 1.5 s, holding 33 to 67 MiB of heap (5 MiB of them: 4 s, 165 MB).
      const run = await expectContained(w, {
        inject: () => w.serve({ body: siblings, contentType: ATOM }),
        reason: /^XML has more than 50000 elements, which no feed needs; refused$/,
        memory: true,
      });
      expect(run.ms).toBeLessThan(500);
    });
  });

  describe('redirects', () => {
    it('refuses a redirect from 127.0.0.1 to localhost as another site', async () => {
      const w = await baselined();
      const target = server.url(`${w.path}-moved`, 'localhost');
      await expectContained(w, {
        inject: () => w.serve(redirectTo(target, 301)),
        reason: new RegExp(`^redirected to another site: ${escape(target)}$`),
        url: w.config.url,
      });
    });

    it('gives up on a redirect loop', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve(redirectTo(w.path, 302)),
        reason: /^too many redirects$/,
        url: w.config.url,
      });
    });

    it('fails a feed moved on the same site to an HTML page, naming the redirect', async () => {
      const w = await baselined();
      const target = `${w.path}/status-page`;
      server.setRoute(target, { body: '<!doctype html><html><body><h1>Status</h1></body></html>', contentType: 'text/html' });
      await expectContained(w, {
        inject: () => w.serve(redirectTo(target, 301)),
        reason: new RegExp(`^expected xml but got text/html \\(redirected from ${escape(w.config.url)}\\)$`),
        url: server.url(target),
      });
    });

    it('fails a feed redirected on the same site to an XML document that is not a feed, naming where it landed', async () => {
      const w = await baselined();
      const target = `${w.path}/sitemap.xml`;
      const sitemap = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset><url><loc>https://status.example/</loc></url></urlset>\n';
      server.setRoute(target, { body: sitemap, contentType: 'application/xml' });
      await expectContained(w, {
        inject: () => w.serve(redirectTo(target, 301)),
        reason: new RegExp(`^not an Atom or RSS feed \\(root element <urlset>\\) \\(after a redirect to ${escape(server.url(target))}\\)$`),
      });
    });
  });

  describe('lists that empty', () => {
    it('fails a valid feed that is suddenly empty after a baseline with items', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ body: fixture('auth0-status', 'empty.atom'), contentType: ATOM }),
        reason: /^suddenly empty: no items where the last good poll had 4$/,
      });
    });

    it('takes a feed with 1 of its 4 items as a window, not as 3 deletions, and the full feed after it as nothing new', async () => {
      const w = await baselined();
      const before = await w.snapshot();
      expect(before.items).toHaveLength(4);
      const from = w.delivered.length;

      w.serve({ body: feedWith(ENTRIES.slice(0, 1)), contentType: ATOM });
      const half = await w.poll();
      expect(half.outcome, half.reason).toBe('changed');
      expect(half.itemCount).toBe(1);
      expect(w.delivered.slice(from)).toEqual([]);
      expect((await w.snapshot()).items).toEqual(before.items);

      w.serveGood();
      const full = await w.poll();
      expect(full.outcome, full.reason).toBe('changed');
      expect(full.itemCount).toBe(4);
      expect(w.delivered.slice(from)).toEqual([]);
      expect((await w.snapshot()).items).toEqual(before.items);
    });
  });

  describe('network failures', () => {
    it('fails a connection refused on a closed port', async () => {
      const front = await startTcpFront();
      try {
        const w = await baselined('auth0-status', { urlOf: front.url });
        await expectContained(w, {
          inject: () => front.stop(),
          restore: () => front.start(),
          reason: /^connection failed: ECONNREFUSED$/,
        });
      } finally {
        await front.stop();
      }
    });

    it('fails a server that resets the connection in the middle of the body', async () => {
      const w = await baselined();
      const reset: RouteHandler = (_request, response) => {
        response.writeHead(200, { 'content-type': ATOM });
        response.write(GOOD_FEED.slice(0, GOOD_FEED.length / 2), () =>
          setTimeout(() => response.socket?.resetAndDestroy(), 10),
        );
      };
      await expectContained(w, {
        inject: () => w.serve(reset),
        reason: /^response body truncated: connection reset \(ECONNRESET\)$/,
      });
    });
  });

  describe('HTTP errors', () => {
    it('fails on HTTP 500', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ status: 500, body: 'Internal Server Error', contentType: 'text/plain' }),
        reason: /^HTTP 500 Internal Server Error$/,
      });
    });

    it('fails on HTTP 503 and names its Retry-After', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () =>
          w.serve({ status: 503, body: 'down for maintenance', contentType: 'text/plain', headers: { 'retry-after': '120' } }),
        reason: /^HTTP 503 Service Unavailable, retry-after 120$/,
      });
    });

    it('fails on HTTP 404', async () => {
      const w = await baselined();
      await expectContained(w, {
        inject: () => w.serve({ status: 404, body: 'not found', contentType: 'text/plain' }),
        reason: /^HTTP 404 Not Found$/,
      });
    });

    it.each([
      [401, 'Unauthorized', /^HTTP 401 Unauthorized$/],
      [403, 'Forbidden', /^HTTP 403 Forbidden, x-ratelimit-remaining 0$/],
    ])('fails advisories answered HTTP %i with a token, and the token reaches no reason, event or log', async (status, text, reason) => {
      const w = await baselined('github-advisories');
      const result = await expectContained(w, {
        inject: () =>
          w.serve({
            status,
            // A server that echoes the credential back, in the body and in a header.
            body: JSON.stringify({ message: `${text}: Bearer ${TOKEN}` }),
            contentType: 'application/json',
            headers: { 'x-ratelimit-remaining': '0', 'x-echo': TOKEN },
          }),
        reason,
      });
      // The token was really sent, so the check below means something.
      expect(server.requests.at(-2)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      const everything = JSON.stringify([result.value, w.delivered, w.logged, await w.snapshot()]);
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(TOKEN.slice(4, 20));
    });
  });

  describe('failure threshold', () => {
    it('publishes one source.failing after three failures in a row and one source.recovered on the next good poll', async () => {
      const w = await baselined('auth0-status', { failureThreshold: 3 });
      const before = await w.snapshot();
      const from = w.delivered.length;
      w.serve({ status: 500, body: 'Internal Server Error', contentType: 'text/plain' });
      for (const [poll, expected] of [[1, []], [2, []], [3, ['source.failing']], [4, ['source.failing']]] as const) {
        const result = await w.poll();
        expect(result.outcome, `poll ${poll}`).toBe('failed');
        expect(w.delivered.slice(from).map((e) => e.type), `poll ${poll}`).toEqual(expected);
      }
      expect(await w.snapshot()).toEqual(before);
      const failing = w.delivered[from]!;
      expect(failing).toMatchObject({ source: w.config.id, itemId: w.config.id, url: w.config.url, status: 'failing' });
      expect(failing.summary).toContain('HTTP 500 Internal Server Error');

      w.serveGood();
      const recovered = await w.poll();
      expect(recovered.outcome).toBe('unchanged');
      expect(w.delivered.slice(from + 1).map((e) => [e.type, e.itemId])).toEqual([['source.recovered', w.config.id]]);
      expect((await w.poll()).outcome).toBe('unchanged');
      expect(w.delivered.slice(from + 2)).toEqual([]);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
