// The post-deploy check's use case: publish test events through the deployed topic so that every Slack route gets one,
// wait for each route's notifier to record the delivery, and tell where each email alert address stands.
import { closingEventOf, deliveryCheckEvents, type DeliveryCheckEvent, type DeliveryCheckSource } from '../core/delivery-check.js';
import type { WatcherEvent } from '../core/model.js';
import type { Clock, Publisher } from '../core/ports.js';
import { routeMatches, type RouteRules } from '../core/routing.js';
import {
  assessSubscriptions,
  expectedEmailSubscriptions,
  SubscriptionListError,
  type EmailSubscriptionConfig,
  type SubscriptionLister,
  type SubscriptionState,
  type TopicListing,
} from '../core/subscription-health.js';

/** The notifiers' delivery records (functions/adapters/dynamo-delivery-store.ts `makeDynamoDeliveryRecords`). */
export interface DeliveryRecords {
  /** Whether the event's delivery is recorded as done under `channelKey` (a route's `channelKey`). */
  isDelivered(channelKey: string, eventId: string): Promise<boolean>;
}

/** The delivery records could not be read: the check cannot tell whether anything arrived. */
export class DeliveryRecordsError extends Error {
  override readonly name = 'DeliveryRecordsError';
}

/** A Slack route as deployed: its id, the key its notifier records deliveries under, and its rules. */
export interface CheckDeploySlackRoute {
  readonly id: string;
  /** The partition of its delivery records: `SLACK#<channel ID>` in bot mode, `SLACK#webhook:<route id>` in webhook mode. */
  readonly channelKey: string;
  readonly rules: RouteRules;
  /** The channel's label (`Slack`, `PagerDuty`); Slack when unset. */
  readonly label?: string;
  /** A paging route (its plug-in's `keepsAlertsOpen`): once its test event is delivered, the event closing it is sent. */
  readonly keepsAlertsOpen?: boolean;
}

export interface CheckDeployDependencies {
  /** Publishes to the deployed event topic exactly as the poller does, message attributes and all. */
  readonly publisher: Publisher;
  readonly deliveries: DeliveryRecords;
  readonly subscriptions: SubscriptionLister;
  readonly clock: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How often the delivery records are read while waiting (one GetItem per route not yet received). @default 500 */
  readonly pollIntervalMs?: number;
}

export interface CheckDeployRequest {
  /** The deployed event topic, whose email subscriptions are the alerts. */
  readonly topicArn: string;
  /** Names this run: test events carry it in their item id (`delivery-check-<runId>`). */
  readonly runId: string;
  readonly timeoutMs: number;
  readonly slackRoutes: readonly CheckDeploySlackRoute[];
  readonly emailAlerts: EmailSubscriptionConfig['alerts'];
  readonly sources: readonly DeliveryCheckSource[];
}

export interface SlackRouteResult {
  readonly routeId: string;
  readonly channelKey: string;
  readonly eventId: string;
  /** How long after the publish its delivery was first seen recorded; undefined: not within the timeout. */
  readonly receivedAfterMs?: number;
  /**
   * A paging route that received its test event: the event published to close the test alert again and how long after
   * that publish its delivery was recorded (undefined: not within the timeout), or why none could be sent.
   */
  readonly closing?: { readonly eventId: string; readonly receivedAfterMs?: number } | { readonly skipped: string };
}

export interface EmailAddressResult {
  readonly subscription: SubscriptionState;
  /** The test events its filter policy takes (it receives those by mail, if confirmed). */
  readonly takes: readonly string[];
}

export interface CheckDeployReport {
  readonly events: readonly DeliveryCheckEvent[];
  readonly slack: readonly SlackRouteResult[];
  readonly email:
    | { readonly outcome: 'none' }
    | { readonly outcome: 'listed'; readonly addresses: readonly EmailAddressResult[] }
    | { readonly outcome: 'failed'; readonly reason: string };
}

/**
 * Builds the check. It throws `PublishError` when a test event cannot be published and {@link DeliveryRecordsError}
 * when the delivery records cannot be read; a failed subscription listing is reported, not thrown.
 */
