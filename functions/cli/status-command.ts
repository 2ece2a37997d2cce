// `npm start -- status [--json]`: what the local state store says, read only (GetItem and Query, no lease, no write):
// per source its health, items and open incidents (and what a stream or probe keeps); per output the events waiting
// or parked and its last delivery; the last digest. `--json` prints the same as one document (shape: README, "Status").
import { existsSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { deliveryPartition } from '../adapters/dynamo-delivery-store.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import { makeDynamoOutputQueue } from '../adapters/dynamo-output-queue.js';
import { queryAllPages } from '../adapters/dynamo-query-pages.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { DEFAULT_CHANNEL_DELIVERY_SETTINGS } from '../channels/deliver-to-channel.js';
import { CHANNEL_REGISTRY } from '../channels/registry.js';
import type { WatcherConfig } from '../config/config.js';
import type { Severity } from '../core/model.js';
import type { Clock } from '../core/ports.js';
import { cleanLine } from '../core/text/clean-line.js';
import { formatUtc } from '../core/text/time.js';
import type { SourceState, TrackedItem } from '../core/tracked.js';
import type { ProbeSourceState } from '../probe/run-probe.js';
import { sourceModuleFor, withItemScopes } from '../sources/registry.js';
import type { StreamSourceState } from '../stream/stream-record.js';
import { outputIdOf } from './local-outputs.js';

/** What the command is run with: the CLI's config, streams, clock and the embedded store's client. */
export interface StatusCommandContext {
  readonly config: WatcherConfig;
  readonly io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream };
  readonly clock: Clock;
  readonly client: DynamoDBClient;
}

/** `npm start -- status --json`: version 1 of its shape. Absent values are `null`; times are ISO 8601, UTC. */
export interface WatcherStatus {
  readonly statusVersion: 1;
  readonly generatedAt: string;
  readonly stateDir: string;
  readonly sources: readonly SourceStatus[];
  readonly outputs: readonly OutputStatus[];
  readonly digest: DigestStatus;
}

export interface SourceStatus {
  readonly id: string;
  readonly type: string;
  readonly kind: 'feed' | 'stream' | 'probe';
  /** Where its items are kept when several sources share them (`@status.auth0.com`); else null. */
  readonly itemScope: string | null;
  /** False until its first run. */
  readonly polled: boolean;
  readonly lastSuccessAt: string | null;
  readonly lastFailure: { readonly at: string; readonly url: string; readonly reason: string } | null;
  readonly consecutiveFailures: number;
  readonly failingSince: string | null;
  /** A `source.failing` went out for the current streak. */
  readonly failingAnnounced: boolean;
  /** Items remembered (for a shared scope: the scope's). */
  readonly itemsTracked: number;
  readonly openIncidents: ReadonlyArray<{ readonly itemId: string; readonly title: string; readonly severity: Severity; readonly status: string | null; readonly since: string }>;
  /** Events detected and not yet handed to the outputs' queues (the record's outbox); the next run sends them. */
  readonly eventsToPublish: number;
  /** Streams (the tenant's logs): where the next read starts, and up to when every log has been read. */
  readonly stream: { readonly checkpoint: string | null; readonly readThrough: string | null } | null;
  /** Probes: the state the last run left, as the plug-in keeps it (plain JSON; hashes, never secrets). */
  readonly probe: Readonly<Record<string, unknown>> | null;
}

export interface OutputStatus {
  /** `console`, `jsonl:<path>`, `sns:<topic ARN>`, `<channel>:<route id>`. */
  readonly id: string;
  /** False for an output removed from the config whose queue is still kept. */
  readonly configured: boolean;
  readonly waiting: number;
  readonly parked: number;
  readonly consecutiveFailedRuns: number;
  /** The last run that delivered its whole queue (or had nothing to deliver). */
  readonly lastSuccessAt: string | null;
  readonly lastError: { readonly at: string; readonly scope: string; readonly reason: string } | null;
  /** A channel route: its latest recorded delivery (when its attempt began, to the second), else null. */
  readonly route: { readonly channel: string; readonly id: string; readonly lastDelivery: { readonly eventId: string; readonly at: string } | null } | null;
}

export interface DigestStatus {
  readonly frequency: 'daily' | 'weekly';
  /** The end of the last digest's period: the next one starts there. */
  readonly lastTo: string | null;
  readonly lastSentAt: string | null;
}

const EXIT_OK = 0;
const EXIT_NO_STATE = 1;

/**
 * Before the store is opened: with no state directory yet, says so (exit 1) rather than creating one; undefined when
 * there is state to read.
 */
export function statusWithoutState(config: WatcherConfig, io: StatusCommandContext['io']): number | undefined {
  if (existsSync(config.stateDir)) return undefined;
  io.stderr.write(`auth0-ops-watcher: no state in ${config.stateDir} yet: run \`npm start\` once (status reads only, it creates nothing)\n`);
  return EXIT_NO_STATE;
}

