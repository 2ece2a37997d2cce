// What the config schema (config.ts) and the Lambda config loaders (lambda-config.ts) share, without the schema
// library: the Lambda handlers never validate a config file, so they must be able to load this alone.

/**
 * A configuration problem: names the offending field. The CLI exits 2 on it. `issues` holds one line per problem
 * (`invalid config: sources[1].url: …`); the message is those lines, one per line.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly string[];
  /** One problem (a message), or several (one line each). */
  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const issues = typeof problems === 'string' ? problems.split('\n') : problems;
    super(issues.join('\n'), options);
    this.issues = issues;
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
