// The local CLI: reads the command line, loads the config, opens the embedded store and hands both to the command
// (poll, digest, test, status, snooze: each in its own file); init and check-deploy need no store.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigError, DEFAULT_CONFIG_INPUT, loadConfigFile, parseConfig, type WatcherConfig } from '../config/config.js';
import { makeCliLogger } from '../adapters/cli-logger.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../adapters/embedded-dynamo.js';
import { StateDirBusyError, StateDirError } from '../adapters/state-dir-lock.js';
import { closestWord } from '../core/text/closest-word.js';
import { runCheckDeployCommand } from './check-deploy-command.js';
import { EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, UsageError, type CliIo, type RunContext } from './cli-context.js';
import { runDigestCommand } from './digest-command.js';
import { firstRunLine, runInitCommand } from './init-command.js';
import { runPollCommand } from './poll-command.js';
import { runStatusCommand, statusWithoutState } from './status-command.js';
import { runTestCommand } from './test-command.js';
import { runSnoozeCommand } from './snooze-command.js';

export { EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, UsageError, type CliIo, type RunContext } from './cli-context.js';

/** What `npm start -- --version` prints: the version of package.json, bundled into the CLI. */
export const VERSION = `auth0-ops-watcher ${packageJson.version}`;

const USAGE = `usage: npm start -- [command] [options]

commands:
  poll                   poll every configured source once and deliver the events (the default)
  digest                 render the digest of the period since the previous one into the console and jsonl outputs
  test                   send one clearly marked test event through every configured output and route
  status [--json]        each source's and route's health, backlog and last delivery (--json: as JSON)
  snooze <source> <item> --for <duration> [--route <id>]
                         mute one incident's non-final updates for a while (e.g. --for 4h), on one route or all
  snooze --list          the incidents snoozed now, and until when
                         (both with --table <name>: in the deployed stack's table, its TableName output)
  init --tenant <domain> write a starter config for your tenant (<tenant>.<region>.auth0.com) to watcher.config.json,
                         or to --config <file>; an existing file is never overwritten
  check-deploy --outputs <file> [--config <file>] [--stack <name>] [--timeout <seconds>]
                         send a test event through the deployed topic to every Slack route and say which received it
                         (npm start -- check-deploy --help)

options:
  --config, -c <file>    JSON config file; relative paths in it resolve against its directory (default: Auth0
                         status for US-1 through Auth0's sample tenant, the change log, advisories for Auth0's SDKs)
  --verbose, -v          log each published event and poll on stderr
  --now <time>           evaluate as if it were this ISO 8601 time (replays, demos and tests)
  --help, -h             show this help
  --version              print the version

exit codes: 0 every source was polled and every output delivered, 1 a source or an output failed
            (the others' results stand) or another run holds the state directory, 2 bad config or usage,
            or a state directory that is damaged or cannot be created`;

/** Where a usage error sends the reader. */
const HELP_HINT = 'see npm start -- --help';

/** Options every command takes. */
const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  verbose: { type: 'boolean', short: 'v' },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Options of one command only. */
const COMMAND_OPTIONS = {
  json: { type: 'boolean' },
  for: { type: 'string' },
  tenant: { type: 'string' },
  route: { type: 'string' },
  list: { type: 'boolean' },
  table: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];
type CommandOption = keyof typeof COMMAND_OPTIONS;

/** The commands `npm start --` runs: their own options, the positional arguments they take, and those they need. */
const COMMANDS: Readonly<Record<string, { readonly options: readonly CommandOption[]; readonly positionals: readonly string[]; readonly required?: readonly CommandOption[]; readonly positionalsUnless?: CommandOption }>> = {
  poll: { options: [], positionals: [] },
  digest: { options: [], positionals: [] },
  test: { options: [], positionals: [] },
  status: { options: ['json'], positionals: [] },
  // `snooze --list` takes no positionals; the command checks its own combinations.
  snooze: { options: ['for', 'route', 'list', 'table'], positionals: ['<source>', '<item>'], positionalsUnless: 'list' },
  init: { options: ['tenant'], positionals: [], required: ['tenant'] },
};
export type CliCommand = 'poll' | 'digest' | 'test' | 'status' | 'snooze' | 'init';

export interface CliArgs {
  readonly command: CliCommand;
  readonly config?: string;
  readonly verbose: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly now?: string;
  /** `status --json`. */
  readonly json: boolean;
  /** `snooze … --for <duration>`, as written. */
  readonly for?: string;
  /** `init --tenant <domain>`, as written. */
  readonly tenant?: string;
  /** `snooze … --route <id>`. */
  readonly route?: string;
  /** `snooze --list`. */
  readonly list: boolean;
  /** `snooze … --table <name>`: the deployed stack's table (its `TableName` output) instead of the local one. */
  readonly table?: string;
  /** The positional arguments after the command (`snooze <source> <item>`). */
  readonly positionals: readonly string[];
}

