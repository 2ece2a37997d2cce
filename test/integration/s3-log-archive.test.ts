// The archive adapter on AWS, through the real S3 client against a loopback S3 (path style, SigV4 with static
// credentials): the same gzip NDJSON bytes as the local archive under the same names, a rewrite replacing its page, the
// summary read across list pages, and failures that name the bucket and the key.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeLocalLogArchive } from '../../functions/adapters/local-log-archive.js';
import { makeS3LogArchive } from '../../functions/adapters/s3-log-archive.js';
import { ARCHIVE_PREFIX } from '../../functions/contract.js';
import type { TenantLog } from '../../functions/stream/ports.js';
import { sampleLogs, tenantLog } from '../support/auth0-management-server.js';
import { startS3TestServer, type S3TestServer } from '../support/s3-test-server.js';

const BUCKET = 'watcher-archive';
const TENANT = 'acme.us.auth0.com';

describe('S3 log archive', () => {
  let s3: S3TestServer;
  let client: S3Client;
  const dirs: string[] = [];
  let seq = 0;

  beforeAll(async () => {
    // Two keys per list page, so a handful of pages already needs continuation tokens.
    s3 = await startS3TestServer({ listPageSize: 2 });
    client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 2,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  // Each test starts from an empty bucket.
  beforeEach(() => s3.createBucket(BUCKET));

  /** A page of real-shaped logs (failed logins, mixed with a rate-limit log) starting at `start`, one a second. */
  const page = (n: number, start: string): TenantLog[] =>
    Array.from({ length: n }, (_, i) =>
      tenantLog((i % 3 === 2 ? sampleLogs('api_limit') : sampleLogs('f'))[0]!, new Date(Date.parse(start) + i * 1000), (seq += 1)),
    );
  const keyOf = (logs: readonly TenantLog[], day: string, tenant = TENANT) => ({ tenant, day, firstLogId: logs[0]!.log_id });
  const freshBucket = () => makeS3LogArchive({ client, bucket: BUCKET });

  it('writes a page as the local archive does: the same gzip NDJSON bytes under <prefix>tenant=<host>/date=<day>/<first log id>.ndjson.gz', async () => {
    const archive = freshBucket();
    const logs = page(5, '2026-11-02T23:59:58Z');
    await archive.putPage(keyOf(logs, '2026-11-02'), logs);

    const key = `${ARCHIVE_PREFIX}tenant=${TENANT}/date=2026-11-02/${logs[0]!.log_id}.ndjson.gz`;
    expect([...s3.objects(BUCKET).keys()]).toEqual([key]);
    const stored = s3.objects(BUCKET).get(key)!;
    expect(stored.contentType).toBe('application/x-ndjson');
    expect(stored.contentEncoding).toBe('gzip');

    const dir = await mkdtemp(join(tmpdir(), 's3-log-archive-'));
    dirs.push(dir);
    await makeLocalLogArchive(dir).putPage(keyOf(logs, '2026-11-02'), logs);
    const local = await readFile(join(dir, `tenant=${TENANT}`, 'date=2026-11-02', `${logs[0]!.log_id}.ndjson.gz`));
    expect(stored.body.equals(local)).toBe(true);

    // Read back through the SDK, as Athena or an operator would: one log per line, exactly as received.
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    const lines = gunzipSync(bytes).toString('utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(logs);
  });

  it('replaces a page rewritten from the same checkpoint (a longer re-read after a crash): one object, each log once', async () => {
    const archive = freshBucket();
    const logs = page(6, '2026-11-03T10:00:00Z');
    await archive.putPage(keyOf(logs, '2026-11-03'), logs.slice(0, 2));
    await archive.putPage(keyOf(logs, '2026-11-03'), logs);
    const objects = [...s3.objects(BUCKET).values()];
    expect(objects).toHaveLength(1);
    const ids = gunzipSync(objects[0]!.body).toString('utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as TenantLog).log_id);
    expect(ids).toEqual(logs.map((log) => log.log_id));
  });

  it('sums the sizes and counts the pages of one tenant across list pages, the oldest day from the keys', async () => {
    const archive = freshBucket();
    const days = ['2026-11-04', '2026-11-02', '2026-11-03', '2026-11-03', '2026-11-04'];
    for (const [i, day] of days.entries()) {
      const logs = page(3 + i, `${day}T0${i}:00:00Z`);
      await archive.putPage(keyOf(logs, day), logs);
    }
    // Another tenant's page and an object that is not a page, under the same bucket: neither is counted.
    const other = page(2, '2026-10-01T00:00:00Z');
    await archive.putPage(keyOf(other, '2026-10-01', 'other.eu.auth0.com'), other);
    s3.putObject(BUCKET, `${ARCHIVE_PREFIX}tenant=${TENANT}/README.txt`, Buffer.from('not a page'));

    const before = s3.requests().length;
    const summary = await archive.summary(TENANT);
    const mine = [...s3.objects(BUCKET)].filter(([key]) => key.startsWith(`${ARCHIVE_PREFIX}tenant=${TENANT}/date=`));
    expect(mine).toHaveLength(5);
    expect(summary).toEqual({ bytes: mine.reduce((sum, [, o]) => sum + o.body.length, 0), objects: 5, oldestDay: '2026-11-02' });

    const lists = s3.requests().slice(before);
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists.every((r) => r.query['list-type'] === '2' && r.query['prefix'] === `${ARCHIVE_PREFIX}tenant=${TENANT}/`)).toBe(true);
    expect(lists.slice(1).every((r) => r.query['continuation-token'] !== undefined)).toBe(true);
  });

  it('has no summary for a tenant with nothing archived, nor for a name that is not a host', async () => {
    const archive = freshBucket();
    expect(await archive.summary('nobody.us.auth0.com')).toBeUndefined();
    const before = s3.requests().length;
    expect(await archive.summary('../etc')).toBeUndefined();
    expect(s3.requests().length).toBe(before);
  });

  it('retries a 500 from S3 once and writes the page', async () => {
    const archive = freshBucket();
    const logs = page(2, '2026-11-05T00:00:00Z');
    s3.failNext(1, { status: 500, code: 'InternalError' }, 'PUT');
    await archive.putPage(keyOf(logs, '2026-11-05'), logs);
    expect(s3.objects(BUCKET).size).toBe(1);
  });

  it('fails a write S3 keeps throttling with an error naming the bucket, the key and SlowDown, and stores nothing', async () => {
    const archive = freshBucket();
    const logs = page(2, '2026-11-05T00:00:00Z');
    s3.failNext(2, { status: 503, code: 'SlowDown' }, 'PUT');
    const key = `${ARCHIVE_PREFIX}tenant=${TENANT}/date=2026-11-05/${logs[0]!.log_id}.ndjson.gz`;
    const failure = archive.putPage(keyOf(logs, '2026-11-05'), logs);
    await expect(failure).rejects.toThrow(`archive s3://${BUCKET}/${key}: page of 2 logs not written: SlowDown: Please reduce your request rate. (HTTP 503)`);
    expect(s3.objects(BUCKET).size).toBe(0);
  });

  it('fails a listing with an error naming the bucket and the tenant prefix', async () => {
    const archive = freshBucket();
    s3.failNext(2, { status: 500, code: 'InternalError' }, 'GET');
    await expect(archive.summary(TENANT)).rejects.toThrow(
      `archive s3://${BUCKET}/${ARCHIVE_PREFIX}tenant=${TENANT}/: not listed: InternalError: We encountered an internal error. Please try again. (HTTP 500)`,
    );
  });

  it('names a bucket that does not exist', async () => {
    const archive = makeS3LogArchive({ client, bucket: 'no-such-bucket' });
    const logs = page(1, '2026-11-05T00:00:00Z');
    await expect(archive.putPage(keyOf(logs, '2026-11-05'), logs)).rejects.toThrow(/^archive s3:\/\/no-such-bucket\/tenant-logs\/.*NoSuchBucket/);
  });

  it.each([
    ['a log id that climbs out of the archive', { firstLogId: '../../other-prefix/x' }],
    ['a day that is not a date', { day: '2026-11-02/../..' }],
    ['a tenant that is a path', { tenant: 'acme/../../x' }],
  ])('refuses %s without sending anything', async (_what, patch) => {
    const archive = freshBucket();
    const before = s3.requests().length;
    const key = { tenant: TENANT, day: '2026-11-02', firstLogId: '9001', ...patch };
    await expect(archive.putPage(key, page(1, '2026-11-02T00:00:00Z'))).rejects.toThrow(/archive: .* is not a/);
    expect(s3.requests().length).toBe(before);
  });

  it('writes under another prefix when given one', async () => {
    const archive = makeS3LogArchive({ client, bucket: BUCKET, prefix: 'elsewhere/' });
    const logs = page(1, '2026-11-06T00:00:00Z');
    await archive.putPage(keyOf(logs, '2026-11-06'), logs);
    expect([...s3.objects(BUCKET).keys()].some((key) => key.startsWith(`elsewhere/tenant=${TENANT}/date=2026-11-06/`))).toBe(true);
    expect(() => makeS3LogArchive({ client, bucket: BUCKET, prefix: 'no-slash' })).toThrow('must end with "/"');
  });
});
