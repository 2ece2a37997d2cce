// Test double of AWS Lambda's Invoke API for integration tests: the REST-JSON protocol on 127.0.0.1. It runs no
// function: it records each invocation it accepts and answers as Lambda does, or with an injected fault.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody, trackedSleep } from './loopback-server.js';

/** Lambda's `X-Amz-Invocation-Type`; `RequestResponse` when the header is absent. */
export type InvocationType = 'Event' | 'RequestResponse' | 'DryRun';

/** One invocation the server accepted. */
export interface RecordedInvocation {
  /** The function's ARN, whichever way the request named it. */
  readonly functionArn: string;
  readonly invocationType: InvocationType;
  /** The payload exactly as sent (JSON text). */
  readonly payload: string;
  readonly qualifier?: string;
}

/** One request as it arrived, whatever the answer; the payload of a request that never got that far is ''. */
export interface RecordedRequest {
  readonly functionName: string;
  readonly payload: string;
  readonly status: number;
}

/** An error the server answers with instead of handling a request. */
export interface InjectedFault {
  readonly status: number;
  /** The Lambda error code (the `x-amzn-ErrorType` header), e.g. `TooManyRequestsException`, `ServiceException`. */
  readonly code: string;
  readonly message?: string;
  /** `Reason` in the body, as Lambda gives it for throttling. */
  readonly reason?: string;
  /** The `Retry-After` header (seconds), which the SDK honours. @default none */
  readonly retryAfterSeconds?: number;
}

/** Lambda's answer to a request beyond the function's or the caller's rate. */
export const THROTTLED: InjectedFault = {
  status: 429,
  code: 'TooManyRequestsException',
  message: 'Rate Exceeded.',
  reason: 'CallerRateLimitExceeded',
};

/** Lambda's answer when it failed internally. */
export const SERVICE_ERROR: InjectedFault = { status: 500, code: 'ServiceException', message: 'An internal error occurred.' };

