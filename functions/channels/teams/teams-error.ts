// What the Teams plug-in throws, and how its failures sort (functions/delivery/ acts on the scope).
import { scopeOfPostFailure } from '../../adapters/http-json-post.js';
import { ChannelError, type DeliveryScope } from '../../core/errors.js';

/** The Teams workflow refused the message or could not be reached after retries. */
export class TeamsError extends ChannelError {
  override readonly name = 'TeamsError';
}

/**
 * | Teams failure | scope |
 * |---|---|
 * | 401/403 (the URL's signature no longer valid), 404/410 (the workflow deleted), 409 (the flow turned off), a redirect, an unusable URL | `route` |
 * | 400, 413, 415, 422: this card refused | `event` |
 * | 429, 5xx, timeouts, network, another attempt busy | `transient` |
 *
 * Undefined for an error that is not a `TeamsError`.
 */
export function classifyTeamsFailure(error: Error): DeliveryScope | undefined {
  if (!(error instanceof TeamsError)) return undefined;
  return scopeOfPostFailure(error.code, error.permanent);
}
