// The post-deploy check's use case with in-memory ports: a fake clock that sleeps instantly, a publisher that records,
// delivery records that appear when the test says so.
import { describe, expect, it } from 'vitest';
import { DeliveryRecordsError, makeCheckDeploy, type CheckDeployRequest } from '../../functions/cli/check-deploy.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { SubscriptionListError, type ListedSubscription, type SubscriptionLister } from '../../functions/core/subscription-health.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:events';

function harness(options: { deliveredAfterMs?: Record<string, number>; lister?: SubscriptionLister; failReads?: boolean } = {}) {
  let now = Date.parse('2026-12-01T09:00:00.000Z');
  const published: WatcherEvent[] = [];
  const reads: string[] = [];
  const start = now;
  const check = makeCheckDeploy({
    publisher: { publish: async (event) => void published.push(event) },
    deliveries: {
      async isDelivered(channel) {
        if (options.failReads) throw new Error('AccessDeniedException: not authorized to perform dynamodb:GetItem');
        reads.push(channel);
        const after = options.deliveredAfterMs?.[channel];
        return after !== undefined && now - start >= after;
      },
    },
    subscriptions: options.lister ?? { listSubscriptions: async () => [] },
    clock: { now: () => new Date(now) },
    sleep: async (ms) => void (now += ms),
    pollIntervalMs: 500,
  });
  return { check, published, reads };
}

const request = (overrides: Partial<CheckDeployRequest> = {}): CheckDeployRequest => ({
  topicArn: TOPIC,
  runId: 'abc123abc123',
  timeoutMs: 5_000,
  slackRoutes: [
    { id: 'incidents', channelKey: 'C0INCIDENTS', rules: { types: ['incident.*'] } },
    { id: 'platform', channelKey: 'webhook:platform', rules: { types: ['changelog.published'] } },
  ],
  emailAlerts: [],
  sources: [{ id: 'auth0-status-us-1', type: 'auth0-status', vendor: 'Auth0' }],
  ...overrides,
});

describe('check-deploy use case', () => {
  it('reports each route when its delivery record appears, and a route whose record never does as not received at the timeout', async () => {
    const { check, published, reads } = harness({ deliveredAfterMs: { C0INCIDENTS: 1_200 } });
    const report = await check(request());
    expect(published).toHaveLength(2);
    expect(report.slack).toEqual([
      { routeId: 'incidents', channelKey: 'C0INCIDENTS', eventId: published[0]!.id, receivedAfterMs: 1_500 },
      { routeId: 'platform', channelKey: 'webhook:platform', eventId: published[1]!.id },
    ]);
    // Stops reading a route's record once it is there, and stops waiting at the timeout.
    expect(reads.filter((channel) => channel === 'C0INCIDENTS')).toHaveLength(4);
    expect(reads.filter((channel) => channel === 'webhook:platform')).toHaveLength(11);
  });

  it('stops waiting as soon as every route has received its event', async () => {
    const { check, reads } = harness({ deliveredAfterMs: { C0INCIDENTS: 0, 'webhook:platform': 400 } });
    const report = await check(request());
    expect(report.slack.map((route) => route.receivedAfterMs)).toEqual([0, 500]);
    expect(reads).toHaveLength(3);
  });

  it('throws DeliveryRecordsError naming the route when the delivery records cannot be read', async () => {
    const { check } = harness({ failReads: true });
    const error = await check(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryRecordsError);
    expect((error as Error).message).toMatch(/^cannot read the delivery record of route (incidents|platform): Error: AccessDeniedException/);
  });

  it('reports each email alert address with the test events its filter takes, and a listing that failed without failing the check', async () => {
    const listed: ListedSubscription[] = [{ protocol: 'email', endpoint: 'oncall@example.com', subscriptionArn: `${TOPIC}:1` }];
    const emailAlerts = [{ addresses: ['oncall@example.com', 'gone@example.com'], rules: { types: ['incident.*'] } }];
    const ok = harness({ deliveredAfterMs: { C0INCIDENTS: 0, 'webhook:platform': 0 }, lister: { listSubscriptions: async () => listed } });
    const report = await ok.check(request({ emailAlerts }));
    expect(report.email).toEqual({
      outcome: 'listed',
      addresses: [
        { subscription: expect.objectContaining({ address: 'oncall@example.com', status: 'confirmed' }), takes: [ok.published[0]!.id] },
        { subscription: expect.objectContaining({ address: 'gone@example.com', status: 'missing', topicArn: TOPIC }), takes: [ok.published[0]!.id] },
      ],
    });
    const denied: SubscriptionLister = {
      listSubscriptions: async (topicArn) => {
        throw new SubscriptionListError(topicArn, 'AuthorizationErrorException: not authorized');
      },
    };
    const failed = harness({ deliveredAfterMs: { C0INCIDENTS: 0, 'webhook:platform': 0 }, lister: denied });
    expect((await failed.check(request({ emailAlerts }))).email).toEqual({ outcome: 'failed', reason: 'AuthorizationErrorException: not authorized' });
  });

  it('publishes nothing and waits for nothing without Slack routes', async () => {
    const { check, published, reads } = harness();
    const report = await check(request({ slackRoutes: [] }));
    expect([published, reads, report.slack, report.email]).toEqual([[], [], [], { outcome: 'none' }]);
  });

  it('closes a paging route\'s test alert once it was delivered: publishes the event ending the item and awaits its delivery', async () => {
    const { check, published } = harness({ deliveredAfterMs: { 'PAGERDUTY#oncall': 0 } });
    const report = await check(
      request({ slackRoutes: [{ id: 'oncall', channelKey: 'PAGERDUTY#oncall', rules: { types: ['incident.*'] }, label: 'PagerDuty', keepsAlertsOpen: true }] }),
    );
    expect(published.map((event) => event.type)).toEqual(['incident.opened', 'incident.resolved']);
    expect(published[1]).toMatchObject({ itemId: published[0]!.itemId, source: published[0]!.source, previous: { id: published[0]!.id } });
    expect(report.slack).toEqual([expect.objectContaining({ routeId: 'oncall', receivedAfterMs: 0, closing: { eventId: published[1]!.id, receivedAfterMs: 0 } })]);
  });

  it('says a paging route\'s test alert stays open when its rules do not take the event that would close it, and publishes none', async () => {
    const { check, published } = harness({ deliveredAfterMs: { 'OPSGENIE#sre': 0 } });
    const report = await check(
      request({ slackRoutes: [{ id: 'sre', channelKey: 'OPSGENIE#sre', rules: { types: ['incident.opened'] }, label: 'Opsgenie', keepsAlertsOpen: true }] }),
    );
    expect(published).toHaveLength(1);
    expect(report.slack[0]!.closing).toEqual({ skipped: 'its rules do not take incident.resolved' });
  });
});
