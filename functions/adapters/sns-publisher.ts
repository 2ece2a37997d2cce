// Publisher adapter: sends each WatcherEvent to the SNS topic as JSON for machines and readable text for email.
import { PublishCommand, SNSClient, type MessageAttributeValue, type PublishCommandInput } from '@aws-sdk/client-sns';
import { PublishError } from '../core/errors.js';
import { renderEmailText, renderSubject } from '../core/event-text.js';
import type { WatcherEvent } from '../core/model.js';
import type { Publisher } from '../core/ports.js';
import { truncateToBytes, utf8Bytes } from '../core/text/truncate.js';

/** SNS's limit on one message: the body plus every attribute's name, data type and value, in UTF-8 bytes. */
export const SNS_MESSAGE_MAX_BYTES = 262_144;

/** How far long vendor texts are cut, step by step, until the message fits (`undefined`: not at all). */
const TEXT_BUDGETS: readonly (number | undefined)[] = [undefined, 96_000, 48_000, 16_000, 4_000, 1_000, 0];

export interface SnsPublisherOptions {
  /** A client built once per container, e.g. with {@link makeSnsClient}. */
  readonly client: SNSClient;
  readonly topicArn: string;
  /** IANA zone the email copy shows times in (the config's `timeZone`); default UTC. */
  readonly timeZone?: string;
}

/**
 * A {@link Publisher} that sends one SNS `Publish` per event with `MessageStructure: 'json'`: `default` is the
 * event as JSON (schema version 1) for Lambda, SQS and HTTPS subscribers, `email` is {@link renderEmailText}.
 * Message attributes `type`, `source`, `severity`, `vendor` (String) and `region` (String.Array) serve
 * subscription filter policies. An event too large for SNS has its long texts cut until it fits.
 * Any failure is thrown as {@link PublishError} naming the event id.
 */
export function makeSnsPublisher({ client, topicArn, timeZone }: SnsPublisherOptions): Publisher {
  return {
    async publish(event: WatcherEvent): Promise<void> {
      const input = buildPublishInput(event, topicArn, timeZone);
      try {
        await client.send(new PublishCommand(input));
      } catch (error) {
        throw new PublishError(event.id, `SNS publish failed: ${describeError(error)}`, { cause: error });
      }
    },
  };
}

export interface SnsClientOptions {
  /** @default the SDK's region resolution (AWS_REGION in Lambda); `us-east-1` when `endpoint` is given */
  readonly region?: string;
  /** A local SNS-compatible endpoint; when given, static dummy credentials are used. @default the AWS endpoint */
  readonly endpoint?: string;
  /** Attempts per request, the first included (the SDK retries throttling, 5xx and timeouts). @default 4 */
  readonly maxAttempts?: number;
  /** Time allowed to open the connection of one attempt. @default 3_000 */
  readonly connectionTimeoutMs?: number;
  /** Time allowed for one HTTP attempt before it is abandoned and retried. @default 10_000 */
  readonly requestTimeoutMs?: number;
}

/** The retry settings of {@link makeSnsClient} when none are given. */
export const SNS_CLIENT_DEFAULTS = { maxAttempts: 4, connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 } as const;

/**
 * The SDK's standard retry strategy waits at most `base × 2^retry` before each retry (with jitter below it); 500 ms is
 * its base for throttling errors, the largest of its bases.
 */
const SDK_THROTTLING_RETRY_BASE_MS = 500;

/**
 * The longest one SNS request can take with these client settings: every attempt spending its whole connection and
 * request timeouts, and the longest backoff before each retry. A function that makes one request must allow this much.
 */
export function snsWorstCaseMs(options: Pick<SnsClientOptions, 'maxAttempts' | 'connectionTimeoutMs' | 'requestTimeoutMs'> = {}): number {
  const { maxAttempts, connectionTimeoutMs, requestTimeoutMs } = { ...SNS_CLIENT_DEFAULTS, ...options };
  let backoff = 0;
  for (let retry = 1; retry < maxAttempts; retry += 1) backoff += SDK_THROTTLING_RETRY_BASE_MS * 2 ** retry;
  return maxAttempts * (connectionTimeoutMs + requestTimeoutMs) + backoff;
}

/**
 * Builds the SNS client; call it once at module scope. Up to 4 attempts per publish (the SDK retries throttling,
 * 5xx and timeouts with backoff), and connection and request timeouts so a hung connection cannot use up the Lambda's
 * time; {@link snsWorstCaseMs} says how long one request may take in all.
 */
export function makeSnsClient(options: SnsClientOptions = {}): SNSClient {
  const { region, endpoint } = options;
  const { maxAttempts, connectionTimeoutMs, requestTimeoutMs } = { ...SNS_CLIENT_DEFAULTS, ...definedOnly(options) };
  return new SNSClient({
    maxAttempts,
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
    ...(region !== undefined && { region }),
    ...(endpoint !== undefined && {
      endpoint,
      region: region ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
}

function definedOnly(options: SnsClientOptions): Partial<typeof SNS_CLIENT_DEFAULTS> {
  return Object.fromEntries(
    (['maxAttempts', 'connectionTimeoutMs', 'requestTimeoutMs'] as const)
      .filter((key) => options[key] !== undefined)
      .map((key) => [key, options[key]]),
  );
}

function buildPublishInput(event: WatcherEvent, topicArn: string, timeZone: string | undefined): PublishCommandInput {
  const subject = renderSubject(event);
  const attributes = messageAttributes(event);
  const fixedBytes = utf8Bytes(subject) + attributeBytes(attributes);
  for (const budget of TEXT_BUDGETS) {
    const shaped = budget === undefined ? event : shrinkEvent(event, budget);
    const message = JSON.stringify({
      default: JSON.stringify(shaped),
      email: renderEmailText(shaped, { timeZone }),
    });
    // Subject is counted too although SNS documents only body and attributes: a margin costs nothing.
    if (utf8Bytes(message) + fixedBytes <= SNS_MESSAGE_MAX_BYTES) {
      return { TopicArn: topicArn, MessageStructure: 'json', Message: message, Subject: subject, MessageAttributes: attributes };
    }
  }
  throw new PublishError(
    event.id,
    `SNS publish failed: event does not fit in ${SNS_MESSAGE_MAX_BYTES} bytes even with its texts cut`,
  );
}

/** The event with its long vendor texts cut to `budget` bytes each; id, type, source and item id are kept as they are. */
function shrinkEvent(event: WatcherEvent, budget: number): WatcherEvent {
  const small = budget <= 4_000;
  return {
    ...event,
    summary: truncateToBytes(event.summary, budget),
    ...(event.update && { update: { ...event.update, text: truncateToBytes(event.update.text, budget) } }),
    ...(small && { title: truncateToBytes(event.title, 300) }),
    ...(small && event.packages && { packages: event.packages.slice(0, 20) }),
  };
}

function messageAttributes(event: WatcherEvent): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  // SNS rejects empty attribute values, so an empty field is left out rather than sent.
  const strings = { type: event.type, source: event.source, severity: event.severity, vendor: event.vendor };
  for (const [name, value] of Object.entries(strings)) {
    if (value !== '') attributes[name] = { DataType: 'String', StringValue: value };
  }
  if (event.regions && event.regions.length > 0) {
    // A filter policy on a String.Array attribute matches when any element matches.
    attributes['region'] = { DataType: 'String.Array', StringValue: JSON.stringify(event.regions) };
  }
  return attributes;
}

function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes)) {
    bytes += utf8Bytes(name) + utf8Bytes(value.DataType ?? '') + utf8Bytes(value.StringValue ?? '');
  }
  return bytes;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
