// The one place a delivery failure is sorted by what it is about: the output (route), one event, or a passing condition.
// The drain of the local per-output queues acts on the scope; nothing else looks at the codes below. A channel's own
// failures are sorted by its plug-in (`classifyFailure`, e.g. functions/channels/slack/slack-failures.ts).
import { CHANNEL_PLUGINS } from '../channels/registry.js';
import { DeliveryError, PublishError, SecretError, type DeliveryScope } from '../core/errors.js';

/** Sorts an error of a channel's own, or says it is none (a channel plug-in's `classifyFailure`). */
export type ChannelFailureClassifier = (error: Error) => DeliveryScope | undefined;

/** Every registered channel's classification, each recognising its own errors. */
const REGISTERED_CHANNELS: ChannelFailureClassifier = (error) => {
  for (const plugin of CHANNEL_PLUGINS) {
    const scope = plugin.classifyFailure(error);
    if (scope) return scope;
  }
  return undefined;
};

/** SNS errors about the topic or the credentials (the SDK's exception names, without their `Exception` suffix). */
const SNS_ROUTE_ERRORS: ReadonlySet<string> = new Set([
  'AuthorizationError',
  'NotFound',
  'InvalidSecurity',
  'EndpointDisabled',
  'KMSAccessDenied',
  'KMSDisabled',
  'KMSNotFound',
  'KMSInvalidState',
  'KMSOptInRequired',
  'OptInRequired',
  'InvalidClientTokenId',
  'UnrecognizedClient',
  'ExpiredToken',
  'AccessDenied',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

/** SNS refusals of the message itself (too long, a bad attribute), unless they name the topic. */
const SNS_EVENT_ERRORS: ReadonlySet<string> = new Set(['InvalidParameter', 'InvalidParameterValue', 'Validation']);

/** File-system errors that say the jsonl path cannot be written as configured; others (ENOSPC, EMFILE, EIO) pass. */
const FILE_ROUTE_CODES: ReadonlySet<string> = new Set(['EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ELOOP', 'ENAMETOOLONG']);

/**
 * The delivery failure as a {@link DeliveryError} of `outputId` with its scope:
 *
 * | failure | scope |
 * |---|---|
 * | a channel's own error | as its plug-in sorts it (`classifyChannel`; by default every registered channel is asked) |
 * | a route secret that cannot be resolved | `route` |
 * | SNS: {@link SNS_ROUTE_ERRORS}; an `InvalidParameter` naming the topic | `route` |
 * | SNS: {@link SNS_EVENT_ERRORS}; an event too large even with its texts cut | `event` |
 * | SNS: throttling, 5xx, timeouts, network | `transient` |
 * | jsonl: {@link FILE_ROUTE_CODES} | `route` |
 * | anything else (disk full, a connection refused, an unexpected error) | `transient` |
 */
export function classifyDeliveryFailure(
  outputId: string,
  error: unknown,
  classifyChannel: ChannelFailureClassifier = REGISTERED_CHANNELS,
): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DeliveryError(outputId, scopeOf(error, classifyChannel), reason, { cause: error });
}

function scopeOf(error: unknown, classifyChannel: ChannelFailureClassifier): DeliveryScope {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    if (current instanceof DeliveryError) return current.scope;
    const channel = classifyChannel(current);
    if (channel) return channel;
    if (current instanceof SecretError) return 'route';
    const sns = snsScope(current);
    if (sns) return sns;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return FILE_ROUTE_CODES.has(code) && isFileError(current) ? 'route' : 'transient';
    current = current.cause;
  }
  // A publisher that refuses the event before sending anything (the SNS publisher, for an event too large even cut).
  if (error instanceof PublishError && error.cause === undefined) return 'event';
  return 'transient';
}

/** An AWS SDK service error (it carries `$metadata`), by its name; undefined for anything else. */
function snsScope(error: Error): DeliveryScope | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const fault = (error as { $fault?: string }).$fault;
  if (metadata === undefined && error.name !== 'CredentialsProviderError') return undefined;
  const name = error.name.replace(/Exception$/, '');
  if (SNS_ROUTE_ERRORS.has(name)) return 'route';
  if (SNS_EVENT_ERRORS.has(name)) return /topic/i.test(error.message) ? 'route' : 'event';
  const status = metadata?.httpStatusCode;
  if (fault === 'server' || (status !== undefined && (status >= 500 || status === 429)) || /throttl/i.test(name)) return 'transient';
  if (status === 401 || status === 403 || status === 404) return 'route';
  return 'transient';
}

/** A file-system error (it names a syscall), not a network error with the same code. */
function isFileError(error: Error): boolean {
  const syscall = (error as { syscall?: unknown }).syscall;
  return typeof syscall === 'string' && !['connect', 'getaddrinfo', 'read', 'write'].includes(syscall);
}
