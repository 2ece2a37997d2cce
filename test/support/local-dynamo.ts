// Test support: one local DynamoDB for the tests of a scope (a file or a describe), and a table of its own per test.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { ensureTable } from '../../functions/adapters/dynamo-state-store.js';
import type { DynamoBackend, RunningDynamo } from './dynamo-backends.js';

/** A table being created; wait for `ready` before its first use. */
export interface NewTable {
  readonly tableName: string;
  readonly ready: Promise<void>;
}

export interface LocalDynamo {
  /** The running server, started before the scope's tests; reading it earlier throws. */
  readonly dynamo: RunningDynamo;
  /** The server's client; reading it before the scope's tests throws. */
  readonly client: DynamoDBClient;
  /** A new, empty table `<table>-<n>` (n = 1, 2, …): what one test writes, no other test sees. */
  newTable(): NewTable;
}

/**
 * Starts `backend` (creating `table`) before the tests of the calling scope and stops it after them.
 * @param startTimeoutMs how long the start may take (DynamoDB Local, a Java process, is the slow one)
 */
export function useLocalDynamo(backend: DynamoBackend, table: string, startTimeoutMs = 90_000): LocalDynamo {
  let dynamo: RunningDynamo | undefined;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await backend.start(table);
  }, startTimeoutMs);
  afterAll(async () => dynamo?.stop());

  const local: LocalDynamo = {
    get dynamo() {
      if (dynamo === undefined) throw new Error(`${backend.name} is started in beforeAll; use it in a test`);
      return dynamo;
    },
    get client() {
      return local.dynamo.client;
    },
    newTable() {
      const tableName = `${table}-${++tables}`;
      return { tableName, ready: ensureTable(local.client, tableName) };
    },
  };
  return local;
}
