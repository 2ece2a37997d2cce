// Plug-in 'pagerduty': a PagerDuty service through its Events API v2 integration. One alert per incident under one
// `dedup_key` (pagerduty-event.ts): the first event triggers it, updates trigger it again (PagerDuty adds them to the
// open alert), the resolution resolves it. PagerDuty cannot be asked what it received, but every event it is sent
// again is harmless: a trigger with the same key lands on the same alert, a second resolve changes nothing.
import type { ChannelPlugin } from '../channel.js';
import { pagerDutyConfigSchema, type PagerDutyOutputConfig } from './config-schema.js';
import { classifyPagerDutyFailure, PagerDutyError } from './pagerduty-error.js';
import { toPagerDutyEvent } from './pagerduty-event.js';
import { makePagerDutyEventsClient } from './pagerduty-events.js';

export const pagerDutyChannel: ChannelPlugin<PagerDutyOutputConfig> = {
  type: 'pagerduty',
  label: 'PagerDuty',
  configSchema: pagerDutyConfigSchema,

  checkRoute(route, invalid) {
    // A reference (scheme:name), never a value: the resolver reads the secret it names.
    if (typeof route['routingKey'] !== 'string' || !/^[a-z]+:./.test(route['routingKey'])) throw invalid('routingKey', 'must be a secret reference');
    if (typeof route['apiBaseUrl'] !== 'string') throw invalid('apiBaseUrl', 'must be a URL');
  },

  secretRefsOf: (route) => [{ field: 'routingKey', ref: route.routingKey }],

  // Records `PAGERDUTY#<route id>`: the routing key that names the service is a secret.
  keyPrefix: 'PAGERDUTY',
  destinationKey: (route) => route.id,

  classifyFailure: classifyPagerDutyFailure,
  keepsAlertsOpen: true,

  notifier: {
    entry: new URL('./handler.ts', import.meta.url).href,
    serviceName: 'auth0-ops-watcher-pagerduty',
    describe: () => 'Events API v2',
  },

  async connect(route, context) {
    const routingKey = await context.secrets.resolve(route.routingKey);
    const client = makePagerDutyEventsClient({ ...context.http, apiBaseUrl: route.apiBaseUrl, routingKey });
    return {
      destination: route.id,
      async post(event, attempt) {
        const pdEvent = toPagerDutyEvent(event);
        attempt.assertHeld();
        await client.enqueue(pdEvent);
        return { receipt: `${pdEvent.event_action} ${pdEvent.dedup_key}`, recovered: false };
      },
      error: (code, message) => new PagerDutyError(code, false, message),
    };
  },
};
