// Adapter of the stream use case's LogArchive port for local mode: a directory, one gzip-compressed NDJSON file per
// page at <dir>/tenant=<host>/date=<YYYY-MM-DD>/<firstLogId>.ndjson.gz (the layout of the archive on S3, so the
// same queries read both). Each page is written to a temporary file and renamed into place: a reader, or a run that
// crashed half-way, sees the whole page or the previous one, never part of one.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveKey, LogArchive, TenantLog } from '../stream/ports.js';
import { ARCHIVE_SUFFIX, archiveKeyParts, dayOfPartition, decodeArchivePage, encodeArchivePage, tenantPartition } from './log-archive-format.js';

export interface LocalLogArchive extends LogArchive {
  /** Every log archived for a tenant, read back from the files (tests, the digest's checks), in file order. */
  readAll(tenant: string): Promise<TenantLog[]>;
}

export function makeLocalLogArchive(dir: string): LocalLogArchive {
  function pathOf(key: ArchiveKey): { folder: string; file: string } {
    const [tenant, day, name] = archiveKeyParts(key);
    const folder = join(dir, tenant, day);
    return { folder, file: join(folder, name) };
  }

  async function files(tenant: string): Promise<Array<{ day: string; path: string }>> {
    const partition = tenantPartition(tenant);
    if (partition === undefined) return [];
    const root = join(dir, partition);
    const days = await readdir(root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const found: Array<{ day: string; path: string }> = [];
    for (const entry of days.sort()) {
      const day = dayOfPartition(entry);
      if (!day) continue;
      const names = (await readdir(join(root, entry))).filter((name) => name.endsWith(ARCHIVE_SUFFIX)).sort();
      found.push(...names.map((name) => ({ day, path: join(root, entry, name) })));
    }
    return found;
  }

  return {
    async putPage(key, logs) {
      const { folder, file } = pathOf(key);
      const body = await encodeArchivePage(logs);
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
      for (const { path } of await files(tenant)) logs.push(...(await decodeArchivePage(await readFile(path))));
      return logs;
    },
  };
}
