// Adapter of the stream use case's LogArchive port for local mode: a directory, one gzip-compressed NDJSON file per
// page at <dir>/tenant=<host>/date=<YYYY-MM-DD>/<firstLogId>.ndjson.gz (the layout of the archive on S3, so the
// same queries read both). Each page is written to a temporary file and renamed into place: a reader, or a run that
// crashed half-way, sees the whole page or the previous one, never part of one.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ArchiveKey, LogArchive, TenantLog } from '../stream/ports.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What may name a partition or an object: a host, a day, a log id. Anything else is refused, never made into a path. */
const TENANT = /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const LOG_ID = /^[0-9A-Za-z_-]{1,128}$/;
const SUFFIX = '.ndjson.gz';

/** Partition folder names, as Athena and Glue read Hive-style partitions. */
const tenantDir = (tenant: string) => `tenant=${tenant.replace(':', '_')}`;

export interface LocalLogArchive extends LogArchive {
  /** Every log archived for a tenant, read back from the files (tests, the digest's checks), in file order. */
  readAll(tenant: string): Promise<TenantLog[]>;
}

export function makeLocalLogArchive(dir: string): LocalLogArchive {
  function pathOf(key: ArchiveKey): { folder: string; file: string } {
    if (!TENANT.test(key.tenant)) throw new Error(`archive: ${JSON.stringify(key.tenant)} is not a tenant host`);
    if (!DAY.test(key.day)) throw new Error(`archive: ${JSON.stringify(key.day)} is not a day (YYYY-MM-DD)`);
    if (!LOG_ID.test(key.firstLogId)) throw new Error(`archive: ${JSON.stringify(key.firstLogId)} is not a log id`);
    const folder = join(dir, tenantDir(key.tenant), `date=${key.day}`);
    return { folder, file: join(folder, `${key.firstLogId}${SUFFIX}`) };
  }

  async function files(tenant: string): Promise<Array<{ day: string; path: string }>> {
    if (!TENANT.test(tenant)) return [];
    const root = join(dir, tenantDir(tenant));
    const days = await readdir(root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const found: Array<{ day: string; path: string }> = [];
    for (const entry of days.sort()) {
      const day = /^date=(\d{4}-\d{2}-\d{2})$/.exec(entry)?.[1];
      if (!day) continue;
      const names = (await readdir(join(root, entry))).filter((name) => name.endsWith(SUFFIX)).sort();
      found.push(...names.map((name) => ({ day, path: join(root, entry, name) })));
    }
    return found;
  }

  return {
    async putPage(key, logs) {
      const { folder, file } = pathOf(key);
      const body = await gzipAsync(Buffer.from(logs.map((log) => `${JSON.stringify(log)}\n`).join(''), 'utf8'));
      await mkdir(folder, { recursive: true });
      // A name no other writer uses: two overlapping writers of one page each rename a whole file into place.
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, body);
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },

    async summary(tenant) {
      const found = await files(tenant);
      if (found.length === 0) return undefined;
      let bytes = 0;
      for (const { path } of found) bytes += (await stat(path)).size;
      return { bytes, objects: found.length, oldestDay: found[0]!.day };
    },

    async readAll(tenant) {
      const logs: TenantLog[] = [];
      for (const { path } of await files(tenant)) {
        const text = (await gunzipAsync(await readFile(path))).toString('utf8');
        for (const line of text.split('\n')) if (line) logs.push(JSON.parse(line) as TenantLog);
      }
      return logs;
    },
  };
}
