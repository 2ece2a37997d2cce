// What the webhook plug-in throws, and how its failures sort (functions/delivery/ acts on the scope).
import { scopeOfPostFailure } from '../../adapters/http-json-post.js';
import { ChannelError, type DeliveryScope } from '../../core/errors.js';

/** The receiver refused the event or could not be reached after retries. */
export class WebhookError extends ChannelError {
  override readonly name = 'WebhookError';
}

/**
 * | webhook failure | scope |
 * |---|---|
 * | 401/403 (the receiver refuses the signature: the secrets differ), 404, 409, 410, a redirect, other 4xx | `route` |
 * | 400, 413, 415, 422: this event refused | `event` |
 * | 429, 5xx, 408, timeouts, network, another attempt busy | `transient` |
 *
 * Undefined for an error that is not a `WebhookError`.
 */
export function classifyWebhookFailure(error: Error): DeliveryScope | undefined {
  if (!(error instanceof WebhookError)) return undefined;
  return scopeOfPostFailure(error.code, error.permanent);
}
