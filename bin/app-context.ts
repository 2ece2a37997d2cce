// What `cdk synth` / `cdk deploy` are told with `-c key=value` (or cdk.json, or WATCHER_CONFIG_FILE), read and checked
// before any stack is built: each problem is a `ConfigError` of one line naming the key, which the app prints alone.
import { ConfigError, DEFAULT_CONFIG_INPUT, loadConfigFile, parseConfig, type WatcherConfig } from '../functions/config/config.js';
import { DEFAULT_STACK_NAME } from '../functions/cli/check-deploy-command.js';
import { MONITORING_LEVELS, type MonitoringLevel } from '../lib/watcher-stack.js';

export interface AppContext {
  readonly stackName: string;
  readonly config: WatcherConfig;
  readonly deadMansSwitchMinutes?: number;
  readonly monitoring?: MonitoringLevel;
}

/** The app's context values, checked: `context` is `app.node.tryGetContext`. */
export async function readAppContext(context: (key: string) => unknown, env: NodeJS.ProcessEnv, cwd: string): Promise<AppContext> {
  const stackName = context('stackName');
  if (stackName !== undefined && stackName !== '' && (typeof stackName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName))) {
    throw new ConfigError(
      `-c stackName=${String(stackName)}: must be a CloudFormation stack name (a letter, then letters, digits and dashes, at most 128)`,
    );
  }
  const deadMans = context('deadMansSwitchMinutes');
  const minutes = deadMans === undefined ? undefined : Number(deadMans);
  if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) {
    throw new ConfigError(`-c deadMansSwitchMinutes=${String(deadMans)}: must be a whole number of minutes from 1 to 1440`);
  }
  const monitoring = context('monitoring');
  if (monitoring !== undefined && !(MONITORING_LEVELS as readonly unknown[]).includes(monitoring)) {
    throw new ConfigError(`-c monitoring=${String(monitoring)}: must be ${MONITORING_LEVELS.join(' or ')}`);
  }
  const fromContext = context('config');
  if (fromContext !== undefined && (typeof fromContext !== 'string' || fromContext === '')) {
    throw new ConfigError('-c config=<file>: must name the watcher config file');
  }
  const file = (fromContext as string | undefined) ?? env['WATCHER_CONFIG_FILE'];
  const config = file ? await loadConfigFile(file) : parseConfig(DEFAULT_CONFIG_INPUT, cwd);
  return {
    stackName: (stackName as string | undefined) || DEFAULT_STACK_NAME,
    config,
    deadMansSwitchMinutes: minutes,
    monitoring: monitoring as MonitoringLevel | undefined,
  };
}

/**
 * The app's exit code for an error it explains itself (a `ConfigError`: context, config or an AWS limit), after writing
 * its lines, without a stack trace; undefined for any other error, which is a fault to show in full.
 */
export function reportAppError(error: unknown, stderr: { write(text: string): unknown }): number | undefined {
  if (!(error instanceof ConfigError)) return undefined;
  stderr.write(error.issues.map((line) => `${line}\n`).join(''));
  return 2;
}
