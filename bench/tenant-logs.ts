// The tenant-log path: (1) throughput of classify (core/tenant's detectors) + archive (gzip NDJSON written to the local
// archive) over a day of real-shaped logs in pages of 100, in process; (2) the stream use case itself
// (functions/stream/poll-stream.ts) reading the fake Management API over loopback HTTP, writing its source record to
// DynamoDB Local (dynalite without Java) and publishing to the SNS test server: logs per second, DynamoDB units per page,
// per event and per run, archive bytes per 1,000 logs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth0TenantLogReaderFor } from '../functions/adapters/auth0-tenant-log-reader.js';
import { makeDynamoStateStore } from '../functions/adapters/dynamo-state-store.js';
import { makeLocalLogArchive } from '../functions/adapters/local-log-archive.js';
import { makeSecretResolver } from '../functions/adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../functions/adapters/sns-publisher.js';
import { parseConfig } from '../functions/config/config.js';
import type { Logger, StateStore } from '../functions/core/ports.js';
import { detectTenantLogs, tenantDetectorSettings, type TenantDetectorState } from '../functions/core/tenant/index.js';
import { tenantHostOf, type Auth0TenantLogsSourceConfig } from '../functions/sources/auth0-tenant-logs/config-schema.js';
import { makePollStream, PAGE_SIZE } from '../functions/stream/poll-stream.js';
import type { TenantLog } from '../functions/stream/ports.js';
import { sampleLogs, startAuth0ManagementServer, tenantLog } from '../test/support/auth0-management-server.js';
import { TABLE, type BenchEnvironment } from './environment.js';
import { STEADY_MIX, tenantLogDay } from './tenant-log-day.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TENANT = 'acme.us.auth0.com';
const DAY = 86_400_000;

export interface TenantLogThroughput {
  readonly logs: number;
  readonly pages: number;
  readonly types: Readonly<Record<string, number>>;
  readonly planted: readonly string[];
  /** Events the detectors emitted over the day (pages, then the end-of-day tick). */
  readonly events: number;
  readonly eventsByType: Readonly<Record<string, number>>;
  /** The detectors' state after the day, JSON bytes (it lives on the source record). */
  readonly detectorStateBytes: number;
  /** Wall milliseconds of the whole path (parse + archive + classify, page by page) and of each stage within it. */
  readonly parseMs: number;
  readonly classifyMs: number;
  readonly archiveMs: number;
  readonly pathMs: number;
  readonly logsPerSecond: number;
  /** CPU milliseconds per page of the whole path (user + system, the archive's gzip on the thread pool included). */
  readonly cpuMsPerPage: number;
  /** NDJSON bytes as received, the archive's gzip bytes, and their ratio. */
  readonly ndjsonBytes: number;
  readonly archiveBytes: number;
  readonly archiveBytesPer1000Logs: number;
  readonly gzipRatio: number;
  readonly meanObjectBytes: number;
  /**
   * The same archive format over the fixtures' distinct sample events (one of each, from several tenants): a page with
   * no repetition between its logs, the pessimistic end of the gzip ratio.
   */
  readonly distinctSamplesGzipRatio: number;
}