export function makeCheckDeploy(deps: CheckDeployDependencies) {
  const { publisher, deliveries, subscriptions, clock } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollIntervalMs = deps.pollIntervalMs ?? 500;

  return async function checkDeploy(request: CheckDeployRequest): Promise<CheckDeployReport> {
    const events = deliveryCheckEvents(request.slackRoutes, request.sources, { runId: request.runId, now: clock.now() });
    for (const { event } of events) await publisher.publish(event);
    const publishedAt = clock.now().getTime();

    const [received, email] = await Promise.all([waitForDeliveries(request, events, publishedAt), emailAlerts(request, events)]);
    const slack = await closeTestAlerts(request, events, received);
    return { events, slack, email };
  };

  /**
   * Paging routes keep an alert open until the item ends: for each test event a paging route received, the event that
   * ends its item is published (once; every route whose rules take it gets it, as any real resolution) and each such
   * route's delivery of it awaited, so that no test alert is left open.
   */
  async function closeTestAlerts(
    request: CheckDeployRequest,
    events: readonly DeliveryCheckEvent[],
    results: SlackRouteResult[],
  ): Promise<SlackRouteResult[]> {
    const routeOf = new Map(request.slackRoutes.map((route) => [route.id, route]));
    const closings = new Map<string, WatcherEvent>();
    const waiting: SlackRouteResult[] = [];
    const closed = results.map((result): SlackRouteResult => {
      const route = routeOf.get(result.routeId)!;
      if (!route.keepsAlertsOpen || result.receivedAfterMs === undefined) return result;
      const event = events.find((e) => e.event.id === result.eventId)!.event;
      const closing = closings.get(event.id) ?? closingEventOf(event, clock.now());
      if (closing === undefined) return { ...result, closing: { skipped: `${event.type} has no event that ends its item` } };
      if (!routeMatches(route.rules, closing)) return { ...result, closing: { skipped: `its rules do not take ${closing.type}` } };
      closings.set(event.id, closing);
      const pending = { ...result, channelKey: route.channelKey, eventId: closing.id };
      waiting.push(pending);
      return pending;
    });
    if (closings.size === 0) return closed;
    for (const closing of closings.values()) await publisher.publish(closing);
    const publishedAt = clock.now().getTime();
    const seen = await waitForDeliveries(
      { ...request, slackRoutes: waiting.map((w) => ({ ...routeOf.get(w.routeId)!, channelKey: w.channelKey })) },
      waiting.map((w) => ({ event: [...closings.values()].find((c) => c.id === w.eventId)!, routeIds: [w.routeId] })),
      publishedAt,
    );
    const closedAfter = new Map(seen.map((r) => [r.routeId, r]));
    return closed.map((result, index) => {
      const after = closedAfter.get(result.routeId);
      if (!after || !waiting.includes(result)) return result;
      return { ...results[index]!, closing: { eventId: after.eventId, receivedAfterMs: after.receivedAfterMs } };
    });
  }

  async function waitForDeliveries(
    request: CheckDeployRequest,
    events: readonly DeliveryCheckEvent[],
    publishedAt: number,
  ): Promise<SlackRouteResult[]> {
    const eventOf = new Map(events.flatMap(({ event, routeIds }) => routeIds.map((id) => [id, event.id] as const)));
    const results = new Map<string, SlackRouteResult>(
      request.slackRoutes.map((route) => [
        route.id,
        { routeId: route.id, channelKey: route.channelKey, eventId: eventOf.get(route.id)! },
      ]),
    );
    const waiting = () => [...results.values()].filter((result) => result.receivedAfterMs === undefined);
    for (;;) {
      const looked = waiting();
      const found = await Promise.all(
        looked.map(async (result) => {
          try {
            return await deliveries.isDelivered(result.channelKey, result.eventId);
          } catch (error) {
            const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            throw new DeliveryRecordsError(`cannot read the delivery record of route ${result.routeId}: ${reason}`, { cause: error });
          }
        }),
      );
      const elapsed = clock.now().getTime() - publishedAt;
      looked.forEach((result, index) => {
        if (found[index]) results.set(result.routeId, { ...result, receivedAfterMs: elapsed });
      });
      if (waiting().length === 0 || elapsed >= request.timeoutMs) break;
      await sleep(Math.min(pollIntervalMs, request.timeoutMs - elapsed));
    }
    return request.slackRoutes.map((route) => results.get(route.id)!);
  }

  async function emailAlerts(request: CheckDeployRequest, events: readonly DeliveryCheckEvent[]): Promise<CheckDeployReport['email']> {
    const expected = expectedEmailSubscriptions({ alerts: request.emailAlerts });
    if (expected.length === 0) return { outcome: 'none' };
    let listing: TopicListing;
    try {
      listing = { topic: 'events', topicArn: request.topicArn, outcome: 'listed', subscriptions: await subscriptions.listSubscriptions(request.topicArn) };
    } catch (error) {
      if (!(error instanceof SubscriptionListError)) throw error;
      return { outcome: 'failed', reason: error.reason };
    }
    const health = assessSubscriptions(expected, [listing]);
    const rulesOf = new Map<string, RouteRules>(
      request.emailAlerts.map((alert, index) => [`email.alerts[${index}]`, alert.rules ?? {}]),
    );
    return {
      outcome: 'listed',
      addresses: health.expected.map((subscription) => ({
        subscription,
        takes: events.filter(({ event }) => routeMatches(rulesOf.get(subscription.field) ?? {}, event)).map(({ event }) => event.id),
      })),
    };
  }
}
