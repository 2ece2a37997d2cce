import { createHmac, timingSafeEqual } from 'node:crypto';

const TOLERANCE_SEC = 5 * 60;

/**
 * Checks one request from the watcher's webhook channel and returns its event, or throws.
 * rawBody: the body exactly as received (a Buffer or string; parse it only after this check).
 * headers: the request's headers with lower-case names (as Node's http module gives them).
 * secret: the secret the route's "secret" reference holds.
 */
export function verifyWatcherWebhook(rawBody, headers, secret, nowMs = Date.now()) {
  const timestamp = headers['x-watcher-timestamp'];
  const signature = headers['x-watcher-signature'];
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) throw new Error('missing timestamp');
  if (typeof signature !== 'string' || !/^v1=[0-9a-f]{64}$/.test(signature)) throw new Error('missing signature');
  // Older than 5 minutes (or from the future): a replay, refused even with a valid signature.
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_SEC) throw new Error('stale timestamp');
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Constant-time comparison: the time taken says nothing about how much of a forgery matched.
  if (!timingSafeEqual(Buffer.from(signature.slice(3), 'hex'), expected)) throw new Error('bad signature');
  const event = JSON.parse(rawBody.toString('utf8'));
  // Redeliveries carry the same event id (also in Idempotency-Key): store the ids you have handled and drop repeats.
  return event;
}
