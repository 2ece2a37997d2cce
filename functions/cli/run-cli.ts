// The local CLI: one poll cycle of every configured source on the embedded store, events to the configured outputs.
import { parseArgs } from 'node:util';
import {
  ConfigError,
  DEFAULT_CONFIG_INPUT,
  loadConfigFile,
  parseConfig,
  digestSchema,
  slackRouteId,
  type OutputConfig,
  type WatcherConfig,
} from '../config/config.js';
import { makeDynamoSlackStore } from '../adapters/dynamo-slack-store.js';
import { makeSlackPublisher, type SlackPublisherDependencies } from '../slack/slack-publisher.js';
import { makeCliLogger } from '../adapters/cli-logger.js';
import { makeConsoleOutput } from '../adapters/console-output.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { startEmbeddedDynamo } from '../adapters/embedded-dynamo.js';
import { makeFanOutPublisher } from '../adapters/fan-out-publisher.js';
import { makeHttpFetcher } from '../adapters/http-fetcher.js';
import { makeJsonlOutput } from '../adapters/jsonl-output.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeConsoleDigestOutput, makeJsonlDigestOutput } from '../adapters/digest-outputs.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import type { Clock, Logger, Publisher } from '../core/ports.js';
import { makeRunDigest, type DigestPublisher } from '../digest/run-digest.js';
import { makePollSource, type PollResult } from '../poll/poll-source.js';
import { runCheckDeployCommand } from './check-deploy-command.js';

/** Exit codes: every source polled; some source failed (the others' results stand); bad config or usage. */
export const EXIT_OK = 0;
export const EXIT_SOURCE_FAILED = 1;
export const EXIT_USAGE = 2;

const USAGE = `usage: npm start -- [poll | digest] [--config <file>] [--verbose] [--now <time>]
       npm start -- check-deploy --outputs <file> [--config <file>] [--stack <name>] [--timeout <seconds>]

  poll              poll every configured source once (the default)
  digest            render the digest of the period since the previous one into the console and jsonl outputs
  check-deploy      send a test event through the deployed topic to every Slack route and say which received it
                    (npm start -- check-deploy --help)
  --config, -c      JSON config file; relative paths in it resolve against its directory
                    (default: Auth0 status for US-1, the change log, advisories for Auth0's SDKs)
  --verbose, -v     log each published event and poll on stderr
  --now <time>      evaluate as if it were this ISO 8601 time (replays, demos and tests)
  --help, -h        show this help

exit codes: 0 every source was polled, 1 a source failed, 2 bad config or usage`;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Runs the CLI and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Talks to the deployed stack, not the embedded store, and has its own options and exit codes.
  if (argv[0] === 'check-deploy') return runCheckDeployCommand(argv.slice(1), io);
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    io.stderr.write(`auth0-ops-watcher: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }

  let config: WatcherConfig;
  try {
    config = args.config ? await loadConfigFile(args.config) : parseConfig(DEFAULT_CONFIG_INPUT, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`auth0-ops-watcher: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const logger = makeCliLogger(io.stderr, args.verbose ? 'info' : 'error');
  const store = await startEmbeddedDynamo(config.stateDir, config.tableName).catch((error: Error) => {
    throw new Error(`cannot open the state store in ${config.stateDir}: ${error.message}`, { cause: error });
  });
  try {
    const clock = { now: () => (args.now ? new Date(args.now) : new Date()) };
    const context: RunContext = { config, io, logger, clock, client: store.client };
    return args.command === 'digest' ? await runDigestCommand(context) : await runPollCommand(context);
  } finally {
    await store.close();
  }
}

interface RunContext {
  readonly config: WatcherConfig;
  readonly io: CliIo;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly client: DynamoDBClient;
}

async function runPollCommand({ config, io, logger, clock, client }: RunContext): Promise<number> {
  const secrets = makeSecretResolver({ env: io.env });
  const slackStore = makeDynamoSlackStore({ client, tableName: config.tableName });
  const publisher = makeFanOutPublisher(
    config.outputs.map((output, index) => makeOutput(output, index, io, { store: slackStore, secrets, clock, logger })),
  );
  const pollSource = makePollSource({
    store: makeDynamoStateStore({ client, tableName: config.tableName }),
    fetcher: makeHttpFetcher(),
    publisher,
    secrets,
    clock,
    logger,
    settings: { failureThreshold: config.failureThreshold, trackResolvedDays: config.trackResolvedDays },
  });
  // One source's unexpected failure (a store error, say) must not hide the others' results.
  const results = await Promise.all(
    config.sources.map((source) =>
      pollSource(source).catch(
        (error: unknown): PollResult => ({
          sourceId: source.id,
          url: source.url,
          outcome: 'failed',
          reason: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
          published: [],
        }),
      ),
    ),
  );
  io.stdout.write(formatSummary(results));
  return results.every((r) => r.outcome === 'changed' || r.outcome === 'unchanged') ? EXIT_OK : EXIT_SOURCE_FAILED;
}

