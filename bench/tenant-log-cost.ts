// What reading, classifying and archiving a tenant's logs costs on AWS: per million log lines, and a month of a tenant
// with a given daily volume and archive retention, from the measured per-page figures and list prices.
// docs/cost.md ("Your tenant's logs") explains every line; keep the two in step.
import { fmt, PRICES, type CostLine } from './cost-model.js';

/** S3 and Athena list prices, us-east-1, USD, known on 2026-11-26 (not fetched live; check https://aws.amazon.com/s3/pricing). */
export const TENANT_LOG_PRICES = {
  s3: {
    /** PUT, COPY, POST and LIST requests. */
    perPut: 0.005 / 1000,
    perGet: 0.0004 / 1000,
    perGbMonthStandard: 0.023,
    perGbMonthGlacierIr: 0.004,
    /** Glacier Instant Retrieval bills every object as at least 128 KB, for at least 90 days. */
    glacierIrMinBillableBytes: 128 * 1024,
    /** Lifecycle transition requests into Glacier Instant Retrieval. */
    perTransitionToGlacierIr: 0.02 / 1000,
    /**
     * Lifecycle rules leave objects under 128 KB where they are unless a rule's own size filter says otherwise
     * (the bucket default `all_storage_classes_128K` since September 2024).
     */
    transitionDefaultMinimumBytes: 128 * 1024,
  },
  /** Athena, per TB scanned (10 MB minimum per query); the Glue Data Catalog's first million objects and requests are free. */
  athenaPerTbScanned: 5,
} as const;

/** What is assumed rather than measured for the tenant-log path; docs/cost.md states and justifies each. */
export const TENANT_LOG_ASSUMPTIONS = {
  /** The stream function's schedule and memory (the dispatcher invokes it; `everyMinutes` of the source). */
  everyMinutes: 5,
  memoryMb: 256,
  /** Waiting on the network per page: the Management API's GET of 100 logs (about 110 KB of JSON), the S3 PUT, the DynamoDB conditional write. */
  managementApiPageMs: 300,
  s3PutMs: 50,
  dynamoRequestMs: 10,
  /** Every run: the source record read, the lease and settle writes, and the GET of the empty page that says "caught up". */
  emptyPageMs: 150,
  dynamoRequestsPerRun: 3,
  /** One SNS publish per event and the event's outbox acknowledgement and event-log record. */
  publishMs: 30,
  /** Cold starts of the stream function: one an hour (each also asks Auth0 for a machine-to-machine token). */
  coldStartsPerMonth: 30 * 24,
  runtimeInitMs: 100,
  /** CloudWatch Logs bytes per run: the `stream read` line, Lambda's START, END and REPORT, their per-event overhead. */
  logBytesPerRun: 1_000,
  /** A 30-day month, as the rest of the cost model. */
  daysPerMonth: 30,
  /** Days in S3 Standard before the lifecycle rule moves an object (when it is large enough to move). */
  standardDays: 90,
  /** Digest runs a month: each lists the tenant's archive (1,000 keys a LIST request) for its "Your tenant" section. */
  digestRunsPerMonth: 30,
} as const;

/** Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. */
const FULL_VCPU_MB = 1769;
const GB = 1e9;

export interface TenantLogMeasured {
  /** CPU milliseconds per page of 100 on this machine: parse, classify, gzip NDJSON, write. */
  readonly cpuMsPerPage: number;
  /** DynamoDB units per page (the conditional write of the source record), beyond the run's fixed ones. */
  readonly writeUnitsPerPage: number;
  readonly readUnitsPerPage: number;
  /** DynamoDB write and read units per event (outbox acknowledgement, event-log record). */
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  /** A run with nothing new: its units. */
  readonly idleReadUnits: number;
  readonly idleWriteUnits: number;
  /** Gzip NDJSON bytes per 1,000 logs as archived, and the mean archive object. */
  readonly archiveBytesPer1000Logs: number;
  /** Events per million logs in the bench's day (it depends on what happens on the tenant, not on volume alone). */
  readonly eventsPerMillionLogs: number;
  /** Import time of the function's bundle in a fresh process, milliseconds. */
  readonly importMs: number;
}

export interface TenantLogCost {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly fixedUsd: number;
  readonly variableUsd: number;
  /** Billed milliseconds per full page and per run with nothing new, at the assumed memory. */
  readonly pageMs: number;
  readonly idleRunMs: number;
}

const billedPageMs = (m: TenantLogMeasured) => {
  const a = TENANT_LOG_ASSUMPTIONS;
  return Math.ceil(a.managementApiPageMs + a.s3PutMs + a.dynamoRequestMs + m.cpuMsPerPage * Math.max(1, FULL_VCPU_MB / a.memoryMb));
};
const idleRunMs = () => TENANT_LOG_ASSUMPTIONS.emptyPageMs + TENANT_LOG_ASSUMPTIONS.dynamoRequestsPerRun * TENANT_LOG_ASSUMPTIONS.dynamoRequestMs;

