// The one retry loop of the channels' HTTP clients: how often, how long between attempts (Retry-After or backoff),
// and when to give up. Each client says what an attempt's failure is; this decides what happens next.
import { setTimeout as wait } from 'node:timers/promises';

export interface RetryPolicy {
  /** Attempts after the first. Worst case per call is about (retries + 1) × the client's timeout plus the waits. */
  readonly retries: number;
  /** First backoff delay; it doubles with each retry, up to `maxDelayMs`. */
  readonly minDelayMs: number;
  /** Longest backoff delay (never below `minDelayMs`). */
  readonly maxDelayMs: number;
  /**
   * Longest `Retry-After` waited for; a longer one fails the call at once (not permanently) rather than sleeping past
   * a Lambda's timeout.
   */
  readonly maxRetryAfterSec: number;
}

/** What the channels' clients use unless told otherwise (tests shorten the delays). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, minDelayMs: 1_000, maxDelayMs: 4_000, maxRetryAfterSec: 30 };

/** How one failed attempt may be retried. */
export type RetryAdvice =
  /** Not at all: the answer will not change (a refusal, or an answer that may mean it already happened). */
  | { readonly retry: 'never' }
  /** After the backoff delay: 5xx, timeouts, network errors. */
  | { readonly retry: 'backoff' }
  /** After what the server asked (`Retry-After`, seconds); at once when it asks for more than the policy allows. */
  | { readonly retry: 'after'; readonly retryAfterSec: number }
  /** Straight away: the client already waited (a 429 its SDK waited out). */
  | { readonly retry: 'now' };

/**
 * What an attempt throws to say how it may be retried, when its error does not say so itself: the call then ends with
 * `error` (or `exhausted`'s), never with this wrapper.
 */
export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(
    readonly error: Error,
    readonly advice: RetryAdvice,
  ) {
    super(error.message);
  }
}

export interface RetryOptions<T> {
  readonly policy: RetryPolicy;
  /** How an error an attempt threw (other than an {@link AttemptFailure}) may be retried. @default never */
  advise?(error: unknown): RetryAdvice;
  /**
   * Before each retry: finds out whether the failed attempt did its work after all (a post whose answer was lost);
   * a value ends the call with it. Not asked before a retry the server asked for by `Retry-After`, or a `now` one.
   */
  recover?(error: unknown): Promise<T | undefined>;
  /** The error to throw when the retries are spent. @default the last attempt's */
  exhausted?(error: unknown, attempts: number): unknown;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` until it returns, an error may not be retried, or the policy's retries are spent; between attempts it
 * waits the backoff (`minDelayMs` doubling up to `maxDelayMs`) or the server's `Retry-After`. Throws the last error.
 */
export async function withRetries<T>(attempt: (retry: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const { policy } = options;
  const sleep = options.sleep ?? ((ms: number) => wait(ms));
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt(retry);
    } catch (thrown) {
      const error = thrown instanceof AttemptFailure ? thrown.error : thrown;
      const advice = thrown instanceof AttemptFailure ? thrown.advice : (options.advise?.(thrown) ?? { retry: 'never' });
      if (advice.retry === 'never') throw error;
      if (advice.retry === 'after' && advice.retryAfterSec > policy.maxRetryAfterSec) throw error;
      if (retry >= policy.retries) throw options.exhausted ? options.exhausted(error, retry + 1) : error;
      if (advice.retry === 'now') continue;
      if (advice.retry === 'after') {
        await sleep(advice.retryAfterSec * 1000);
        continue;
      }
      const recovered = await options.recover?.(error);
      if (recovered !== undefined) return recovered;
      await sleep(backoffMs(retry, policy));
    }
  }
}

/** The wait before retry number `retry` (0 for the first): `minDelayMs` doubling, capped at `maxDelayMs`. */
export function backoffMs(retry: number, policy: Pick<RetryPolicy, 'minDelayMs' | 'maxDelayMs'>): number {
  return Math.min(policy.minDelayMs * 2 ** retry, Math.max(policy.minDelayMs, policy.maxDelayMs));
}

/** `Retry-After` in whole seconds (a delta or an HTTP date); 1 when missing or unreadable. */
export function retryAfterSeconds(header: string | null, now: () => number = Date.now): number {
  if (header === null) return 1;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1 : Math.max(0, Math.ceil((date - now()) / 1000));
}
