// The one place a delivery failure is sorted by what it is about: the output (route), one event, or a passing condition.
// The drain of the local per-output queues acts on the scope; nothing else looks at the codes below.
import { DeliveryError, PublishError, SecretError, SlackError, type DeliveryScope } from '../core/errors.js';

/**
 * Slack refusals about the route: its credentials, its permissions, its channel or its webhook. Retrying any event
 * gets the same answer until someone fixes the route. (Web API codes from Slack's chat.postMessage, chat.update and
 * conversations.* documentation; webhook codes as incoming webhooks answer them: invalid_token 403, no_service 404,
 * channel_is_archived 410, action_prohibited 403; `http_<status>` when the webhook's body was not a code.)
 */
const SLACK_ROUTE_CODES: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'no_permission',
  'missing_scope',
  'access_denied',
  'accesslimited',
  'ekm_access_denied',
  'enterprise_is_restricted',
  'org_login_required',
  'team_access_not_granted',
  'team_not_found',
  'two_factor_setup_required',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'deprecated_endpoint',
  'method_deprecated',
  'unknown_method',
  // incoming webhooks, and the webhook poster's own check of its URL
  'invalid_token',
  'action_prohibited',
  'no_service',
  'no_active_hooks',
  'channel_is_archived',
  'team_disabled',
  'invalid_webhook_url',
  'http_401',
  'http_403',
  'http_404',
  'http_410',
]);

/** Slack refusals about the one message: the same route takes other events. */
const SLACK_EVENT_CODES: ReadonlySet<string> = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'invalid_arguments',
  'invalid_attachments',
  'too_many_attachments',
  'attachment_payload_limit_exceeded',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'invalid_charset',
  'invalid_form_data',
  'invalid_json',
  'json_not_object',
  'invalid_payload',
  'user_not_found',
  'thread_not_found',
  'cannot_reply_to_message',
  'restricted_action_thread_locked',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'http_400',
  'http_413',
]);

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
 * | Slack: credentials, permissions, channel, webhook gone ({@link SLACK_ROUTE_CODES}); a route secret that cannot be resolved | `route` |
 * | Slack: the message refused ({@link SLACK_EVENT_CODES}) | `event` |
 * | Slack: 429, 5xx, network, timeouts, another attempt busy (not `permanent`) | `transient` |
 * | Slack: any other permanent refusal | `route`: holding loses nothing, parking might |
 * | SNS: {@link SNS_ROUTE_ERRORS}; an `InvalidParameter` naming the topic | `route` |
 * | SNS: {@link SNS_EVENT_ERRORS}; an event too large even with its texts cut | `event` |
 * | SNS: throttling, 5xx, timeouts, network | `transient` |
 * | jsonl: {@link FILE_ROUTE_CODES} | `route` |
 * | anything else (disk full, a connection refused, an unexpected error) | `transient` |
 */
export function classifyDeliveryFailure(outputId: string, error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DeliveryError(outputId, scopeOf(error), reason, { cause: error });
}

function scopeOf(error: unknown): DeliveryScope {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    if (current instanceof DeliveryError) return current.scope;
    if (current instanceof SlackError) return slackScope(current);
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

function slackScope(error: SlackError): DeliveryScope {
  if (SLACK_ROUTE_CODES.has(error.code)) return 'route';
  if (SLACK_EVENT_CODES.has(error.code)) return 'event';
  return error.permanent ? 'route' : 'transient';
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
