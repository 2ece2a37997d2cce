// The dispatch use case: once a minute, hand each source due in that minute to the poll function, one asynchronous
// invocation per source, so each poll keeps its own retries, dead-letter queue and failure.
import { duePolls, type PollPlan } from '../core/poll-plan.js';
import type { Logger } from '../core/ports.js';

/** Starts one poll of a source without waiting for it (on AWS: an asynchronous invocation of the poll function). */
export interface PollInvoker {
  /**
   * Resolves once the poll was accepted for running, with the event `{"sourceId": sourceId}`. Throws
   * {@link PollInvokeError} naming the source and the reason when it was not. Starting the same poll twice is
   * harmless: a poll is idempotent.
   */
  invoke(sourceId: string): Promise<void>;
}

/**
 * One invoker over several functions: each source goes to the invoker of its target (the poll function for feeds, the
 * tenant-log function for streams). A target without an invoker is refused as a {@link PollInvokeError}, naming it.
 */
export function routePollInvoker<T extends string>(
  invokers: Partial<Readonly<Record<T, PollInvoker>>>,
  targetOf: (sourceId: string) => T,
): PollInvoker {
  return {
    async invoke(sourceId: string): Promise<void> {
      const target = targetOf(sourceId);
      const invoker = invokers[target];
      if (!invoker) throw new PollInvokeError(sourceId, `no function is configured for ${target} sources`);
      await invoker.invoke(sourceId);
    },
  };
}

/** A poll could not be handed to the poll function. */
export class PollInvokeError extends Error {
  override readonly name = 'PollInvokeError';
  constructor(
    readonly sourceId: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`poll of source ${sourceId} was not invoked: ${reason}`, options);
  }
}

/** What one dispatch did. */
export interface DispatchSummary {
  /** The scheduled time the due sources were worked out from, ISO 8601. */
  readonly scheduledTime: string;
  readonly due: number;
  readonly invoked: number;
  readonly failed: number;
}

/** A source that could not be invoked, and why. */
export interface DispatchFailure {
  readonly sourceId: string;
  readonly reason: string;
}

/**
 * Some due polls could not be invoked (the others were). Thrown at the end of a dispatch, so the run counts as failed
 * and is retried or lands in the dead-letter queue; invoking the others again on a retry is harmless.
 */
export class DispatchError extends Error {
  override readonly name = 'DispatchError';
  constructor(
    readonly summary: DispatchSummary,
    readonly failures: readonly DispatchFailure[],
    options?: { cause?: unknown },
  ) {
    const named = failures.slice(0, MAX_NAMED_FAILURES).map((f) => `${f.sourceId} (${f.reason})`);
    const more = failures.length > MAX_NAMED_FAILURES ? `; and ${failures.length - MAX_NAMED_FAILURES} more` : '';
    super(
      `${summary.failed} of ${summary.due} polls due at ${summary.scheduledTime} were not invoked: ${named.join('; ')}${more}`,
      options,
    );
  }
}

/** How many failed sources an error message names; the log has one line for each. */
const MAX_NAMED_FAILURES = 10;

export interface DispatchPollsDependencies {
  readonly plan: PollPlan;
  readonly invoker: PollInvoker;
  readonly logger: Logger;
  /**
   * Invocations in flight at once: enough that hundreds of due sources take a second or two, few enough not to meet
   * Lambda's request-rate throttling in a burst.
   * @default 8
   */
  readonly maxInFlight?: number;
}

/**
 * Builds `dispatch(scheduledTime)`: invokes every source due in that minute (see `duePolls`), at most `maxInFlight`
 * at once, and attempts all of them even when some fail. Logs `poll not invoked` once per failed source (`source`,
 * `reason`) and `polls dispatched` once (`scheduledTime`, `due`, `invoked`, `failed`); throws {@link DispatchError}
 * naming the failed sources when there were any.
 */
export function makeDispatchPolls({ plan, invoker, logger, maxInFlight = 8 }: DispatchPollsDependencies) {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a whole number of at least 1, not ${maxInFlight}`);
  }

  return async function dispatch(scheduledTime: Date): Promise<DispatchSummary> {
    const due = duePolls(plan, scheduledTime);
    // By position in `due`, so the failures are reported in config order whatever order the invocations end in.
    const outcomes = new Array<{ readonly error: unknown } | undefined>(due.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length) {
        const position = next;
        next += 1;
        try {
          await invoker.invoke(due[position]!);
        } catch (error) {
          outcomes[position] = { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxInFlight, due.length) }, worker));

    const failures: (DispatchFailure & { readonly error: unknown })[] = [];
    due.forEach((sourceId, position) => {
      const outcome = outcomes[position];
      if (outcome) failures.push({ sourceId, reason: reasonOf(outcome.error), error: outcome.error });
    });
    for (const { sourceId, reason } of failures) logger.error('poll not invoked', { source: sourceId, reason });
    const summary: DispatchSummary = {
      scheduledTime: scheduledTime.toISOString(),
      due: due.length,
      invoked: due.length - failures.length,
      failed: failures.length,
    };
    if (failures.length === 0) {
      logger.info('polls dispatched', { ...summary });
    } else {
      logger.error('polls dispatched', { ...summary });
      throw new DispatchError(
        summary,
        failures.map(({ sourceId, reason }) => ({ sourceId, reason })),
        { cause: new AggregateError(failures.map((f) => f.error)) },
      );
    }
    return summary;
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof PollInvokeError) return error.reason;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