function sum(lines: CostLine[], pageMs: number): TenantLogCost {
  const total = (filter: (l: CostLine) => boolean) => lines.filter(filter).reduce((s, l) => s + l.listUsd, 0);
  return { lines, totalUsd: total(() => true), fixedUsd: total((l) => l.fixed), variableUsd: total((l) => !l.fixed), pageMs, idleRunMs: idleRunMs() };
}

/** The cost that grows with the logs: one million log lines in full pages of 100, stored for one month in S3 Standard. */
export function costPerMillionLogs(m: TenantLogMeasured): TenantLogCost {
  const p = PRICES;
  const s3 = TENANT_LOG_PRICES.s3;
  const a = TENANT_LOG_ASSUMPTIONS;
  const pages = 1e6 / 100;
  const pageMs = billedPageMs(m);
  const events = m.eventsPerMillionLogs;
  const gbSeconds = ((pages * pageMs + events * a.publishMs) / 1000) * (a.memoryMb / 1024);
  const archiveGb = (m.archiveBytesPer1000Logs * 1000) / GB;
  const line = (item: string, listUsd: number): CostLine => ({ item, listUsd, freeTierUsd: listUsd, fixed: false });
  return sum(
    [
      line(`Lambda duration (${fmt(pages)} pages × ${pageMs} ms at ${a.memoryMb} MB = ${fmt(gbSeconds)} GB-s)`, gbSeconds * p.lambda.perGbSecondArm),
      line(
        `DynamoDB (${fmt(pages * m.writeUnitsPerPage)} WRU, ${fmt(pages * m.readUnitsPerPage)} RRU for the page commits)`,
        pages * (m.writeUnitsPerPage * p.dynamodb.perWriteRequestUnit + m.readUnitsPerPage * p.dynamodb.perReadRequestUnit),
      ),
      line(`S3 PUT requests (${fmt(pages)}: one object per page)`, pages * s3.perPut),
      line(`S3 Standard storage (${(archiveGb * 1000).toFixed(1)} MB gzip NDJSON, per month kept)`, archiveGb * s3.perGbMonthStandard),
      line(
        `Events (${fmt(events)}): SNS publishes, ${fmt(events * m.writeUnitsPerEvent)} WRU`,
        events * (p.sns.perPublish + m.writeUnitsPerEvent * p.dynamodb.perWriteRequestUnit + m.readUnitsPerEvent * p.dynamodb.perReadRequestUnit),
      ),
      line('Management API requests (one per page; free, rate-limited)', 0),
    ],
    pageMs,
  );
}

export interface TenantShape {
  readonly logsPerDay: number;
  /** How long the archive keeps each day, days. */
  readonly retainedDays: number;
  /** Events per day (the bench's day: what the detectors made of it). */
  readonly eventsPerDay: number;
  /** The source's page budget per run (`maxPagesPerRun`). */
  readonly maxPagesPerRun: number;
}

export interface TenantMonth extends TenantLogCost {
  readonly runs: number;
  readonly pages: number;
  readonly objectBytes: number;
  readonly archiveGb: number;
  readonly archiveObjects: number;
  /** Storage if objects moved to Glacier Instant Retrieval after 90 days (a rule with its own size filter), USD a month. */
  readonly glacierIrStorageUsd: number;
  readonly standardOnlyStorageUsd: number;
  readonly managementApiRequests: number;
  /** Logs per day one run every `everyMinutes` can read with `maxPagesPerRun` pages of 100. */
  readonly maxLogsPerDay: number;
  /** One Athena query over the whole archive: scanned bytes and GETs. */
  readonly fullScanQueryUsd: number;
}

/**
 * A month of one tenant in steady state: the archive already holds `retainedDays` of logs. Runs every `everyMinutes`;
 * each reads the logs written since the last in pages of 100 (the last one part-full), then the empty page.
 */
