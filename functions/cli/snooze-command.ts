// `npm start -- snooze <source> <item> --for 4h [--route <id>]`: mutes one incident's non-final updates for a route (or
// every route) for a while; its first event and whatever ends it are still delivered. `snooze --list` lists the live
// snoozes. Snoozes live in the watcher's table with a TTL; the routes' delivery reads them locally and on AWS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoSnoozeStore } from '../adapters/dynamo-snooze-store.js';
import { CHANNEL_REGISTRY } from '../channels/registry.js';
import { ALL_ROUTES, parseDuration, snoozeThreadOf, type Snooze } from '../core/snooze.js';
import { closestWord } from '../core/text/closest-word.js';
import { itemScopeOf } from '../sources/registry.js';
import { EXIT_OK, EXIT_SOURCE_FAILED, UsageError, type RunContext } from './cli-context.js';

export interface SnoozeCommandOptions {
  readonly source?: string;
  readonly item?: string;
  /** `--for`, as written (`30m`, `4h`, `2d`). */
  readonly for?: string;
  /** `--route <id>`: one channel route; every route when absent. */
  readonly route?: string;
  /** `--list`: print the live snoozes instead. */
  readonly list?: boolean;
  /**
   * `--table <name>`: the deployed stack's table (its `TableName` output), reached with the AWS SDK's usual credentials
   * and region, where the notifiers read snoozes; the local state directory's table when absent.
   */
  readonly table?: string;
}

/**
 * Stores the snooze (or lists them) and says what it did; usage errors throw `UsageError` (one line, exit 2). A deployed
 * table that cannot be reached is one line naming it, exit 1.
 */
export async function runSnoozeCommand(context: RunContext, options: SnoozeCommandOptions): Promise<number> {
  if (options.table === undefined) return storeOrList(context, options);
  try {
    return await storeOrList(context, options);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    context.io.stderr.write(`auth0-ops-watcher: cannot reach the snoozes in table ${options.table}: ${(error as Error).message}\n`);
    return EXIT_SOURCE_FAILED;
  }
}

async function storeOrList(context: RunContext, options: SnoozeCommandOptions): Promise<number> {
  const { config, io, clock } = context;
  const store = makeDynamoSnoozeStore(
    options.table === undefined ? { client: context.client, tableName: config.tableName } : { client: new DynamoDBClient({}), tableName: options.table },
  );
  const now = clock.now();
  if (options.list) {
    if (options.source !== undefined || options.for !== undefined || options.route !== undefined) {
      throw new UsageError('snooze --list takes no other arguments');
    }
    const snoozes = await store.listSnoozes(now);
    io.stdout.write(snoozes.length === 0 ? 'No incident is snoozed.\n' : `${snoozes.map((snooze) => describe(snooze, now)).join('\n')}\n`);
    return EXIT_OK;
  }

  const { source: sourceId, item } = options;
  if (sourceId === undefined || item === undefined || item.trim() === '') throw new UsageError('snooze needs <source> <item>');
  if (options.for === undefined) throw new UsageError('snooze needs --for <duration> (e.g. --for 4h)');
  let durationMs: number;
  try {
    durationMs = parseDuration(options.for);
  } catch (error) {
    throw new UsageError(`--for: ${(error as Error).message}`);
  }
  const source = config.sources.find((candidate) => candidate.id === sourceId);
  if (!source) {
    const near = closestWord(sourceId, config.sources.map((candidate) => candidate.id));
    throw new UsageError(`no source "${sourceId}" in the config${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  const routeIds = CHANNEL_REGISTRY.routesOf(config.outputs).map(({ route }) => route.id);
  if (options.route !== undefined && !routeIds.includes(options.route)) {
    const near = closestWord(options.route, routeIds);
    const known = routeIds.length > 0 ? `the routes are ${routeIds.join(', ')}` : 'the config has no channel routes';
    throw new UsageError(`no route "${options.route}" in the config (${near ? `did you mean "${near}"? ` : ''}${known})`);
  }

  const snooze: Snooze = {
    thread: snoozeThreadOf(source.id, itemScopeOf(source), item),
    source: source.id,
    itemId: item,
    route: options.route ?? ALL_ROUTES,
    until: new Date(now.getTime() + durationMs).toISOString(),
    createdAt: now.toISOString(),
  };
  await store.putSnooze(snooze);
  io.stdout.write(`${describe(snooze, now)}: its updates are skipped; its first event and its resolution are still delivered.\n`);
  return EXIT_OK;
}

/** `Snoozed github 8kq9z for route incidents until 2026-03-02T14:00:00.000Z (4h left)`. */
function describe(snooze: Snooze, now: Date): string {
  const route = snooze.route === ALL_ROUTES ? 'every route' : `route ${snooze.route}`;
  return `Snoozed ${snooze.source} ${snooze.itemId} for ${route} until ${snooze.until} (${left(Date.parse(snooze.until) - now.getTime())} left)`;
}

/** A duration in the largest whole units: `4h`, `1d 2h`, `25m`. */
function left(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days && `${days}d`, hours && `${hours}h`, rest && `${rest}m`].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : '0m';
}
