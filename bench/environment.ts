// The servers a benchmark poll talks to: AWS's DynamoDB Local (dynalite when there is no Java) behind the request-counting
// proxy of the fault-injection tests, the feed test server with a byte counter, and the SNS test server.
import type { Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '../functions/adapters/embedded-dynamo.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../test/support/dynamo-backends.js';
import { startDynamoFaultProxy, type DynamoFaultProxy } from '../test/support/dynamo-fault-proxy.js';
import { serveBody, startFeedServer, type FeedServer, type StaticRoute } from '../test/support/feed-server.js';
import { startSnsTestServer, type SnsTestServer } from '../test/support/sns-test-server.js';

export const TABLE = 'bench-watcher-state';

/** DynamoDB capacity consumed, as DynamoDB (Local) reports it with `ReturnConsumedCapacity: TOTAL`. */
export interface Capacity {
  read: number;
  write: number;
}

export interface BenchEnvironment {
  readonly backend: 'dynamodb-local' | 'dynalite';
  /** A client through the counting proxy that asks for and records consumed capacity on every request. */
  readonly client: DynamoDBClient;
  readonly capacity: Capacity;
  readonly proxy: DynamoFaultProxy;
  readonly feeds: FeedServer;
  readonly sns: SnsTestServer;
  readonly topicArn: string;
  /** Serves `route` at `path`, counting the bytes sent on the wire (headers included). */
  serve(path: string, route: StaticRoute): void;
  /** Bytes the feed server has written to its sockets so far. */
  bytesSent(): number;
  stop(): Promise<void>;
}

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

export async function startEnvironment(): Promise<BenchEnvironment> {
  const backend = DYNAMO_BACKENDS.find((b) => b.name === 'dynamodb-local' && b.available) ?? DYNAMO_BACKENDS[0]!;
  const dynamo: RunningDynamo = await backend.start(TABLE);
  const proxy = await startDynamoFaultProxy(dynamo.endpoint);
  const client = localDynamoClient(proxy.endpoint);
  const capacity: Capacity = { read: 0, write: 0 };
  // The store does not ask for consumed capacity; this middleware asks on every request and adds up the answers.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const units = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      if (READ_COMMANDS.has(context.commandName ?? '')) capacity.read += units;
      else capacity.write += units;
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  const feeds = await startFeedServer();
  const sns = await startSnsTestServer();
  const topicArn = sns.createTopic('bench-events');
  const sockets = new Set<Socket>();
  return {
    backend: backend.name,
    client,
    capacity,
    proxy,
    feeds,
    sns,
    topicArn,
    serve(path, route) {
      const handler = serveBody(route);
      feeds.setRoute(path, (request, response) => {
        sockets.add(request.socket);
        return handler(request, response);
      });
    },
    bytesSent: () => [...sockets].reduce((sum, socket) => sum + socket.bytesWritten, 0),
    async stop() {
      client.destroy();
      await feeds.close();
      await sns.close();
      await proxy.close();
      await dynamo.stop();
    },
  };
}
