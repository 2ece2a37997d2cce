// Test double of Amazon S3 for integration tests, on 127.0.0.1: the REST protocol the archive adapter speaks, path
// style (PUT /<bucket>/<key>, GET /<bucket>/<key>, GET /<bucket>?list-type=2&prefix=…&continuation-token=…, answered
// with ListObjectsV2's XML: IsTruncated, NextContinuationToken, Contents{Key, Size}), S3's XML error envelope
// (NoSuchBucket, NoSuchKey, AccessDenied, InternalError, SlowDown) and injectable faults. Bodies sent in the SDK's
// `aws-chunked` framing (flexible checksums) are unframed, and a CRC32 checksum sent with a body is checked as S3 does.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

/** One object as the server keeps it. */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType?: string;
  /** `Content-Encoding` as S3 stores it: the client's, without the `aws-chunked` transfer framing. */
  readonly contentEncoding?: string;
  readonly etag: string;
  readonly lastModified: Date;
}

/** One request the server received. */
export interface ReceivedS3Request {
  readonly method: string;
  readonly bucket: string;
  /** The object key, decoded; empty for bucket requests. */
  readonly key: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

/** What the server answers instead of handling a request (S3's own words by default). */
export interface S3Fault {
  readonly status: number;
  /** `InternalError`, `SlowDown`, `ServiceUnavailable`, `AccessDenied`, … */
  readonly code: string;
  readonly message?: string;
}

export interface S3TestServerOptions {
  /** Keys per ListObjectsV2 page at most, below S3's 1000, so tests see continuation tokens with a few objects. @default 1000 */
  readonly listPageSize?: number;
}

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Creates a bucket, or empties the one of that name. */
  createBucket(name: string): void;
  /** The objects of a bucket by key, sorted by key (as S3 lists them). */
  objects(bucket: string): ReadonlyMap<string, StoredObject>;
  /** Puts an object directly (not through the protocol). */
  putObject(bucket: string, key: string, body: Buffer): void;
  /** Requests received, oldest first, faults included. */
  requests(): readonly ReceivedS3Request[];
  /** Answers the next `n` requests (of one method, when given) with this error. */
  failNext(n: number, fault: S3Fault, method?: 'GET' | 'PUT'): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const FAULT_MESSAGES: Readonly<Record<string, string>> = {
  InternalError: 'We encountered an internal error. Please try again.',
  SlowDown: 'Please reduce your request rate.',
  ServiceUnavailable: 'Service is unable to handle request.',
  AccessDenied: 'Access Denied',
};

export async function startS3TestServer(options: S3TestServerOptions = {}): Promise<S3TestServer> {
  const pageSize = options.listPageSize ?? 1000;
  const buckets = new Map<string, Map<string, StoredObject>>();
  const received: ReceivedS3Request[] = [];
  const faults: Array<{ fault: S3Fault; method?: string }> = [];

  const store = (bucket: string, key: string, body: Buffer, contentType?: string, contentEncoding?: string) => {
    const objects = buckets.get(bucket);
    if (!objects) throw new Error(`no bucket ${bucket}`);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    objects.set(key, { body, contentType, contentEncoding, etag, lastModified: new Date() });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/');
    const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const answer = (status: number, code: string, message: string, resource = url.pathname) =>
      sendError(res, status, code, message, resource);
    const record = (status: number) => {
      received.push({ method, bucket, key, query, status });
      return status;
    };

    const body = await readRequestBody(req, MAX_BODY_BYTES, () => new Error('request body too large'));
    const faultAt = faults.findIndex((f) => f.method === undefined || f.method === method);
    if (faultAt >= 0) {
      const { fault } = faults.splice(faultAt, 1)[0]!;
      return record(answer(fault.status, fault.code, fault.message ?? FAULT_MESSAGES[fault.code] ?? fault.code));
    }
    // Requests are signed with SigV4 (the test's static credentials); an unsigned one is refused, as S3 does.
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return record(answer(403, 'AccessDenied', 'Access Denied'));
    }
    const objects = buckets.get(bucket);
    if (!objects) return record(answer(404, 'NoSuchBucket', 'The specified bucket does not exist', `/${bucket}`));

    if (method === 'PUT' && key) {
      const encodings = String(req.headers['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const chunked = encodings.includes('aws-chunked');
      const { payload, trailers } = chunked ? unchunk(body) : { payload: body, trailers: {} as Record<string, string> };
      const crc = trailers['x-amz-checksum-crc32'] ?? headerOf(req, 'x-amz-checksum-crc32');
      if (crc !== undefined && crc !== crc32Base64(payload)) {
        return record(answer(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.'));
      }
      const kept = encodings.filter((e) => e !== 'aws-chunked');
      store(bucket, key, payload, headerOf(req, 'content-type'), kept.length > 0 ? kept.join(',') : undefined);
      res.writeHead(200, { ETag: objects.get(key)!.etag, 'x-amz-request-id': requestId() });
      res.end();
      return record(200);
    }
    if (method === 'GET' && key) {
      const object = objects.get(key);
      if (!object) return record(answer(404, 'NoSuchKey', 'The specified key does not exist.'));
      res.writeHead(200, {
        'Content-Length': object.body.length,
        ETag: object.etag,
        'Last-Modified': object.lastModified.toUTCString(),
        ...(object.contentType && { 'Content-Type': object.contentType }),
        ...(object.contentEncoding && { 'Content-Encoding': object.contentEncoding }),
        'x-amz-request-id': requestId(),
      });
      res.end(object.body);
      return record(200);
    }
    if (method === 'GET' && !key && query['list-type'] === '2') {
      const prefix = query['prefix'] ?? '';
      const maxKeys = Math.min(pageSize, query['max-keys'] !== undefined ? Number(query['max-keys']) : 1000);
      const token = query['continuation-token'];
      let after = '';
      if (token !== undefined) {
        after = Buffer.from(token, 'base64').toString('utf8');
        if (!after.startsWith('k:')) return record(answer(400, 'InvalidArgument', 'The continuation token provided is incorrect'));
        after = after.slice(2);
      }
      const matching = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = matching.slice(0, maxKeys);
      const truncated = matching.length > page.length;
      const xml = [
        `<?xml version="1.0" encoding="UTF-8"?>`,
        `<ListBucketResult xmlns="${S3_XMLNS}">`,
        `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
        token !== undefined ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '',
        `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
        truncated ? `<NextContinuationToken>${Buffer.from(`k:${page.at(-1)}`).toString('base64')}</NextContinuationToken>` : '',
        ...page.map((k) => {
          const object = objects.get(k)!;
          return (
            `<Contents><Key>${escapeXml(k)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified>` +
            `<ETag>${escapeXml(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`
          );
        }),
        `</ListBucketResult>`,
      ].join('');
      res.writeHead(200, { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId() });
      res.end(xml);
      return record(200);
    }
    return record(answer(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented.'));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', (error as Error).message, req.url ?? '/');
      else res.destroy();
    });
  });
  const listener = await listenOnLoopback(server);

  return {
    endpoint: `http://127.0.0.1:${listener.port}`,
    createBucket: (name) => void buckets.set(name, new Map()),
    objects: (bucket) => new Map([...(buckets.get(bucket) ?? new Map<string, StoredObject>())].sort(([a], [b]) => (a < b ? -1 : 1))),
    putObject: (bucket, key, body) => store(bucket, key, body),
    requests: () => [...received],
    failNext: (n, fault, method) => {
      for (let i = 0; i < n; i += 1) faults.push({ fault, method });
    },
    close: () => listener.close(),
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string, resource: string): number {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId()}</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-amz-request-id': requestId() });
  res.end(xml);
  return status;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const requestId = () => randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n\r\n`). */
function unchunk(body: Buffer): { payload: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('aws-chunked body without a chunk header');
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked body with a bad chunk size');
    at = lineEnd + 2;
    if (size === 0) break;
    chunks.push(body.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}

/** CRC32 (IEEE) of a body, base64 of its 4 big-endian bytes, as `x-amz-checksum-crc32` carries it. */
function crc32Base64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}
