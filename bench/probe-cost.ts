// What a synthetic login probe costs on AWS at one run a minute, MEASURED: the probe runs N times through the probe use
// case against the loopback fake token endpoint (real-shaped answers) and the bench's DynamoDB, which reports the
// capacity each run consumes; its duration, CPU and memory are measured. Priced with list prices next to CloudWatch
// Synthetics at $0.0012 a canary run for the same cadence. docs/cost.md ("Can your users log in?") explains every line.
import { makeDynamoStateStore } from '../functions/adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../functions/adapters/http-fetcher.js';
import { parseConfig } from '../functions/config/config.js';
import type { Logger } from '../functions/core/ports.js';
import { makeRunProbe } from '../functions/probe/run-probe.js';
import { probeModuleFor } from '../functions/sources/registry.js';
import { PROBE_MEMORY_MB } from '../lib/probe-function.js';
import { startFakeTokenEndpoint } from '../test/support/fake-token-endpoint.js';
import { fmt, PRICES, type CostLine } from './cost-model.js';
import { TABLE, type BenchEnvironment } from './environment.js';
import type { Row } from './format.js';

/** A 30-day month of one run a minute, as the rest of the cost model. */
export const PROBE_RUNS_PER_MONTH = 30 * 24 * 60;
/** CloudWatch Synthetics, per canary run (us-east-1 list price, known on 2026-11-26). */
export const SYNTHETICS_PER_RUN_USD = 0.0012;

/** What is assumed rather than measured; docs/cost.md states each. */
export const PROBE_ASSUMPTIONS = {
  /** Auth0's token endpoint answering the password-realm grant from a Lambda in the tenant's region, ms (the probe measures it in production). */
  loginMs: 400,
  /** The source record's read and conditional write, and the outbox's, from Lambda to DynamoDB, ms each. */
  dynamoRequestMs: 10,
  dynamoRequestsPerRun: 2,
  /** CloudWatch Logs bytes a run: the `probe run` and `probe finished` lines, the EMF document, Lambda's START/END/REPORT. */
  logBytesPerRun: 1_600,
  logEventsPerRun: 6,
  /** Cold starts a month (a warm function is kept by the one-minute cadence): about one an hour. */
  coldStartsPerMonth: 30 * 24,
  /** Runtime INIT plus the bundle's import, ms (the poll bundle's measured import stands in). */
  coldStartMs: 350,
  /** One custom metric (ProbeLatency, dimension Source) and one latency alarm per probe. */
  metrics: 1,
  alarms: 1,
} as const;

export interface ProbeMeasured {
  readonly runs: number;
  /** Wall time of one run in process against loopback, ms: median and 90th percentile. */
  readonly wallMsMedian: number;
  readonly wallMsP90: number;
  /** CPU time of one run, ms (process.cpuUsage over all runs / runs). */
  readonly cpuMsPerRun: number;
  /** DynamoDB units one quiet run consumed (read and written), as DynamoDB reported them. */
  readonly readUnitsPerRun: number;
  readonly writeUnitsPerRun: number;
  /** The heap a run leaves behind (growth over all runs / runs), bytes, and the process's peak RSS, MiB. */
  readonly heapGrowthPerRunBytes: number;
  readonly peakRssMiB: number;
  /** Token requests the fake endpoint saw: one per run. */
  readonly tokenRequests: number;
}

