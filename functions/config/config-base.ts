// What the config schema (config.ts) and the Lambda config loaders (lambda-config.ts) share, without the schema
// library: the Lambda handlers never validate a config file, so they must be able to load this alone.

/** A configuration problem: names the offending field. The CLI exits 2 on it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Freezes a plain-data value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
