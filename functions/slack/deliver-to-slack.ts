// The Slack delivery use case: one living thread per item in bot mode, one message per event by webhook,
// and never two posts of one event in one channel.
import type { DeliveryClaim, SlackStateStore } from '../adapters/dynamo-slack-store.js';
import { SlackError } from '../core/errors.js';
import type { EventType, WatcherEvent } from '../core/model.js';
import type { Clock, Logger, SlackApi, SlackWebhook } from '../core/ports.js';
import { routeMatches, type RouteRules } from '../core/routing.js';
import { renderReply, renderRoot, renderStandalone, threadStateFrom, type ThreadState } from '../core/slack-message.js';

export type SlackDestination =
  | { readonly mode: 'bot'; readonly channel: string; readonly api: SlackApi }
  | { readonly mode: 'webhook'; readonly routeId: string; readonly webhook: SlackWebhook };

export interface SlackDeliverySettings {
  /** A claim older than this belongs to an attempt that died; another may take over (after looking in Slack). */
  readonly claimStaleMs: number;
  /** How long delivery records are kept (a redrive from the dead-letter queue must still find them). */
  readonly deliveryRetentionDays: number;
  /** How long a thread root is remembered after its last update (an RCA may come weeks after resolution). */
  readonly threadRetentionDays: number;
  /** How long to wait for another attempt that is posting an item's root message. */
  readonly rootWaitMs: number;
}

export const DEFAULT_SLACK_DELIVERY_SETTINGS: SlackDeliverySettings = {
  claimStaleMs: 5 * 60_000,
  deliveryRetentionDays: 30,
  threadRetentionDays: 120,
  rootWaitMs: 5_000,
};

export type DeliveryOutcome =
  /** Posted now. */
  | 'posted'
  /** An earlier, interrupted attempt had posted it; recorded now, not posted again. */
  | 'recovered'
  /** Delivered before: a repeated SNS delivery or a redrive. */
  | 'duplicate'
  /** The route's rules do not take this event. */
  | 'filtered';

/** Replies that are also shown in the channel: the end of an incident and its root-cause analysis. */
const BROADCAST: ReadonlySet<EventType> = new Set(['incident.resolved', 'incident.rca_published', 'source.recovered']);

const DAY_S = 86_400;
const ROOT_LOOK_INTERVAL_MS = 250;

