// `npm start` (the `poll` command, the default): one poll cycle of every configured source on the embedded store, then
// each output's queue delivered, and a summary per source and per output.
import { join } from 'node:path';
import { makeDynamoOutputQueue } from '../adapters/dynamo-output-queue.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makeHttpFetcher } from '../adapters/http-fetcher.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { auth0TenantLogReaderFor } from '../adapters/auth0-tenant-log-reader.js';
import { makeManagementApiClient } from '../adapters/auth0-management-client.js';
import { makeLocalLogArchive } from '../adapters/local-log-archive.js';
import type { WatcherConfig } from '../config/config.js';
import { DEFAULT_DELIVERY_SETTINGS, makeOutputDelivery, type DeliveryReport } from '../delivery/deliver-outputs.js';
import { makePollSource, type PollResult } from '../poll/poll-source.js';
import { probeModuleFor, sourceModuleFor } from '../sources/registry.js';
import type { Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import { makePollStream, type StreamResult } from '../stream/poll-stream.js';
import { makeRunProbe, type ProbeResult } from '../probe/run-probe.js';
import { EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, type RunContext } from './cli-context.js';
import { deliveredEverything, formatDeliveryReport } from './delivery-summary.js';
import { afterLocalRun, duplicateOutputError, makeLocalOutputs } from './local-outputs.js';

/** Polls every configured source once and delivers each output's queue; returns the exit code. */
export async function runPollCommand({ config, io, logger, clock, client }: RunContext): Promise<number> {
  const duplicate = duplicateOutputError(config.outputs);
  if (duplicate) {
    io.stderr.write(`auth0-ops-watcher: ${duplicate}\n`);
    return EXIT_USAGE;
  }
  const secrets = makeSecretResolver({ env: io.env });
  const stateStore = makeDynamoStateStore({ client, tableName: config.tableName });
  const channels = { table: { client, tableName: config.tableName }, secrets, clock, logger, timeZone: config.timeZone };
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