/** Runs `npm start -- status [--json]`; returns 0 once the state is printed. */
export async function runStatusCommand(context: StatusCommandContext, options: { readonly json?: boolean } = {}): Promise<number> {
  const status = await readStatus(context);
  context.io.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  return EXIT_OK;
}

/** Reads the status from the store: GetItem and Query only. */
export async function readStatus({ config, clock, client }: Omit<StatusCommandContext, 'io'>): Promise<WatcherStatus> {
  const { tableName } = config;
  const now = clock.now();
  const stateStore = makeDynamoStateStore({ client, tableName });
  const queues = makeDynamoOutputQueue({ client, tableName });
  const itemsOf = new Map<string, Promise<ReadonlyArray<{ value: TrackedItem; outbox: readonly unknown[] }>>>();
  const liveItems = (key: string) => {
    if (!itemsOf.has(key)) {
      const nowS = now.getTime() / 1000;
      itemsOf.set(key, stateStore.listItems(key).then((records) => records.filter((r) => r.value.expiresAt === undefined || r.value.expiresAt > nowS)));
    }
    return itemsOf.get(key)!;
  };

  const sources = await Promise.all(
    withItemScopes(config.sources).map(async (source): Promise<SourceStatus> => {
      const record = await stateStore.getSource(source.id);
      const state: SourceState | undefined = record?.value;
      const items = await liveItems(source.itemScope ?? source.id);
      const kind = sourceModuleFor(source).kind;
      const stream = (state as StreamSourceState | undefined)?.stream;
      const probe = (state as ProbeSourceState | undefined)?.probe;
      return {
        id: source.id,
        type: source.type,
        kind,
        itemScope: source.itemScope ?? null,
        polled: record !== undefined,
        lastSuccessAt: state?.lastSuccessAt ?? null,
        lastFailure: state?.lastError ?? null,
        consecutiveFailures: state?.consecutiveFailures ?? 0,
        failingSince: state?.failingSince ?? null,
        failingAnnounced: state?.failingAnnounced === true,
        itemsTracked: items.length,
        openIncidents: items
          .map((r) => r.value)
          .filter((item) => item.kind === 'incident' && item.resolvedAt === undefined)
          .map((item) => ({ itemId: item.itemId, title: item.title, severity: item.severity, status: item.status ?? null, since: item.firstSeenAt })),
        eventsToPublish: (record?.outbox.length ?? 0) + (source.itemScope === undefined ? items.reduce((n, r) => n + r.outbox.length, 0) : 0),
        stream: kind === 'stream' ? { checkpoint: stream?.checkpoint ?? null, readThrough: stream?.readThrough ?? null } : null,
        probe: kind === 'probe' ? (probe ?? null) : null,
      };
    }),
  );

  const configured = config.outputs.map((output, index) => ({ output, id: outputIdOf(output, index) }));
  const routes = new Map(CHANNEL_REGISTRY.routesOf(config.outputs).map((entry) => [entry.index, entry]));
  const records = new Map((await queues.listOutputs()).map(({ outputId, record }) => [outputId, record]));
  const ids = [...configured.map((c) => c.id), ...[...records.keys()].filter((id) => !configured.some((c) => c.id === id))];
  const outputs = await Promise.all(
    ids.map(async (id): Promise<OutputStatus> => {
      const index = configured.findIndex((c) => c.id === id);
      const entries = await queues.list(id);
      const health = records.get(id)?.health;
      const channel = routes.get(index);
      return {
        id,
        configured: index >= 0,
        waiting: entries.filter((entry) => entry.parkedAt === undefined).length,
        parked: entries.filter((entry) => entry.parkedAt !== undefined).length,
        consecutiveFailedRuns: health?.consecutiveFailedRuns ?? 0,
        lastSuccessAt: health?.lastSuccessAt ?? null,
        lastError: health?.lastError ?? null,
        route: channel
          ? {
              channel: channel.plugin.type,
              id: channel.route.id,
              lastDelivery: await lastDelivery(client, tableName, deliveryPartition(channel.plugin.keyPrefix, channel.plugin.destinationKey(channel.route))),
            }
          : null,
      };
    }),
  );

  const frequency = config.email.digest?.frequency ?? 'daily';
  const watermark = await makeDynamoDigestStore({ client, tableName }).getWatermark(frequency);
  return {
    statusVersion: 1,
    generatedAt: now.toISOString(),
    stateDir: config.stateDir,
    sources,
    outputs,
    digest: { frequency, lastTo: watermark?.value.lastTo ?? null, lastSentAt: watermark?.value.lastSentAt ?? null },
  };
}

/**
 * A route's latest completed delivery, from its delivery records (`<KEY PREFIX>#<destination>`, `DELIVERY#<event id>`):
 * a completed record keeps its expiry, set from the attempt's start plus the retention, so that start is recovered.
 */
