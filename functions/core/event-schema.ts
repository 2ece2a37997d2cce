// The schema-version-1 event as a validator, for consumers that receive events from outside (the SNS topic).
import * as z from 'zod';
import { CHANGE_TYPES, EVENT_TYPES, SEVERITIES, type WatcherEvent } from './model.js';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time');

const watcherEventSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().min(1),
  type: z.enum(EVENT_TYPES),
  source: z.string().min(1),
  sourceType: z.string().min(1),
  vendor: z.string().min(1),
  itemId: z.string().min(1),
  title: z.string(),
  url: z.string(),
  severity: z.enum(SEVERITIES),
  occurredAt: isoTime,
  detectedAt: isoTime,
  summary: z.string(),
  status: z.string().optional(),
  regions: z.array(z.string()).optional(),
  changeType: z.enum(CHANGE_TYPES).optional(),
  packages: z
    .array(
      z.object({
        ecosystem: z.string(),
        name: z.string(),
        vulnerableRange: z.string().optional(),
        firstPatchedVersion: z.string().optional(),
      }),
    )
    .optional(),
  update: z.object({ label: z.string(), at: isoTime, text: z.string() }).optional(),
  components: z.array(z.string()).optional(),
});

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
  const result = watcherEventSchema.loose().safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
    throw new EventSchemaError(`not a schema-version-1 event: ${issues.join('; ')}`);
  }
  return result.data as WatcherEvent;
}
