// What one poll costs: DynamoDB requests and consumed capacity, SNS publishes, bytes downloaded and parses, for the
// unchanged poll (304, and a server that ignores conditional requests), the hourly heartbeat and a changed poll.
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { makeDynamoStateStore } from '../functions/adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../functions/adapters/http-fetcher.js';
import { makeSecretResolver } from '../functions/adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../functions/adapters/sns-publisher.js';
import { parseConfig, type SourceConfig } from '../functions/config/config.js';
import type { Logger } from '../functions/core/ports.js';
import { makePollSource } from '../functions/poll/poll-source.js';
import { auth0StatusSource } from '../functions/sources/auth0-status/plugin.js';
import type { FeedSourceModule } from '../functions/sources/source.js';
import { TABLE, type BenchEnvironment } from './environment.js';
import { largeStatusFeed } from './feeds.js';

export interface PollFigures {
  readonly feed: string;
  readonly scenario: string;
  readonly outcome: string;
  /** Requests DynamoDB received, per operation (counted on the wire by the proxy). */
  readonly dynamoRequests: Readonly<Record<string, number>>;
  readonly dynamoReads: number;
  readonly dynamoWrites: number;
  /** Consumed capacity as DynamoDB reported it: read and write request units in on-demand terms. */
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly snsPublishes: number;
  /** Feed bytes on the wire (status line, headers and body) and the number of HTTP requests. */
  readonly bytesDownloaded: number;
  readonly httpRequests: number;
  /** Calls of the source module's `parse`, and of the XML validator and parser underneath it. */
  readonly moduleParses: number;
  readonly xmlValidations: number;
  readonly xmlParses: number;
  readonly wallMs: number;
}

const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Counts parses by wrapping, in this process, the status module's `parse` (the poll looks the module object up in the
 * registry and calls `module.parse`, so the wrapper sees every call) and fast-xml-parser's `XMLValidator.validate` and
 * `XMLParser.prototype.parse` (safe-xml.ts calls both through the objects, so every XML read anywhere is counted).
 */
function installParseCounters() {
  const counts = { module: 0, validate: 0, parse: 0 };
  const status = auth0StatusSource as { parse: FeedSourceModule['parse'] };
  const originalModuleParse = status.parse;
  status.parse = (documents, config) => {
    counts.module += 1;
    return originalModuleParse(documents, config as never);
  };
  const validator = XMLValidator as { validate: typeof XMLValidator.validate };
  const originalValidate = validator.validate;
  validator.validate = (...args) => {
    counts.validate += 1;
    return originalValidate(...args);
  };
  const proto = XMLParser.prototype as unknown as { parse: (this: XMLParser, ...args: unknown[]) => unknown };
  const originalParse = proto.parse;
  proto.parse = function (this: XMLParser, ...args: unknown[]) {
    counts.parse += 1;
    return originalParse.apply(this, args);
  };
  return {
    counts,
    restore() {
      status.parse = originalModuleParse;
      validator.validate = originalValidate;
      proto.parse = originalParse;
    },
  };
}

const fixture = (path: string) => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');

export async function measurePolls(env: BenchEnvironment, realNow: Date): Promise<PollFigures[]> {
  const counters = installParseCounters();
  let now = new Date(0);
  const poll = makePollSource({
    store: makeDynamoStateStore({ client: env.client, tableName: TABLE }),
    fetcher: makeHttpFetcher(),
    publisher: makeSnsPublisher({ client: makeSnsClient({ endpoint: env.sns.endpoint }), topicArn: env.topicArn }),
    secrets: makeSecretResolver(),
    clock: { now: () => now },
    logger: silent,
  });

  const figures: PollFigures[] = [];
  async function measure(feed: string, scenario: string, source: SourceConfig, at: Date): Promise<PollFigures> {
    now = at;
    const before = {
      requests: { ...env.proxy.received },
      capacity: { ...env.capacity },
      publishes: env.sns.requestCount('Publish'),
      bytes: env.bytesSent(),
      http: env.feeds.requests.length,
      parses: { ...counters.counts },
    };
    const start = performance.now();
    const result = await poll(source);
    const wallMs = performance.now() - start;
    const dynamoRequests = Object.fromEntries(
      Object.entries(env.proxy.received)
        .map(([op, n]) => [op, n - (before.requests[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const total = (filter: (op: string) => boolean) =>
      Object.entries(dynamoRequests).reduce((sum, [op, n]) => sum + (filter(op) ? n : 0), 0);
    const row: PollFigures = {
      feed,
      scenario,
      outcome: result.reason ? `${result.outcome}: ${result.reason}` : result.outcome,
      dynamoRequests,
      dynamoReads: total((op) => READ_OPERATIONS.has(op)),
      dynamoWrites: total((op) => !READ_OPERATIONS.has(op)),
      readUnits: round(env.capacity.read - before.capacity.read),
      writeUnits: round(env.capacity.write - before.capacity.write),
      snsPublishes: env.sns.requestCount('Publish') - before.publishes,
      bytesDownloaded: env.bytesSent() - before.bytes,
      httpRequests: env.feeds.requests.length - before.http,
      moduleParses: counters.counts.module - before.parses.module,
      xmlValidations: counters.counts.validate - before.parses.validate,
      xmlParses: counters.counts.parse - before.parses.parse,
      wallMs,
    };
    figures.push(row);
    return row;
  }

  /**
   * One source through its life: a baseline, an unchanged poll answered 304, the same body from a server that ignores
   * conditional requests (the body-hash path), the hourly heartbeat, one incident getting one update, and unchanged again.
   */
  async function lifecycle(feed: string, id: string, base: Date, bodies: { before: string; after: string }) {
    const path = `/${id}`;
    const [source] = parseConfig(
      { sources: [{ id: `bench-${id}`, type: 'auth0-status', region: 'US-1', url: env.feeds.url(path) }] },
      process.cwd(),
    ).sources;
    const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);
    const lastModified = at(-5).toUTCString();
    const conditional = (body: string, etag: string) => ({ body, contentType: 'application/atom+xml', etag, lastModified });
    env.serve(path, conditional(bodies.before, '"v1"'));
    await measure(feed, 'baseline (first poll)', source!, at(0));
    await measure(feed, 'unchanged: 304 Not Modified', source!, at(1));
    env.serve(path, { body: bodies.before, contentType: 'application/atom+xml' });
    await measure(feed, 'unchanged: server ignores conditional requests (same body hash)', source!, at(2));
    await measure(feed, 'unchanged, hourly heartbeat due', source!, at(61));
    env.serve(path, conditional(bodies.after, '"v2"'));
    await measure(feed, 'changed: one incident gets one update', source!, at(62));
    await measure(feed, 'unchanged again: 304', source!, at(63));
  }

  try {
    await lifecycle('status fixture (3 incidents)', 'fixture', new Date('2026-10-06T11:00:00Z'), {
      before: fixture('auth0-status/seq-02-update.atom'),
      after: fixture('auth0-status/seq-03-resolved.atom'),
    });
    await lifecycle('status, 1,000 incidents × 4 updates', 'large', realNow, {
      before: largeStatusFeed({ now: realNow }),
      after: largeStatusFeed({ now: realNow, withOneMoreUpdate: true }),
    });
  } finally {
    counters.restore();
  }
  return figures;
}

const round = (n: number) => Math.round(n * 100) / 100;
