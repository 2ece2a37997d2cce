// Adapter of the stream use case's LogArchive port on AWS: the archive bucket, one gzip-compressed NDJSON object per
// page at <prefix>tenant=<host>/date=<YYYY-MM-DD>/<firstLogId>.ndjson.gz, the same bytes under the same names as the
// local archive (log-archive-format.ts), so the Glue table and Athena read both. A PutObject replaces an object whole:
// a page re-read after a crash rewrites its object, and a reader sees the old page or the new one, never part of one.
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { cleanLine } from '../core/text/clean-line.js';
import type { LogArchive } from '../stream/ports.js';
import { ARCHIVE_PREFIX } from '../contract.js';
import {
  ARCHIVE_CONTENT_TYPE,
  ARCHIVE_SUFFIX,
  archiveKeyParts,
  dayOfPartition,
  encodeArchivePage,
  tenantPartition,
} from './log-archive-format.js';

export interface S3LogArchiveOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Where the archive's objects start in the bucket; ends with `/`. @default ARCHIVE_PREFIX (`tenant-logs/`) */
  readonly prefix?: string;
}

/** List pages read for one summary at most (1000 keys each): a bound on a digest's time, not on a tenant's archive size. */
const MAX_LIST_PAGES = 1000;

/** An archive bucket that could not be written or listed: names the bucket, the key or prefix, and the reason. */
export class S3ArchiveError extends Error {
  override readonly name = 'S3ArchiveError';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`archive s3://${bucket}/${key}: ${reason}`, options);
  }
}

export function makeS3LogArchive({ client, bucket, prefix = ARCHIVE_PREFIX }: S3LogArchiveOptions): LogArchive {
  if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`archive: prefix ${JSON.stringify(prefix)} must end with "/"`);

  return {
    async putPage(key, logs) {
      const objectKey = `${prefix}${archiveKeyParts(key).join('/')}`;
      const body = await encodeArchivePage(logs);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: objectKey,
            Body: body,
            ContentType: ARCHIVE_CONTENT_TYPE,
            ContentEncoding: 'gzip',
          }),
        );
      } catch (error) {
        throw new S3ArchiveError(bucket, objectKey, `page of ${logs.length} logs not written: ${reasonOf(error)}`, { cause: error });
      }
    },

    async summary(tenant) {
      const partition = tenantPartition(tenant);
      if (partition === undefined) return undefined;
      const listed = `${prefix}${partition}/`;
      let bytes = 0;
      let objects = 0;
      let oldestDay: string | undefined;
      let token: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
        let answer;
        try {
          answer = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: listed, ContinuationToken: token }));
        } catch (error) {
          throw new S3ArchiveError(bucket, listed, `not listed: ${reasonOf(error)}`, { cause: error });
        }
        for (const object of answer.Contents ?? []) {
          // <prefix>tenant=<host>/date=<day>/<first log id>.ndjson.gz; anything else under the prefix is not a page.
          const [dayPart, name, ...rest] = (object.Key ?? '').slice(listed.length).split('/');
          const day = dayOfPartition(dayPart ?? '');
          if (!day || !name?.endsWith(ARCHIVE_SUFFIX) || rest.length > 0) continue;
          bytes += object.Size ?? 0;
          objects += 1;
          if (oldestDay === undefined || day < oldestDay) oldestDay = day;
        }
        token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
        if (token === undefined) break;
        if (page === MAX_LIST_PAGES - 1) throw new S3ArchiveError(bucket, listed, `more than ${MAX_LIST_PAGES} list pages`);
      }
      return oldestDay === undefined ? undefined : { bytes, objects, oldestDay };
    },
  };
}

/** An SDK error as one short line: its code, its message and the HTTP status (S3's words are kept bounded). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return cleanLine(String(error), 300);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const text = error.message && error.message !== error.name ? `${error.name}: ${error.message}` : error.name;
  return cleanLine(`${text}${status !== undefined ? ` (HTTP ${status})` : ''}`, 300);
}
