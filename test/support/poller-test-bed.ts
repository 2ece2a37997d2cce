// Test support for the real poller: a local DynamoDB and a feed server on loopback for the tests of a scope, state
// stores on tables of their own, and sources watched through the poller with a clock, a recording publisher and logger.
import { afterAll, beforeAll } from 'vitest';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import type { SourceConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Fetcher, SecretResolver, StateStore, StoredRecord } from '../../functions/core/ports.js';
import type { TrackedItem } from '../../functions/core/tracked.js';
import { makePollSource, type PollResult } from '../../functions/poll/poll-source.js';
import { itemScopeOf } from '../../functions/sources/registry.js';
import { DYNAMO_BACKENDS, type DynamoBackend } from './dynamo-backends.js';
import { startFeedServer, type FeedServer } from './feed-server.js';
import { useLocalDynamo } from './local-dynamo.js';
import { recordingLogger, type LogCall } from './recording-logger.js';

/** A state store on a table of its own; wait for `ready` before the store's first call. */
export interface OwnStateStore {
  readonly store: StateStore;
  readonly ready: Promise<void>;
}

export interface WatchedSourceOptions {
  readonly config: SourceConfig;
  /** The clock before the first poll, an ISO time; each poll is a minute after the previous one. */
  readonly start: string;
  readonly fetcher: Fetcher;
  readonly secrets: SecretResolver;
}

/** A source polled by the real poller, with everything it published and logged. */
export interface WatchedSource {
  readonly delivered: WatcherEvent[];
  readonly logged: LogCall[];
  readonly store: StateStore;
  /** Settles once the source's table exists. */
  readonly ready: Promise<void>;
  /** One poll, a minute after the previous one. */
  poll(): Promise<PollResult>;
  /** The source's item records, where they are tracked (for auth0-status: its status page's scope). */
  items(): Promise<ReadonlyArray<StoredRecord<TrackedItem>>>;
}

export interface PollerTestBed {
  /** Started before the calling scope's tests; reading it earlier throws. */
  readonly server: FeedServer;
  /** 1, 2, 3, …: a number of its own for each source of the scope, for its id and path. */
  next(): number;
  /**
   * A state store on a table of its own. Auth0-status sources served by one feed server share one host, so in one
   * table they would share their items (one status page's regional feeds do), and each test's source must start
   * from nothing.
   */
  ownStateStore(): OwnStateStore;
  /** `options.config` polled by the real poller into a table of its own. */
  watch(options: WatchedSourceOptions): WatchedSource;
}

/**
 * Starts a local DynamoDB (`backend`, with `table`) and a feed server before the tests of the calling scope (a file or
 * a `describe`) and stops them after.
 */
export function usePollerTestBed(table: string, backend: DynamoBackend = DYNAMO_BACKENDS[0]!): PollerTestBed {
  const local = useLocalDynamo(backend, table, 60_000);
  let server: FeedServer | undefined;
  let sources = 0;

  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const bed: PollerTestBed = {
    get server() {
      if (server === undefined) throw new Error('the feed server is started in beforeAll; use it in a test');
      return server;
    },
    next: () => ++sources,
    ownStateStore() {
      const { tableName, ready } = local.newTable();
      return { store: makeDynamoStateStore({ client: local.client, tableName }), ready };
    },
    watch({ config, start, fetcher, secrets }) {
      const delivered: WatcherEvent[] = [];
      const { logger, logged } = recordingLogger();
      let now = Date.parse(start);
      const { store, ready } = bed.ownStateStore();
      const pollSource = makePollSource({
        store,
        fetcher,
        publisher: { publish: async (event) => void delivered.push(event) },
        secrets,
        clock: { now: () => new Date(now) },
        logger,
      });
      return {
        delivered,
        logged,
        store,
        ready,
        poll: async () => {
          await ready;
          now += 60_000;
          return pollSource(config);
        },
        items: async () => {
          await ready;
          return store.listItems(itemScopeOf(config));
        },
      };
    },
  };
  return bed;
}
