// The tenant-log function's SQS side: each message is one Amazon EventBridge event of Auth0's log stream
// (`detail-type` "Auth0 log", `source` the partner event source, `detail = {log_id, data: <log>}`), forwarded by the
// rule on the source's partner event bus. Messages are checked (vendor input, untrusted), grouped by source and
// classified by the real-time use case; an invalid one is dropped with its reason (it can never succeed, and the poll
// reads the real log anyway), a source whose processing throws returns its messages for SQS to deliver again.
import type { Logger } from '../core/ports.js';
import type { Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import type { RealtimeResult } from './classify-realtime.js';
import type { TenantLog } from './ports.js';

/** The `detail-type` Auth0 gives every log-stream event. */
export const AUTH0_LOG_DETAIL_TYPE = 'Auth0 log';

/** One SQS message as the Lambda event source mapping delivers it (the fields used here). */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
}

export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Quoted and cut for a log line: vendor text never goes into one whole. */
const shown = (value: unknown): string => JSON.stringify(typeof value === 'string' ? value.slice(0, 120) : typeof value);

/**
 * The log an SQS message carries and the source it belongs to (the one whose `partnerEventSource` is the event's
 * `source`), or the reason it is refused.
 */
export function readRealtimeRecord(
  record: SqsRecord,
  sources: readonly Auth0TenantLogsSourceConfig[],
): { readonly source: Auth0TenantLogsSourceConfig; readonly log: TenantLog } | { readonly reason: string } {
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch {
    return { reason: 'the message body is not JSON' };
  }
  if (!isRecord(event)) return { reason: 'the message body is not an EventBridge event (an object)' };
  if (event['detail-type'] !== AUTH0_LOG_DETAIL_TYPE) {
    return { reason: `detail-type ${shown(event['detail-type'])} is not "${AUTH0_LOG_DETAIL_TYPE}"` };
  }
  const source = sources.find((s) => s.partnerEventSource !== undefined && s.partnerEventSource === event['source']);
  if (!source) return { reason: `source ${shown(event['source'])} is no configured source's partnerEventSource` };
  const detail = event['detail'];
  if (!isRecord(detail)) return { reason: 'detail is not an object' };
  const data = detail['data'];
  if (!isRecord(data)) return { reason: 'detail.data (the log) is not an object' };
  for (const field of ['log_id', 'type', 'date'] as const) {
    if (typeof data[field] !== 'string' || data[field] === '') return { reason: `detail.data.${field} is not a non-empty string` };
  }
  if (!/^\d{1,64}$/.test(data['log_id'] as string)) return { reason: `detail.data.log_id ${shown(data['log_id'])} is not a log id` };
  if (Number.isNaN(Date.parse(data['date'] as string))) return { reason: `detail.data.date ${shown(data['date'])} is not a date` };
  if (detail['log_id'] !== undefined && detail['log_id'] !== data['log_id']) {
    return { reason: `detail.log_id ${shown(detail['log_id'])} is not detail.data.log_id ${shown(data['log_id'])}` };
  }
  return { source, log: data as TenantLog };
}

/**
 * Classifies one SQS batch: valid messages grouped by source, one use-case call per source. Returns the messages SQS
 * must deliver again: those of a source whose call threw (the store unreachable, say); the others are done.
 */
export async function handleRealtimeBatch(
  records: readonly SqsRecord[],
  sources: readonly Auth0TenantLogsSourceConfig[],
  classify: (source: Auth0TenantLogsSourceConfig, logs: readonly TenantLog[]) => Promise<RealtimeResult>,
  logger: Logger,
): Promise<SqsBatchResponse & { readonly results: readonly RealtimeResult[]; readonly dropped: number }> {
  const bySource = new Map<string, { source: Auth0TenantLogsSourceConfig; logs: TenantLog[]; messageIds: string[] }>();
  let dropped = 0;
  for (const record of records) {
    const read = readRealtimeRecord(record, sources);
    if ('reason' in read) {
      dropped += 1;
      logger.warn('real-time log event dropped: it can never be classified (the poll still reads the log)', {
        messageId: record.messageId,
        reason: read.reason,
      });
      continue;
    }
    const group = bySource.get(read.source.id) ?? { source: read.source, logs: [], messageIds: [] };
    group.logs.push(read.log);
    group.messageIds.push(record.messageId);
    bySource.set(read.source.id, group);
  }
  const failures: Array<{ itemIdentifier: string }> = [];
  const results: RealtimeResult[] = [];
  for (const { source, logs, messageIds } of bySource.values()) {
    try {
      results.push(await classify(source, logs));
    } catch (error) {
      logger.error('real-time logs not classified; SQS delivers them again', {
        source: source.id,
        messages: messageIds.length,
        reason: error instanceof Error ? error.message : String(error),
      });
      failures.push(...messageIds.map((itemIdentifier) => ({ itemIdentifier })));
    }
  }
  return { batchItemFailures: failures, results, dropped };
}
