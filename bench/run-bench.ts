// `npm run bench`: what an unchanged and a changed poll cost, parse and diff throughput against an rss-parser pipeline,
// cold start (bundle size, import time), peak memory, and the monthly bill. Prints each figure beside its target and
// writes them all to bench/results.json. Not part of `npm test`.
import './quiet.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EVERY_MINUTES, parseConfig } from '../functions/config/config.js';
import { measureBundles, type FunctionBundle } from './bundles.js';
import { fmtBytes, type Row } from './format.js';
import { DEFAULT_DEPLOYMENT, deploymentWithSources, GROWTH_ROWS } from './deployments.js';
import { ASSUMPTIONS, estimateMonthlyCost, PRICES, type CostEstimate, type DeploymentShape, type MeasuredInputs } from './cost-model.js';
import { startEnvironment } from './environment.js';
import { runHandler, type HandlerRun } from './handler-runs.js';
import { measurePolls, type PollFigures } from './polls.js';
import { measureThroughput } from './throughput.js';
import { priceTenantLogs, printTenantLogCost, tenantLogRows } from './tenant-log-report.js';
import { measureTenantLogThroughput, measureTenantLogUseCase, type TenantLogUseCase } from './tenant-logs.js';
import { measureProbe, priceProbe, printProbeCost, probeRows, type ProbeMeasured } from './probe-cost.js';
import { Template } from 'aws-cdk-lib/assertions';
import { synthStack } from '../test/infra/synth-watcher-stack.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH_DIR, '..');
const OUT = join(BENCH_DIR, '.out');
const KIB = 1024;
const MIB = 1024 * 1024;
const started = performance.now();
const log = (message: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

/** Logs of the tenant-log throughput day (in process) and of the stream use case's runs (real adapters, loopback). */
const TENANT_DAY_LOGS = 100_000;
const TENANT_USE_CASE_LOGS = 10_000;

/** The default deployment (examples/default-deployment.json): what the README and docs/cost.md price. */
const DEPLOYMENT = DEFAULT_DEPLOYMENT;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};


