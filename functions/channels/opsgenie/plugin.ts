// Plug-in 'opsgenie': an Opsgenie team through an API integration's Alert API. One alert per incident under one alias
// (opsgenie-alert.ts): the incident's first event creates it, each update adds a note, the resolution closes it.
// The delivery boundary sends each event once; what an attempt that died between Opsgenie's answer and its record sends
// again is harmless: a create with the alias of an open alert is folded into it, a second close changes nothing, and a
// note appears twice on the same alert (the Alert API cannot be asked which notes an alert has without read access).
import type { WatcherEvent } from '../../core/model.js';
import type { ChannelPlugin } from '../channel.js';
import type { DeliveryStore } from '../delivery-store.js';
import { closesAlert } from '../paging-alert.js';
import { opsgenieApiUrlOf, opsgenieConfigSchema, type OpsgenieOutputConfig } from './config-schema.js';
import { opsgenieAliasOf, toOpsgenieAlert, toOpsgenieNote } from './opsgenie-alert.js';
import { makeOpsgenieAlertApi } from './opsgenie-api.js';
import { classifyOpsgenieFailure, OpsgenieError } from './opsgenie-error.js';

/** What one event does to its alert: create it, note on it, both, or close it. */
type AlertAction = 'create' | 'note' | 'create+note' | 'close';

export const opsgenieChannel: ChannelPlugin<OpsgenieOutputConfig> = {
  type: 'opsgenie',
  label: 'Opsgenie',
  configSchema: opsgenieConfigSchema,

  checkRoute(route, invalid) {
    // A reference (scheme:name), never a value: the resolver reads the secret it names.
    if (typeof route['apiKey'] !== 'string' || !/^[a-z]+:./.test(route['apiKey'])) throw invalid('apiKey', 'must be a secret reference');
    if (route['region'] !== 'us' && route['region'] !== 'eu') throw invalid('region', 'must be "us" or "eu"');
    if (route['apiBaseUrl'] !== undefined && typeof route['apiBaseUrl'] !== 'string') throw invalid('apiBaseUrl', 'must be a URL');
  },

  secretRefsOf: (route) => [{ field: 'apiKey', ref: route.apiKey }],

  // Records `OPSGENIE#<route id>`: the key that names the team's integration is a secret.
  keyPrefix: 'OPSGENIE',
  destinationKey: (route) => route.id,

  classifyFailure: classifyOpsgenieFailure,
  keepsAlertsOpen: true,

  notifier: {
    entry: new URL('./handler.ts', import.meta.url).href,
    serviceName: 'auth0-ops-watcher-opsgenie',
    describe: (route) => `Alert API, ${route.region.toUpperCase()} region`,
  },

  async connect(route, context) {
    const apiKey = await context.secrets.resolve(route.apiKey);
    const api = makeOpsgenieAlertApi({ ...context.http, apiBaseUrl: opsgenieApiUrlOf(route), apiKey });
    const destination = route.id;
    return {
      destination,
      async post(event, attempt) {
        const alias = opsgenieAliasOf(event);
        const action = await alertActionOf(event, destination, context.deliveries);
        attempt.assertHeld();
        if (action === 'close') await api.closeAlert(alias, toOpsgenieNote(event));
        if (action === 'create' || action === 'create+note') await api.createAlert(toOpsgenieAlert(event));
        if (action === 'note' || action === 'create+note') await api.addNote(alias, toOpsgenieNote(event));
        return { receipt: `${action} ${alias}`, recovered: false };
      },
      error: (code, message) => new OpsgenieError(code, false, message),
    };
  },
};

/**
 * What `event` does to its alert on this route. The item's end closes it; the thread's first event creates it; an
 * update notes on it when this route delivered the event before it and that left the alert open. Otherwise (the route
 * did not take the event before: its rules, or a route added while the incident was open; or the alert was closed and
 * the item reopened) it creates the alert, which Opsgenie folds into an open one with the same alias, then notes on it.
 */
async function alertActionOf(event: WatcherEvent, destination: string, deliveries: DeliveryStore): Promise<AlertAction> {
  if (closesAlert(event)) return 'close';
  if (event.previous === undefined) return 'create';
  const before = await deliveries.getDelivery(destination, event.previous.id);
  const open = before?.status === 'done' && before.ts !== undefined && !before.ts.startsWith('close');
  return open ? 'note' : 'create+note';
}
