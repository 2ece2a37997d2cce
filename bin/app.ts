// The CDK app: reads the watcher config (same file format as the local CLI) and composes the stacks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import {
  ConfigError,
  DEFAULT_CONFIG_INPUT,
  loadConfigFile,
  parseConfig,
  type WatcherConfig,
} from '../functions/config/config.js';
import { addCdkNagChecks } from '../lib/cdk-nag-checks.js';
import { type MonitoringLevel, WatcherStack, type WatcherStackProps } from '../lib/watcher-stack.js';

const app = new App();

/** `-c config=<file>`, else `WATCHER_CONFIG_FILE`, else the built-in default sources. */
async function readConfig(): Promise<WatcherConfig> {
  const fromContext: unknown = app.node.tryGetContext('config');
  const file = typeof fromContext === 'string' && fromContext ? fromContext : process.env.WATCHER_CONFIG_FILE;
  return file ? loadConfigFile(file) : parseConfig(DEFAULT_CONFIG_INPUT, process.cwd());
}

try {
  const config = await readConfig();
  const stackName: unknown = app.node.tryGetContext('stackName');
  const deadMans: unknown = app.node.tryGetContext('deadMansSwitchMinutes');
  const monitoring: unknown = app.node.tryGetContext('monitoring');
  const id = typeof stackName === 'string' && stackName ? stackName : 'Auth0OpsWatcher';
  const props: WatcherStackProps = {
    config,
    // `-c deadMansSwitchMinutes=30`: the least silence, in minutes, before a source's dead-man's switch fires.
    deadMansSwitchMinutes: deadMans === undefined ? undefined : Number(deadMans),
    // `-c monitoring=detailed`: a dead-man's switch per source and alarms per function (see docs/cost.md for the bill).
    monitoring: monitoring === undefined ? undefined : (String(monitoring) as MonitoringLevel),
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
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

// Checks over the whole app: cdk-nag's AwsSolutions rules run when the app is synthesized (by `cdk synth` and
// `cdk deploy`) and fail it on any finding neither fixed nor acknowledged next to its resource with a reason.
addCdkNagChecks(app);