export function monthlyTenantLogCost(m: TenantLogMeasured, shape: TenantShape): TenantMonth {
  const p = PRICES;
  const s3 = TENANT_LOG_PRICES.s3;
  const a = TENANT_LOG_ASSUMPTIONS;
  const gb = a.memoryMb / 1024;
  const runs = (a.daysPerMonth * 24 * 60) / a.everyMinutes;
  const logsPerRun = shape.logsPerDay / ((24 * 60) / a.everyMinutes);
  const pagesPerRun = Math.ceil(logsPerRun / 100);
  const pages = runs * pagesPerRun;
  const events = shape.eventsPerDay * a.daysPerMonth;
  const pageMs = billedPageMs(m);
  const objectBytes = (m.archiveBytesPer1000Logs * logsPerRun) / 1000 / pagesPerRun;
  const pageGbSeconds = ((pages * pageMs + events * a.publishMs) / 1000) * gb;
  const fixedGbSeconds = ((runs * idleRunMs() + a.coldStartsPerMonth * (a.runtimeInitMs + m.importMs)) / 1000) * gb;

  // The archive in steady state: `retainedDays` of objects, the newest 90 days in Standard.
  const bytesPerDay = (m.archiveBytesPer1000Logs * shape.logsPerDay) / 1000;
  const archiveGb = (bytesPerDay * shape.retainedDays) / GB;
  const objectsPerDay = pagesPerRun * ((24 * 60) / a.everyMinutes);
  const standardDays = Math.min(shape.retainedDays, a.standardDays);
  const colderDays = shape.retainedDays - standardDays;
  const standardOnlyStorageUsd = archiveGb * s3.perGbMonthStandard;
  const glacierIrStorageUsd =
    ((bytesPerDay * standardDays) / GB) * s3.perGbMonthStandard +
    ((objectsPerDay * colderDays * Math.max(objectBytes, s3.glacierIrMinBillableBytes)) / GB) * s3.perGbMonthGlacierIr +
    objectsPerDay * a.daysPerMonth * (colderDays > 0 ? s3.perTransitionToGlacierIr : 0);
  const moves = objectBytes >= s3.transitionDefaultMinimumBytes;
  const storageUsd = moves ? glacierIrStorageUsd : standardOnlyStorageUsd;

  const logGb = (runs * a.logBytesPerRun) / GB;
  const objects = objectsPerDay * shape.retainedDays;
  const lists = a.digestRunsPerMonth * Math.ceil(objects / 1000);
  const fixedWru = runs * m.idleWriteUnits;
  const fixedRru = runs * m.idleReadUnits;
  const line = (item: string, listUsd: number, fixed: boolean): CostLine => ({ item, listUsd, freeTierUsd: listUsd, fixed });
  const lines: CostLine[] = [
    line(`Lambda requests (${fmt(runs)} runs)`, runs * p.lambda.perRequest, true),
    line(
      `Lambda duration, runs and cold starts (${fmt(fixedGbSeconds)} GB-s: ${idleRunMs()} ms a run, ${a.coldStartsPerMonth} cold starts)`,
      fixedGbSeconds * p.lambda.perGbSecondArm,
      true,
    ),
    line(`Lambda duration, pages (${fmt(pages)} pages × ${pageMs} ms = ${fmt(pageGbSeconds)} GB-s)`, pageGbSeconds * p.lambda.perGbSecondArm, false),
    line(
      `DynamoDB, every run (${fmt(fixedRru)} RRU, ${fmt(fixedWru)} WRU: read, lease, settle)`,
      fixedRru * p.dynamodb.perReadRequestUnit + fixedWru * p.dynamodb.perWriteRequestUnit,
      true,
    ),
    line(
      `DynamoDB, pages and events (${fmt(pages * m.writeUnitsPerPage + events * m.writeUnitsPerEvent)} WRU)`,
      pages * (m.writeUnitsPerPage * p.dynamodb.perWriteRequestUnit + m.readUnitsPerPage * p.dynamodb.perReadRequestUnit) +
        events * (m.writeUnitsPerEvent * p.dynamodb.perWriteRequestUnit + m.readUnitsPerEvent * p.dynamodb.perReadRequestUnit),
      false,
    ),
    line(`S3 PUT requests (${fmt(pages)})`, pages * s3.perPut, false),
    line(
      `S3 storage (${archiveGb.toFixed(2)} GB: ${shape.retainedDays} days; objects of ${(objectBytes / 1024).toFixed(1)} KB ${moves ? 'move to Glacier IR after 90 days' : 'stay in Standard (under 128 KB)'})`,
      storageUsd,
      false,
    ),
    line(`S3 LIST requests (${fmt(lists)}: the digest's archive size, ${fmt(objects)} objects listed ${a.digestRunsPerMonth} times)`, lists * s3.perPut, false),
    line(`SNS publishes (${fmt(events)} events)`, events * p.sns.perPublish, false),
    line(`CloudWatch Logs (${(logGb * 1000).toFixed(1)} MB)`, logGb * p.cloudwatch.perGbLogIngested, true),
  ];
  const scannedTb = archiveGb / 1000;
  return {
    ...sum(lines, pageMs),
    runs,
    pages,
    objectBytes,
    archiveGb,
    archiveObjects: objects,
    glacierIrStorageUsd,
    standardOnlyStorageUsd,
    managementApiRequests: pages + runs,
    maxLogsPerDay: shape.maxPagesPerRun * 100 * ((24 * 60) / a.everyMinutes),
    fullScanQueryUsd: Math.max(scannedTb, 10 / 1e6) * TENANT_LOG_PRICES.athenaPerTbScanned + objects * s3.perGet,
  };
}
