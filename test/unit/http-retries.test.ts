// The one retry loop of the channels' HTTP clients: backoff doubling up to its cap, Retry-After honoured up to its cap,
// a bounded number of attempts, and a look before retrying what may have happened; timed by a fake sleep.
import { describe, expect, it } from 'vitest';
import { AttemptFailure, backoffMs, retryAfterSeconds, withRetries, type RetryAdvice, type RetryPolicy } from '../../functions/adapters/http-retries.js';

const POLICY: RetryPolicy = { retries: 3, minDelayMs: 100, maxDelayMs: 250, maxRetryAfterSec: 5 };

/** An attempt that fails with the given advice for each call in turn, then returns 'done'. */
function scripted(failures: RetryAdvice[]) {
  let calls = 0;
  const attempt = async () => {
    const advice = failures[calls];
    calls += 1;
    if (advice) throw new AttemptFailure(new Error(`failure ${calls}`), advice);
    return 'done';
  };
  return { attempt, calls: () => calls };
}

function sleeps() {
  const waited: number[] = [];
  return { waited, sleep: async (ms: number) => void waited.push(ms) };
}

describe('withRetries', () => {
  it('backs off from the first delay, doubling, capped, and returns once an attempt succeeds', async () => {
    const { attempt, calls } = scripted([{ retry: 'backoff' }, { retry: 'backoff' }, { retry: 'backoff' }]);
    const { waited, sleep } = sleeps();
    expect(await withRetries(attempt, { policy: POLICY, sleep })).toBe('done');
    expect(calls()).toBe(4);
    expect(waited).toEqual([100, 200, 250]);
  });

  it('waits what Retry-After asks, fails at once when it asks for more than the cap, and retries at once when told', async () => {
    const { waited, sleep } = sleeps();
    expect(await withRetries(scripted([{ retry: 'after', retryAfterSec: 2 }, { retry: 'now' }]).attempt, { policy: POLICY, sleep })).toBe('done');
    expect(waited).toEqual([2_000]);

    const long = scripted([{ retry: 'after', retryAfterSec: 60 }]);
    await expect(withRetries(long.attempt, { policy: POLICY, sleep })).rejects.toThrow('failure 1');
    expect(long.calls()).toBe(1);
  });

  it('gives up after the policy’s retries with the last error, or the one `exhausted` makes of it', async () => {
    const { sleep } = sleeps();
    const failing = () => scripted(Array.from({ length: 9 }, (): RetryAdvice => ({ retry: 'backoff' })));
    const plain = failing();
    await expect(withRetries(plain.attempt, { policy: POLICY, sleep })).rejects.toThrow('failure 4');
    expect(plain.calls()).toBe(4);
    await expect(
      withRetries(failing().attempt, { policy: POLICY, sleep, exhausted: (error, attempts) => new Error(`${(error as Error).message}; gave up after ${attempts} attempts`) }),
    ).rejects.toThrow('failure 4; gave up after 4 attempts');
  });

  it('never retries a refusal, nor an error it is not told how to retry', async () => {
    const { sleep } = sleeps();
    const refused = scripted([{ retry: 'never' }]);
    await expect(withRetries(refused.attempt, { policy: POLICY, sleep })).rejects.toThrow('failure 1');
    expect(refused.calls()).toBe(1);
    let calls = 0;
    await expect(withRetries(async () => { calls += 1; throw new TypeError('a bug'); }, { policy: POLICY, sleep })).rejects.toThrow('a bug');
    expect(calls).toBe(1);
  });

  it('looks before retrying what may have happened, and ends with what it finds', async () => {
    const { waited, sleep } = sleeps();
    const { attempt, calls } = scripted([{ retry: 'backoff' }, { retry: 'backoff' }]);
    let looks = 0;
    const result = await withRetries(attempt, { policy: POLICY, sleep, recover: async () => (++looks === 2 ? 'found' : undefined) });
    expect([result, calls(), looks, waited]).toEqual(['found', 2, 2, [100]]);
  });
});

describe('the wait helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date, and as 1 s when missing or unreadable', () => {
    const now = () => Date.parse('2026-10-06T10:00:00Z');
    expect(retryAfterSeconds('2.5', now)).toBe(3);
    expect(retryAfterSeconds('Tue, 06 Oct 2026 10:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds(null, now)).toBe(1);
    expect(retryAfterSeconds('soon', now)).toBe(1);
    expect(backoffMs(0, { minDelayMs: 1_000, maxDelayMs: 4_000 })).toBe(1_000);
    expect(backoffMs(5, { minDelayMs: 1_000, maxDelayMs: 4_000 })).toBe(4_000);
  });
});
