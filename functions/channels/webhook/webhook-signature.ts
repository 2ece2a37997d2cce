// How the webhook channel signs what it sends: HMAC-SHA256 with the route's secret over `<timestamp>.<raw body>`, in
// headers the receiver checks (the README's "Verifying a webhook" and docs/webhook-verify.mjs show how).
import { createHmac } from 'node:crypto';
import type { WatcherEvent } from '../../core/model.js';

/** The headers every webhook request carries besides `Content-Type: application/json`. */
export const WEBHOOK_HEADERS = {
  /** When the request was signed, in Unix seconds: a receiver rejects one older than 5 minutes (a replay). */
  timestamp: 'X-Watcher-Timestamp',
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
  signature: 'X-Watcher-Signature',
  /** The event's id: the same on every redelivery of the event, so a receiver can drop duplicates. */
  idempotencyKey: 'Idempotency-Key',
  /** The event's type (`incident.opened`), for routing before parsing the body. */
  eventType: 'X-Watcher-Event-Type',
} as const;

/** The signature header's value: `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function webhookSignature(secret: string, timestampSec: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSec}.`).update(body, 'utf8').digest('hex')}`;
}

/** The body (the event's JSON, schema version 1, as published) and the signed headers for one attempt at `now`. */
export function signedWebhookRequest(event: WatcherEvent, secret: string, now: Date): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  const timestampSec = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      [WEBHOOK_HEADERS.timestamp]: String(timestampSec),
      [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestampSec, body),
      [WEBHOOK_HEADERS.idempotencyKey]: headerSafe(event.id),
      [WEBHOOK_HEADERS.eventType]: headerSafe(event.type),
    },
  };
}

/** A value a header can carry as it is (printable ASCII); anything else percent-encoded. */
function headerSafe(value: string): string {
  return /^[\x21-\x7E]{1,1000}$/.test(value) ? value : encodeURIComponent(value).slice(0, 1000);
}
