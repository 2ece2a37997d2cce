// How a config file's problems read: one line per problem, each naming its field (`sources[1].url: …`), a "did you
// mean" for a key that is a slip of a known one, and a JSON syntax error at its line and column.
import type * as z from 'zod';
import { closestWord } from '../core/text/closest-word.js';

/** A schema issue as zod reports it (and as the tenant block reports its own). */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly keys?: readonly string[];
}

/** `sources[1].url`; the empty path reads `(config)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  const text = path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
  return text || '(config)';
}

/**
 * One line per problem (`<field>: <message>`), validated `input` read against `schema`: an unrecognized key gets a line
 * of its own, with the known key of that object it is a slip of. `pathName` names paths the input's author did not
 * write (sources a `tenant` block derived), else the path is shown as it is.
 */
export function issueLines(
  issues: readonly SchemaIssue[],
  schema: z.ZodType,
  input: unknown,
  pathName: (path: readonly PropertyKey[]) => string | undefined = () => undefined,
): string[] {
  return issues.flatMap((issue) => {
    const field = pathName(issue.path) ?? formatPath(issue.path);
    if (issue.code !== 'unrecognized_keys' || !issue.keys) return [`${field}: ${issue.message}`];
    const at = valueAt(input, issue.path);
    const present = new Set(at && typeof at === 'object' ? Object.keys(at) : []);
    const known = [...keysAt(schema, issue.path, input)].filter((key) => !present.has(key));
    return issue.keys.map((key) => {
      const near = closestWord(key, known);
      return `${field}: Unrecognized key: ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`;
    });
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), input);
}

/** The part of zod's schema description the walk reads. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
}
const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schema under its wrappers (optional, default, pipe, lazy, …). */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let current = schema; ; ) {
    const def = defOf(current);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : def.type === 'lazy' ? def.getter?.() : undefined);
    if (!next) return current;
    current = next;
  }
}

/** The members of a union that `input` can be: for a discriminated union, those of its discriminator's value. */
function membersFor(def: SchemaDef, input: unknown): readonly z.ZodType[] {
  const options = def.options ?? [];
  if (!def.discriminator || !input || typeof input !== 'object') return options;
  const value = (input as Record<string, unknown>)[def.discriminator];
  const matching = options.filter((option) => {
    const tag = defOf(unwrap(option)).shape?.[def.discriminator!];
    return tag !== undefined && (defOf(unwrap(tag)).values ?? []).includes(value);
  });
  return matching.length > 0 ? matching : options;
}

/** The keys the object schema at `path` knows, following `input` through unions. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): Set<string> {
  const def = defOf(unwrap(schema));
  if (def.type === 'union') return new Set(membersFor(def, input).flatMap((member) => [...keysAt(member, path, input)]));
  if (path.length === 0) return new Set(def.type === 'object' ? Object.keys(def.shape ?? {}) : []);
  const [head, ...rest] = path;
  const inner = input && typeof input === 'object' ? (input as Record<PropertyKey, unknown>)[head!] : undefined;
  const child = def.type === 'object' ? def.shape?.[String(head)] : def.type === 'array' ? def.element : def.type === 'record' ? def.valueType : undefined;
  return child ? keysAt(child, rest, inner) : new Set();
}

/**
 * A JSON syntax error of `file` as one line, `<file>:<line>:<column>: not valid JSON: <reason>`, the position taken from
 * the parser: its message's offset where it gives one, the end of the text for an unexpected end, and otherwise the
 * shortest start of the text the parser already refuses.
 */
export function jsonSyntaxLine(file: string, text: string, error: Error): string {
  const offset = errorOffset(text, error.message);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${file}:${line}:${column}: not valid JSON: ${reasonOf(error.message)}`;
}

function errorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at) return Math.min(Number(at[1]), text.length);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  // Every start of valid JSON is refused only for ending early: the first refused otherwise ends at the bad character.
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (refusedBeforeItsEnd(text.slice(0, middle))) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

function refusedBeforeItsEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (/Unexpected end of JSON input/.test(message)) return false;
    const at = /at position (\d+)/.exec(message);
    return !at || Number(at[1]) < prefix.length;
  }
}

/** The parser's reason without its position or its quote of the text, on one line. */
function reasonOf(message: string): string {
  const reason = message
    .replace(/,\s+(\.\.\.)?".*"(\.\.\.)?\s+is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ \(line \d+ column \d+\)/, '');
  return JSON.stringify(reason).slice(1, -1).replace(/\\"/g, '"');
}
