// The tenant-log path in the bench's report: its cost inputs from the measurements, its rows in the printed table, and
// its cost lines printed after the table (docs/cost.md, "Your tenant's logs").
import { fmtBytes, fmtRate, type Row } from './format.js';
import {
  costPerMillionLogs,
  monthlyTenantLogCost,
  TENANT_LOG_ASSUMPTIONS,
  TENANT_LOG_PRICES,
  type TenantLogCost,
  type TenantLogMeasured,
  type TenantMonth,
  type TenantShape,
} from './tenant-log-cost.js';
import type { TenantLogThroughput, TenantLogUseCase } from './tenant-logs.js';

/** The tenant docs/cost.md prices: 100,000 logs a day, one year archived, the source's default page budget. */
export const TENANT_SHAPE = { logsPerDay: 100_000, retainedDays: 365, maxPagesPerRun: 20 } as const;
const KIB = 1024;

export interface TenantLogPricing {
  readonly prices: typeof TENANT_LOG_PRICES;
  readonly assumptions: typeof TENANT_LOG_ASSUMPTIONS;
  readonly measured: TenantLogMeasured;
  readonly perMillionLogs: TenantLogCost;
  readonly month: TenantMonth & { readonly shape: TenantShape };
}

/** Prices the path from what the bench measured; `importMs` stands in for the stream function's import time. */
export function priceTenantLogs(tt: TenantLogThroughput, tu: TenantLogUseCase, importMs: number): TenantLogPricing {
  const measured: TenantLogMeasured = {
    cpuMsPerPage: tt.cpuMsPerPage,
    writeUnitsPerPage: tu.writeUnitsPerPage,
    readUnitsPerPage: tu.readUnitsPerPage,
    writeUnitsPerEvent: tu.writeUnitsPerEvent,
    readUnitsPerEvent: tu.readUnitsPerEvent,
    idleReadUnits: tu.idleRun.readUnits,
    idleWriteUnits: tu.idleRun.writeUnits,
    archiveBytesPer1000Logs: tt.archiveBytesPer1000Logs,
    eventsPerMillionLogs: (tt.events / tt.logs) * 1e6,
    // The stream function's bundle is the poll's with the stream use case: its import time stands in.
    importMs,
  };
  const shape: TenantShape = { ...TENANT_SHAPE, eventsPerDay: (tt.events / tt.logs) * TENANT_SHAPE.logsPerDay };
  return {
    prices: TENANT_LOG_PRICES,
    assumptions: TENANT_LOG_ASSUMPTIONS,
    measured,
    perMillionLogs: costPerMillionLogs(measured),
    month: { ...monthlyTenantLogCost(measured, shape), shape },
  };
}


