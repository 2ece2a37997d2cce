// How the Slack plug-in sorts its failures for the local per-output queues (functions/delivery/): about the route,
// about one event, or passing.
import type { DeliveryScope } from '../../core/errors.js';
import { SlackError } from './slack-error.js';

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

/**
 * | Slack failure | scope |
 * |---|---|
 * | credentials, permissions, channel, webhook gone ({@link SLACK_ROUTE_CODES}) | `route` |
 * | the message refused ({@link SLACK_EVENT_CODES}) | `event` |
 * | 429, 5xx, network, timeouts, another attempt busy (not `permanent`) | `transient` |
 * | any other permanent refusal | `route`: holding loses nothing, parking might |
 *
 * Undefined for an error that is not a `SlackError`.
 */
export function classifySlackFailure(error: Error): DeliveryScope | undefined {
  if (!(error instanceof SlackError)) return undefined;
  if (SLACK_ROUTE_CODES.has(error.code)) return 'route';
  if (SLACK_EVENT_CODES.has(error.code)) return 'event';
  return error.permanent ? 'route' : 'transient';
}
