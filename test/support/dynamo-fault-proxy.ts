// A DynamoDB wire-protocol proxy on loopback that forwards to a real local DynamoDB and injects AWS-side faults
// (throttling, internal errors) on the requests a test chooses.
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

export type DynamoFault = 'throttling' | 'provisioned-throughput' | 'internal-error';

export interface DynamoFaultProxy {
  readonly endpoint: string;
  /** Decides, per request, whether to answer with a fault instead of forwarding. `operation`: e.g. `UpdateItem`. */
  setFaults(decide: (operation: string, index: number) => DynamoFault | undefined): void;
  /** Faults answered so far, per kind. */
  readonly injected: Record<DynamoFault, number>;
  /** Requests received, per operation. */
  readonly received: Record<string, number>;
  close(): Promise<void>;
}

const FAULT_RESPONSES: Record<DynamoFault, { status: number; type: string; message: string }> = {
  throttling: { status: 400, type: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  'provisioned-throughput': {
    status: 400,
    type: 'ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  },
  'internal-error': { status: 500, type: 'InternalServerError', message: 'Internal server error' },
};

/** DynamoDB's own limit on a request. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return readRequestBody(req, MAX_REQUEST_BYTES, () => new Error('request body too large'));
}

export async function startDynamoFaultProxy(target: string): Promise<DynamoFaultProxy> {
  const upstream = new URL(target);
  let decide: (operation: string, index: number) => DynamoFault | undefined = () => undefined;
  const injected: Record<DynamoFault, number> = { throttling: 0, 'provisioned-throughput': 0, 'internal-error': 0 };
  const received: Record<string, number> = {};
  let index = 0;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? 'unknown';
    received[operation] = (received[operation] ?? 0) + 1;
    const fault = decide(operation, index++);
    if (fault) {
      injected[fault] += 1;
      const { status, type, message } = FAULT_RESPONSES[fault];
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${index}` });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
      return;
    }
    const forward = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setFaults(next) {
      decide = next;
    },
    injected,
    received,
    close,
  };
}
