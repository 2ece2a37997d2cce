// Adapter of the stream use case's TenantLogReader port: checkpoint paging of the tenant's `GET /api/v2/logs` (`from` +
// `take`) through the Management API client (adapters/auth0-management-client.ts: the cached machine-to-machine token,
// rate limits within one wait budget per reader, retries, errors naming the missing scope), each page checked to be
// logs in log_id order after the checkpoint.
import { ManagementApiError } from '../core/errors.js';
import type { TenantLog, TenantLogReader } from '../stream/ports.js';
import { compareLogIds } from '../stream/log-ids.js';
import { makeManagementApiClient, type ManagementApiClientOptions } from './auth0-management-client.js';

export { forgetAuth0Tokens } from './auth0-management-client.js';

/** The reader's options: the client's, its scope being `read:logs`. */
export type Auth0LogReaderOptions = Omit<ManagementApiClientOptions, 'scopes' | 'maxAnswerBytes'>;

/** The one scope this reader needs. */
export const LOGS_SCOPE = 'read:logs';
/** The Management API's largest `take`. */
export const MAX_TAKE = 100;
/** Log ids are digit strings (`900…`, `800…`: the prefix varies by region); they also name archive objects. */
const LOG_ID = /^[0-9A-Za-z]{1,128}$/;

/** Builds the reader. Throws `ManagementApiError` at once when the URL is unusable. */
export function makeAuth0LogReader(options: Auth0LogReaderOptions): TenantLogReader {
  const client = makeManagementApiClient({ ...options, scopes: [LOGS_SCOPE] });
  const getLogs = async (path: string, take: number): Promise<TenantLog[]> => {
    const answer = await client.getJson(path, LOGS_SCOPE);
    return readLogs(answer.url, answer.body, take);
  };

  return {
    async newestLogId() {
      const logs = await getLogs('/api/v2/logs?sort=date:-1&per_page=1', 1);
      return logs[0]?.log_id;
    },
    async page(from, take) {
      if (!Number.isInteger(take) || take < 1 || take > MAX_TAKE) throw new RangeError(`take must be 1 to ${MAX_TAKE}, not ${take}`);
      const path = `/api/v2/logs?from=${encodeURIComponent(from)}&take=${take}`;
      const url = `${client.origin}${path}`;
      if (!LOG_ID.test(from)) throw new ManagementApiError(url, 'the checkpoint is not a log id');
      const logs = await getLogs(path, take);
      let previous = from;
      for (const log of logs) {
        if (compareLogIds(log.log_id, previous) <= 0) {
          throw new ManagementApiError(url, `the answer is not in log_id order after the checkpoint (log ${log.log_id})`);
        }
        previous = log.log_id;
      }
      return logs;
    },
  };
}

/** The logs of a 200 answer: a JSON array of at most `take` objects, each with a log id, a date and a type. */
function readLogs(url: string, parsed: unknown, take: number): TenantLog[] {
  if (!Array.isArray(parsed)) throw new ManagementApiError(url, 'the answer is not a list of logs', { status: 200 });
  if (parsed.length > take) {
    throw new ManagementApiError(url, `the answer holds ${parsed.length} logs, more than the ${take} asked for`, { status: 200 });
  }
  return parsed.map((log: unknown, index) => {
    if (!isUsableLog(log)) throw new ManagementApiError(url, `log ${index + 1} of the answer has no usable log_id, date or type`, { status: 200 });
    return log;
  });
}

function isUsableLog(value: unknown): value is TenantLog {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { log_id: id, date, type } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    LOG_ID.test(id) &&
    typeof date === 'string' &&
    date.length <= 64 &&
    !Number.isNaN(Date.parse(date)) &&
    typeof type === 'string' &&
    /^[A-Za-z0-9_]{1,64}$/.test(type)
  );
}
