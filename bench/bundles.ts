// Cold start: the Lambda bundles as `cdk synth` builds them (lib/watcher-function.ts, esbuild), their size, and the time
// a fresh Node process takes to import each, with the environment the stack gives it. Also what-if variants built with
// the same esbuild options: the AWS SDK left to the runtime, and the SDK's full default credential chain.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE_ALIASES, secretBackendDefines, WATCHER_BUNDLE_TARGET, WatcherFunction, type SecretRefUse } from '../lib/watcher-function.js';
import { logicalIdOf, ROOT, synthStack } from '../test/infra/synth-watcher-stack.js';

export interface FunctionBundle {
  /** The handler's directory under functions/: poll, slack, digest, … */
  readonly name: string;
  readonly variant: string;
  readonly bytes: number;
  readonly sourceMapBytes?: number;
  /** NODE_OPTIONS of the importing process (the stack sets `--enable-source-maps`). */
  readonly nodeOptions: string;
  /** Median and spread of the import time in a fresh `node` process, milliseconds. */
  readonly importMs: { median: number; min: number; max: number; runs: number };
}

export interface SynthFigures {
  /** Resources per CloudFormation type. */
  readonly resources: Readonly<Record<string, number>>;
  readonly alarms: number;
  readonly alarmNames: readonly string[];
  readonly schedules: number;
  readonly lambdaMemoryMb: Readonly<Record<string, number>>;
  readonly logRetentionDays: readonly number[];
}

/** The same as lib/watcher-function.ts sets (checked: the replica of the deployed bundle must match the CDK asset). */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __watcherCreateRequire } from 'node:module'; const require = __watcherCreateRequire(import.meta.url);";

const POLL_ENTRY = join(ROOT, 'functions/poll/handler.ts');

interface BundleOptions {
  readonly external?: string[];
  readonly define?: Readonly<Record<string, string>>;
  /** @default LAMBDA_BUNDLE_ALIASES, as deployed */
  readonly alias?: Readonly<Record<string, string>>;
}