/** Renders the digest of the period since the previous one into the console and jsonl outputs. */
async function runDigestCommand({ config, io, logger, clock, client }: RunContext): Promise<number> {
  const outputs = config.outputs.flatMap((output): DigestPublisher[] => {
    if (output.type === 'console') return [makeConsoleDigestOutput(io.stdout)];
    if (output.type === 'jsonl') return [makeJsonlDigestOutput(output.path)];
    return []; // Slack and SNS outputs carry events; on AWS the digest has its own topic.
  });
  const runDigest = makeRunDigest({
    digestStore: makeDynamoDigestStore({ client, tableName: config.tableName }),
    stateStore: makeDynamoStateStore({ client, tableName: config.tableName }),
    publisher: { publish: async (digest) => void (await Promise.all(outputs.map((o) => o.publish(digest)))) },
    clock,
    logger,
    sources: config.sources,
    digest: config.email.digest ?? digestSchema.parse({}),
    // One local process at a time writes the embedded store: events are in the log as soon as a poll ends.
    settings: { settleMs: 0 },
  });
  const result = await runDigest();
  switch (result.outcome) {
    case 'sent':
      io.stderr.write(`Digest for ${result.digest.from} to ${result.digest.to}: ${result.digest.quiet ? 'all quiet' : 'sent'}.\n`);
      return EXIT_OK;
    case 'skipped-quiet':
      io.stderr.write(`Quiet period ${result.from} to ${result.to}: no digest (quiet: "skip").\n`);
      return EXIT_OK;
    case 'nothing-due':
      io.stderr.write('No new period since the previous digest.\n');
      return EXIT_OK;
    case 'busy':
      io.stderr.write('auth0-ops-watcher: another digest run holds the digest; try again in a few minutes\n');
      return EXIT_SOURCE_FAILED;
  }
}

function parseCliArgs(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      verbose: { type: 'boolean', short: 'v', default: false },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command = 'poll', ...extra] = positionals;
  if (command !== 'poll' && command !== 'digest') throw new Error(`unknown command "${command}"`);
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  if (values.now !== undefined && Number.isNaN(Date.parse(values.now))) {
    throw new Error(`--now needs an ISO 8601 time, got "${values.now}"`);
  }
  return { command, config: values.config, verbose: values.verbose === true, help: values.help === true, now: values.now };
}

function makeOutput(output: OutputConfig, index: number, io: CliIo, slack: SlackPublisherDependencies): Publisher {
  switch (output.type) {
    case 'console':
      return makeConsoleOutput(io.stdout);
    case 'jsonl':
      return makeJsonlOutput(output.path);
    case 'slack':
      return makeSlackPublisher(output, slackRouteId(output, index), slack);
    case 'sns':
      return makeSnsPublisher({
        client: makeSnsClient({ endpoint: output.endpoint, region: output.region }),
        topicArn: output.topicArn,
      });
  }
}

function formatSummary(results: readonly PollResult[]): string {
  const width = Math.max(...results.map((r) => r.sourceId.length));
  const lines = results.map((r) => {
    const id = r.sourceId.padEnd(width);
    const count = `${r.published.length} event${r.published.length === 1 ? '' : 's'}`;
    switch (r.outcome) {
      case 'changed':
      case 'unchanged':
        return `  ${id}  ${r.outcome.padEnd(9)}  ${count}${r.itemCount !== undefined ? `, ${r.itemCount} items tracked in the feed` : ''}`;
      case 'failed':
      case 'busy':
        return `  ${id}  ${r.outcome.padEnd(9)}  ${r.reason} (${r.url})${r.published.length ? `; ${count}` : ''}`;
    }
  });
  const failed = results.filter((r) => r.outcome === 'failed' || r.outcome === 'busy').length;
  const headline = failed
    ? `Polled ${results.length} sources: ${failed} failed.`
    : `Polled ${results.length} sources: all read.`;
  return `${headline}\n${lines.join('\n')}\n`;
}
