// JSON read once for every plug-in (and config check) that takes it: a body parsed without throwing, records told from
// arrays and scalars, and the string and date fields vendors fill in, blank ones read as absent.

export type JsonParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/** Parses a JSON text; a body that is not JSON comes back as the parser's message, for the source's failure reason. */
export function parseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field, trimmed; undefined when absent, not a string, or blank. */
export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A date as ISO 8601 UTC; undefined when `Date.parse` cannot read it. */
export function isoDateOf(text: string): string | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
