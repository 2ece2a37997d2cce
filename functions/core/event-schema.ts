// The schema-version-1 event as a validator, for consumers that receive events from outside (the SNS topic).
// zod/mini: the same validation as zod's classic API, but tree-shakable, so the Slack notifier's bundle carries only
// the checks used here. It loads no locale, so the messages of failed checks are written out here.
import * as z from 'zod/mini';
import { CHANGE_TYPES, EVENT_TYPES, SEVERITIES, type WatcherEvent } from './model.js';

/** The message of a value of the wrong type: a missing required field says so. */
const must = (what: string) => ({
  error: (issue: { readonly input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`),
});
const text = z.string(must('a string'));
const nonEmpty = z.string(must('a string')).check(z.minLength(1, 'must not be empty'));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, must(`one of ${values.join(', ')}`));
const list = <T extends z.ZodMiniType>(item: T) => z.optional(z.array(item, must('a list')));
const isoTime = z.string(must('a string')).check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time'));

const watcherEventSchema = z.looseObject(
  {
    schemaVersion: z.literal(1, must('1')),
    id: nonEmpty,
    type: oneOf(EVENT_TYPES),
    source: nonEmpty,
    scope: z.optional(nonEmpty),
    sourceType: nonEmpty,
    vendor: nonEmpty,
    itemId: nonEmpty,
    title: text,
    url: text,
    severity: oneOf(SEVERITIES),
    occurredAt: isoTime,
    detectedAt: isoTime,
    summary: text,
    status: z.optional(text),
    regions: list(text),
    changeType: z.optional(oneOf(CHANGE_TYPES)),
    packages: list(
      z.object(
        { ecosystem: text, name: text, vulnerableRange: z.optional(text), firstPatchedVersion: z.optional(text) },
        must('an object'),
      ),
    ),
    update: z.optional(z.object({ label: text, at: isoTime, text }, must('an object'))),
    // A compact history for people: an unreadable vendor stamp in it is shown as given, not a reason to refuse the event.
    earlierUpdates: list(z.object({ label: text, at: text, text }, must('an object'))),
    startedAt: z.optional(isoTime),
    components: list(text),
    scheduledFor: z.optional(isoTime),
    scheduledUntil: z.optional(isoTime),
    previous: z.optional(z.object({ id: nonEmpty, detectedAt: isoTime }, must('an object'))),
    tenant: z.optional(
      z.object(
        {
          logType: z.optional(text),
          count: z.number(must('a number')),
          windowMinutes: z.optional(z.number(must('a number'))),
          clientId: z.optional(text),
          clientName: z.optional(text),
          path: z.optional(text),
          bucket: z.optional(text),
          connection: z.optional(text),
          strategy: z.optional(text),
          feature: z.optional(z.object({ id: text, name: z.optional(text) }, must('an object'))),
          baseline: z.optional(z.number(must('a number'))),
          from: z.optional(isoTime),
          to: z.optional(isoTime),
        },
        must('an object'),
      ),
    ),
    check: z.optional(text),
    action: z.optional(text),
    synthetic: z.optional(
      z.object(
        {
          outcome: oneOf(['failing', 'slow', 'misconfigured', 'ok'] as const),
          latencyMs: z.optional(z.number(must('a number'))),
          thresholdMs: z.optional(z.number(must('a number'))),
          consecutive: z.optional(z.number(must('a number'))),
          cause: z.optional(text),
          httpStatus: z.optional(z.number(must('a number'))),
        },
        must('an object'),
      ),
    ),
    allowlist: z.optional(
      z.object(
        { region: text, added: z.array(text, must('a list')), removed: z.array(text, must('a list')), changelog: list(text), effectiveFrom: z.optional(isoTime) },
        must('an object'),
      ),
    ),
    deprecation: z.optional(
      z.object(
        { deprecatedOn: z.optional(text), endOfLife: z.optional(text), daysLeft: z.optional(z.number(must('a number'))) },
        must('an object'),
      ),
    ),
  },
  must('an object'),
);

/** Thrown for a message that is not a schema-version-1 event; names what is wrong. */
export class EventSchemaError extends Error {
  override readonly name = 'EventSchemaError';
}

/** Parses and validates an event from its JSON text. Unknown extra fields are kept (later minor additions). */
export function parseWatcherEvent(json: string): WatcherEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new EventSchemaError(`not JSON: ${(error as Error).message}`);
  }
  const result = watcherEventSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
    throw new EventSchemaError(`not a schema-version-1 event: ${issues.join('; ')}`);
  }
  return result.data as WatcherEvent;
}