/** Runs the CLI and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Talks to the deployed stack, not the embedded store, and has its own options and exit codes.
  if (argv[0] === 'check-deploy') return runCheckDeployCommand(argv.slice(1), io);
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error);
    throw error;
  }
  if (args.version) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    if (args.command === 'init') return await runInitCommand(io, { tenant: args.tenant!, path: args.config });
    return await runWithStore(args, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error);
    throw error;
  }
}

/** One line on stderr and exit 2. */
function usageError(io: CliIo, error: UsageError): number {
  io.stderr.write(`auth0-ops-watcher: ${error.message}; ${HELP_HINT}\n`);
  return EXIT_USAGE;
}

/** Loads the config, opens the embedded store and runs the command on them. */
async function runWithStore(args: CliArgs, io: CliIo): Promise<number> {
  let config: WatcherConfig;
  try {
    config = args.config ? await loadConfigFile(args.config) : parseConfig(DEFAULT_CONFIG_INPUT, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line per problem, each naming its field (or the file's line and column).
      io.stderr.write(error.issues.map((issue) => `auth0-ops-watcher: ${issue}\n`).join(''));
      return EXIT_USAGE;
    }
    throw error;
  }
  // The first line of a run on the built-in config says what it watches and how to watch your own tenant instead.
  if (!args.config && args.command === 'poll') io.stdout.write(`${firstRunLine(DEFAULT_CONFIG_INPUT)}\n`);

  // status reads only: with no state directory yet it says so instead of creating one.
  const noState = args.command === 'status' ? statusWithoutState(config, io) : undefined;
  if (noState !== undefined) return noState;
  const logger = makeCliLogger(io.stderr, args.verbose ? 'info' : 'error');
  let store: EmbeddedDynamo;
  try {
    store = await startEmbeddedDynamo(config.stateDir, config.tableName);
  } catch (error) {
    // Busy clears by itself, like a failed source (1); a damaged or unusable directory needs a person first (2).
    if (error instanceof StateDirError) {
      io.stderr.write(`auth0-ops-watcher: ${error.message}\n`);
      return error instanceof StateDirBusyError ? EXIT_SOURCE_FAILED : EXIT_USAGE;
    }
    throw new Error(`cannot open the state store in ${config.stateDir}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const clock = { now: () => (args.now ? new Date(args.now) : new Date()) };
    const context: RunContext = { config, io, logger, clock, client: store.client };
    switch (args.command) {
      case 'poll':
        return await runPollCommand(context);
      case 'digest':
        return await runDigestCommand(context);
      case 'test':
        return await runTestCommand(context);
      case 'status':
        return await runStatusCommand(context, { json: args.json });
      case 'snooze':
        return await runSnoozeCommand(context, { source: args.positionals[0], item: args.positionals[1], for: args.for, route: args.route, list: args.list, table: args.table });
      case 'init':
        throw new Error('init needs no store');
    }
  } finally {
    await store.close();
  }
}

/** The command line as the commands need it; a `UsageError` for anything off, in words a person can act on. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = parseNodeArgs(argv);
  const [command = 'poll', ...rest] = positionals;
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (spec === undefined) {
    const near = closestWord(command, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  for (const option of Object.keys(COMMAND_OPTIONS) as CommandOption[]) {
    if (values[option] === undefined || spec.options.includes(option)) continue;
    const owner = Object.keys(COMMANDS).find((name) => COMMANDS[name]!.options.includes(option));
    throw new UsageError(`--${option} is an option of the ${owner} command, not of ${command}`);
  }
  // `init --help` shows the help, whatever init would need to run.
  const asking = values.help === true || values.version === true;
  for (const option of asking ? [] : (spec.required ?? [])) {
    if (values[option] === undefined) throw new UsageError(`${command} needs --${option} <${option === 'tenant' ? 'domain' : 'value'}>`);
  }
  if (rest.length > spec.positionals.length) throw new UsageError(`unexpected argument "${rest[spec.positionals.length]}"`);
  if (!asking && rest.length < spec.positionals.length && !(spec.positionalsUnless && values[spec.positionalsUnless])) throw new UsageError(`${command} needs ${spec.positionals.join(' ')}`);
  if (values.now !== undefined && Number.isNaN(Date.parse(values.now))) {
    throw new UsageError(`--now needs an ISO 8601 time, got "${values.now}"`);
  }
  return {
    command: command as CliCommand,
    config: values.config,
    verbose: values.verbose === true,
    help: values.help === true,
    version: values.version === true,
    now: values.now,
    json: values.json === true,
    for: values.for,
    tenant: values.tenant,
    route: values.route,
    list: values.list === true,
    table: values.table,
    positionals: rest,
  };
}

/** node:util's parse, its errors (long, with advice about `--`) turned into short `UsageError`s. */
function parseNodeArgs(argv: readonly string[]) {
  const options = { ...COMMON_OPTIONS, ...COMMAND_OPTIONS };
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    const named = /'([^']+)'/.exec(message)?.[1] ?? '';
    // "-c, --config <value>" → "--config"
    const option = /--[\w-]+/.exec(named)?.[0] ?? named.split(' ')[0] ?? named;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const known = Object.keys(options).map((name) => `--${name}`);
      const near = option.startsWith('--') ? closestWord(option, known) : undefined;
      throw new UsageError(`unknown option "${option}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(/does not take an argument/.test(message) ? `${option} takes no value` : `${option} needs a value`);
    }
    throw new UsageError(message.split('\n')[0] ?? message);
  }
}
