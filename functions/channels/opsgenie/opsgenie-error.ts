// What the Opsgenie plug-in throws, and how its failures sort (route, event, transient).
import { scopeOfPostFailure } from '../../adapters/http-json-post.js';
import type { DeliveryScope } from '../../core/errors.js';
import { ChannelError } from '../../core/errors.js';

/** Opsgenie refused a request or could not be reached after retries; `permanent` refusals will not heal by retrying. */
export class OpsgenieError extends ChannelError {
  override readonly name = 'OpsgenieError';
}

/**
 * | Opsgenie failure | scope |
 * |---|---|
 * | a bad API key (401), rights or plan (402, 403), 404, a redirect | `route` |
 * | the request's content refused (400, 413, 415, 422) | `event` |
 * | 429, 5xx, network, timeouts, another attempt busy (not `permanent`) | `transient` |
 *
 * Undefined for an error that is not an `OpsgenieError`.
 */
export function classifyOpsgenieFailure(error: Error): DeliveryScope | undefined {
  if (!(error instanceof OpsgenieError)) return undefined;
  return scopeOfPostFailure(error.code, error.permanent);
}
