// The tenant-log (stream) Lambda handler as deployed: config from WATCHER_CONFIG, a real local DynamoDB, the SNS test
// server, the loopback Management API and the loopback S3: the first run starts silently after the newest log, later
// runs archive each page to the bucket and publish its events; a bucket that refuses a page moves no checkpoint. The
// real-time path: an SQS batch of Auth0's EventBridge log events (the fixtures) is classified ahead of the poll, which
// archives those logs without announcing them again; malformed events are dropped, a failing store returns its batch.
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { parseConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { TenantLog } from '../../functions/stream/ports.js';
import { makeClassifyRealtime } from '../../functions/stream/classify-realtime.js';
import { handleRealtimeBatch, readRealtimeRecord, type SqsRecord } from '../../functions/stream/realtime-batch.js';
import type { Auth0TenantLogsSourceConfig } from '../../functions/sources/auth0-tenant-logs/config-schema.js';
import { compiledPollConfig, compiledStreamConfig } from '../../lib/watcher-stack.js';
import { fixtureBody, logIdAt, sampleLogs, startAuth0ManagementServer, tenantLog, type Auth0ManagementServer } from '../support/auth0-management-server.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { startS3TestServer, type S3TestServer } from '../support/s3-test-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const TABLE = 'watcher-stream-handler-test';
const BUCKET = 'watcher-tenant-logs';
const MINUTE = 60_000;

type Handler = (event: { sourceId: string }) => Promise<{ outcome: string; reason?: string; published: number; archived?: number }>;
type SqsHandler = (event: { Records: SqsRecord[] }) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
/** The partner event source of the reconstructed EventBridge fixtures. */
const PARTNER = 'aws.partner/auth0.com/acme-prod-5f0c3a2e-8d1b-4c7e-9a55-0b6f2d1e7c90/auth0.logs';
interface EventBridgeEvent {
  source: string;
  'detail-type': string;
  detail: { log_id?: string; data: TenantLog };
}
const eventFixture = (name: string): EventBridgeEvent =>
  (JSON.parse(readFileSync(new URL(`../fixtures/auth0-tenant/log-streams/${name}`, import.meta.url), 'utf8')) as { event: EventBridgeEvent }).event;

describe('tenant-log (stream) Lambda handler', () => {
  let dynamo: RunningDynamo;
  let sns: SnsTestServer;
  let s3: S3TestServer;
  let tenant: Auth0ManagementServer;
  let feeds: FeedServer;
  let topicArn: string;
  let streamHandler: Handler;
  let pollHandler: Handler;
  let sqsHandler: SqsHandler;
  let seq = 0;
  let seenEvents = 0;

  const logsOf = (type: string, times: readonly number[]): TenantLog[] =>
    times.map((at) => tenantLog(sampleLogs(type)[0]!, new Date(at), (seq += 1)));
  const newEvents = (): WatcherEvent[] => {
    const all = sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent);
    const fresh = all.slice(seenEvents);
    seenEvents = all.length;
    return fresh;
  };
  /** Every log archived in the bucket, object by object in key order. */
  const archivedLogs = (): TenantLog[] =>
    [...s3.objects(BUCKET).values()].flatMap((object) =>
      gunzipSync(object.body).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as TenantLog),
    );

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    sns = await startSnsTestServer();
    s3 = await startS3TestServer();
    s3.createBucket(BUCKET);
    tenant = await startAuth0ManagementServer();
    feeds = await startFeedServer();
    topicArn = sns.createTopic('watcher-events');
    // What the stack sets: resources by environment, the validated stream sources compiled in, endpoints as the SDK
    // reads them.
    const config = parseConfig(
      {
        sources: [
          {
            id: 'acme-logs',
            type: 'auth0-tenant-logs',
            url: tenant.url,
            clientId: tenant.clientId,
            clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET',
            partnerEventSource: PARTNER,
          },
          { id: 'changelog', type: 'auth0-changelog', url: feeds.url('/changelog') },
        ],
      },
      '/',
    );
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      TOPIC_ARN: topicArn,
      ARCHIVE_BUCKET: BUCKET,
      WATCHER_CONFIG: compiledStreamConfig(config),
      AUTH0_LOGS_CLIENT_SECRET: tenant.clientSecret,
      ...localAwsEnv({ dynamodb: dynamo.endpoint, sns: sns.endpoint }, 'CRITICAL'),
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      POLL_METRICS_BY_SOURCE: 'false',
    });
    ({ handler: streamHandler } = (await import('../../functions/stream/handler.js')) as unknown as { handler: Handler });
    sqsHandler = streamHandler as unknown as SqsHandler;
    // A poll function whose bundle has a stream source in it anyway (a config of stream sources only compiles them in).
    process.env['WATCHER_CONFIG'] = compiledPollConfig(parseConfig({ sources: [config.sources[0]] }, '/'));
    ({ handler: pollHandler } = (await import('../../functions/poll/handler.js')) as unknown as { handler: Handler });
  }, 60_000);

  afterAll(async () => {
    await tenant?.close();
    await s3?.close();
    await sns?.close();
    await feeds?.close();
    await dynamo?.stop();
  });

  it('starts after the newest existing log on its first run: nothing archived, nothing published', async () => {
    const now = Date.now();
    tenant.append(...logsOf('s', [now - 30 * MINUTE, now - 20 * MINUTE, now - 15 * MINUTE]));
    expect(await streamHandler({ sourceId: 'acme-logs' })).toMatchObject({ outcome: 'unchanged', archived: 0, published: 0 });
    expect(s3.objects(BUCKET).size).toBe(0);
    expect(newEvents()).toEqual([]);
  });

  it('archives each new page to the bucket as gzip NDJSON by tenant and day, then publishes its events to the topic', async () => {
    const start = Date.now() - 10 * MINUTE;
    const added = [
      ...logsOf('s', Array.from({ length: 150 }, (_, i) => start + i * 1000)),
      ...logsOf('api_limit', Array.from({ length: 8 }, (_, i) => start + i * MINUTE + 500)),
      ...logsOf('depnote', [start + 2 * MINUTE]),
    ];
    tenant.append(...added);
    expect(await streamHandler({ sourceId: 'acme-logs' })).toMatchObject({ outcome: 'changed', archived: 159, published: 2 });

    // Two pages (100 + 59), each named by its first log, in the tenant's partition and its first log's day.
    const ordered = [...added].sort((a, b) => (a.log_id < b.log_id ? -1 : 1));
    const host = new URL(tenant.url).host.replace(':', '_');
    const keyOf = (log: TenantLog) => `tenant-logs/tenant=${host}/date=${log.date.slice(0, 10)}/${log.log_id}.ndjson.gz`;
    expect([...s3.objects(BUCKET).keys()].sort()).toEqual([keyOf(ordered[0]!), keyOf(ordered[100]!)].sort());
    expect(archivedLogs().map((log) => log.log_id).sort()).toEqual(ordered.map((log) => log.log_id));
    expect([...s3.objects(BUCKET).values()].every((o) => o.contentType === 'application/x-ndjson' && o.contentEncoding === 'gzip')).toBe(true);

    const events = newEvents();
    expect(events.map((e) => e.type).sort()).toEqual(['tenant.deprecation_notice', 'tenant.rate_limited']);
    expect(events.every((e) => e.source === 'acme-logs' && e.sourceType === 'auth0-tenant-logs' && e.url === tenant.url)).toBe(true);

    // Caught up: nothing new is archived or announced.
    expect(await streamHandler({ sourceId: 'acme-logs' })).toMatchObject({ outcome: 'unchanged', archived: 0, published: 0 });
    expect(s3.objects(BUCKET).size).toBe(2);
    expect(newEvents()).toEqual([]);
  });

  it('fails the invocation when the bucket refuses a page, naming the bucket and the key; the next run archives it once', async () => {
    const logs = logsOf('f', [Date.now() - MINUTE]);
    tenant.append(...logs);
    // More refusals than the S3 client's three attempts.
    s3.failNext(3, { status: 500, code: 'InternalError' }, 'PUT');
    await expect(streamHandler({ sourceId: 'acme-logs' })).rejects.toThrow(`archive s3://${BUCKET}/tenant-logs/tenant=`);
    expect(s3.objects(BUCKET).size).toBe(2);
    expect(newEvents()).toEqual([]);

    // The crashed run's lease runs out (set back here rather than waited for); the next run reads the same page again.
    const store = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    const record = (await store.getSource('acme-logs'))!;
    expect(await store.putSource('acme-logs', { ...record.value, leaseUntil: undefined }, { expectedVersion: record.version })).toBe(true);
    expect(await streamHandler({ sourceId: 'acme-logs' })).toMatchObject({ outcome: 'changed', archived: 1 });
    expect(s3.objects(BUCKET).size).toBe(3);
    const ids = archivedLogs().map((log) => log.log_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(logs[0]!.log_id);
  });

  it('returns a token without read:logs as a failed run naming the scope, archiving nothing, then reads on', async () => {
    tenant.append(...logsOf('s', [Date.now() - 30_000]));
    tenant.failNext('logs', 1, { kind: 'status', status: 403, body: fixtureBody('get-logs.403-insufficient-scope.json') });
    const failed = await streamHandler({ sourceId: 'acme-logs' });
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toContain('read:logs');
    expect(s3.objects(BUCKET).size).toBe(3);

    expect(await streamHandler({ sourceId: 'acme-logs' })).toMatchObject({ outcome: 'changed', archived: 1 });
    expect(s3.objects(BUCKET).size).toBe(4);
  });

  it('throws for a source id it was not built with: feeds are compiled into the poll function only', async () => {
    await expect(streamHandler({ sourceId: 'changelog' })).rejects.toThrow('unknown source id "changelog"');
    await expect(streamHandler({ sourceId: 'nope' })).rejects.toThrow('unknown source id "nope"');
  });

  it('leaves stream sources to the tenant-log function: the poll function refuses one, naming it', async () => {
    await expect(pollHandler({ sourceId: 'acme-logs' })).rejects.toThrow(
      'source "acme-logs" (auth0-tenant-logs) is a stream source: the tenant-log function reads it, not the poll function',
    );
  });

  /** EventBridge events of the fixtures around fresh logs: ids after the checkpoint, dates `minutesAgo` before now. */
  const realtimeEvents = (specs: ReadonlyArray<[fixture: string, minutesAgo: number]>): EventBridgeEvent[] => {
    const stamp = new Date();
    return specs.map(([fixture, minutesAgo]) => {
      const event = eventFixture(fixture);
      seq += 1;
      const id = logIdAt(stamp, 1_000_000 + seq);
      const data = { ...event.detail.data, _id: id, log_id: id, date: new Date(stamp.getTime() - minutesAgo * MINUTE).toISOString() };
      return { ...event, detail: { log_id: id, data } };
    });
  };
  const sqsRecords = (bodies: readonly unknown[]): SqsRecord[] =>
    bodies.map((body, i) => ({ messageId: `m-${seq}-${i}`, body: typeof body === 'string' ? body : JSON.stringify(body) }));

  it('classifies an SQS batch of EventBridge log events ahead of the poll; the poll archives those logs and announces nothing again', async () => {
    const events = realtimeEvents([
      ['eventbridge.api_limit_warning.reconstructed.json', 9],
      ...[8, 7, 6, 5, 4, 3, 2].map((ago): [string, number] => ['eventbridge.api_limit.reconstructed.json', ago]),
      ['eventbridge.depnote.reconstructed.json', 3],
    ]);
    // Delivered out of order, one of them twice (at-least-once).
    const result = await sqsHandler({ Records: sqsRecords([...events].reverse().concat(events[3]!)) });
    expect(result).toEqual({ batchItemFailures: [] });
    const announced = newEvents();
    expect(announced.map((e) => e.type).sort()).toEqual(['tenant.deprecation_notice', 'tenant.rate_limited']);
    expect(announced.find((e) => e.type === 'tenant.rate_limited')!.title).toContain('bucket global on /api/v2/users');

    // The same logs through the Management API: archived by the poll, classified already.
    const before = archivedLogs().length;
    tenant.append(...events.map((event) => event.detail.data));
    expect(await streamHandler({ sourceId: 'acme-logs' })).toMatchObject({ outcome: 'changed', archived: events.length, published: 0 });
    expect(archivedLogs().length).toBe(before + events.length);
    expect(newEvents()).toEqual([]);
    // Delivered once more after the poll: at or before its checkpoint, nothing happens.
    expect(await sqsHandler({ Records: sqsRecords(events) })).toEqual({ batchItemFailures: [] });
    expect(newEvents()).toEqual([]);
  });

  it('drops malformed events and events of another partner source with a reason naming what is wrong, and fails none', async () => {
    const [good] = realtimeEvents([['eventbridge.depnote.reconstructed.json', 1]]);
    const real = eventFixture('eventbridge.s.real.json');
    const bodies = [
      'not json',
      real,
      { ...good!, 'detail-type': 'Auth0 logs' },
      { ...good!, detail: { log_id: good!.detail.log_id } },
      { ...good!, detail: { ...good!.detail, log_id: '123' } },
      { ...good!, detail: { log_id: good!.detail.log_id, data: { ...good!.detail.data, date: 'yesterday' } } },
    ];
    const sources = [{ id: 'acme-logs', partnerEventSource: PARTNER }] as unknown as Auth0TenantLogsSourceConfig[];
    expect(sqsRecords(bodies).map((record) => ('reason' in readRealtimeRecord(record, sources) ? readRealtimeRecord(record, sources) : {}))).toEqual([
      { reason: 'the message body is not JSON' },
      { reason: `source "${real.source}" is no configured source's partnerEventSource` },
      { reason: 'detail-type "Auth0 logs" is not "Auth0 log"' },
      { reason: 'detail.data (the log) is not an object' },
      { reason: `detail.log_id "123" is not detail.data.log_id "${good!.detail.log_id}"` },
      { reason: 'detail.data.date "yesterday" is not a date' },
    ]);
    expect(await sqsHandler({ Records: sqsRecords(bodies) })).toEqual({ batchItemFailures: [] });
    expect(newEvents()).toEqual([]);
  });

  it("returns a source's messages as batch item failures when its store cannot be reached, so SQS delivers them again", async () => {
    const down = makeDynamoStateStore({
      client: new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      tableName: TABLE,
    });
    const classify = makeClassifyRealtime({ store: down, publisher: { publish: async () => {} }, clock: { now: () => new Date() }, logger: quietLogger });
    const records = sqsRecords([...realtimeEvents([['eventbridge.api_limit.reconstructed.json', 1]]), 'not json']);
    const sources = [{ id: 'acme-logs', partnerEventSource: PARTNER }] as unknown as Auth0TenantLogsSourceConfig[];
    const result = await handleRealtimeBatch(records, sources, classify, quietLogger);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    expect(result.dropped).toBe(1);
  });
});

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

