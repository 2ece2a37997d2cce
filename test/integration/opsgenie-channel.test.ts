// The Opsgenie channel against a loopback Opsgenie Alert API that checks requests as Opsgenie does: a real Auth0
// incident (January 2021) through the delivery boundary as create → notes → close under one alias, an update of an
// incident the route never opened, retries of 429 and 5xx, a bad key and a refused request reported without a retry,
// and each request sent once when the route's queue delivers the events again, on the real local DynamoDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import type { Routed } from '../../functions/channels/channel.js';
import { makeChannelDelivery } from '../../functions/channels/deliver-to-channel.js';
import type { OpsgenieOutputConfig } from '../../functions/channels/opsgenie/config-schema.js';
import { opsgenieAliasOf } from '../../functions/channels/opsgenie/opsgenie-alert.js';
import { OpsgenieError } from '../../functions/channels/opsgenie/opsgenie-error.js';
import { opsgenieChannel } from '../../functions/channels/opsgenie/plugin.js';
import { CHANNEL_SCHEMA_KIT } from '../../functions/config/channel-schema-kit.js';
import type { RouteRules } from '../../functions/core/routing.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { classifyDeliveryFailure } from '../../functions/delivery/classify-delivery-failure.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { deliverQueueTwice } from '../support/redelivered-queue.js';
import { makeMemoryDeliveryStore } from '../support/memory-delivery-store.js';
import { startOpsgenieAlertServer, type OpsgenieAlertServer } from '../support/opsgenie-alert-server.js';
import { realAuth0IncidentEvents, realIncident } from '../support/real-auth0-incident.js';

const TABLE = 'opsgenie-channel';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const NOW = new Date('2021-01-27T04:31:00Z');
const clock = { now: () => NOW };
const http = { retries: 2, minRetryDelayMs: 5, timeoutMs: 5_000 };

