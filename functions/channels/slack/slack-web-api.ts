// Adapter of the Slack plug-in: the SlackApi port over the official Web API client (bot token): posts, updates and finds
// the watcher's messages. It lives in the plug-in's folder, not in adapters/, so that a channel is one folder.
import {
  ErrorCode,
  LogLevel,
  WebClient,
  type Block,
  type FetchFunction,
  type KnownBlock,
  type ChatPostMessageArguments,
  type Logger as SlackSdkLogger,
  type WebAPICallError,
} from '@slack/web-api';
import { inspect } from 'node:util';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryAdvice } from '../../adapters/http-retries.js';
import type { Logger, SlackMessage } from '../../core/ports.js';
import { SlackError } from './slack-error.js';
import type { SlackPins } from './board-ports.js';
import type { SlackApi } from './slack-ports.js';

/** The metadata event type that marks the watcher's messages; its payload carries the event id. */
export const SLACK_EVENT_TYPE = 'auth0_watcher_event';

export interface SlackWebApiOptions {
  /** The bot token (`xoxb-…`). Never logged, never part of an error. */
  readonly token: string;
  /** @default 'https://slack.com/api/' */
  readonly apiBaseUrl?: string;
  /**
   * Retries of one call after HTTP errors, network errors, timeouts and 429s. Worst case per call is about
   * (retries + 1) × timeoutMs plus the backoff and Retry-After waits: keep it well inside the Lambda's timeout.
   * @default 4
   */
  readonly retries?: number;
  /** First backoff delay; it doubles (with jitter) up to 4 s. @default 1000 */
  readonly minRetryDelayMs?: number;
  /** Deadline of one HTTP attempt. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * Longest `Retry-After` waited for; a longer one fails the call at once (`ratelimited`, not permanent) rather than
   * sleeping past the Lambda's timeout.
   * @default 30
   */
  readonly maxRetryAfterSec?: number;
  /**
   * Retries of a `chat.update`. A root message that could not be updated is refreshed later, so an update gives up
   * sooner than a post rather than hold up the deliveries behind it.
   * @default 1
   */
  readonly updateRetries?: number;
  /** Longest `Retry-After` a `chat.update` waits for; a longer one fails it at once (`ratelimited`). @default 5 */
  readonly updateMaxRetryAfterSec?: number;
  /** Receives the client's info, warn and error lines (its debug lines, whole request bodies, are dropped). */
  readonly logger?: Logger;
}

/** Refusals that retrying the same call cannot fix: credentials, permissions, the channel, the message itself. */
const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  // the brief's list: auth, scopes, channel, payload
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'restricted_action',
  // the same kinds of refusal under other codes Slack documents for these methods
  'not_allowed_token_type',
  'no_text',
  'invalid_blocks_format',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'message_not_found',
  'thread_not_found',
  'cant_update_message',
  'edit_window_closed',
  'invalid_ts_latest',
  'invalid_ts_oldest',
  'team_access_not_granted',
  'access_denied',
  'ekm_access_denied',
  'invalid_charset',
  'invalid_form_data',
  'invalid_json',
  'json_not_object',
  'unknown_method',
  // pins.add
  'no_item_specified',
  'not_pinnable',
  'too_many_pins',
]);

/** Pages of 200 messages read when looking for a posted message: the lookup window is minutes, not days. */
const MAX_LOOKUP_PAGES = 5;

