// The PagerDuty channel against a loopback PagerDuty Events API v2 that checks requests as PagerDuty does: a real Auth0
// incident (January 2021) through the delivery boundary as trigger → updates → resolve under one dedup_key, retries of
// 429 and 5xx, a 400 reported as a refusal of the event without a retry, a routing key of the wrong form reported as
// the route's, and each event sent once when the route's queue delivers it again, on the real local DynamoDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import type { Routed } from '../../functions/channels/channel.js';
import { makeChannelDelivery } from '../../functions/channels/deliver-to-channel.js';
import type { PagerDutyOutputConfig } from '../../functions/channels/pagerduty/config-schema.js';
import { PagerDutyError } from '../../functions/channels/pagerduty/pagerduty-error.js';
import { pagerDutyDedupKeyOf } from '../../functions/channels/pagerduty/pagerduty-event.js';
import { pagerDutyChannel } from '../../functions/channels/pagerduty/plugin.js';
import { CHANNEL_SCHEMA_KIT } from '../../functions/config/channel-schema-kit.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { classifyDeliveryFailure } from '../../functions/delivery/classify-delivery-failure.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { deliverQueueTwice } from '../support/redelivered-queue.js';
import { makeMemoryDeliveryStore } from '../support/memory-delivery-store.js';
import { startPagerDutyEventsServer, type PagerDutyEventsServer } from '../support/pagerduty-events-server.js';
import { realAuth0IncidentEvents, realIncident } from '../support/real-auth0-incident.js';

const TABLE = 'pagerduty-channel';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const NOW = new Date('2021-01-20T18:31:00Z');
const clock = { now: () => NOW };
const http = { retries: 2, minRetryDelayMs: 5, timeoutMs: 5_000 };

describe('the PagerDuty channel', () => {
  let pd: PagerDutyEventsServer;
  let dynamo: RunningDynamo;
  const secrets = () => makeSecretResolver({ env: { PD_ROUTING_KEY: pd.routingKey, PD_SHORT_KEY: 'abc123' } });
  const route = (id: string, routingKey = 'env:PD_ROUTING_KEY'): Routed<PagerDutyOutputConfig> => ({
    ...pagerDutyChannel.configSchema(CHANNEL_SCHEMA_KIT).parse({ type: 'pagerduty', id, routingKey, apiBaseUrl: pd.apiBaseUrl }),
    id,
  });
  /** The delivery boundary over one route, its records in memory. */
  async function boundary(id: string, routingKey?: string) {
    const store = makeMemoryDeliveryStore();
    const connection = await pagerDutyChannel.connect(route(id, routingKey), {
      deliveries: store,
      table: { client: dynamo.client, tableName: TABLE },
      secrets: secrets(),
      clock,
      logger: silent,
      http,
    });
    return makeChannelDelivery({ connection, rules: {}, store, clock, logger: silent });
  }

  beforeAll(async () => {
    [pd, dynamo] = await Promise.all([startPagerDutyEventsServer(), DYNAMO_BACKENDS[0]!.start(TABLE)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pd?.close(), dynamo?.stop()]);
  });

  it('triggers a real incident, updates the same alert three times and resolves it: one dedup_key, one alert', async () => {
    const deliver = await boundary('lifecycle');
    const incident = realIncident();
    for (const event of incident) expect(await deliver(event)).toBe('posted');
    const key = pagerDutyDedupKeyOf(incident[0]!);
    const alert = pd.alerts().find((candidate) => candidate.dedupKey === key)!;
    expect(alert.status).toBe('resolved');
    expect(alert.events.map((event) => event.event_action)).toEqual(['trigger', 'trigger', 'trigger', 'trigger', 'resolve']);
    expect(alert.events.map((event) => event.payload?.['class'])).toEqual(['incident.opened', 'incident.updated', 'incident.updated', 'incident.updated', undefined]);
    expect(alert.events[0]!.links).toEqual([{ href: 'https://status.auth0.com/incidents/rx8wtk8svly4', text: 'Auth0 page for this incident' }]);
    expect(alert.events[3]!.payload?.['custom_details']).toMatchObject({ 'Latest update': 'Monitoring, 2021-01-20 14:47 UTC' });
  });

  it('retries a 429 after its Retry-After and a 500 after the backoff, then delivers the event once', async () => {
    const deliver = await boundary('retries');
    const event = realIncident('vt61qk2xqysz')[0]!;
    const before = pd.requests().length;
    pd.failNext(1, { kind: 'ratelimit', retryAfterSec: 1 });
    pd.failNext(1, { kind: 'http', status: 500 });
    expect(await deliver(event)).toBe('posted');
    const requests = pd.requests().slice(before);
    expect(requests.map((request) => request.status)).toEqual([429, 500, 202]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(pd.accepted().filter((sent) => sent.dedup_key === pagerDutyDedupKeyOf(event))).toHaveLength(1);
  });

  it('reports a 400 as a permanent refusal of this event, not retried, quoting PagerDuty and never the routing key', async () => {
    const deliver = await boundary('invalid');
    const event = realIncident('vt61qk2xqysz')[0]!;
    const before = pd.requests().length;
    pd.failNext(1, { kind: 'http', status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing"] } });
    const error = (await deliver(event).catch((thrown: unknown) => thrown)) as PagerDutyError;
    expect(error).toBeInstanceOf(PagerDutyError);
    expect(error).toMatchObject({ code: 'http_400', permanent: true });
    expect(error.message).toContain('PagerDuty Events API: refused the message: HTTP 400 (Event object is invalid)');
    expect(error.message).not.toContain(pd.routingKey);
    expect(pd.requests().length - before).toBe(1);
    expect(classifyDeliveryFailure('pagerduty:invalid', error).scope).toBe('event');
    // The claim was given back: the next attempt posts it.
    expect(await deliver(event)).toBe('posted');
  });

  it('refuses a routing key that is not a PagerDuty key before sending anything, as a problem of the route', async () => {
    const before = pd.requests().length;
    const error = (await boundary('short-key', 'env:PD_SHORT_KEY').catch((thrown: unknown) => thrown)) as PagerDutyError;
    expect(error).toMatchObject({ code: 'invalid_routing_key', permanent: true });
    expect(error.message).not.toContain('abc123');
    expect(classifyDeliveryFailure('pagerduty:short-key', error).scope).toBe('route');
    expect(pd.requests().length).toBe(before);
  });

  it('sends each event of a redelivered, reordered queue once: the route queue consumer on the real local DynamoDB', async () => {
    const events = realAuth0IncidentEvents();
    const before = pd.accepted().length;
    await deliverQueueTwice({ channel: pagerDutyChannel, route: route('queue'), client: dynamo.client, tableName: TABLE, secrets: secrets(), clock, http }, events);
    const sent = pd.accepted().slice(before);
    expect(sent).toHaveLength(events.length);
    expect(sent.filter((event) => event.dedup_key === pagerDutyDedupKeyOf(events[0]!)).map((event) => event.event_action)).toEqual([
      'trigger',
      'trigger',
      'trigger',
      'trigger',
      'resolve',
    ]);
  });
});