export interface ProbeCost {
  readonly measured: ProbeMeasured;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly billedMsPerRun: number;
  readonly syntheticsUsd: number;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs the synthetic login `runs` times a simulated minute apart against a loopback token endpoint. */
export async function measureProbe(env: BenchEnvironment, runs: number): Promise<ProbeMeasured> {
  const tenant = await startFakeTokenEndpoint();
  try {
    const [source] = parseConfig(
      {
        sources: [
          {
            id: 'bench-login',
            type: 'auth0-synthetic-login',
            url: tenant.url,
            clientId: 'bench-client',
            clientSecret: 'env:BENCH_PROBE_CLIENT_SECRET',
            username: 'synthetic-monitor@acme.example',
            password: 'env:BENCH_PROBE_PASSWORD',
            realm: 'Username-Password-Authentication',
          },
        ],
      },
      '/',
    ).sources;
    let minute = 0;
    const runProbe = makeRunProbe({
      store: makeDynamoStateStore({ client: env.client, tableName: TABLE }),
      publisher: { publish: async () => {} },
      secrets: { resolve: async (ref) => `bench-secret-for-${ref}` },
      clock: { now: () => new Date(Date.UTC(2026, 10, 20) + minute * 60_000) },
      logger: quiet,
      fetcher: makeHttpFetcher(),
      moduleFor: probeModuleFor,
    });
    const run = async () => {
      const result = await runProbe(source!);
      minute += 1;
      if (result.outcome !== 'unchanged') throw new Error(`bench probe run ${result.outcome}: ${result.reason ?? ''}`);
    };
    // Warm up (first write, JIT) before measuring.
    for (let i = 0; i < 5; i += 1) await run();
    const tokensBefore = tenant.count('/oauth/token');
    const capacityBefore = { ...env.capacity };
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = process.memoryUsage().rss;
    const cpuBefore = process.cpuUsage();
    const walls: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      await run();
      walls.push(performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const cpu = process.cpuUsage(cpuBefore);
    globalThis.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    walls.sort((a, b) => a - b);
    return {
      runs,
      wallMsMedian: walls[Math.floor(runs / 2)]!,
      wallMsP90: walls[Math.floor(runs * 0.9)]!,
      cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs,
      readUnitsPerRun: (env.capacity.read - capacityBefore.read) / runs,
      writeUnitsPerRun: (env.capacity.write - capacityBefore.write) / runs,
      heapGrowthPerRunBytes: Math.max(0, heapAfter - heapBefore) / runs,
      peakRssMiB: peakRss / 1024 / 1024,
      tokenRequests: tenant.count('/oauth/token') - tokensBefore,
    };
  } finally {
    await tenant.close();
  }
}

/** Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. */
const FULL_VCPU_MB = 1769;

/** The month of one probe at one run a minute, from the measured figures, list prices (no free tier). */
export function priceProbe(m: ProbeMeasured): ProbeCost {
  const p = PRICES;
  const a = PROBE_ASSUMPTIONS;
  const runs = PROBE_RUNS_PER_MONTH;
  const memoryMb = PROBE_MEMORY_MB;
  // Waiting on Auth0 and DynamoDB, plus this machine's CPU time scaled to the function's share of a vCPU.
  const billedMsPerRun = Math.ceil(a.loginMs + a.dynamoRequestsPerRun * a.dynamoRequestMs + m.cpuMsPerRun * Math.max(1, FULL_VCPU_MB / memoryMb));
  const gbSeconds = ((runs * billedMsPerRun + a.coldStartsPerMonth * a.coldStartMs) / 1000) * (memoryMb / 1024);
  const logGb = (runs * (a.logBytesPerRun + a.logEventsPerRun * p.cloudwatch.bytesPerLogEventOverhead)) / 1e9;
  const line = (item: string, listUsd: number, fixed = false): CostLine => ({ item, listUsd, freeTierUsd: listUsd, fixed });
  const lines = [
    line(`Lambda requests (${fmt(runs)} runs)`, runs * p.lambda.perRequest),
    line(`Lambda duration (${fmt(runs)} × ${billedMsPerRun} ms at ${memoryMb} MB arm64, + cold starts = ${fmt(gbSeconds)} GB-s)`, gbSeconds * p.lambda.perGbSecondArm),
    line(
      `DynamoDB (${m.readUnitsPerRun.toFixed(1)} RRU + ${m.writeUnitsPerRun.toFixed(1)} WRU a run, measured)`,
      runs * (m.readUnitsPerRun * p.dynamodb.perReadRequestUnit + m.writeUnitsPerRun * p.dynamodb.perWriteRequestUnit),
    ),
    line(`CloudWatch Logs (${(logGb * 1000).toFixed(0)} MB ingested)`, logGb * p.cloudwatch.perGbLogIngested),
    line('CloudWatch custom metric ProbeLatency (one per probe)', a.metrics * p.cloudwatch.perMetric, true),
    line('CloudWatch latency alarm (one per probe)', a.alarms * p.cloudwatch.perAlarm, true),
  ];
  return {
    measured: m,
    lines,
    totalUsd: lines.reduce((sum, l) => sum + l.listUsd, 0),
    billedMsPerRun,
    syntheticsUsd: runs * SYNTHETICS_PER_RUN_USD,
  };
}


/** The table's rows for the probe. */
export function probeRows(cost: ProbeCost): Row[] {
  const g = '9. Synthetic login probe (auth0-synthetic-login, one run a minute)';
  const m = cost.measured;
  return [
    {
      group: g,
      figure: `one run in process, ${m.runs} runs against the loopback token endpoint and ${'DynamoDB'}`,
      measured:
        `${m.wallMsMedian.toFixed(1)} ms median (p90 ${m.wallMsP90.toFixed(1)}), ${m.cpuMsPerRun.toFixed(2)} ms CPU, ` +
        `${m.readUnitsPerRun.toFixed(1)} RRU + ${m.writeUnitsPerRun.toFixed(1)} WRU, ${m.tokenRequests} token requests`,
      target: 'one token request a run',
      pass: m.tokenRequests === m.runs,
    },
    {
      group: g,
      figure: 'memory: heap left per run, peak RSS of the bench process',
      measured: `${(m.heapGrowthPerRunBytes / 1024).toFixed(1)} KiB a run, ${m.peakRssMiB.toFixed(0)} MiB peak`,
      target: `fits ${PROBE_MEMORY_MB} MB`,
      pass: undefined,
    },
    {
      group: g,
      figure: `monthly cost, ${fmt(PROBE_RUNS_PER_MONTH)} runs (list prices; ${cost.billedMsPerRun} ms billed a run)`,
      measured: `$${cost.totalUsd.toFixed(2)} vs CloudWatch Synthetics $${cost.syntheticsUsd.toFixed(2)} (${(cost.syntheticsUsd / cost.totalUsd).toFixed(0)}×)`,
      target: '< $1.00',
      pass: cost.totalUsd < 1,
    },
  ];
}

/** The probe's cost lines, printed after the table. */
export function printProbeCost(cost: ProbeCost): void {
  process.stdout.write(`\nSynthetic login probe, one run a minute (USD a month, list prices):\n`);
  for (const l of cost.lines) process.stdout.write(`  $${l.listUsd.toFixed(3).padStart(6)}  ${l.fixed ? 'fixed   ' : 'variable'}  ${l.item}\n`);
  process.stdout.write(`  $${cost.totalUsd.toFixed(2).padStart(6)}  total; CloudWatch Synthetics at $${SYNTHETICS_PER_RUN_USD} a run: $${cost.syntheticsUsd.toFixed(2)}\n`);
}
