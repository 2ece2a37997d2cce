// Poll invoker adapter: starts one poll by invoking the poll function asynchronously (Lambda Invoke, Event type).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PollInvokeError, type PollInvoker } from '../dispatch/dispatch-polls.js';

/** What Lambda answers when it has queued an asynchronous (`Event`) invocation. */
const ACCEPTED = 202;

export interface LambdaPollInvokerOptions {
  /** A client built once per container, e.g. with {@link makeLambdaClient}. */
  readonly client: LambdaClient;
  /** The poll function's name or ARN. */
  readonly functionName: string;
}

/**
 * A {@link PollInvoker} that sends one Lambda `Invoke` per poll with `InvocationType: 'Event'` and the payload
 * `{"sourceId": …}`, the event the poll handler takes, so each poll runs with the poll function's own retry and
 * dead-letter settings. Anything but `202 Accepted` (an error after the client's retries, or another status) is thrown
 * as {@link PollInvokeError} naming the source and the reason.
 */
export function makeLambdaPollInvoker({ client, functionName }: LambdaPollInvokerOptions): PollInvoker {
  const encoder = new TextEncoder();
  return {
    async invoke(sourceId: string): Promise<void> {
      let status: number | undefined;
      try {
        const output = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            Payload: encoder.encode(JSON.stringify({ sourceId })),
          }),
        );
        status = output.StatusCode;
      } catch (error) {
        throw new PollInvokeError(sourceId, `Lambda Invoke failed: ${describeError(error)}`, { cause: error });
      }
      if (status !== ACCEPTED) {
        throw new PollInvokeError(sourceId, `Lambda answered HTTP ${status ?? '(none)'} where ${ACCEPTED} (accepted) was expected`);
      }
    },
  };
}

export interface LambdaClientOptions {
  /** @default the SDK's region resolution (AWS_REGION in Lambda); `us-east-1` when `endpoint` is given */
  readonly region?: string;
  /** A local Lambda-compatible endpoint; when given, static dummy credentials are used. @default the AWS endpoint */
  readonly endpoint?: string;
  /**
   * Time allowed for one HTTP attempt before it is abandoned and retried. Queuing an asynchronous invocation takes
   * milliseconds, so a short limit keeps a hung connection from holding one of the dispatcher's few invocations in
   * flight for long.
   * @default 5_000
   */
  readonly requestTimeoutMs?: number;
}

/**
 * Builds the Lambda client; call it once at module scope. Up to 4 attempts per invocation (the SDK retries throttling
 * such as `TooManyRequestsException`, 5xx and timeouts with backoff, within its retry quota), and a request timeout.
 */
export function makeLambdaClient({ region, endpoint, requestTimeoutMs = 5_000 }: LambdaClientOptions = {}): LambdaClient {
  return new LambdaClient({
    maxAttempts: 4,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
    ...(region !== undefined && { region }),
    ...(endpoint !== undefined && {
      endpoint,
      region: region ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
}

/** `TooManyRequestsException: Rate Exceeded. (HTTP 429, 4 attempts)`: the SDK's error with what it tried. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const metadata = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
  const details = [
    metadata?.httpStatusCode !== undefined ? `HTTP ${metadata.httpStatusCode}` : undefined,
    metadata?.attempts !== undefined ? `${metadata.attempts} attempt${metadata.attempts === 1 ? '' : 's'}` : undefined,
  ].filter((detail) => detail !== undefined);
  return `${error.name}: ${error.message}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
