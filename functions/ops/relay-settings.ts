// The alarm relay's SNS retry settings and the function timeout that holds them: one module, read by the handler and by
// the stack (lib/ops-alarms.ts), so the timeout cannot fall behind the retries it has to hold.
import { snsWorstCaseMs } from '../adapters/sns-publisher.js';

/** Three attempts of at most 2 s to connect and 5 s to answer: SNS answers a publish in milliseconds. */
export const RELAY_SNS_CLIENT = { maxAttempts: 3, connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000 } as const;

/** Time for the cold start and the log line around the one publish. */
const RELAY_OVERHEAD_MS = 5_000;

/**
 * The relay's Lambda timeout, in whole seconds: every retry of its one publish fits inside it, so an invocation that
 * times out has really failed (and is retried by Lambda), never cut short in the middle of a retry that would have worked.
 */
export const RELAY_TIMEOUT_SECONDS = Math.ceil((snsWorstCaseMs(RELAY_SNS_CLIENT) + RELAY_OVERHEAD_MS) / 1000);