/** Builds the SlackApi on a WebClient made here; call it once per container. */
export function makeSlackWebApi(options: SlackWebApiOptions): SlackApi & SlackPins {
  const { token } = options;
  // fetch's own error for a bad header value quotes the value; refuse such a token before it reaches a header.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new SlackError('invalid_auth', true, 'the Slack bot token is empty or not a valid header value');
  }
  const policy = {
    ...DEFAULT_RETRY_POLICY,
    ...(options.retries !== undefined && { retries: options.retries }),
    ...(options.minRetryDelayMs !== undefined && { minDelayMs: options.minRetryDelayMs }),
    ...(options.maxRetryAfterSec !== undefined && { maxRetryAfterSec: options.maxRetryAfterSec }),
  };
  const { retries, minDelayMs: minRetryDelayMs, maxDelayMs, maxRetryAfterSec } = policy;
  const clientWithRetries = (count: number, retryAfterCapSec = maxRetryAfterSec) =>
    new WebClient(token, {
      slackApiUrl: options.apiBaseUrl ?? 'https://slack.com/api/',
      // 429s wait for Retry-After inside the client; the SDK's default policy (10 retries over ~30 min) would outlive a Lambda.
      rejectRateLimitedCalls: false,
      retryConfig: {
        retries: count,
        factor: 2,
        minTimeout: minRetryDelayMs,
        maxTimeout: Math.max(minRetryDelayMs, maxDelayMs),
        randomize: true,
      },
      timeout: options.timeoutMs ?? 10_000,
      fetch: capRetryAfter(retryAfterCapSec),
      // Slack is not a redirecting API; a redirect would replay the token elsewhere.
      allowAbsoluteUrls: false,
      ...(options.logger ? { logger: sdkLogger(options.logger, token) } : { logLevel: LogLevel.ERROR }),
    });
  const client = clientWithRetries(retries);
  // Posting is retried here, not by the client: a post whose answer was lost may have reached the channel,
  // so each retry first looks for it (chat.postMessage has no idempotency key).
  const postClient = clientWithRetries(0);
  const updateMaxRetryAfterSec = Math.min(maxRetryAfterSec, options.updateMaxRetryAfterSec ?? 5);
  const updateClient = clientWithRetries(Math.min(retries, options.updateRetries ?? 1), updateMaxRetryAfterSec);

  /** Runs one call; anything it throws becomes a SlackError naming the method and Slack's code. */
  const call = async <T>(method: string, run: () => Promise<T>, retryAfterCapSec = maxRetryAfterSec): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toSlackError(method, error, token, retryAfterCapSec);
    }
  };

  return {
    async postMessage({ channel, message, eventId, threadTs, broadcast }) {
      const common = {
        channel,
        ...content(message),
        ...INERT_TEXT,
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: SLACK_EVENT_TYPE, event_payload: { event_id: eventId } },
      };
      const args: ChatPostMessageArguments =
        threadTs === undefined ? common : { ...common, thread_ts: threadTs, reply_broadcast: broadcast === true };
      const oldestTs = `${Math.floor(Date.now() / 1000) - 5}.000000`;
      const ts = await withRetries(
        async () => {
          const result = await call('chat.postMessage', () => postClient.chat.postMessage(args));
          if (typeof result.ts !== 'string') {
            throw new SlackError('invalid_response', false, 'Slack chat.postMessage answered ok without a ts');
          }
          return result.ts;
        },
        {
          policy,
          advise: postRetryAdvice,
          // Anything but a 429 may have posted: look for it before posting again.
          recover: () => this.findPosted({ channel, eventId, oldestTs, threadTs }),
        },
      );
      return { ts };
    },

    async updateMessage({ channel, ts, message }) {
      // Leaving `metadata` out keeps the message's event id as posted.
      await call('chat.update', () => updateClient.chat.update({ channel, ts, ...content(message), ...INERT_TEXT }), updateMaxRetryAfterSec);
    },

    async pinMessage({ channel, ts }) {
      try {
        await call('pins.add', () => client.pins.add({ channel, timestamp: ts }));
      } catch (error) {
        // Pinned already (by an attempt that died before recording it, or by a person): what was asked for.
        if (!(error instanceof SlackError && error.code === 'already_pinned')) throw error;
      }
    },

    async findPosted({ channel, eventId, oldestTs, threadTs }) {
      let cursor: string | undefined;
      for (let pageNo = 0; pageNo < MAX_LOOKUP_PAGES; pageNo++) {
        const common = { channel, oldest: oldestTs, inclusive: true, include_all_metadata: true, limit: 200, ...(cursor && { cursor }) };
        const result =
          threadTs === undefined
            ? await call('conversations.history', () => client.conversations.history(common))
            : await call('conversations.replies', () => client.conversations.replies({ ...common, ts: threadTs }));
        // In the channel's history only its own messages count: a reply broadcast to the channel is not a root.
        const found = (result.messages ?? []).find((m) => carriesEvent(m, eventId) && (threadTs !== undefined || isTopLevel(m)));
        if (found?.ts !== undefined) return found.ts;
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) return undefined;
      }
      return undefined;
    },
  };
}

/**
 * What keeps vendor text inert: `parse: 'none'` (chat.postMessage's default, but chat.update's default is `client`
 * and an update without it resets the message to that) and no `link_names`, which would turn `@channel` into a mention.
 */
const INERT_TEXT = { parse: 'none', link_names: false } as const;

function content(message: SlackMessage): { text: string; blocks: (KnownBlock | Block)[] } {
  // The port's blocks are plain Block Kit JSON built by the renderer; the SDK's block types add nothing at this boundary.
  return { text: message.text, blocks: message.blocks as unknown as (KnownBlock | Block)[] };
}

/**
 * How a failed chat.postMessage may be retried. A 429 was refused before posting and the client already waited its
 * Retry-After, so it is retried at once; one whose Retry-After exceeded the cap was answered at once (see
 * capRetryAfter), and waiting would not help.
 */