export interface LambdaTestServer {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint` or `AWS_ENDPOINT_URL_LAMBDA`. */
  readonly endpoint: string;
  /** Creates a function directly and returns its ARN; invoking a function that does not exist is a 404. */
  createFunction(name: string): string;
  /** Accepted invocations, oldest first. */
  invocations(): RecordedInvocation[];
  /** Every request that arrived, faults and rejections included, oldest first. */
  requests(): RecordedRequest[];
  /**
   * Answers the next `n` requests (`Infinity`: every one) that `match` selects with this fault. Faults are used in the
   * order they were added; a request that no pending fault matches is handled.
   */
  failNext(n: number, fault: InjectedFault, match?: (request: { readonly payload: string }) => boolean): void;
  /** Holds every request for `ms` before answering it (0: not at all). */
  delayEach(ms: number): void;
  /** The most requests that were being answered at one time since the last `reset`. */
  readonly maxInFlight: number;
  /** Forgets invocations, requests, faults, delay and `maxInFlight`; functions stay. */
  reset(): void;
  close(): Promise<void>;
}

/** Lambda's limit on an asynchronous invocation's payload. */
const MAX_EVENT_PAYLOAD_BYTES = 1_048_576;
/** Lambda's limit on a synchronous invocation's payload. */
const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

class LambdaFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { readonly reason?: string; readonly retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

/** Starts the server on an ephemeral loopback port. */
export async function startLambdaTestServer(
  options: { readonly region?: string; readonly accountId?: string } = {},
): Promise<LambdaTestServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const functions = new Set<string>();
  let invocations: RecordedInvocation[] = [];
  let requests: RecordedRequest[] = [];
  let faults: { remaining: number; fault: InjectedFault; match?: (request: { readonly payload: string }) => boolean }[] = [];
  let delayMs = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();

  const arnOf = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;

  /** A function name, a partial ARN (`<account>:function:<name>`) or a full ARN, as Lambda accepts them. */
  const resolve = (functionName: string): string => {
    const [, name] =
      /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:function:)?([A-Za-z0-9_-]{1,64})$/.exec(functionName) ?? [];
    const arn = name && arnOf(name);
    if (!arn || !functions.has(arn) || (functionName.startsWith('arn:') && functionName !== arn)) {
      const named = functionName.startsWith('arn:') ? functionName : arnOf(functionName);
      throw new LambdaFault(404, 'ResourceNotFoundException', `Function not found: ${named}`);
    }
    return arn;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathMatch = INVOKE_PATH.exec(url.pathname);
    const functionName = pathMatch ? decodeURIComponent(pathMatch[1]!) : '';
    let payload = '';
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      payload = await readBody(req);
      if (delayMs > 0) await trackedSleep(delayMs, timers);
      const pending = faults.find((f) => f.remaining > 0 && (!f.match || f.match({ payload })));
      if (pending) {
        pending.remaining -= 1;
        faults = faults.filter((f) => f.remaining > 0);
        const { status, code, message, reason, retryAfterSeconds } = pending.fault;
        throw new LambdaFault(status, code, message ?? `Injected ${code}`, { reason, retryAfterSeconds });
      }

      if (!pathMatch) throw new LambdaFault(404, 'UnknownOperationException', `No Lambda operation at ${req.method} ${url.pathname}`);
      if (req.method !== 'POST') throw new LambdaFault(405, 'UnknownOperationException', 'Invoke takes POST');
      // Signed for Lambda: `Credential=<key>/<date>/<region>/lambda/aws4_request`.
      const authorization = req.headers.authorization ?? '';
      if (!authorization) throw new LambdaFault(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      if (!/\/lambda\/aws4_request/.test(authorization)) {
        throw new LambdaFault(403, 'InvalidSignatureException', 'Credential should be scoped to correct service: lambda');
      }
      const functionArn = resolve(functionName);
      const invocationType = invocationTypeOf(req.headers['x-amz-invocation-type']);
      const limit = invocationType === 'Event' ? MAX_EVENT_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
      if (Buffer.byteLength(payload) > limit) {
        throw new LambdaFault(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the Invoke operation`);
      }
      if (payload !== '') {
        try {
          JSON.parse(payload);
        } catch (error) {
          throw new LambdaFault(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`);
        }
      }
      const qualifier = url.searchParams.get('Qualifier') ?? undefined;
      requests.push({ functionName, payload, status: statusOf(invocationType) });
      if (invocationType === 'DryRun') return send(res, 204, requestId);
      invocations.push({ functionArn, invocationType, payload, ...(qualifier !== undefined && { qualifier }) });
      // Asynchronous: queued, nothing to return. Synchronous: no function runs here, so its result is `null`.
      if (invocationType === 'Event') return send(res, 202, requestId);
      return send(res, 200, requestId, 'null', { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    } catch (error) {
      const fault = error instanceof LambdaFault ? error : new LambdaFault(500, 'ServiceException', String(error));
      requests.push({ functionName, payload, status: fault.status });
      replyError(res, requestId, fault);
    } finally {
      inFlight -= 1;
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const listener = await listenOnLoopback(server);

  return {
    endpoint: `http://127.0.0.1:${listener.port}`,
    createFunction: (name) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`invalid function name ${JSON.stringify(name)}`);
      functions.add(arnOf(name));
      return arnOf(name);
    },
    invocations: () => [...invocations],
    requests: () => [...requests],
    failNext: (n, fault, match) => {
      faults.push({ remaining: n, fault, ...(match && { match }) });
    },
    delayEach: (ms) => {
      delayMs = ms;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    reset: () => {
      invocations = [];
      requests = [];
      faults = [];
      delayMs = 0;
      maxInFlight = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await listener.close();
    },
  };
}

function invocationTypeOf(header: string | string[] | undefined): InvocationType {
  if (header === undefined) return 'RequestResponse';
  if (header === 'Event' || header === 'RequestResponse' || header === 'DryRun') return header;
  throw new LambdaFault(400, 'InvalidParameterValueException', `Unsupported invocation type: ${String(header)}`);
}

function statusOf(invocationType: InvocationType): number {
  return invocationType === 'Event' ? 202 : invocationType === 'DryRun' ? 204 : 200;
}

/** Lambda's error shape: the code in `x-amzn-ErrorType`, `Type` and `message` (and `Reason` when throttling) in JSON. */
function replyError(res: ServerResponse, requestId: string, fault: LambdaFault): void {
  const body = {
    Type: fault.status >= 500 ? 'Service' : 'User',
    message: fault.message,
    ...(fault.extra.reason !== undefined && { Reason: fault.extra.reason }),
  };
  send(res, fault.status, requestId, JSON.stringify(body), {
    'content-type': 'application/json',
    'x-amzn-errortype': fault.code,
    ...(fault.extra.retryAfterSeconds !== undefined && { 'retry-after': String(fault.extra.retryAfterSeconds) }),
  });
}

function send(res: ServerResponse, status: number, requestId: string, body = '', headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'x-amzn-requestid': requestId, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  // Past the larger limit the body is not read further; the size check answers 413.
  const tooLarge = () =>
    new LambdaFault(413, 'RequestTooLargeException', `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the Invoke operation`);
  return (await readRequestBody(req, MAX_SYNC_PAYLOAD_BYTES, tooLarge)).toString('utf8');
}