export interface SlackDeliveryDependencies {
  readonly destination: SlackDestination;
  readonly rules: RouteRules;
  readonly store: SlackStateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<SlackDeliverySettings>;
  /** Waits between looks for a root another attempt is posting (tests shorten it). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Builds `deliver(event)`. Throws `SlackError` when Slack refuses or cannot be reached after retries. */
export function makeSlackDelivery(deps: SlackDeliveryDependencies) {
  const settings = { ...DEFAULT_SLACK_DELIVERY_SETTINGS, ...deps.settings };
  const { destination, store, clock, logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const channelKey = channelKeyOf(destination);

  return async function deliver(event: WatcherEvent): Promise<DeliveryOutcome> {
    if (!routeMatches(deps.rules, event)) return 'filtered';
    const now = clock.now();
    const nowIso = now.toISOString();
    const staleBefore = new Date(now.getTime() - settings.claimStaleMs).toISOString();
    const keys = { channel: channelKey, eventId: event.id, eventType: event.type, itemId: event.itemId };

    const claim = await store.claimDelivery(channelKey, event.id, nowIso, staleBefore);
    if (claim.outcome === 'done') return 'duplicate';
    if (claim.outcome === 'busy') {
      // Another attempt claimed it and may still post it, or may have died: retry once its claim is done or stale.
      // Reporting success here would lose the event whenever that other attempt had died.
      throw new SlackError('delivery_in_progress', false, `another attempt is delivering event ${event.id}; retry later`);
    }

    let outcome: { ts?: string; recovered: boolean };
    try {
      outcome =
        destination.mode === 'webhook'
          ? { ts: await postWebhook(destination.webhook, event), recovered: false }
          : await postToThread(destination, event, claim, now);
    } catch (error) {
      // Slack refused or could not be reached: give the claim back so a redrive need not wait for it to go stale.
      if (error instanceof SlackError) await store.releaseDelivery(channelKey, event.id);
      throw error;
    }
    await store.completeDelivery(channelKey, event.id, outcome.ts, Math.floor(now.getTime() / 1000) + settings.deliveryRetentionDays * DAY_S);
    logger.info(outcome.recovered ? 'slack delivery recovered' : 'slack message posted', { ...keys, ts: outcome.ts });
    return outcome.recovered ? 'recovered' : 'posted';
  };

  async function postWebhook(webhook: SlackWebhook, event: WatcherEvent): Promise<undefined> {
    // A webhook cannot be asked what it posted: a crash right after posting may repeat this message.
    await webhook.post(renderStandalone(event));
    return undefined;
  }

  async function postToThread(
    bot: Extract<SlackDestination, { mode: 'bot' }>,
    event: WatcherEvent,
    claim: DeliveryClaim,
    now: Date,
  ): Promise<{ ts: string; recovered: boolean }> {
    const threadKey = `${event.source}#${event.itemId}`;
    const nowIso = now.toISOString();
    const staleBefore = new Date(now.getTime() - settings.claimStaleMs).toISOString();
    const threadExpiry = Math.floor(now.getTime() / 1000) + settings.threadRetentionDays * DAY_S;
    let thread = await store.getThread(channelKey, threadKey);

    // An earlier attempt of this very event may have posted before it died: look before posting again.
    const lookup = async (threadTs?: string) =>
      claim.outcome === 'reclaimed'
        ? bot.api.findPosted({ channel: bot.channel, eventId: event.id, threadTs, oldestTs: slackTs(claim.since, -60) })
        : undefined;

    if (!thread?.rootTs) {
      const earlier = await lookup();
      if (!earlier && !(await store.claimThreadRoot(channelKey, threadKey, nowIso, staleBefore))) {
        thread = await waitForRoot(threadKey);
      } else {
        const state = threadStateFrom(thread?.state, event);
        const ts = earlier ?? (await bot.api.postMessage({ channel: bot.channel, message: renderRoot(state), eventId: event.id })).ts;
        const fresh = await store.getThread(channelKey, threadKey);
        await store.saveThread(channelKey, threadKey, { rootTs: ts, state, expiresAt: threadExpiry }, fresh?.version ?? 0);
        return { ts, recovered: earlier !== undefined };
      }
    }

    const rootTs = thread.rootTs!;
    const state = threadStateFrom(thread.state, event);
    const earlier = await lookup(rootTs);
    const ts =
      earlier ??
      (
        await bot.api.postMessage({
          channel: bot.channel,
          message: renderReply(event),
          eventId: event.id,
          threadTs: rootTs,
          broadcast: BROADCAST.has(event.type),
        })
      ).ts;
    if (await store.saveThread(channelKey, threadKey, { rootTs, state, expiresAt: threadExpiry }, thread.version)) {
      await updateRoot(bot, rootTs, state, event);
    }
    return { ts, recovered: earlier !== undefined };
  }

  /** Another attempt is posting this item's root: wait for it rather than start a second thread. */
  async function waitForRoot(threadKey: string) {
    // Bounded by looks, not by the clock: a frozen or skewed clock must not make this wait forever.
    for (let look = 0; look <= Math.ceil(settings.rootWaitMs / ROOT_LOOK_INTERVAL_MS); look += 1) {
      const thread = await store.getThread(channelKey, threadKey);
      if (thread?.rootTs) return thread;
      await sleep(ROOT_LOOK_INTERVAL_MS);
    }
    throw new SlackError('thread_root_pending', false, `another attempt is still posting the root message of ${threadKey}`);
  }

  async function updateRoot(bot: Extract<SlackDestination, { mode: 'bot' }>, rootTs: string, state: ThreadState, event: WatcherEvent) {
    try {
      await bot.api.updateMessage({ channel: bot.channel, ts: rootTs, message: renderRoot(state) });
    } catch (error) {
      // The reply is posted and recorded; a stale root is cosmetic and the next update refreshes it.
      logger.warn('could not update the root message', {
        channel: bot.channel,
        eventId: event.id,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** The key of a destination's delivery records and threads: the channel ID, or `webhook:<route id>`. */
export function channelKeyOf(destination: SlackDestination): string {
  return destination.mode === 'bot' ? destination.channel : `webhook:${destination.routeId}`;
}

/** A Slack timestamp ("1730000000.000000") for an ISO time, shifted by `offsetS` seconds. */
function slackTs(iso: string, offsetS: number): string {
  return `${Math.max(0, Math.floor(Date.parse(iso) / 1000) + offsetS)}.000000`;
}
