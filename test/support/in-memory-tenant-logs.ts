// The stream use case's ports in memory, for use-case tests that need no HTTP: a tenant's logs with the Management
// API's checkpoint semantics (logs after `from` in log_id order, at most `take`) and injectable failures, and an
// archive keyed as the real ones (tenant, day, first log id: a rewrite replaces the page).
import { ManagementApiError } from '../../functions/core/errors.js';
import type { ArchiveKey, LogArchive, TenantLog, TenantLogReader } from '../../functions/stream/ports.js';
import type { Auth0TenantLogsSourceConfig } from '../../functions/sources/auth0-tenant-logs/config-schema.js';
import { compareLogIds } from '../../functions/stream/log-ids.js';

/** A tenant-log source as the config validates it, for the use case's tests. */
export const TENANT_LOGS_SOURCE: Auth0TenantLogsSourceConfig = {
  id: 'acme-logs',
  type: 'auth0-tenant-logs',
  url: 'https://acme.us.auth0.com',
  clientId: 'm2mClientId',
  clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET',
  retentionDays: 30,
  maxPagesPerRun: 20,
};

export interface InMemoryTenant {
  /** A reader over the tenant's logs, as the use case's `readerFor` returns one per run. */
  readonly reader: TenantLogReader;
  append(...logs: TenantLog[]): void;
  /** The next `n` reads (newestLogId or page) throw this error instead. */
  failNext(n: number, error: ManagementApiError): void;
  /** The `from` of every page read, oldest first. */
  readonly pageReads: string[];
}

export function inMemoryTenant(url = 'https://acme.us.auth0.com'): InMemoryTenant {
  const logs: TenantLog[] = [];
  const faults: ManagementApiError[] = [];
  const pageReads: string[] = [];
  const fault = () => {
    const error = faults.shift();
    if (error) throw error;
  };
  return {
    pageReads,
    append(...added) {
      logs.push(...structuredClone(added));
      logs.sort((a, b) => compareLogIds(a.log_id, b.log_id));
    },
    failNext(n, error) {
      for (let i = 0; i < n; i += 1) faults.push(error);
    },
    reader: {
      async newestLogId() {
        fault();
        return logs.at(-1)?.log_id;
      },
      async page(from, take) {
        fault();
        if (take < 1 || take > 100) throw new ManagementApiError(`${url}/api/v2/logs`, `take must be 1 to 100, not ${take}`, { status: 400 });
        pageReads.push(from);
        return structuredClone(logs.filter((log) => compareLogIds(log.log_id, from) > 0).slice(0, take));
      },
    },
  };
}

export interface InMemoryArchive {
  readonly archive: LogArchive;
  /** Objects by `tenant=<t>/date=<d>/<first>.ndjson.gz`. */
  readonly objects: ReadonlyMap<string, readonly TenantLog[]>;
  /** Every putPage call, including rewrites. */
  readonly puts: ArchiveKey[];
  /** Every archived log id with how many objects hold it. */
  counts(): Map<string, number>;
}

export function inMemoryArchive(): InMemoryArchive {
  const objects = new Map<string, readonly TenantLog[]>();
  const puts: ArchiveKey[] = [];
  const keyOf = (key: ArchiveKey) => `tenant=${key.tenant}/date=${key.day}/${key.firstLogId}.ndjson.gz`;
  return {
    objects,
    puts,
    counts() {
      const counts = new Map<string, number>();
      for (const page of objects.values()) for (const log of page) counts.set(log.log_id, (counts.get(log.log_id) ?? 0) + 1);
      return counts;
    },
    archive: {
      async putPage(key, page) {
        puts.push(key);
        objects.set(keyOf(key), structuredClone(page));
      },
      async summary(tenant) {
        const keys = [...objects.keys()].filter((key) => key.startsWith(`tenant=${tenant}/`)).sort();
        if (keys.length === 0) return undefined;
        const bytes = keys.reduce((sum, key) => sum + JSON.stringify(objects.get(key)).length, 0);
        return { bytes, objects: keys.length, oldestDay: /date=([\d-]+)/.exec(keys[0]!)![1]! };
      },
    },
  };
}
