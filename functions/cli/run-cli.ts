// The local CLI: one poll cycle of every configured source on the embedded store, events to the configured outputs.
import { parseArgs } from 'node:util';
import {
  ConfigError,
  DEFAULT_CONFIG_INPUT,
  loadConfigFile,
  parseConfig,
  digestSchema,
  type WatcherConfig,
} from '../config/config.js';
import { makeCliLogger } from '../adapters/cli-logger.js';
import { makeDynamoOutputQueue } from '../adapters/dynamo-output-queue.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../adapters/embedded-dynamo.js';
import { StateDirBusyError, StateDirError } from '../adapters/state-dir-lock.js';
import { makeHttpFetcher } from '../adapters/http-fetcher.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { auth0TenantLogReaderFor } from '../adapters/auth0-tenant-log-reader.js';
import { makeManagementApiClient } from '../adapters/auth0-management-client.js';
import { makeLocalLogArchive } from '../adapters/local-log-archive.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeConsoleDigestOutput, makeJsonlDigestOutput } from '../adapters/digest-outputs.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import type { Clock, Logger } from '../core/ports.js';
import { DEFAULT_DELIVERY_SETTINGS, makeOutputDelivery, type DeliveryReport } from '../delivery/deliver-outputs.js';
import { makeRunDigest, type DigestPublisher } from '../digest/run-digest.js';
import { makePollSource, type PollResult } from '../poll/poll-source.js';
import { runCheckDeployCommand } from './check-deploy-command.js';
import { deliveredEverything, formatDeliveryReport } from './delivery-summary.js';
import { probeModuleFor, sourceModuleFor, withItemScopes } from '../sources/registry.js';
import type { Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import { makePollStream, type StreamResult } from '../stream/poll-stream.js';
import { makeRunProbe, type ProbeResult } from '../probe/run-probe.js';
import { join } from 'node:path';
import { afterLocalRun, duplicateOutputError, makeLocalOutputs } from './local-outputs.js';

/**
 * Exit codes: every source polled and every output delivered; some source or output failed (the others' results
 * stand); bad config or usage.
 */
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

exit codes: 0 every source was polled and every output delivered, 1 a source or an output failed
            (the others' results stand) or another run holds the state directory, 2 bad config or usage,
            or a state directory that is damaged or cannot be created`;

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
  const duplicate = duplicateOutputError(config.outputs);
  if (duplicate) {
    io.stderr.write(`auth0-ops-watcher: ${duplicate}\n`);
    return EXIT_USAGE;
  }
  const secrets = makeSecretResolver({ env: io.env });
  const stateStore = makeDynamoStateStore({ client, tableName: config.tableName });
  const channels = { table: { client, tableName: config.tableName }, secrets, clock, logger };
  // Each output has its own queue: the poller only enqueues, and each output is delivered on its own afterwards.
  const delivery = makeOutputDelivery({
    outputs: makeLocalOutputs(config.outputs, io.stdout, channels),
    store: makeDynamoOutputQueue({ client, tableName: config.tableName }),
    logEvent: (event) => stateStore.logEvent(event),
    clock,
    logger,
    // One process at a time owns the embedded store, so a claim an earlier run left on a queue entry is a dead run's:
    // take it over at once (the entry is then delivered as a retry, which jsonl and the channels recognise).
    settings: { failureThreshold: config.failureThreshold, claimStaleMs: 0 },
  });
  await delivery.begin();
  const fetcher = makeHttpFetcher();
  const pollSource = makePollSource({
    store: stateStore,
    fetcher,
    publisher: delivery.publisher,
    secrets,
    clock,
    logger,
    settings: {
      failureThreshold: config.failureThreshold,
      trackResolvedDays: config.trackResolvedDays,
      severityRules: config.severityRules,
    },
  });
  // Streams (the tenant's logs) are read on from their checkpoints; each page is archived under <stateDir>/archive/.
  const pollStream = makePollStream({
    store: stateStore,
    archive: makeLocalLogArchive(join(config.stateDir, 'archive')),
    readerFor: auth0TenantLogReaderFor,
    publisher: delivery.publisher,
    secrets,
    clock,
    logger,
    settings: { failureThreshold: config.failureThreshold },
  });
  // Probes (a synthetic login, the IP allow-list, tenant checks) run their check once per run.
  const runProbe = makeRunProbe({
    store: stateStore,
    publisher: delivery.publisher,
    secrets,
    clock,
    logger,
    fetcher,
    managementApi: makeManagementApiClient,
    moduleFor: probeModuleFor,
    settings: { failureThreshold: config.failureThreshold },
  });
  const poll = (source: WatcherConfig['sources'][number]): Promise<PollResult> => {
    const kind = sourceModuleFor(source).kind;
    if (kind === 'stream') return pollStream(source as Auth0TenantLogsSourceConfig);
    if (kind === 'probe') return runProbe(source);
    return pollSource(source);
  };
  // One source's unexpected failure (a store error, say) must not hide the others' results.
  const results = await Promise.all(
    config.sources.map((source) =>
      poll(source).catch(
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
  let report: DeliveryReport | undefined;
  let deliveryFailure: string | undefined;
  try {
    report = await delivery.deliver();
  } catch (error) {
    // The queues are in the store: what was not delivered is delivered by the next run.
    deliveryFailure = error instanceof Error ? error.message : String(error);
  }
  // Each channel's upkeep (Slack: thread roots it would not update during a delivery, this run's or an earlier one's);
  // what still fails is tried again by the next run.
  await afterLocalRun(config.outputs, channels);
  io.stdout.write(formatSummary(results));
  io.stdout.write(
    report ? formatDeliveryReport(report, DEFAULT_DELIVERY_SETTINGS.maxRefusals) : `Delivery failed: ${deliveryFailure}; the next run retries it.\n`,
  );
  const polled = results.every((r) => r.outcome === 'changed' || r.outcome === 'unchanged');
  return polled && report && deliveredEverything(report) ? EXIT_OK : EXIT_SOURCE_FAILED;
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
    sources: withItemScopes(config.sources),
    digest: config.email.digest ?? digestSchema.parse({}),
    // The tenant-log sources' archive (written by the poll command), for the digest's YOUR TENANT section.
    tenantArchive: makeLocalLogArchive(join(config.stateDir, 'archive')),
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

/** A probe's run: what it measured (`latencyMs 312`), or why it did not run its check. */
function probeProgress(r: ProbeResult): string {
  if (r.skipped !== undefined) return `, skipped: ${r.skipped}`;
  const measured = Object.entries(r.measurements ?? {}).map(([name, value]) => `${name} ${Math.round(value)}`);
  return measured.length > 0 ? `, ${measured.join(', ')}` : '';
}

/** A stream's run: logs archived, and whether the next run has more to read. */
function streamProgress(r: StreamResult): string {
  const logs = `${r.archived} log${r.archived === 1 ? '' : 's'} archived`;
  return r.behind ? `${logs} (more to read next run${r.reason ? `: ${r.reason}` : ''})` : logs;
}

function formatSummary(results: readonly PollResult[]): string {
  const width = Math.max(...results.map((r) => r.sourceId.length));
  const lines = results.map((r) => {
    const id = r.sourceId.padEnd(width);
    const count = `${r.published.length} event${r.published.length === 1 ? '' : 's'}`;
    switch (r.outcome) {
      case 'changed':
      case 'unchanged':
        if ('archived' in r) return `  ${id}  ${r.outcome.padEnd(9)}  ${count}, ${streamProgress(r as StreamResult)}`;
        if ('measurements' in r || 'skipped' in r) return `  ${id}  ${r.outcome.padEnd(9)}  ${count}${probeProgress(r as ProbeResult)}`;
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
