// The embedded store for local mode: a DynamoDB-compatible server (dynalite) on loopback, persisted in a directory.
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTable } from './dynamo-state-store.js';
import { lockStateDir, StateDirBusyError, StateDirError, type StateDirLock } from './state-dir-lock.js';

export interface EmbeddedDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The state directory cannot be used as it is (it cannot be created, read or locked); nothing in it was changed. */
export class StateDirUnusableError extends StateDirError {
  override readonly name = 'StateDirUnusableError';
  constructor(dir: string, reason: string, options?: ErrorOptions) {
    super(dir, `cannot use the state directory ${dir}: ${reason}`, options);
  }
}

/** The store in the state directory is damaged: refused before the run read or wrote any state. */
export class StateStoreDamagedError extends StateDirError {
  override readonly name = 'StateStoreDamagedError';
  constructor(dir: string, reason: string, options?: ErrorOptions) {
    super(
      dir,
      `the state store in ${dir} is damaged (${reason}), so this run did not use it. To start over, move the directory aside ` +
        'or delete it: the next run records a silent baseline, except incidents still open, which are announced again',
      options,
    );
  }
}

/**
 * Starts dynalite on 127.0.0.1 with its data in `dir` (in memory when `dir` is undefined) and creates the table.
 * With a directory: holds it for this process until `close` ({@link lockStateDir}: another live run gives
 * {@link StateDirBusyError}), creates it when it does not exist, and refuses a damaged store with
 * {@link StateStoreDamagedError} before dynalite touches it; any other unusable directory gives {@link StateDirUnusableError}.
 */
export async function startEmbeddedDynamo(dir: string | undefined, tableName: string): Promise<EmbeddedDynamo> {
  let lock: StateDirLock | undefined;
  if (dir) {
    await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw new StateDirUnusableError(dir, error.message, { cause: error });
    });
    lock = await lockStateDir(dir).catch((error: unknown) => {
      if (error instanceof StateDirBusyError) throw error;
      throw new StateDirUnusableError(dir, `cannot write its lock file: ${(error as Error).message}`, { cause: error });
    });
  }
  try {
    if (dir) await checkStore(dir);
    return await startDynalite(dir, tableName, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function startDynalite(dir: string | undefined, tableName: string, lock: StateDirLock | undefined): Promise<EmbeddedDynamo> {
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  return {
    client,
    endpoint,
    async close() {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
      lock?.release();
    },
  };
}

/** Files that hold a LevelDB database's data (its LOCK and LOG files do not). */
const LEVELDB_DATA_FILE = /^(CURRENT|MANIFEST-\d+|\d+\.(log|ldb|sst))$/;

/** The LevelDB dynalite itself uses, so the check opens the files exactly as dynalite will. */
interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
  iterator(): AsyncIterable<unknown>;
}
const { Level } = createRequire(createRequire(import.meta.url).resolve('dynalite'))('level') as {
  Level: new (location: string, options: { createIfMissing: boolean; valueEncoding: 'json' }) => LevelDatabase;
};

/**
 * Refuses a damaged store before dynalite opens it: dynalite reports a database it cannot open only as an uncaught
 * "Database is closed" later, and creates a new, empty database over one whose CURRENT file is missing. Opens the
 * database and reads every record once (the local store is small), so a damaged CURRENT, MANIFEST or table file is
 * found here. A directory without database files is a store not yet created.
 */
async function checkStore(dir: string): Promise<void> {
  const files = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new StateDirUnusableError(dir, error.message, { cause: error });
  });
  const dataFiles = files.filter((name) => LEVELDB_DATA_FILE.test(name));
  if (dataFiles.length === 0) return;
  if (!dataFiles.includes('CURRENT')) {
    const named = dataFiles.sort().slice(0, 3).join(', ') + (dataFiles.length > 3 ? ', …' : '');
    throw new StateStoreDamagedError(dir, `its CURRENT file is missing but its data files are there: ${named}`);
  }
  const db = new Level(dir, { createIfMissing: false, valueEncoding: 'json' });
  try {
    await db.open();
    for await (const _record of db.iterator()) {
      // Reading is the check: LevelDB reports damaged blocks, and JSON that does not decode, as errors.
    }
  } catch (error) {
    // Open failures come wrapped (LEVEL_DATABASE_NOT_OPEN), with the LevelDB error as their cause.
    const cause = ((error as { code?: string }).code === 'LEVEL_DATABASE_NOT_OPEN' && (error as Error).cause) || error;
    const { code, message } = cause as { code?: string; message?: string };
    // Held by a process that does not take the watcher's lock file (another tool, or an older watcher).
    if (code === 'LEVEL_LOCKED') throw new StateDirBusyError(dir, undefined, { cause });
    throw new StateStoreDamagedError(dir, message ?? String(cause), { cause });
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** A DynamoDB client for a local, credential-less endpoint. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}
