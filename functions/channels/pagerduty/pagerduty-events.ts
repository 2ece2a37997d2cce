// Adapter of the PagerDuty plug-in: the Events API v2 (`POST <apiBaseUrl>/v2/enqueue`), one request per event, through
// the shared JSON poster (adapters/http-json-post.ts: 429 retried after its Retry-After; 5xx, timeouts and network
// errors after backoff; any other refusal, such as 400 for an invalid event, reported at once and not retried).
import { postJson, type JsonPostOptions } from '../../adapters/http-json-post.js';
import { PagerDutyError } from './pagerduty-error.js';
import type { PagerDutyEvent } from './pagerduty-event.js';

export interface PagerDutyEventsClient {
  /** Sends one event. Throws `PagerDutyError` when PagerDuty refuses it or cannot be reached after retries. */
  enqueue(event: PagerDutyEvent): Promise<void>;
}

export interface PagerDutyEventsOptions extends JsonPostOptions {
  readonly apiBaseUrl: string;
  /** The integration's routing key: a secret, never quoted in an error or a log line. */
  readonly routingKey: string;
}

/** PagerDuty's integration keys are 32 characters; any other is refused before anything is sent. */
const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

/** Builds the client; throws `PagerDutyError('invalid_routing_key')` (about the route) for a key of the wrong form. */
export function makePagerDutyEventsClient(options: PagerDutyEventsOptions): PagerDutyEventsClient {
  if (!ROUTING_KEY.test(options.routingKey)) {
    throw new PagerDutyError('invalid_routing_key', true, 'the PagerDuty routing key is not 32 letters and digits: copy the integration key of the service\'s "Events API V2" integration');
  }
  const target = {
    url: `${options.apiBaseUrl.replace(/\/+$/, '')}/v2/enqueue`,
    name: 'PagerDuty Events API',
    secretParts: [options.routingKey],
  };
  const makeError = (code: string, permanent: boolean, message: string) => new PagerDutyError(code, permanent, message);
  return {
    async enqueue(event) {
      const body = JSON.stringify({ routing_key: options.routingKey, ...event });
      await postJson(target, () => ({ body }), makeError, options);
    },
  };
}
