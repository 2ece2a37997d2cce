// The stream use case's ports: where tenant logs are read from (the Management API's checkpoint paging) and where
// each page is archived before the checkpoint moves. Adapters implement them; tests pass in-memory fakes.

/** One tenant log event as `GET /api/v2/logs` returns it (Auth0's log schema); fields beyond these vary by type. */
export interface TenantLog {
  readonly log_id: string;
  /** ISO 8601. */
  readonly date: string;
  /** The log type code: `s`, `f`, `api_limit`, `depnote`, … */
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface TenantLogReader {
  /** The id of the newest log the tenant holds (`sort=date:-1&per_page=1`), or undefined when it holds none. */
  newestLogId(): Promise<string | undefined>;
  /**
   * The logs after `from`, in `log_id` order, at most `take` (1 to 100); empty when caught up. Honours the
   * Management API's rate limits (`x-ratelimit-*`, 429 `Retry-After`) within the reader's own wait budget, and throws
   * `ManagementApiError` (core/errors.ts) naming the URL and the reason otherwise: 401/403 name the missing scope,
   * a rate limit that outlasts the budget is `rateLimited: true` (the run stops early and the next one continues).
   */
  page(from: string, take: number): Promise<readonly TenantLog[]>;
}

/** Where an archived page goes: one object per page, named by the page's first log id, so a rewrite replaces it. */
export interface ArchiveKey {
  /** The tenant's host (`acme.us.auth0.com`). */
  readonly tenant: string;
  /** UTC day of the page's first log, `YYYY-MM-DD` (the partition). */
  readonly day: string;
  /** The page's first log id. */
  readonly firstLogId: string;
}

export interface LogArchive {
  /**
   * Writes one page as gzip-compressed NDJSON (one log per line, as received) at
   * `tenant=<tenant>/date=<day>/<firstLogId>.ndjson.gz`, replacing what a crashed run wrote there: a page re-read
   * from the same checkpoint starts with the same log, so every log id is archived exactly once.
   */
  putPage(key: ArchiveKey, logs: readonly TenantLog[]): Promise<void>;
  /** Size in bytes and oldest day archived for a tenant (the digest's "Your tenant" section); undefined when empty. */
  summary(tenant: string): Promise<{ readonly bytes: number; readonly objects: number; readonly oldestDay: string } | undefined>;
}
