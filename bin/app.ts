// The CDK app: reads the watcher config (same file format as the local CLI) and composes the stacks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addCdkNagChecks } from '../lib/cdk-nag-checks.js';
import { WatcherStack, type WatcherStackProps } from '../lib/watcher-stack.js';
import { readAppContext, reportAppError } from './app-context.js';

const app = new App();

try {
  // `-c config=<file>` (else WATCHER_CONFIG_FILE, else the built-in default sources), `-c stackName=…`,
  // `-c deadMansSwitchMinutes=30` (the least silence before a source's dead-man's switch fires) and
  // `-c monitoring=detailed` (a dead-man's switch per source and alarms per function: see docs/cost.md for the bill).
  const context = await readAppContext((key) => app.node.tryGetContext(key), process.env, process.cwd());
  const id = context.stackName;
  const props: WatcherStackProps = {
    config: context.config,
    deadMansSwitchMinutes: context.deadMansSwitchMinutes,
    monitoring: context.monitoring,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  };
  // A first build without bundling, thrown away: a config that breaks an AWS limit (the stack checks them as it is
  // built) stops here with its one line, before esbuild has printed anything for the real build.
  const probeDir = mkdtempSync(join(tmpdir(), 'watcher-limits-'));
  try {
    const probe = new App({ outdir: probeDir, autoSynth: false, context: { 'aws:cdk:bundling-stacks': [] } });
    new WatcherStack(probe, id, props);
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
  new WatcherStack(app, id, props);
} catch (error) {
  // A context, config or AWS-limit problem: its lines alone, no stack trace.
  const code = reportAppError(error, process.stderr);
  if (code === undefined) throw error;
  process.exit(code);
}

// Checks over the whole app: cdk-nag's AwsSolutions rules run when the app is synthesized (by `cdk synth` and
// `cdk deploy`) and fail it on any finding neither fixed nor acknowledged next to its resource with a reason.
addCdkNagChecks(app);
