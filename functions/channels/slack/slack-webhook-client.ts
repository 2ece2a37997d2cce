// Adapter of the Slack plug-in: the SlackWebhook port, one POST per message to an incoming webhook, with retries for
// 429, 5xx and network errors (adapters/http-retries.ts). On fetch: @slack/webhook pulls in axios and retries nothing.
import { networkReason } from '../../adapters/http-json-post.js';
import { AttemptFailure, DEFAULT_RETRY_POLICY, retryAfterSeconds, withRetries } from '../../adapters/http-retries.js';
import type { SlackMessage } from '../../core/ports.js';
import { SlackError } from './slack-error.js';
import type { SlackWebhook } from './slack-ports.js';

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

/** Statuses worth another attempt; every other 4xx is a refusal of this message or this webhook. */
const RETRYABLE_STATUS = (status: number) => status >= 500 || status === 408 || status === 425;

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
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    ...(options.retries !== undefined && { retries: options.retries }),
    ...(options.minRetryDelayMs !== undefined && { minDelayMs: options.minRetryDelayMs }),
    ...(options.maxRetryAfterSec !== undefined && { maxRetryAfterSec: options.maxRetryAfterSec }),
  };
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** One POST; throws an AttemptFailure saying whether it may be retried. */
  const attempt = async (body: string): Promise<void> => {
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
      throw new AttemptFailure(new SlackError('request_error', false, `the Slack webhook: ${reason}`), { retry: 'backoff' });
    }
    const text = (await response.text().catch(() => '')).trim();
    const code = /^[a-z_]{1,64}$/.test(text) ? text : `http_${response.status}`;
    if (response.status === 200) {
      if (text === 'ok') return;
      // Possibly posted: repeating it could post twice, so the caller decides.
      throw new AttemptFailure(new SlackError('unexpected_response', false, 'the Slack webhook answered 200 without "ok"'), {
        retry: 'never',
      });
    }
    if (response.status === 429) {
      const retryAfterSec = retryAfterSeconds(response.headers.get('retry-after'));
      const error = new SlackError('ratelimited', false, `the Slack webhook is rate limited (retry after ${retryAfterSec} s)`);
      throw new AttemptFailure(error, { retry: 'after', retryAfterSec });
    }
    const retryable = RETRYABLE_STATUS(response.status);
    const error = new SlackError(code, !retryable, `the Slack webhook refused the message: ${code} (HTTP ${response.status})`);
    throw new AttemptFailure(error, retryable ? { retry: 'backoff' } : { retry: 'never' });
  };

  return {
    async post(message: SlackMessage): Promise<void> {
      const body = JSON.stringify({ text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
      await withRetries(() => attempt(body), {
        policy,
        exhausted: (error, attempts) =>
          error instanceof SlackError ? new SlackError(error.code, false, `${error.message}; gave up after ${attempts} attempts`) : error,
      });
    },
  };
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The system or undici code in a fetch failure's cause chain (ECONNREFUSED, UND_ERR_SOCKET, …), else its innermost message, scrubbed. */
function describe(error: unknown, secretParts: readonly string[]): string {
  return secretParts.reduce((text, part) => text.replaceAll(part, '[webhook]'), networkReason(error));
}
