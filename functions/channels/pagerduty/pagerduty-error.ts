// What the PagerDuty plug-in throws, and how its failures sort (route, event, transient).
import { scopeOfPostFailure } from '../../adapters/http-json-post.js';
import type { DeliveryScope } from '../../core/errors.js';
import { ChannelError } from '../../core/errors.js';

/** PagerDuty refused the event or could not be reached after retries; `permanent` refusals will not heal by retrying. */
export class PagerDutyError extends ChannelError {
  override readonly name = 'PagerDutyError';
}

/**
 * | PagerDuty failure | scope |
 * |---|---|
 * | a routing key that is not a PagerDuty key (`invalid_routing_key`); 401, 403, 404, a redirect | `route` |
 * | 400 (PagerDuty's "invalid event"), 413, 415, 422 | `event` |
 * | 429, 5xx, network, timeouts, another attempt busy (not `permanent`) | `transient` |
 *
 * Undefined for an error that is not a `PagerDutyError`.
 */
export function classifyPagerDutyFailure(error: Error): DeliveryScope | undefined {
  if (!(error instanceof PagerDutyError)) return undefined;
  if (error.code === 'invalid_routing_key') return 'route';
  return scopeOfPostFailure(error.code, error.permanent);
}