async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const realNow = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const config = parseConfig(DEPLOYMENT, ROOT);

  // Cold start first, while nothing else runs on the machine.
  log('synthesizing the stack with its bundles, building variants, timing imports (10 fresh processes each)…');
  const bundles = await measureBundles(DEPLOYMENT, OUT, 10);

  log('parse and diff throughput against rss-parser…');
  const throughput = await measureThroughput(realNow, 10);

  log(`tenant-log path: classify + archive over ${TENANT_DAY_LOGS.toLocaleString('en-US')} logs in pages of 100…`);
  const tenantThroughput = await measureTenantLogThroughput(TENANT_DAY_LOGS, new Date(realNow.getTime() - 86_400_000));

  log('starting DynamoDB Local, the feed and SNS test servers…');
  const env = await startEnvironment();
  let polls: PollFigures[];
  let handlerRuns: HandlerRun[];
  let tenantUseCase: TenantLogUseCase;
  let probeMeasured: ProbeMeasured;
  try {
    log(`polls in process against ${env.backend}…`);
    polls = await measurePolls(env, realNow);
    log('the bundled poll handler in fresh processes (memory, warm polls)…');
    handlerRuns = [
      ...(await runHandler(env, OUT, realNow, 'as deployed', 'deployed')),
      ...(await runHandler(env, OUT, realNow, 'without --enable-source-maps', 'nosm')),
    ];
    log(`tenant-log path: the stream use case over ${TENANT_USE_CASE_LOGS.toLocaleString('en-US')} logs (fake Management API, ${env.backend}, SNS)…`);
    tenantUseCase = await measureTenantLogUseCase(env, TENANT_USE_CASE_LOGS, realNow);
    log('synthetic login probe: 200 runs through the probe use case (loopback token endpoint, DynamoDB)…');
    probeMeasured = await measureProbe(env, 200);
  } finally {
    await env.stop();
  }

  // ---------------------------------------------------------------- cost
  const row = (feed: string, scenario: string) => {
    const found = polls.find((p) => p.feed.startsWith(feed) && p.scenario.startsWith(scenario));
    if (!found) throw new Error(`no poll figures for ${feed} / ${scenario}`);
    return found;
  };
  const fixture = 'status fixture';
  const large = 'status, 1,000';
  const deployedSmall = handlerRuns.find((r) => r.variant === 'as deployed' && r.scenario.startsWith('status fixture'))!;
  const warm = deployedSmall.invocations.slice(1);
  const measured: MeasuredInputs = {
    unchangedReadUnits: row(fixture, 'unchanged: 304').readUnits,
    unchangedWriteUnits: row(fixture, 'unchanged: 304').writeUnits,
    heartbeatWriteUnits: row(fixture, 'unchanged, hourly heartbeat').writeUnits,
    changedReadUnits: row(fixture, 'changed').readUnits,
    changedWriteUnits: row(fixture, 'changed').writeUnits,
    changedPublishes: row(fixture, 'changed').snsPublishes,
    unchangedCpuMs: median(warm.map((i) => i.cpuMs)),
    unchangedLogBytes: median(warm.map((i) => i.logBytes)),
    pollImportMs: bundles.bundles.find((b) => b.name === 'poll' && b.variant === 'as deployed')!.importMs.median,
  };
  // Custom metrics: each EMF document names its dimension sets; ["Source"] makes one metric per source, [] one in all.
  // The handler runs as the default (standard) stack configures it; detailed monitoring adds the ["Source"] set.
  const dimensionSets = new Set(handlerRuns.flatMap((r) => r.metricDocuments.flatMap((d) => d.dimensionSets.map((s) => s.join(',')))));
  const standardMetricsFor = (sources: number) => (dimensionSets.has('Source') ? sources : 0) + (dimensionSets.has('') ? 1 : 0);
  const everyMinutesOf = (input: unknown) => parseConfig(input, ROOT).sources.map((s) => s.everyMinutes ?? DEFAULT_EVERY_MINUTES[s.type]);
  const everyMinutes = everyMinutesOf(DEPLOYMENT);
  // Detailed monitoring, counted from its templates (no bundling needed to count alarms): the main stack's alarms, and
  // the per-source ones in nested stacks, which grow with the number of sources.
  const detailedStack = synthStack(DEPLOYMENT, { outdir: join(OUT, 'cdk.out.detailed'), props: { monitoring: 'detailed' } }).stack;
  const detailedPerSource = detailedStack.sourceAlarmStacks.reduce(
    (n, nested) => n + Object.keys(Template.fromStack(nested).findResources('AWS::CloudWatch::Alarm')).length,
    0,
  );
  if (detailedPerSource !== everyMinutes.length) throw new Error(`expected one detailed alarm per source, found ${detailedPerSource}`);
  const detailedFixedAlarms = Object.keys(Template.fromStack(detailedStack).findResources('AWS::CloudWatch::Alarm')).length;
  const shapeFor = (sources: readonly number[], design: 'standard' | 'detailed'): DeploymentShape => ({
    sourceEveryMinutes: sources,
    alarms: design === 'standard' ? bundles.synth.alarms : detailedFixedAlarms + sources.length,
    kmsKeys: bundles.synth.resources['AWS::KMS::Key'] ?? 0,
    secretsManagerSecrets: bundles.synth.resources['AWS::SecretsManager::Secret'] ?? 0,
    // Detailed: SuccessfulPolls per source and in all (FailedPolls add one per source only in hours it fails).
    customMetrics: design === 'standard' ? standardMetricsFor(sources.length) : sources.length + 1,
    slackRoutes: config.outputs.filter((o) => o.type === 'slack').length,
    emailAlertAddresses: config.email.alerts.reduce((n, a) => n + a.addresses.length, 0),
    digestRunsPerMonth: config.email.digest ? (config.email.digest.frequency === 'weekly' ? 4.3 : 30) : 0,
    logRetentionMonths: Math.max(...bundles.synth.logRetentionDays) / 30,
    dispatcherMemoryMb: bundles.synth.lambdaMemoryMb.dispatch ?? 128,
  });
  const deployedMemory = bundles.synth.lambdaMemoryMb.poll ?? 256;
  const costs: Record<string, CostEstimate> = {
    deployed: estimateMonthlyCost(measured, shapeFor(everyMinutes, 'standard'), deployedMemory),
    standard128: estimateMonthlyCost(measured, shapeFor(everyMinutes, 'standard'), 128),
    standard256: estimateMonthlyCost(measured, shapeFor(everyMinutes, 'standard'), 256),
    detailed: estimateMonthlyCost(measured, shapeFor(everyMinutes, 'detailed'), deployedMemory),
  };
  const deployedCost = costs.deployed!;
  // Each row is a config the infrastructure tests synthesize (bench/deployments.ts): every priced row deploys.
  const growth = GROWTH_ROWS.map((n) => {
    const sources = everyMinutesOf(deploymentWithSources(n));
    const standard = estimateMonthlyCost(measured, shapeFor(sources, 'standard'), deployedMemory);
    const detailedCost = estimateMonthlyCost(measured, shapeFor(sources, 'detailed'), deployedMemory);
    return {
      sources: n,
      polls: Math.round(standard.polls),
      variableUsd: standard.variableListUsd,
      fixedUsd: standard.fixedListUsd,
      totalListUsd: standard.totalListUsd,
      totalFreeTierUsd: standard.totalFreeTierUsd,
      detailedListUsd: detailedCost.totalListUsd,
      detailedFreeTierUsd: detailedCost.totalFreeTierUsd,
    };
  });

  // The tenant-log path: per million log lines and a month of a tenant of 100,000 logs a day.
  const tenant = priceTenantLogs(tenantThroughput, tenantUseCase, measured.pollImportMs);

  // ---------------------------------------------------------------- the table
  const rows: Row[] = [];
  const parses = (p: PollFigures) => p.moduleParses + p.xmlValidations + p.xmlParses;
  const counts = (p: PollFigures) =>
    `${p.dynamoReads} read (${p.readUnits} RRU), ${p.dynamoWrites} writes (${p.writeUnits} WRU), ${p.snsPublishes} publishes, ` +
    `${fmtBytes(p.bytesDownloaded)} down, parsed: ${p.moduleParses === 0 && p.xmlParses === 0 && p.xmlValidations === 0 ? 'no' : 'yes'}`;
  for (const feed of [fixture, large]) {
    for (const scenario of ['unchanged: 304', 'unchanged: server ignores']) {
      const p = row(feed, scenario);
      rows.push({
        group: '1. Unchanged poll',
        figure: `${p.feed}: ${p.scenario}`,
        measured: counts(p),
        target: '≤ 1 read, 0 writes, 0 publishes, no parse',
        pass: p.dynamoReads <= 1 && p.dynamoWrites === 0 && p.snsPublishes === 0 && parses(p) === 0 && p.outcome === 'unchanged',
      });
    }
  }
  const heartbeat = row(fixture, 'unchanged, hourly heartbeat');
  rows.push({
    group: '1. Unchanged poll',
    figure: 'the hourly heartbeat (lastSuccessAt), once an hour per source',
    measured: counts(heartbeat),
    target: 'at most one write an hour',
    pass: heartbeat.dynamoWrites <= 1 && parses(heartbeat) === 0,
  });
  const changedSmall = row(fixture, 'changed');
  const changedLarge = row(large, 'changed');
  for (const p of [changedSmall, changedLarge]) {
    rows.push({
      group: '2. Changed poll (one incident, one update)',
      figure: `${p.feed}: ${Object.entries(p.dynamoRequests).map(([op, n]) => `${op} ${n}`).join(', ')}`,
      measured: counts(p),
      target: 'writes ∝ what changed',
      pass: undefined,
    });
  }
  rows.push({
    group: '2. Changed poll (one incident, one update)',
    figure: 'writes on a 1,000-incident feed vs a 3-incident feed',
    measured: `${changedLarge.dynamoWrites} vs ${changedSmall.dynamoWrites} writes (${changedLarge.writeUnits} vs ${changedSmall.writeUnits} WRU)`,
    target: 'the same: independent of feed size',
    pass: changedLarge.dynamoWrites === changedSmall.dynamoWrites && changedLarge.snsPublishes === changedSmall.snsPublishes,
  });
  for (const t of throughput) {
    rows.push({
      group: '3. Parse + diff vs rss-parser',
      figure: `${t.feed}, ${fmtBytes(t.bytes)}${t.identicalItems ? '' : ' — OUTPUTS DIFFER'}`,
      measured:
        `ours ${t.oursParseMs.toFixed(0)} + ${t.diffMs.toFixed(0)} ms diff, rss-parser ${t.rssParserParseMs.toFixed(0)} + ${t.diffMs.toFixed(0)} ms: ` +
        `${t.parseDiffRatio.toFixed(2)}× (parse alone ${t.parseRatio.toFixed(2)}×)`,
      target: '≥ 2× faster',
      pass: t.identicalItems && t.parseDiffRatio >= 2,
    });
  }
  for (const b of bundles.bundles.filter((x) => x.variant === 'as deployed')) {
    rows.push({
      group: '4. Cold start (as deployed)',
      figure: `${b.name} bundle size (minified; source map ${fmtBytes(b.sourceMapBytes ?? 0)} beside it)`,
      measured: fmtBytes(b.bytes),
      target: '< 500 KiB',
      pass: b.bytes < 500 * KIB,
    });
    rows.push({
      group: '4. Cold start (as deployed)',
      figure: `${b.name} import in a fresh node, median of ${b.importMs.runs} (NODE_OPTIONS=${b.nodeOptions || '(none)'} as deployed)`,
      measured: `${b.importMs.median.toFixed(0)} ms (${b.importMs.min.toFixed(0)}–${b.importMs.max.toFixed(0)})`,
      target: '< 150 ms',
      pass: b.importMs.median < 150,
    });
  }
  const largeRuns = (variant: string) => handlerRuns.filter((r) => r.variant === variant && r.scenario.startsWith('large'));
  for (const r of largeRuns('as deployed')) {
    rows.push({
      group: '5. Memory (bundled handler, Lambda 128 MB heap flags)',
      figure: `peak RSS, ${r.scenario}`,
      measured: `${fmtMiB(r.maxRssBytes)} (poll ${r.invocations[0]!.wallMs.toFixed(0)} ms)`,
      target: '< 100 MiB',
      pass: r.maxRssBytes < 100 * MIB,
    });
  }
  const realistic = handlerRuns.find((r) => r.variant === 'as deployed' && r.scenario.startsWith('status fixture'))!;
  rows.push({
    group: '5. Memory (bundled handler, Lambda 128 MB heap flags)',
    figure: 'peak RSS, status fixture (3 incidents): baseline + 10 unchanged polls, one process',
    measured: `${fmtMiB(realistic.maxRssBytes)} (${fmtMiB(realistic.afterImportRssBytes)} once imported)`,
    target: 'fits 128 MB?',
    pass: undefined,
  });
  rows.push({
    group: '6. Monthly cost (default deployment, list prices)',
    figure: `all-in at ${deployedMemory} MB as deployed, standard monitoring (${everyMinutes.length} sources, ${bundles.synth.alarms} alarms)`,
    measured: `$${deployedCost.totalListUsd.toFixed(2)} (fixed $${deployedCost.fixedListUsd.toFixed(2)}; $${deployedCost.totalFreeTierUsd.toFixed(2)} after free tiers)`,
    target: '< $1.00',
    pass: deployedCost.totalListUsd < 1,
  });
  rows.push({
    group: '6. Monthly cost (default deployment, list prices)',
    figure: 'the same at 128 MB',
    measured: `$${costs.standard128!.totalListUsd.toFixed(2)} ($${costs.standard128!.totalFreeTierUsd.toFixed(2)} after free tiers)`,
    target: '< $1.00',
    pass: costs.standard128!.totalListUsd < 1,
  });
  rows.push({
    group: '6. Monthly cost (default deployment, list prices)',
    figure: `-c monitoring=detailed (${detailedFixedAlarms + everyMinutes.length} alarms, ${everyMinutes.length + 1} metrics; docs/cost.md)`,
    measured: `$${costs.detailed!.totalListUsd.toFixed(2)} ($${costs.detailed!.totalFreeTierUsd.toFixed(2)} after free tiers)`,
    target: 'opt-in, informational',
    pass: undefined,
  });

  rows.push(...tenantLogRows(tenantThroughput, tenantUseCase, tenant, env.backend));
  const probeCost = priceProbe(probeMeasured);
  rows.push(...probeRows(probeCost));

  // What-if variants of the bundles, informational.
  const whatIf: Row[] = bundles.bundles
    .filter((b) => b.variant !== 'as deployed')
    .map((b) => ({
      group: 'what-if bundles',
      figure: `${b.name}: ${b.variant}`,
      measured: `${fmtBytes(b.bytes)}, import ${b.importMs.median.toFixed(0)} ms`,
      target: '< 500 KiB, < 150 ms',
      pass: undefined,
    }));
  for (const r of handlerRuns.filter((x) => x.variant === 'without --enable-source-maps')) {
    whatIf.push({
      group: 'what-if memory',
      figure: `without --enable-source-maps: ${r.scenario}`,
      measured: fmtMiB(r.maxRssBytes),
      target: '< 100 MiB',
      pass: undefined,
    });
  }

  const elapsedS = (performance.now() - started) / 1000;
  rows.push({ group: '8. The benchmark itself', figure: 'npm run bench wall time', measured: `${elapsedS.toFixed(0)} s`, target: '< 300 s', pass: elapsedS < 300 });

  print(rows, whatIf, env.backend);
  const results = {
    generatedAt: new Date().toISOString(),
    machine: { node: process.version, platform: `${process.platform}-${process.arch}`, dynamoBackend: env.backend },
    targets: rows,
    whatIf,
    polls,
    throughput,
    bundles: bundles.bundles satisfies FunctionBundle[],
    replicaMatchesCdkAsset: bundles.replicaMatchesCdk,
    synth: bundles.synth,
    handlerRuns,
    cost: { prices: PRICES, assumptions: ASSUMPTIONS, measured, estimates: costs, growth },
    tenantLogs: { throughput: tenantThroughput, useCase: tenantUseCase, cost: tenant },
    syntheticProbe: probeCost,
    elapsedSeconds: elapsedS,
  };
  writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote bench/results.json`);
  if (Object.values(bundles.replicaMatchesCdk).some((same) => !same)) {
    log(`warning: a what-if bundle was built with options that no longer match lib/watcher-function.ts (${JSON.stringify(bundles.replicaMatchesCdk)})`);
  }
  // Cost growth table, for docs/cost.md.
  process.stdout.write('\nMonthly cost by number of sources (third-party pages added at 5 min; USD, list prices / after free tiers)\n');
  process.stdout.write('sources  polls/month  variable  fixed   total (list)  total (free tiers)  detailed monitoring (list / free tiers)\n');
  for (const g of growth) {
    process.stdout.write(
      `${String(g.sources).padStart(7)}  ${g.polls.toLocaleString('en-US').padStart(11)}  ${usd(g.variableUsd).padStart(8)}  ${usd(g.fixedUsd).padStart(6)}  ` +
        `${usd(g.totalListUsd).padStart(12)}  ${usd(g.totalFreeTierUsd).padStart(18)}  ${usd(g.detailedListUsd)} / ${usd(g.detailedFreeTierUsd)}\n`,
    );
  }
  process.stdout.write(`\nCost lines at ${deployedMemory} MB (list / after free tiers):\n`);
  for (const line of deployedCost.lines) {
    process.stdout.write(`  ${usd(line.listUsd).padStart(7)} ${usd(line.freeTierUsd).padStart(7)}  ${line.fixed ? 'fixed   ' : 'variable'}  ${line.item}\n`);
  }
  printTenantLogCost(tenant);
  printProbeCost(probeCost);
}

function print(rows: readonly Row[], whatIf: readonly Row[], backend: string) {
  const all = [...rows, ...whatIf];
  const width = (f: (r: Row) => string, max: number) => Math.min(max, Math.max(...all.map((r) => f(r).length)));
  const wf = width((r) => r.figure, 78);
  const wm = width((r) => r.measured, 96);
  const wt = width((r) => r.target, 44);
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const verdict = (r: Row) => (r.pass === undefined ? 'info' : r.pass ? 'PASS' : 'MISS');
  let group = '';
  process.stdout.write(`\nauth0-ops-watcher benchmark (DynamoDB: ${backend}; ${process.version}; ${new Date().toISOString()})\n`);
  for (const r of all) {
    if (r.group !== group) {
      group = r.group;
      process.stdout.write(`\n${group}\n`);
    }
    process.stdout.write(`  ${cut(r.figure, wf)}  ${cut(r.measured, wm)}  ${cut(r.target, wt)}  ${verdict(r)}\n`);
  }
  const graded = rows.filter((r) => r.pass !== undefined);
  process.stdout.write(`\n${graded.filter((r) => r.pass).length} of ${graded.length} targets met.\n`);
}

const fmtMiB = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
const usd = (n: number) => `$${n.toFixed(2)}`;

await main();
