// The HTTP fetcher's response bodies: content-type and charset checks, content decoding, the size cap.
import { pipeline, type Readable, type Transform } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { FetchError } from '../core/errors.js';
import type { ContentFamily, FetchedDocument } from '../sources/source.js';
import { discard, errorCode, timeoutReason, type Call, type Response } from './http-fetcher-request.js';

/** Decoders of the Content-Encodings accepted; ACCEPT_ENCODING offers them. `x-gzip` is gzip (RFC 9110 §8.4.1.3). */
const DECODERS: ReadonlyMap<string, () => Transform> = new Map([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const ACCEPTS: Readonly<Record<ContentFamily, (mediaType: string) => boolean>> = {
  // atom+xml and rss+xml are covered by the `+xml` suffix.
  xml: (t) => t === 'application/xml' || t === 'text/xml' || t.endsWith('+xml'),
  json: (t) => t === 'application/json' || t.endsWith('+json'),
  markdown: (t) => t === 'text/markdown' || t === 'text/x-markdown' || t === 'text/plain',
};

/** What a body without a Content-Type must start with to be taken as the family; markdown cannot be recognised. */
const SNIFF: Readonly<Record<ContentFamily, { pattern: RegExp; contentType: string } | undefined>> = {
  xml: { pattern: /^\s*<(\?xml|feed|rss)\b/, contentType: 'application/xml' },
  json: { pattern: /^\s*[[{]/, contentType: 'application/json' },
  markdown: undefined,
};

/** Checks a response's content headers, then reads and decodes its body: the page's document and its size in bytes. */
export async function readDocument(
  call: Call,
  response: Response,
  url: string,
  finalUrl: string,
): Promise<{ document: FetchedDocument; bytes: number }> {
  const family = call.request.expect;
  const header = response.header('content-type');
  const mediaType = header?.split(';')[0]?.trim().toLowerCase() || undefined;
  const refuse = (reason: string): never => {
    discard(response);
    throw call.fail(finalUrl, reason);
  };
  // Content-Length counts the bytes on the wire (still encoded): a body announced over the cap is refused unread.
  if (Number(response.header('content-length')) > call.maxBytes) return refuse(tooLarge(call));
  if (mediaType !== undefined && !ACCEPTS[family](mediaType)) {
    return refuse(`expected ${family} but got ${mediaType}`);
  }
  const declared = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header ?? '')?.[1];
  if (declared !== undefined && !textDecoder(declared)) return refuse(`unsupported charset: ${declared}`);
  const encoding = response.header('content-encoding');
  const codings = contentCodings(encoding);
  if (!codings) return refuse(`unsupported content encoding: ${encoding}`);
  const raw = await readBody(call, response, codings, finalUrl);
  const charset = declared ?? (family === 'xml' ? xmlCharset(raw) : 'utf-8');
  const decoder = textDecoder(charset);
  if (!decoder) throw call.fail(finalUrl, `unsupported charset: ${charset} (from the XML declaration)`);
  let body: string;
  try {
    body = decoder.decode(raw);
  } catch (error) {
    throw call.fail(finalUrl, `body is not valid ${charset}`, error);
  }
  let contentType = header ?? '';
  if (mediaType === undefined) {
    const sniff = SNIFF[family];
    if (!sniff?.pattern.test(body)) throw call.fail(finalUrl, `expected ${family} but got no content type`);
    contentType = sniff.contentType;
  }
  return { document: { url, finalUrl, contentType, body }, bytes: raw.byteLength };
}

/**
 * The codings of a Content-Encoding in the order they were applied, `identity` left out; undefined when one of
 * them has no decoder (the body could not be read, and decoding it as text would store garbage).
 */
function contentCodings(header: string | undefined): string[] | undefined {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  return codings.every((coding) => DECODERS.has(coding)) ? codings : undefined;
}

/**
 * Reads the body through a decoder per content coding (the last one applied is undone first), giving up as soon
 * as the decoded bytes exceed the size cap. Whatever way it ends early, the streams and the connection are destroyed.
 */
async function readBody(call: Call, response: Response, codings: readonly string[], finalUrl: string): Promise<Buffer> {
  const message = response.body;
  // A failing stream in a pipeline destroys the others with its error: the first one to fail names the cause.
  let failed: { readonly coding: string | undefined } | undefined;
  message.once('error', () => (failed ??= { coding: undefined }));
  const decoders = codings.toReversed().map((coding) => {
    const decoder = DECODERS.get(coding)!();
    decoder.once('error', () => (failed ??= { coding }));
    return decoder;
  });
  // Errors reach the loop below through the last stream, which the pipeline destroys with the first error.
  const body: Readable = decoders.at(-1) ?? message;
  if (decoders.length > 0) pipeline([message, ...decoders], () => undefined);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > call.maxBytes) throw call.fail(finalUrl, tooLarge(call));
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (call.signal.aborted) throw call.fail(finalUrl, timeoutReason(call), error);
    if (failed?.coding !== undefined) {
      const detail = error instanceof Error ? `: ${error.message}` : '';
      throw call.fail(finalUrl, `body is not valid ${failed.coding}${detail}`, error);
    }
    // The connection ended before the announced length (or the last chunk); a reset socket keeps its error.
    const reset = errorCode(message.socket?.errored) === 'ECONNRESET' ? ': connection reset (ECONNRESET)' : '';
    throw call.fail(finalUrl, `response body truncated${reset}`, error);
  } finally {
    body.destroy();
    message.destroy();
  }
  return Buffer.concat(chunks, total);
}

/**
 * A strict decoder for the label, or undefined when TextDecoder does not know it. Strips a BOM (ignoreBOM is
 * false). Fatal: bytes that are not valid in the charset fail the body instead of becoming U+FFFD, which would
 * be stored as vendor text and make the next correctly decoded body look like an edit (a false RCA).
 */
function textDecoder(charset: string): TextDecoder | undefined {
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    return undefined;
  }
}

/**
 * The charset of an XML body whose Content-Type names none (RFC 7303 §3.2, XML 1.0 Appendix F): its byte order
 * mark, else the `encoding` of its XML declaration, else UTF-8. A declaration read from single-byte text cannot
 * truthfully say UTF-16, so that label is ignored.
 */
function xmlCharset(raw: Uint8Array): string {
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) return 'utf-8';
  if (raw[0] === 0xff && raw[1] === 0xfe) return 'utf-16le';
  if (raw[0] === 0xfe && raw[1] === 0xff) return 'utf-16be';
  const head = Buffer.from(raw.subarray(0, 200)).toString('latin1');
  const label = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/.exec(head)?.[1];
  return label === undefined || /^utf-?16/i.test(label) ? 'utf-8' : label;
}

function tooLarge(call: Call): string {
  return `response larger than ${call.maxBytes} bytes`;
}