/** Logs in pages of 100, as the Management API serves them (response text), read, classified and archived. */
export async function measureTenantLogThroughput(count: number, dayStart: Date): Promise<TenantLogThroughput> {
  const day = tenantLogDay(dayStart, count);
  const pages: TenantLog[][] = [];
  for (let i = 0; i < day.logs.length; i += PAGE_SIZE) pages.push(day.logs.slice(i, i + PAGE_SIZE));
  const bodies = pages.map((page) => JSON.stringify(page));
  const source = { id: 'bench-logs', type: 'auth0-tenant-logs', vendor: 'Auth0', url: `https://${TENANT}` } as const;
  const ctx = { source, now: new Date(dayStart.getTime() + DAY), settings: tenantDetectorSettings(undefined) };
  const dir = await mkdtemp(join(tmpdir(), 'bench-tenant-archive-'));
  try {
    // The path as the use case runs it, page by page, each stage timed within it.
    const archive = makeLocalLogArchive(join(dir, 'path'));
    const events: Record<string, number> = {};
    const count = (list: readonly { type: string }[]) => list.forEach((e) => (events[e.type] = (events[e.type] ?? 0) + 1));
    const stageMs = { parse: 0, archive: 0, classify: 0 };
    let state: TenantDetectorState | undefined;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const body of bodies) {
      let t = performance.now();
      const page = JSON.parse(body) as TenantLog[];
      stageMs.parse += performance.now() - t;
      t = performance.now();
      await archive.putPage({ tenant: TENANT, day: page[0]!.date.slice(0, 10), firstLogId: page[0]!.log_id }, page);
      stageMs.archive += performance.now() - t;
      t = performance.now();
      const detected = detectTenantLogs(state, page, ctx);
      stageMs.classify += performance.now() - t;
      state = detected.state;
      count(detected.events);
    }
    const pathMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const tick = detectTenantLogs(state, [], ctx);
    count(tick.events);

    const summary = (await archive.summary(TENANT))!;
    const distinct = Object.keys(STEADY_MIX).concat(['api_limit', 'api_limit_warning', 'depnote', 'actions_execution_failed']).flatMap(sampleLogs);
    const distinctArchive = makeLocalLogArchive(join(dir, 'distinct'));
    await distinctArchive.putPage({ tenant: TENANT, day: '2026-01-01', firstLogId: 'distinct' }, distinct);
    const distinctBytes = (await distinctArchive.summary(TENANT))!.bytes;
    const ndjsonBytes = pages.reduce((sum, page) => sum + ndjsonOf(page), 0);
    return {
      logs: day.logs.length,
      pages: pages.length,
      types: day.types,
      planted: day.planted,
      events: Object.values(events).reduce((a, b) => a + b, 0),
      eventsByType: events,
      detectorStateBytes: Buffer.byteLength(JSON.stringify(tick.state)),
      parseMs: stageMs.parse,
      classifyMs: stageMs.classify,
      archiveMs: stageMs.archive,
      pathMs,
      logsPerSecond: day.logs.length / (pathMs / 1000),
      cpuMsPerPage: (used.user + used.system) / 1000 / pages.length,
      ndjsonBytes,
      archiveBytes: summary.bytes,
      archiveBytesPer1000Logs: (summary.bytes / day.logs.length) * 1000,
      gzipRatio: ndjsonBytes / summary.bytes,
      meanObjectBytes: summary.bytes / summary.objects,
      distinctSamplesGzipRatio: ndjsonOf(distinct) / distinctBytes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TenantLogUseCase {
  readonly logs: number;
  readonly runs: number;
  readonly pages: number;
  readonly events: number;
  readonly snsPublishes: number;
  readonly managementApiRequests: number;
  /** Runs that read until an empty page (the others stopped at their page budget). */
  readonly caughtUpRuns: number;
  readonly tokensIssued: number;
  readonly wallMs: number;
  readonly logsPerSecond: number;
  /** Wall milliseconds per page on loopback (Management API fake, DynamoDB Local, local archive, SNS test server). */
  readonly wallMsPerPage: number;
  /** DynamoDB requests per operation over the runs that read pages. */
  readonly dynamoRequests: Readonly<Record<string, number>>;
  /** Capacity units by store method over those runs (putSource: leases, page commits, settles; the rest: events). */
  readonly unitsByMethod: Readonly<Record<string, { read: number; write: number; calls: number }>>;
  /** A run with nothing new (caught up): its read and write units, the fixed cost of every scheduled run. */
  readonly idleRun: { readonly readUnits: number; readonly writeUnits: number; readonly dynamoRequests: number };
  /** Write units per page commit (the source record with checkpoint, detector state and outbox), beyond the run's fixed ones. */
  readonly writeUnitsPerPage: number;
  readonly readUnitsPerPage: number;
  /** Units per event: the outbox claim (when taken over), its acknowledgement and the event-log record. */
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  /** The source record's size after the runs, bytes (JSON of its value). */
  readonly sourceRecordBytes: number;
  readonly archiveBytesPer1000Logs: number;
  readonly archiveObjects: number;
}

/** The stream use case reading `count` logs through real adapters, run after run until caught up, then one idle run. */
export async function measureTenantLogUseCase(env: BenchEnvironment, count: number, realNow: Date): Promise<TenantLogUseCase> {
  const server = await startAuth0ManagementServer({ clientId: 'benchLogsClient' });
  const dir = await mkdtemp(join(tmpdir(), 'bench-tenant-usecase-'));
  process.env.BENCH_AUTH0_LOGS_CLIENT_SECRET = server.clientSecret;
  const unitsByMethod: Record<string, { read: number; write: number; calls: number }> = {};
  const measuredStore = <T extends object>(store: T): T =>
    new Proxy(store, {
      get(target, key) {
        const original = (target as Record<string | symbol, unknown>)[key];
        if (typeof original !== 'function') return original;
        return async (...args: unknown[]) => {
          const before = { ...env.capacity };
          try {
            return await (original as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            const entry = (unitsByMethod[String(key)] ??= { read: 0, write: 0, calls: 0 });
            entry.read += env.capacity.read - before.read;
            entry.write += env.capacity.write - before.write;
            entry.calls += 1;
          }
        };
      },
    });
  const dynamoStore = makeDynamoStateStore({ client: env.client, tableName: TABLE });
  const archive = makeLocalLogArchive(dir);
  const poll = makePollStream({
    store: measuredStore<StateStore>(dynamoStore),
    archive,
    readerFor: auth0TenantLogReaderFor,
    publisher: makeSnsPublisher({ client: makeSnsClient({ endpoint: env.sns.endpoint }), topicArn: env.topicArn }),
    secrets: makeSecretResolver(),
    clock: { now: () => new Date() },
    logger: silent,
  });
  const [source] = parseConfig(
    {
      sources: [
        { id: 'bench-tenant-logs', type: 'auth0-tenant-logs', url: server.url, clientId: server.clientId, clientSecret: 'env:BENCH_AUTH0_LOGS_CLIENT_SECRET' },
      ],
    },
    process.cwd(),
  ).sources as unknown as Auth0TenantLogsSourceConfig[];
  try {
    // The tenant's history before the watcher: the first run starts after it, silently.
    const dayStart = new Date(realNow.getTime() - DAY);
    server.append(tenantLog(sampleLogs('s')[0]!, new Date(dayStart.getTime() - 60_000), 0));
    await poll(source!);
    const logs = tenantLogDay(dayStart, count, 16).logs;
    server.append(...logs);

    const before = {
      requests: { ...env.proxy.received },
      capacity: { ...env.capacity },
      publishes: env.sns.requestCount('Publish'),
      api: server.requests('logs').length,
    };
    for (const method of Object.keys(unitsByMethod)) delete unitsByMethod[method];
    let runs = 0;
    let pages = 0;
    let events = 0;
    let caughtUpRuns = 0;
    const started = performance.now();
    for (;;) {
      const result = await poll(source!);
      runs += 1;
      events += result.published.length;
      pages += Math.ceil(result.archived / PAGE_SIZE);
      if (result.outcome === 'failed') throw new Error(`tenant-log bench run failed: ${result.reason}`);
      if (!result.behind) {
        caughtUpRuns += 1;
        break;
      }
      if (runs > 1000) throw new Error('tenant-log bench: the runs never caught up');
    }
    const wallMs = performance.now() - started;
    const dynamoRequests = Object.fromEntries(
      Object.entries(env.proxy.received)
        .map(([op, n]) => [op, n - (before.requests[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const readUnits = env.capacity.read - before.capacity.read;
    const writeUnits = env.capacity.write - before.capacity.write;
    const snsPublishes = env.sns.requestCount('Publish') - before.publishes;
    const managementApiRequests = server.requests('logs').length - before.api;
    const pagedUnits = structuredClone(unitsByMethod);

    // The idle run: nothing new since the last.
    const idleBefore = { capacity: { ...env.capacity }, requests: Object.values(env.proxy.received).reduce((a, b) => a + b, 0) };
    const idle = await poll(source!);
    if (idle.archived !== 0) throw new Error('tenant-log bench: the idle run archived logs');
    const idleRun = {
      readUnits: round(env.capacity.read - idleBefore.capacity.read),
      writeUnits: round(env.capacity.write - idleBefore.capacity.write),
      dynamoRequests: Object.values(env.proxy.received).reduce((a, b) => a + b, 0) - idleBefore.requests,
    };
    const eventMethods = ['claimOutbox', 'ackOutbox', 'logEvent', 'releaseOutbox'];
    const eventWrites = eventMethods.reduce((n, m) => n + (pagedUnits[m]?.write ?? 0), 0);
    const eventReads = eventMethods.reduce((n, m) => n + (pagedUnits[m]?.read ?? 0), 0);
    const record = await dynamoStore.getSource(source!.id);
    const summary = (await archive.summary(tenantHostOf(source!)))!;
    return {
      logs: logs.length,
      runs,
      pages,
      events,
      snsPublishes,
      managementApiRequests,
      caughtUpRuns,
      tokensIssued: server.tokensIssued(),
      wallMs,
      logsPerSecond: logs.length / (wallMs / 1000),
      wallMsPerPage: wallMs / pages,
      dynamoRequests,
      unitsByMethod: Object.fromEntries(Object.entries(pagedUnits).map(([m, u]) => [m, { read: round(u.read), write: round(u.write), calls: u.calls }])),
      idleRun,
      writeUnitsPerPage: round((writeUnits - eventWrites - runs * idleRun.writeUnits) / pages),
      readUnitsPerPage: round((readUnits - eventReads - runs * idleRun.readUnits) / pages),
      writeUnitsPerEvent: events > 0 ? round(eventWrites / events) : 0,
      readUnitsPerEvent: events > 0 ? round(eventReads / events) : 0,
      sourceRecordBytes: Buffer.byteLength(JSON.stringify(record?.value ?? {})),
      archiveBytesPer1000Logs: (summary.bytes / logs.length) * 1000,
      archiveObjects: summary.objects,
    };
  } finally {
    delete process.env.BENCH_AUTH0_LOGS_CLIENT_SECRET;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bytes of logs as NDJSON (one JSON line each), as the archive writes them before compressing. */
const ndjsonOf = (logs: readonly TenantLog[]) => logs.reduce((n, log) => n + Buffer.byteLength(JSON.stringify(log)) + 1, 0);
const round = (n: number) => Math.round(n * 100) / 100;