async function bundle(entry: string, outfile: string, options: BundleOptions) {
  await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: WATCHER_BUNDLE_TARGET,
    format: 'esm',
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: options.external ?? [],
    define: { ...options.define },
    alias: { ...(options.alias ?? LAMBDA_BUNDLE_ALIASES) },
    outfile,
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** Median of `runs` imports of each module in a fresh process, the runs of all modules interleaved. */
function importTimes(
  modules: readonly { key: string; file: string; env: NodeJS.ProcessEnv }[],
  runs: number,
): Map<string, FunctionBundle['importMs']> {
  const script =
    'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));';
  const samples = new Map<string, number[]>(modules.map((m) => [m.key, []]));
  for (let i = 0; i < runs; i += 1) {
    for (const m of modules) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(m.file).href], {
        env: m.env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (child.status !== 0) throw new Error(`importing ${m.file} failed: ${child.stderr.slice(0, 800)}`);
      samples.get(m.key)!.push(Number(child.stdout));
    }
  }
  return new Map(
    [...samples].map(([key, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      return [key, { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length }];
    }),
  );
}

export async function measureBundles(
  deploymentInput: unknown,
  outDir: string,
  runs = 10,
): Promise<{ bundles: FunctionBundle[]; synth: SynthFigures; replicaMatchesCdk: Record<string, boolean> }> {
  // 1. The stack as `cdk synth` builds it, bundles included.
  const { stack, template } = synthStack(deploymentInput, { bundle: true, outdir: join(outDir, 'cdk.out') });
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
  const counts: Record<string, number> = {};
  for (const r of Object.values(resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  // Every watcher function, named after its handler's directory; of several with one handler (the Slack notifiers,
  // whose bundles differ only in ROUTE), the first.
  const byName = new Map<string, WatcherFunction>();
  for (const c of stack.node.findAll()) {
    const name = c instanceof WatcherFunction ? basename(dirname(c.entry)) : undefined;
    if (c instanceof WatcherFunction && name && !byName.has(name)) byName.set(name, c);
  }
  const deployed = [...byName].map(([name, fn]) => {
    const r = resources[logicalIdOf(fn.function)]!;
    const hash = String(r.Properties.Code.S3Key).replace(/\.zip$/, '');
    const dir = join(outDir, 'cdk.out', `asset.${hash}`);
    // Tokens (Ref, GetAtt) become plain strings: the handlers only need the values to be present.
    const variables = Object.fromEntries(
      Object.entries<unknown>(r.Properties.Environment?.Variables ?? {}).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : k.endsWith('ARN') ? 'arn:aws:sns:us-east-1:000000000000:bench' : `bench-${k.toLowerCase()}`,
      ]),
    );
    return { name, entry: fn.entry, define: fn.bundleDefine, dir, memory: Number(r.Properties.MemorySize), variables };
  });
  const alarmNames = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id]) => id);
  const retention = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Logs::LogGroup')
    .map((r) => Number(r.Properties.RetentionInDays));

  // 2. Replicas with the same esbuild options and the `define` each function was built with (its compiled config and
  // secret backends): the deployed one (to check the replica) and the what-if variants.
  const variants: { variant: string; options: BundleOptions }[] = [
    { variant: 'SDK external (runtime SDK)', options: { external: ['@aws-sdk/*'] } },
    { variant: 'full SDK credential chain (no alias)', options: { alias: {} } },
  ];
  const replicaMatchesCdk: Record<string, boolean> = {};
  const candidates: { name: string; variant: string; file: string; bytes: number; sourceMapBytes?: number; env: NodeJS.ProcessEnv }[] = [];
  const baseEnv = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const fn of deployed) {
    const file = join(fn.dir, 'index.mjs');
    // The function's environment from the template, NODE_OPTIONS (--enable-source-maps) included.
    const env: NodeJS.ProcessEnv = { ...baseEnv, ...fn.variables };
    candidates.push({ name: fn.name, variant: 'as deployed', file, bytes: statSync(file).size, sourceMapBytes: statSync(`${file}.map`).size, env });
    // The same file without NODE_OPTIONS=--enable-source-maps: Node then never reads the source map.
    candidates.push({ name: fn.name, variant: 'as deployed, without --enable-source-maps', file, bytes: statSync(file).size, env: { ...env, NODE_OPTIONS: '' } });
    const replica = await bundle(fn.entry, join(outDir, 'variants', fn.name, 'replica', 'index.mjs'), { define: fn.define });
    replicaMatchesCdk[fn.name] = replica === statSync(file).size;
    for (const v of variants) {
      // Inside the repository, so that an external @aws-sdk/* resolves to node_modules as it would to the runtime's copy.
      const out = join(outDir, 'variants', fn.name, v.variant.replace(/\W+/g, '-'), 'index.mjs');
      const bytes = await bundle(fn.entry, out, { ...v.options, define: fn.define });
      candidates.push({ name: fn.name, variant: v.variant, file: out, bytes, env });
    }
  }
  const times = importTimes(
    candidates.map((c) => ({ key: `${c.name}/${c.variant}`, file: c.file, env: c.env })),
    runs,
  );
  const bundles: FunctionBundle[] = candidates.map((c) => ({
    name: c.name,
    variant: c.variant,
    bytes: c.bytes,
    ...(c.sourceMapBytes !== undefined && { sourceMapBytes: c.sourceMapBytes }),
    nodeOptions: c.env.NODE_OPTIONS ?? '',
    importMs: times.get(`${c.name}/${c.variant}`)!,
  }));
  return {
    bundles,
    replicaMatchesCdk,
    synth: {
      resources: counts,
      alarms: alarmNames.length,
      alarmNames,
      schedules: (counts['AWS::Events::Rule'] ?? 0) + (counts['AWS::Scheduler::Schedule'] ?? 0),
      lambdaMemoryMb: Object.fromEntries(deployed.map((d) => [d.name, d.memory])),
      logRetentionDays: retention,
    },
  };
}

/**
 * The poll handler bundled as the stack bundles it for a config whose sources reference `secretRefs`, but reading
 * `WATCHER_CONFIG` from the environment (the stack compiles it in), so a benchmark can point it at local servers.
 * The environment must then hold the config as the stack compiles it (`compiledPollConfig`). Returns the file.
 */
export async function buildPollBundle(outfile: string, secretRefs: readonly SecretRefUse[] = []): Promise<string> {
  await bundle(POLL_ENTRY, outfile, { define: secretBackendDefines(secretRefs) });
  return outfile;
}