describe('the Opsgenie channel', () => {
  let og: OpsgenieAlertServer;
  let dynamo: RunningDynamo;
  const secrets = () => makeSecretResolver({ env: { OPSGENIE_KEY: og.apiKey, OPSGENIE_OLD_KEY: 'a0a0a0a0-revoked-key' } });
  const route = (id: string, apiKey = 'env:OPSGENIE_KEY', rules: RouteRules = {}): Routed<OpsgenieOutputConfig> => ({
    ...opsgenieChannel.configSchema(CHANNEL_SCHEMA_KIT).parse({ type: 'opsgenie', id, apiKey, region: 'eu', apiBaseUrl: og.apiBaseUrl, rules }),
    id,
  });
  /** The delivery boundary over one route, its records in memory. */
  async function boundary(id: string, options: { apiKey?: string; rules?: RouteRules } = {}) {
    const store = makeMemoryDeliveryStore();
    const routed = route(id, options.apiKey, options.rules);
    const connection = await opsgenieChannel.connect(routed, {
      deliveries: store,
      table: { client: dynamo.client, tableName: TABLE },
      secrets: secrets(),
      clock,
      logger: silent,
      http,
    });
    return makeChannelDelivery({ connection, rules: routed.rules, store, clock, logger: silent });
  }
  const actionsOn = (alias: string, since = 0) => og.actions().slice(since).filter((action) => action.endsWith(` ${alias}`)).map((action) => action.split(' ')[0]);

  beforeAll(async () => {
    [og, dynamo] = await Promise.all([startOpsgenieAlertServer(), DYNAMO_BACKENDS[0]!.start(TABLE)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([og?.close(), dynamo?.stop()]);
  });

  it('creates an alert for a real incident, adds a note per update and closes it: one alias, one alert', async () => {
    const deliver = await boundary('lifecycle');
    const incident = realIncident();
    for (const event of incident) expect(await deliver(event)).toBe('posted');
    const alias = opsgenieAliasOf(incident[0]!);
    expect(actionsOn(alias)).toEqual(['create', 'note', 'note', 'note', 'close']);
    const [alert, ...others] = og.alerts().filter((candidate) => candidate.alias === alias);
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ status: 'closed', count: 1 });
    expect(alert!.created).toMatchObject({ priority: expect.stringMatching(/^P[1-5]$/), source: 'Auth0 Ops Watcher' });
    expect(alert!.notes.map((note) => note.split('\n')[1]!.split(':')[0])).toEqual(['Identified (2021-01-20 12', 'Update (2021-01-20 13', 'Monitoring (2021-01-20 14']);
    expect(alert!.closeNote).toContain('Resolved (2021-01-20 18:11 UTC)');
    expect(og.failedRequests()).toEqual([]);
  });

  it('creates the alert for an update when the route did not take the incident’s opening, then notes and closes it', async () => {
    const deliver = await boundary('updates-only', { rules: { types: ['incident.updated', 'incident.resolved'] } });
    const incident = realIncident();
    const before = og.actions().length;
    for (const event of incident) await deliver(event);
    const alias = opsgenieAliasOf(incident[0]!);
    expect(actionsOn(alias, before)).toEqual(['create', 'note', 'note', 'note', 'close']);
    expect(og.alerts().filter((alert) => alert.alias === alias).at(-1)!.notes).toHaveLength(3);
    expect(og.failedRequests()).toEqual([]);
  });

  it('retries a 429 after its Retry-After and a 503 after the backoff, then creates the alert once', async () => {
    const deliver = await boundary('retries');
    const event = realIncident('vt61qk2xqysz')[0]!;
    const before = og.requests().length;
    og.failNext(1, { kind: 'ratelimit', retryAfterSec: 1 });
    og.failNext(1, { kind: 'http', status: 503 });
    expect(await deliver(event)).toBe('posted');
    const requests = og.requests().slice(before);
    expect(requests.map((request) => request.status)).toEqual([429, 503, 202]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('reports a refused key as the route’s problem, saying so, without a retry and without quoting the key', async () => {
    const deliver = await boundary('bad-key', { apiKey: 'env:OPSGENIE_OLD_KEY' });
    const before = og.requests().length;
    const error = (await deliver(realIncident('vt61qk2xqysz')[0]!).catch((thrown: unknown) => thrown)) as OpsgenieError;
    expect(error).toBeInstanceOf(OpsgenieError);
    expect(error).toMatchObject({ code: 'http_401', permanent: true });
    expect(error.message).toContain('HTTP 401 (Could not authenticate)');
    expect(error.message).toContain("Opsgenie refused the API key: check the route's apiKey");
    expect(error.message).not.toContain('a0a0a0a0-revoked-key');
    expect(og.requests().length - before).toBe(1);
    expect(classifyDeliveryFailure('opsgenie:bad-key', error).scope).toBe('route');
  });

  it('reports a 422 as a refusal of this event, not retried', async () => {
    const deliver = await boundary('refused');
    const before = og.requests().length;
    og.failNext(1, { kind: 'http', status: 422, body: { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.' } } });
    const error = (await deliver(realIncident('vt61qk2xqysz')[0]!).catch((thrown: unknown) => thrown)) as OpsgenieError;
    expect(error).toMatchObject({ code: 'http_422', permanent: true });
    expect(og.requests().length - before).toBe(1);
    expect(classifyDeliveryFailure('opsgenie:refused', error).scope).toBe('event');
  });

  it('sends each request of a redelivered, reordered queue once: the route queue consumer on the real local DynamoDB', async () => {
    const events = realAuth0IncidentEvents();
    const before = og.actions().length;
    await deliverQueueTwice({ channel: opsgenieChannel, route: route('queue'), client: dynamo.client, tableName: TABLE, secrets: secrets(), clock, http }, events);
    const byAlias = (itemId: string) => actionsOn(opsgenieAliasOf(events.find((event) => event.itemId === itemId)!), before);
    expect(byAlias('rx8wtk8svly4')).toEqual(['create', 'note', 'note', 'note', 'close']);
    expect(byAlias('vt61qk2xqysz')).toEqual(['create', 'close']);
    // First seen already resolved: its close finds no alert, which Opsgenie reports on the request and nobody is paged.
    expect(byAlias('1592ylhhyrrl')).toEqual(['close']);
    // One request per event, none repeated by the second delivery.
    expect(og.actions().length - before).toBe(events.length);
  });
});
