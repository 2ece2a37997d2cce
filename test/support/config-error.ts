// Shared by the config tests: the message of the ConfigError a loader throws, failing the test if it throws none.
import { ConfigError } from '../../functions/config/config-base.js';

/** The message of the `ConfigError` that `load` throws; any other error propagates, and no error at all fails. */
export function configErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