function postRetryAdvice(error: unknown): RetryAdvice {
  if (!(error instanceof SlackError) || error.permanent) return { retry: 'never' };
  if (error.code !== 'ratelimited') return { retry: 'backoff' };
  return error.message.includes('Slack asked to wait') ? { retry: 'never' } : { retry: 'now' };
}

/** The part of a listed message the lookup reads. */
interface ListedMessage {
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly metadata?: { readonly event_type?: string; readonly event_payload?: unknown };
}

/** A message of the channel itself: not a thread reply (a thread's root carries its own ts as `thread_ts`). */
function isTopLevel(message: ListedMessage): boolean {
  return message.thread_ts === undefined || message.thread_ts === message.ts;
}

function carriesEvent(message: ListedMessage, eventId: string): boolean {
  const payload = message.metadata?.event_payload as Record<string, unknown> | undefined;
  return message.metadata?.event_type === SLACK_EVENT_TYPE && payload?.event_id === eventId;
}

/**
 * Wraps fetch so that a 429 asking for more than `maxSec` seconds is answered at once as Slack's own
 * `{ok:false, error:'ratelimited'}` (not retried) instead of the client sleeping for as long as it is told.
 */
function capRetryAfter(maxSec: number): FetchFunction {
  return async (url, init) => {
    const response = await fetch(url, init);
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    if (response.status !== 429 || !(retryAfter > maxSec)) return response;
    await response.body?.cancel().catch(() => undefined);
    return new Response(JSON.stringify({ ok: false, error: 'ratelimited', retry_after: retryAfter }), {
      status: 200,
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) },
    });
  };
}

function toSlackError(method: string, error: unknown, token: string, maxRetryAfterSec: number): SlackError {
  const scrub = (text: string) => text.replaceAll(token, '[redacted]');
  const fail = (code: string, permanent: boolean, detail: string) =>
    new SlackError(code, permanent, scrub(`Slack ${method} failed: ${detail}`), { cause: error });
  const sdk = error as Partial<WebAPICallError> | undefined;
  switch (sdk?.code) {
    case ErrorCode.PlatformError: {
      const data = (error as Extract<WebAPICallError, { code: ErrorCode.PlatformError }>).data;
      const code = typeof data.error === 'string' ? data.error : 'unknown_error';
      const retryAfter = (data as { retry_after?: unknown }).retry_after;
      const messages = data.response_metadata?.messages?.slice(0, 3) ?? [];
      const detail =
        code === 'ratelimited' && typeof retryAfter === 'number'
          ? `${code} (Slack asked to wait ${retryAfter} s, more than the ${maxRetryAfterSec} s allowed)`
          : [code, ...messages].join('; ');
      return fail(code, PERMANENT_ERRORS.has(code), detail);
    }
    case ErrorCode.HTTPError: {
      const status = (error as Extract<WebAPICallError, { code: ErrorCode.HTTPError }>).statusCode;
      return fail(`http_${status}`, false, `HTTP ${status} after retries`);
    }
    case ErrorCode.RequestError: {
      const original = (error as Extract<WebAPICallError, { code: ErrorCode.RequestError }>).original;
      // The client wraps its own "rate limit was exceeded" error like a network error when the last attempt was a 429.
      if (/rate limit was exceeded/i.test(original.message)) return fail('ratelimited', false, 'HTTP 429 on every attempt');
      return fail('request_error', false, `request failed after retries: ${describeRequestError(original)}`);
    }
    default: {
      // A plain error from the client: a 429 without a usable Retry-After, which it does not retry.
      const message = error instanceof Error ? error.message : inspect(error);
      if (/retry header/i.test(message)) return fail('ratelimited', false, 'HTTP 429 without a usable Retry-After');
      return fail('request_error', false, message);
    }
  }
}

/** A timeout, or the system/undici code in the error's cause chain (ECONNRESET, UND_ERR_SOCKET, …). */
function describeRequestError(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return 'timed out';
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The client's logger interface on the watcher's Logger; the token is scrubbed from every line. */
function sdkLogger(logger: Logger, token: string): SlackSdkLogger {
  let level = LogLevel.INFO;
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  const line = (parts: unknown[]) =>
    parts
      .map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 2 })))
      .join(' ')
      .replaceAll(token, '[redacted]');
  const enabled = (at: LogLevel) => order.indexOf(at) >= order.indexOf(level);
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => enabled(LogLevel.INFO) && logger.info('slack web api client', { detail: line(parts) }),
    warn: (...parts: unknown[]) => enabled(LogLevel.WARN) && logger.warn('slack web api client', { detail: line(parts) }),
    error: (...parts: unknown[]) => logger.error('slack web api client', { detail: line(parts) }),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