/** The table's rows for the tenant-log path. */
export function tenantLogRows(tt: TenantLogThroughput, tu: TenantLogUseCase, cost: TenantLogPricing, backend: string): Row[] {
  const tg = '7. Tenant logs (auth0-tenant-logs)';
  const rows: Row[] = [];
  rows.push({
    group: tg,
    figure: `classify + archive, ${tt.logs.toLocaleString('en-US')} real-shaped logs in ${tt.pages} pages (parse, gzip NDJSON + local write, detectors)`,
    measured:
      `${fmtRate(tt.logsPerSecond)} logs/s (${tt.pathMs.toFixed(0)} ms: parse ${tt.parseMs.toFixed(0)}, archive ${tt.archiveMs.toFixed(0)}, ` +
      `classify ${tt.classifyMs.toFixed(0)} ms); ${tt.cpuMsPerPage.toFixed(1)} ms CPU a page`,
    target: '≥ 2,000 logs a 5-minute run, in < 60 s',
    pass: tt.logsPerSecond * 60 >= 2_000,
  });
  rows.push({
    group: tg,
    figure: `detectors over the day: ${tt.planted.length} planted anomalies`,
    measured: `${tt.events} events (${Object.entries(tt.eventsByType).map(([type, n]) => `${type.replace('tenant.', '')} ${n}`).join(', ')}); state ${fmtBytes(tt.detectorStateBytes)}`,
    target: 'state well under 100 KB',
    pass: tt.detectorStateBytes < 100 * KIB,
  });
  rows.push({
    group: tg,
    figure: 'archive: gzip NDJSON per 1,000 logs (ratio; distinct samples only)',
    measured: `${fmtBytes(tt.archiveBytesPer1000Logs)} (${tt.gzipRatio.toFixed(1)}×; ${tt.distinctSamplesGzipRatio.toFixed(1)}×), object ${fmtBytes(tt.meanObjectBytes)} a page`,
    target: 'informational',
    pass: undefined,
  });
  rows.push({
    group: tg,
    figure: `stream use case: ${tu.logs.toLocaleString('en-US')} logs, ${tu.runs} runs, fake Management API + ${backend} + SNS`,
    measured: `${fmtRate(tu.logsPerSecond)} logs/s (${tu.wallMsPerPage.toFixed(0)} ms a page on loopback); ${tu.pages} pages, ${tu.archiveObjects} objects, ${tu.managementApiRequests} GET /api/v2/logs, ${tu.tokensIssued} token`,
    target: 'one archive object and one API request per page',
    // One GET per page, plus the empty page of each run that caught up; one token for every run of the process.
    pass: tu.archiveObjects === tu.pages && tu.managementApiRequests === tu.pages + tu.caughtUpRuns && tu.tokensIssued === 1,
  });
  rows.push({
    group: tg,
    figure: 'DynamoDB per page (source record commit), per event, per run with nothing new',
    measured:
      `${tu.writeUnitsPerPage} WRU + ${tu.readUnitsPerPage} RRU a page; ${tu.writeUnitsPerEvent} WRU + ${tu.readUnitsPerEvent} RRU an event; ` +
      `idle run ${tu.idleRun.writeUnits} WRU + ${tu.idleRun.readUnits} RRU (${tu.idleRun.dynamoRequests} requests); record ${fmtBytes(tu.sourceRecordBytes)}`,
    target: 'one conditional write a page',
    pass: (tu.unitsByMethod.putSource?.calls ?? 0) === tu.pages + 2 * tu.runs,
  });
  rows.push({
    group: tg,
    figure: `cost per million log lines (pages of 100, ${TENANT_LOG_ASSUMPTIONS.memoryMb} MB, ≈ ${cost.perMillionLogs.pageMs} ms billed a page)`,
    measured: `$${cost.perMillionLogs.totalUsd.toFixed(3)} (${cost.perMillionLogs.lines.filter((l) => l.listUsd > 0).map((l) => `${l.item.split(' (')[0]} $${l.listUsd.toFixed(3)}`).join(', ')})`,
    target: 'informational',
    pass: undefined,
  });
  rows.push({
    group: tg,
    figure: `monthly: ${cost.month.shape.logsPerDay.toLocaleString('en-US')} logs a day, ${cost.month.shape.retainedDays} days archived, a run every ${TENANT_LOG_ASSUMPTIONS.everyMinutes} min`,
    measured: `$${cost.month.totalUsd.toFixed(2)} (fixed $${cost.month.fixedUsd.toFixed(2)}, with the logs $${cost.month.variableUsd.toFixed(2)}); archive ${cost.month.archiveGb.toFixed(2)} GB`,
    target: 'informational',
    pass: undefined,
  });
  return rows;
}

/** The cost lines per million logs and for the priced tenant's month, printed after the table. */
export function printTenantLogCost(cost: TenantLogPricing): void {
  process.stdout.write(`\nTenant logs: cost per million log lines (USD, list prices)\n`);
  for (const line of cost.perMillionLogs.lines) process.stdout.write(`  ${line.listUsd.toFixed(4).padStart(8)}  ${line.item}\n`);
  process.stdout.write(
    `\nTenant logs: a month of ${cost.month.shape.logsPerDay.toLocaleString('en-US')} logs a day, ${cost.month.shape.retainedDays} days archived (USD, list prices; free tiers not applied)\n`,
  );
  for (const line of cost.month.lines) process.stdout.write(`  ${line.listUsd.toFixed(4).padStart(8)}  ${line.fixed ? 'fixed   ' : 'variable'}  ${line.item}\n`);
  process.stdout.write(
    `  total $${cost.month.totalUsd.toFixed(2)}; storage if moved to Glacier IR after 90 days $${cost.month.glacierIrStorageUsd.toFixed(3)} ` +
      `vs all in Standard $${cost.month.standardOnlyStorageUsd.toFixed(3)}; ${fmtRate(cost.month.managementApiRequests)} Management API requests; ` +
      `one Athena query over the whole archive ≈ $${cost.month.fullScanQueryUsd.toFixed(3)}; one run every ${TENANT_LOG_ASSUMPTIONS.everyMinutes} min reads at most ` +
      `${fmtRate(cost.month.maxLogsPerDay)} logs a day at ${cost.month.shape.maxPagesPerRun} pages a run\n`,
  );
}