async function lastDelivery(client: DynamoDBClient, tableName: string, partition: string): Promise<{ eventId: string; at: string } | null> {
  const items = await queryAllPages(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: marshall({ ':pk': partition, ':prefix': 'DELIVERY#' }),
    ProjectionExpression: 'sk, #status, expiresAt',
    ExpressionAttributeNames: { '#status': 'status' },
    ConsistentRead: true,
  });
  let latest: { sk: string; expiresAt: number } | undefined;
  for (const item of items) {
    const raw = unmarshall(item) as { sk: string; status?: string; expiresAt?: number };
    if (raw.status !== 'done' || raw.expiresAt === undefined) continue;
    if (!latest || raw.expiresAt > latest.expiresAt) latest = { sk: raw.sk, expiresAt: raw.expiresAt };
  }
  if (!latest) return null;
  const startedS = latest.expiresAt - DEFAULT_CHANNEL_DELIVERY_SETTINGS.deliveryRetentionDays * 86_400;
  return { eventId: latest.sk.slice('DELIVERY#'.length), at: new Date(startedS * 1000).toISOString() };
}

/** The compact tables `npm start -- status` prints. Vendor text (titles, reasons) is cleaned to one bounded line. */
export function formatStatus(status: WatcherStatus): string {
  const time = (iso: string | null) => (iso === null ? '-' : formatUtc(iso));
  const lines = [`Sources (state in ${status.stateDir}, read at ${formatUtc(status.generatedAt)}):`];
  lines.push(
    ...table(
      ['SOURCE', 'KIND', 'LAST SUCCESS', 'LAST FAILURE', 'FAILS', 'ITEMS', 'OPEN'],
      status.sources.map((s) => [
        s.id,
        s.kind,
        s.polled ? time(s.lastSuccessAt) : 'never run',
        time(s.lastFailure?.at ?? null),
        String(s.consecutiveFailures),
        String(s.itemsTracked),
        String(s.openIncidents.length),
      ]),
      (index) => sourceDetails(status.sources[index]!),
    ),
  );
  lines.push('', 'Outputs:');
  lines.push(
    ...table(
      ['OUTPUT', 'WAITING', 'PARKED', 'LAST OK RUN', 'LAST DELIVERY'],
      status.outputs.map((o) => [
        o.configured ? o.id : `${o.id} (removed)`,
        String(o.waiting),
        String(o.parked),
        time(o.lastSuccessAt),
        o.route ? (o.route.lastDelivery ? `${time(o.route.lastDelivery.at)} (${o.route.lastDelivery.eventId})` : 'none recorded') : '-',
      ]),
      (index) => {
        const output = status.outputs[index]!;
        return output.lastError && output.consecutiveFailedRuns > 0
          ? [`failing ${output.consecutiveFailedRuns} ${output.consecutiveFailedRuns === 1 ? 'run' : 'runs'}: ${cleanLine(output.lastError.reason, 200)} (${output.lastError.scope})`]
          : [];
      },
    ),
  );
  const { digest } = status;
  lines.push(
    '',
    digest.lastTo === null
      ? `Digest (${digest.frequency}): none sent yet.`
      : `Digest (${digest.frequency}): last period ended ${time(digest.lastTo)}${digest.lastSentAt ? `, sent ${time(digest.lastSentAt)}` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

function sourceDetails(source: SourceStatus): string[] {
  const details: string[] = [];
  if (source.lastFailure && source.consecutiveFailures > 0) {
    details.push(`failing: ${cleanLine(source.lastFailure.reason, 200)} (${cleanLine(source.lastFailure.url, 200)})`);
  }
  for (const incident of source.openIncidents.slice(0, 5)) {
    details.push(`open: [${incident.severity.toUpperCase()}] ${cleanLine(incident.title, 100)} (since ${formatUtc(incident.since)})`);
  }
  if (source.openIncidents.length > 5) details.push(`open: and ${source.openIncidents.length - 5} more`);
  if (source.eventsToPublish > 0) details.push(`${source.eventsToPublish} detected events not yet queued: the next run sends them`);
  if (source.stream) {
    const { checkpoint, readThrough } = source.stream;
    details.push(`stream: checkpoint ${checkpoint ?? 'none yet'}, every log read through ${readThrough ? formatUtc(readThrough) : '-'}`);
  }
  if (source.probe) details.push(`probe: ${probeSummary(source.probe)}`);
  return details;
}

/** A probe's state in one line: its plain values, and the names of what it holds in structures (`announced: failing`). */
function probeSummary(state: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(state).flatMap(([key, value]) => {
    if (key === 'v' || value === undefined || value === null) return [];
    if (typeof value === 'object') {
      const keys = Array.isArray(value) ? [`${value.length} entries`] : Object.keys(value);
      return keys.length > 0 ? [`${key}: ${keys.slice(0, 5).join(', ')}`] : [];
    }
    return [`${key} ${cleanLine(String(value), 60)}`];
  });
  return parts.length > 0 ? parts.slice(0, 8).join(', ') : 'no state yet';
}

/** Left-aligned columns two spaces apart, each row followed by its detail lines (indented). */
function table(header: readonly string[], rows: readonly string[][], details: (index: number) => string[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd();
  return [line(header), ...rows.flatMap((row, index) => [line(row), ...details(index).map((detail) => `      ${detail}`)])];
}
