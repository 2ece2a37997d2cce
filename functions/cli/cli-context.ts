// What every command of the local CLI receives: where it writes, its environment, and (for the commands that work on the
// embedded store) the validated config, a logger, the clock and the store's client.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WatcherConfig } from '../config/config.js';
import type { Clock, Logger } from '../core/ports.js';

/**
 * Exit codes: every source polled and every output delivered; some source or output failed (the others' results
 * stand); bad config or usage.
 */
export const EXIT_OK = 0;
export const EXIT_SOURCE_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A command that works on the embedded store: the config it was given (or the default one) and the store it opened. */
export interface RunContext {
  readonly config: WatcherConfig;
  readonly io: CliIo;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly client: DynamoDBClient;
}

/** Bad usage (an unknown command or option, a missing or malformed value): the CLI prints it in one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
