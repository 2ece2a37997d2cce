// Adapter: the SlackWebhook port, one POST per message to an incoming webhook, with retries for 429, 5xx and network errors.
// Hand-written on fetch: @slack/webhook pulls in axios and retries nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { SlackError } from '../core/errors.js';
import type { SlackMessage, SlackWebhook } from '../core/ports.js';

export interface SlackWebhookOptions {
  /** The webhook URL. It is a secret: it never appears in an error or a log line ("the webhook" does). */
  readonly url: string;
  /** Retries after 429, 5xx, timeouts and network errors. @default 4 */
  readonly retries?: number;
  /** First backoff delay; it doubles up to 4 s. @default 1000 */
  readonly minRetryDelayMs?: number;
  /** Deadline of one attempt. @default 10000 */
  readonly timeoutMs?: number;
  /** Longest `Retry-After` waited for; a longer one fails at once (`ratelimited`, not permanent). @default 30 */
  readonly maxRetryAfterSec?: number;
}

const MAX_RETRY_DELAY_MS = 4_000;
/** Statuses worth another attempt; every other 4xx is a refusal of this message or this webhook. */
const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 408 || status === 425;

type Attempt =
  | { readonly outcome: 'posted' }
  | { readonly outcome: 'failed'; readonly error: SlackError }
  | { readonly outcome: 'retry'; readonly error: SlackError; readonly waitMs?: number };

/** Builds the webhook poster. Throws `SlackError` at once when the URL is unusable (without quoting it). */
export function makeSlackWebhook(options: SlackWebhookOptions): SlackWebhook {
  const { url } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SlackError('invalid_webhook_url', true, 'the Slack webhook URL is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SlackError('invalid_webhook_url', true, 'the Slack webhook URL must be https');
  }
  // What must never be quoted: the whole URL and its path (the token part of hooks.slack.com/services/T…/B…/…).
  const secretParts = [url, parsed.href, parsed.pathname].filter((part) => part.length > 1);
  const retries = options.retries ?? 4;
  const minRetryDelayMs = options.minRetryDelayMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetryAfterSec = options.maxRetryAfterSec ?? 30;

  const attempt = async (body: string): Promise<Attempt> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        // Slack does not redirect webhooks; following one would resend the message somewhere else.
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // No `cause`: fetch's errors can quote the URL, which is the secret.
      const reason = isTimeout(error) ? `timed out after ${timeoutMs} ms` : `connection failed: ${describe(error, secretParts)}`;
      return { outcome: 'retry', error: new SlackError('request_error', false, `the Slack webhook: ${reason}`) };
    }
    const text = (await response.text().catch(() => '')).trim();
    const code = /^[a-z_]{1,64}$/.test(text) ? text : `http_${response.status}`;
    if (response.status === 200) {
      if (text === 'ok') return { outcome: 'posted' };
      // Possibly posted: repeating it could post twice, so the caller decides.
      return { outcome: 'failed', error: new SlackError('unexpected_response', false, 'the Slack webhook answered 200 without "ok"') };
    }
    if (response.status === 429) {
      const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      const error = new SlackError('ratelimited', false, `the Slack webhook is rate limited (retry after ${retryAfter} s)`);
      if (retryAfter > maxRetryAfterSec) return { outcome: 'failed', error };
      return { outcome: 'retry', error, waitMs: retryAfter * 1000 };
    }
    const error = new SlackError(
      code,
      !RETRYABLE_STATUS(response.status),
      `the Slack webhook refused the message: ${code} (HTTP ${response.status})`,
    );
    return RETRYABLE_STATUS(response.status) ? { outcome: 'retry', error } : { outcome: 'failed', error };
  };

  return {
    async post(message: SlackMessage): Promise<void> {
      const body = JSON.stringify({ text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
      for (let retry = 0; ; retry++) {
        const result = await attempt(body);
        if (result.outcome === 'posted') return;
        if (result.outcome === 'failed') throw result.error;
        if (retry === retries) {
          throw new SlackError(result.error.code, false, `${result.error.message}; gave up after ${retries + 1} attempts`);
        }
        await sleep(result.waitMs ?? Math.min(minRetryDelayMs * 2 ** retry, Math.max(minRetryDelayMs, MAX_RETRY_DELAY_MS)));
      }
    },
  };
}

/** `Retry-After` in seconds (delta or HTTP date); 1 when missing or unreadable. */
function retryAfterSeconds(header: string | null): number {
  if (header === null) return 1;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1 : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The system or undici code in a fetch failure's cause chain (ECONNREFUSED, UND_ERR_SOCKET, …), else its innermost message, scrubbed. */
function describe(error: unknown, secretParts: readonly string[]): string {
  let current = error;
  let message = 'network error';
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    message = current.message;
    current = current.cause ?? (current instanceof AggregateError ? current.errors[0] : undefined);
  }
  return secretParts.reduce((text, part) => text.replaceAll(part, '[webhook]'), message);
}
