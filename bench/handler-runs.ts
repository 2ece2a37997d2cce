// The bundled poll handler in fresh Node processes against the benchmark's servers: peak memory (RSS) of a poll over
// the large feed, and what a warm unchanged poll costs in CPU time and log bytes (for the cost model).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../functions/config/config.js';
import { LAMBDA_NODE_OPTIONS } from '../lib/watcher-function.js';
import { compiledPollConfig } from '../lib/watcher-stack.js';
import { ensureTable } from '../functions/adapters/dynamo-state-store.js';
import { TABLE, type BenchEnvironment } from './environment.js';
import { largeStatusFeed } from './feeds.js';
import { buildPollBundle } from './bundles.js';

export interface Invocation {
  readonly outcome: string;
  readonly published: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly logBytes: number;
}

/** The deployed bundle run with the function's NODE_OPTIONS, or with none (Node then never reads the source map). */
export type HandlerVariant = 'as deployed' | 'without --enable-source-maps';

export interface HandlerRun {
  readonly variant: HandlerVariant;
  readonly scenario: string;
  readonly importMs: number;
  readonly invocations: readonly Invocation[];
  /** Peak RSS of the process once the bundle is imported, and at the end. */
  readonly afterImportRssBytes: number;
  readonly maxRssBytes: number;
  /** DynamoDB requests the process sent, per operation (counted by the proxy). */
  readonly dynamoRequests: Readonly<Record<string, number>>;
  /** Embedded-metric-format documents the handler logged: the custom metrics it creates. */
  readonly metricDocuments: readonly { metric: string; dimensionSets: string[][] }[];
}

/**
 * The V8 heap limits the Lambda Node.js runtime's bootstrap sets for a 128 MB function (new space = memory / 10,
 * semi-space = half of it, old space = the rest): with them V8 collects as it would in the Lambda, so the peak RSS is
 * the one a 128 MB function would see, not that of an unconstrained heap.
 */
export const LAMBDA_128_NODE_FLAGS = ['--max-semi-space-size=6', '--max-old-space-size=116'];

const CHILD = fileURLToPath(new URL('./poll-child.mjs', import.meta.url));
const fixture = (path: string) => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');

function runChild(bundle: string, sourceId: string, times: number, env: NodeJS.ProcessEnv) {
  return new Promise<{ report: Omit<HandlerRun, 'variant' | 'scenario' | 'dynamoRequests' | 'metricDocuments'>; stdout: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [...LAMBDA_128_NODE_FLAGS, CHILD, bundle, sourceId, String(times)], {
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let report = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (report += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0 || !report) reject(new Error(`poll child exited with ${code}: ${stderr.slice(0, 1000)}`));
        else resolve({ report: JSON.parse(report) as never, stdout });
      });
    },
  );
}

/**
 * Runs the scenarios with the poll bundle as deployed, in processes set up as `variant` says, each source id prefixed
 * by `prefix` so that variants do not share state: the large feed's baseline, an unchanged poll whose server ignores
 * conditional requests (the full body downloaded and hashed), one incident getting one update; then the status fixture
 * polled 11 times in one process.
 */
export async function runHandler(
  env: BenchEnvironment,
  outDir: string,
  realNow: Date,
  variant: HandlerVariant,
  prefix: string,
): Promise<HandlerRun[]> {
  const bundle = await buildPollBundle(join(outDir, 'child', prefix, 'index.mjs'));
  // A table of its own per variant: Auth0 status sources on one host share their tracked incidents, and every feed
  // here is on the benchmark's one loopback server, so a shared table would make the second baseline a no-op.
  const table = `${TABLE}-${prefix}`;
  await ensureTable(env.client, table);
  const large = `${prefix}-large`;
  const small = `${prefix}-fixture`;
  const sources = [
    { id: large, type: 'auth0-status', region: 'US-1', url: env.feeds.url(`/${large}`) },
    { id: small, type: 'auth0-status', region: 'US-1', url: env.feeds.url(`/${small}`) },
  ];
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // DynamoDB Local keeps one database per access key and region: the same as the benchmark's own client.
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: env.proxy.endpoint,
    AWS_ENDPOINT_URL_SNS: env.sns.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: table,
    TOPIC_ARN: env.topicArn,
    // As the default (standard monitoring) stack sets it: one watcher-wide SuccessfulPolls metric.
    POLL_METRICS_BY_SOURCE: 'false',
    // Validated and compiled as the stack compiles it into the bundle.
    WATCHER_CONFIG: compiledPollConfig(parseConfig({ sources }, outDir)),
    // As lib/watcher-function.ts sets it for every function, or none.
    NODE_OPTIONS: variant === 'as deployed' ? LAMBDA_NODE_OPTIONS : '',
  };
  const runs: HandlerRun[] = [];
  async function run(scenario: string, sourceId: string, times: number) {
    const before = { ...env.proxy.received };
    const { report, stdout } = await runChild(bundle, sourceId, times, childEnv);
    const dynamoRequests = Object.fromEntries(
      Object.entries(env.proxy.received)
        .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const metricDocuments = stdout
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .flatMap((line) => {
        const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
        return doc._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((metric) => ({ metric: metric.Name, dimensionSets: m.Dimensions })));
      });
    runs.push({ variant, scenario, ...report, dynamoRequests, metricDocuments });
  }

  const lastModified = new Date(realNow.getTime() - 5 * 60_000).toUTCString();
  const body = largeStatusFeed({ now: realNow });
  env.serve(`/${large}`, { body, contentType: 'application/atom+xml', etag: '"c1"', lastModified });
  await run('large feed: baseline (1,000 items written)', large, 1);
  env.serve(`/${large}`, { body, contentType: 'application/atom+xml' });
  await run('large feed: unchanged, full body downloaded and hashed', large, 1);
  env.serve(`/${large}`, {
    body: largeStatusFeed({ now: realNow, withOneMoreUpdate: true }),
    contentType: 'application/atom+xml',
    etag: '"c2"',
    lastModified: realNow.toUTCString(),
  });
  await run('large feed: changed, one incident gets one update', large, 1);
  env.serve(`/${small}`, { body: fixture('auth0-status/seq-02-update.atom'), contentType: 'application/atom+xml', etag: '"f1"', lastModified });
  await run('status fixture: baseline, then 10 unchanged polls (304), one warm process', small, 11);
  return runs;
}
