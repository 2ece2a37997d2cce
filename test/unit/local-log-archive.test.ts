// The local archive adapter: gzip NDJSON per page at tenant=<host>/date=<day>/<firstLogId>.ndjson.gz, a rewrite of a
// page replacing it whole, names from logs refused when they are not what they claim to be.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { makeLocalLogArchive } from '../../functions/adapters/local-log-archive.js';
import { sampleLogs, tenantLog } from '../support/auth0-management-server.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
const archiveDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'log-archive-'));
  dirs.push(dir);
  return dir;
};
const logs = (n: number, start = Date.parse('2026-11-02T23:59:58Z')) =>
  Array.from({ length: n }, (_, i) => tenantLog(sampleLogs('f')[0]!, new Date(start + i * 1000), i));

describe('local log archive', () => {
  it('writes one gzip NDJSON object per page, partitioned by tenant and day, with the logs as received', async () => {
    const dir = await archiveDir();
    const archive = makeLocalLogArchive(dir);
    const page = logs(3);
    await archive.putPage({ tenant: 'acme.us.auth0.com', day: '2026-11-02', firstLogId: page[0]!.log_id }, page);
    const file = join(dir, 'tenant=acme.us.auth0.com', 'date=2026-11-02', `${page[0]!.log_id}.ndjson.gz`);
    const lines = gunzipSync(await readFile(file)).toString('utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(page);
    expect(await readdir(join(dir, 'tenant=acme.us.auth0.com', 'date=2026-11-02'))).toEqual([`${page[0]!.log_id}.ndjson.gz`]);
  });

  it('replaces a page rewritten from the same checkpoint (a longer re-read after a crash): each log id once', async () => {
    const archive = makeLocalLogArchive(await archiveDir());
    const page = logs(5);
    const key = { tenant: 'acme.us.auth0.com', day: '2026-11-02', firstLogId: page[0]!.log_id };
    await archive.putPage(key, page.slice(0, 2));
    await archive.putPage(key, page);
    expect((await archive.readAll('acme.us.auth0.com')).map((log) => log.log_id)).toEqual(page.map((log) => log.log_id));
    expect(await archive.summary('acme.us.auth0.com')).toMatchObject({ objects: 1, oldestDay: '2026-11-02' });
    expect(await archive.summary('other.eu.auth0.com')).toBeUndefined();
  });

  it.each([
    ['a log id that climbs out of the archive', { firstLogId: '../../etc/passwd' }],
    ['a day that is not a date', { day: '2026-11-02/../..' }],
    ['a tenant that is a path', { tenant: '../acme' }],
  ])('refuses %s', async (_what, patch) => {
    const archive = makeLocalLogArchive(await archiveDir());
    const key = { tenant: 'acme.us.auth0.com', day: '2026-11-02', firstLogId: '9001', ...patch };
    await expect(archive.putPage(key, logs(1))).rejects.toThrow(/archive: .* is not a/);
  });
});
