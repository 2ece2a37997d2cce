// What every LogArchive adapter writes, so the local directory and the S3 bucket hold the same bytes under the same
// names: one gzip-compressed NDJSON object per page (one log per line, as received) at
// tenant=<host>/date=<YYYY-MM-DD>/<firstLogId>.ndjson.gz, Hive-style partitions as Athena and Glue read them. Names
// come from logs and config, so each part is checked before it becomes a path or a key.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ArchiveKey, TenantLog } from '../stream/ports.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What may name a partition or an object: a host, a day, a log id. Anything else is refused, never made into a name. */
const TENANT = /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const LOG_ID = /^[0-9A-Za-z_-]{1,128}$/;

/** The file name ending of an archived page. */
export const ARCHIVE_SUFFIX = '.ndjson.gz';
/** The media type of an archived page once decompressed. */
export const ARCHIVE_CONTENT_TYPE = 'application/x-ndjson';

/** The tenant's partition (`tenant=acme.us.auth0.com`; a port, in tests, as `_<port>`), or undefined for a name that is not a host. */
export function tenantPartition(tenant: string): string | undefined {
  return TENANT.test(tenant) ? `tenant=${tenant.replace(':', '_')}` : undefined;
}

/** The day a `date=YYYY-MM-DD` partition names, or undefined for any other name. */
export function dayOfPartition(name: string): string | undefined {
  return /^date=(\d{4}-\d{2}-\d{2})$/.exec(name)?.[1];
}

/**
 * The parts of a page's name: its tenant partition, its day partition and its file name. Throws naming the part that
 * is not what it claims to be (`archive: "../x" is not a log id`).
 */
export function archiveKeyParts(key: ArchiveKey): readonly [tenant: string, day: string, file: string] {
  const tenant = tenantPartition(key.tenant);
  if (tenant === undefined) throw new Error(`archive: ${JSON.stringify(key.tenant)} is not a tenant host`);
  if (!DAY.test(key.day)) throw new Error(`archive: ${JSON.stringify(key.day)} is not a day (YYYY-MM-DD)`);
  if (!LOG_ID.test(key.firstLogId)) throw new Error(`archive: ${JSON.stringify(key.firstLogId)} is not a log id`);
  return [tenant, `date=${key.day}`, `${key.firstLogId}${ARCHIVE_SUFFIX}`];
}

/** A page as archived: gzip-compressed NDJSON, one log per line as received, each line ended by a newline. */
export async function encodeArchivePage(logs: readonly TenantLog[]): Promise<Buffer> {
  return gzipAsync(Buffer.from(logs.map((log) => `${JSON.stringify(log)}\n`).join(''), 'utf8'));
}

/** The logs of an archived page, in the order they were written. */
export async function decodeArchivePage(body: Uint8Array): Promise<TenantLog[]> {
  const text = (await gunzipAsync(body)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TenantLog);
}
