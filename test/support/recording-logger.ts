// Test support: a Logger that keeps every call, so a test can say what was logged, at which level, with which keys.
import type { Logger } from '../../functions/core/ports.js';

/** One call of a {@link recordingLogger}'s logger. */
export interface LogCall {
  readonly level: string;
  readonly message: string;
  readonly keys: Record<string, unknown> | undefined;
}

/** A logger whose calls are appended, oldest first, to `logged`. */
export function recordingLogger(): { readonly logger: Logger; readonly logged: LogCall[] } {
  const logged: LogCall[] = [];
  const record =
    (level: string) =>
    (message: string, keys?: Record<string, unknown>): void =>
      void logged.push({ level, message, keys });
  return { logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }, logged };
}
