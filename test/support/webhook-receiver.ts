// Test double of a receiver of the webhook channel on 127.0.0.1. It verifies every request with its own implementation
// of the documented scheme, on WebCrypto (`crypto.subtle` HMAC-SHA256, a constant-time verify) where the channel signs
// with node:crypto: HMAC over `<X-Watcher-Timestamp>.<raw body>`, `X-Watcher-Signature: v1=<hex>`, timestamps within
// 5 minutes of its own clock. It refuses forgeries, other secrets and stale timestamps with 401, and takes each event
// once: a repeat of an event id it holds (a redelivery, a replay inside the window) is answered 200 and dropped.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

const TOLERANCE_SEC = 300;

/** One event the receiver took, with the headers it came with. */
export interface ReceivedEvent {
  readonly event: Readonly<Record<string, unknown>> & { readonly id: string };
  readonly idempotencyKey: string | undefined;
  readonly eventType: string | undefined;
  readonly timestamp: number;
}

/** A request as sent, to replay or tamper with. */
export interface CapturedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type ReceiverFault = { readonly status: number; readonly retryAfterSec?: number };

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/watcher`: the route's `url`. */
  readonly url: string;
  readonly received: ReceivedEvent[];
  /** Requests of events it already held, answered 200 and dropped. */
  readonly duplicates: string[];
  /** Requests refused, with the reason (`bad signature`, `stale timestamp`, …). */
  readonly refused: Array<{ readonly status: number; readonly reason: string }>;
  /** Every request that reached the handler, as it came, the last one last. */
  readonly captured: CapturedRequest[];
  /** Answers the next requests with these statuses, in order, before verifying any. */
  failNext(...faults: ReceiverFault[]): void;
  /** Sends a request to the receiver (a replay or a forgery) and returns its status. */
  send(request: CapturedRequest): Promise<number>;
  close(): Promise<void>;
}

/** Starts a receiver sharing `secret` with the route; `nowMs` is its own clock (tests move it to make a replay stale). */
export async function startWebhookReceiver(secret: string, nowMs: () => number = Date.now): Promise<WebhookReceiver> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const received: ReceivedEvent[] = [];
  const duplicates: string[] = [];
  const refused: Array<{ status: number; reason: string }> = [];
  const captured: CapturedRequest[] = [];
  const faults: ReceiverFault[] = [];

  async function verify(headers: IncomingMessage['headers'], body: Buffer): Promise<{ reason: string } | { timestamp: number }> {
    const timestamp = headers['x-watcher-timestamp'];
    const signature = headers['x-watcher-signature'];
    if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return { reason: 'no timestamp' };
    const match = typeof signature === 'string' ? /^v1=([0-9a-f]{64})$/.exec(signature) : null;
    if (!match) return { reason: 'no signature' };
    const signed = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body]);
    const valid = await crypto.subtle.verify('HMAC', key, Buffer.from(match[1]!, 'hex'), signed);
    if (!valid) return { reason: 'bad signature' };
    if (Math.abs(nowMs() / 1000 - Number(timestamp)) > TOLERANCE_SEC) return { reason: 'stale timestamp' };
    return { timestamp: Number(timestamp) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readRequestBody(req, 1024 * 1024, () => new Error('body over 1 MB'));
    const headers = Object.fromEntries(Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    captured.push({ path: req.url ?? '/', headers, body });
    const fault = faults.shift();
    if (fault) {
      res.writeHead(fault.status, fault.retryAfterSec === undefined ? {} : { 'retry-after': String(fault.retryAfterSec) }).end('{"error":"busy"}');
      return;
    }
    const refuse = (status: number, reason: string) => {
      refused.push({ status, reason });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: reason }));
    };
    if (req.method !== 'POST' || req.url !== '/hooks/watcher') return refuse(404, 'no such hook');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return refuse(415, 'not JSON');
    const verdict = await verify(req.headers, body);
    if ('reason' in verdict) return refuse(401, verdict.reason);
    const event = JSON.parse(body.toString('utf8')) as ReceivedEvent['event'];
    // Deduplicated on the signed body's id, so a replay with another Idempotency-Key is still a repeat.
    if (received.some((taken) => taken.event.id === event.id)) {
      duplicates.push(event.id);
      res.writeHead(200).end('{"duplicate":true}');
      return;
    }
    received.push({
      event,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      eventType: req.headers['x-watcher-event-type'] as string | undefined,
      timestamp: verdict.timestamp,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  const listener = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${listener.port}`;
  return {
    url: `${origin}/hooks/watcher`,
    received,
    duplicates,
    refused,
    captured,
    failNext: (...next) => void faults.push(...next),
    async send(request) {
      const hopByHop = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !hopByHop.has(name)));
      const response = await fetch(`${origin}${request.path}`, { method: 'POST', headers, body: request.body });
      await response.arrayBuffer();
      return response.status;
    },
    close: () => listener.close(),
  };
}
