// The Slack delivery use case: one living thread per item in bot mode (healed when its root is deleted or falls
// behind), one message per event by webhook, and never two posts of one event in one channel.
import { randomUUID } from 'node:crypto';
import type { DeliveryClaim, SlackStateStore, StoredThread } from '../adapters/dynamo-slack-store.js';
import { SlackError } from '../core/errors.js';
import { threadKeyOf } from '../core/event-chain.js';
import type { EventType, WatcherEvent } from '../core/model.js';
import type { Clock, Logger, SlackApi, SlackWebhook } from '../core/ports.js';
import { routeMatches, type RouteRules } from '../core/routing.js';
import { renderReply, renderRoot, renderStandalone, threadStateFrom, type ThreadState } from '../core/slack-message.js';

export type SlackDestination =
  | { readonly mode: 'bot'; readonly channel: string; readonly api: SlackApi }
  | { readonly mode: 'webhook'; readonly routeId: string; readonly webhook: SlackWebhook };

export interface SlackDeliverySettings {
  /**
   * An attempt whose claim shows no sign of life (its claim or a heartbeat) for this long has died: another may take
   * over its event, and its thread root, after looking in Slack for what it posted. A post takes seconds; this must
   * stay several heartbeats long, and at most the poller's lease (2 minutes) so that a crash delays no more than that.
   */
  readonly claimGraceMs: number;
  /** How often an attempt renews its claim while it delivers (a heartbeat). */
  readonly heartbeatMs: number;
  /** A claim older than this may be taken over however alive its holder looks (and a claim without heartbeats, only then). */
  readonly claimStaleMs: number;
  /** How long delivery records are kept (a redrive from the dead-letter queue must still find them). */
  readonly deliveryRetentionDays: number;
  /** How long a thread root is remembered after its last update (an RCA may come weeks after resolution). */
  readonly threadRetentionDays: number;
  /** How long to wait for another, live attempt that is posting an item's root message. */
  readonly rootWaitMs: number;
  /** Roots that failed to update are refreshed after a delivery at most this often (per delivery instance). */
  readonly rootRefreshIntervalMs: number;
  /** At most this many stale roots are refreshed at once. */
  readonly rootRefreshLimit: number;
}

export const DEFAULT_SLACK_DELIVERY_SETTINGS: SlackDeliverySettings = {
  claimGraceMs: 40_000,
  heartbeatMs: 10_000,
  claimStaleMs: 5 * 60_000,
  deliveryRetentionDays: 30,
  threadRetentionDays: 120,
  rootWaitMs: 5_000,
  rootRefreshIntervalMs: 60_000,
  rootRefreshLimit: 5,
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

/** What a refresh of stale roots did. */
export interface RootRefreshOutcome {
  /** Roots updated to show their thread's state. */
  readonly refreshed: number;
  /** Roots found gone (deleted): forgotten; the item's next event posts a fresh root. */
  readonly forgotten: number;
  /** Roots still listed as stale (Slack still failing, or beyond the limit). */
  readonly left: number;
}

/** `deliver(event)`, and the refresh of roots that failed to update. */
export interface SlackDelivery {
  (event: WatcherEvent): Promise<DeliveryOutcome>;
  /**
   * Updates the roots that failed to update (at most `rootRefreshLimit`, stopping at the first Slack still refuses
   * for a reason that may pass). Throws only what the store throws.
   */
  refreshStaleRoots(): Promise<RootRefreshOutcome>;
}

/** Replies that are also shown in the channel: the end of an incident and its root-cause analysis. */
const BROADCAST: ReadonlySet<EventType> = new Set(['incident.resolved', 'incident.rca_published', 'source.recovered']);
/** What Slack answers a reply whose root is gone (`thread_not_found` is documented for a deleted parent). */
const ROOT_GONE_ON_REPLY: ReadonlySet<string> = new Set(['thread_not_found', 'message_not_found']);
/** What Slack answers an update of a message that is gone, or that this bot can no longer edit. */
const ROOT_GONE_ON_UPDATE: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message']);

const DAY_S = 86_400;
const ROOT_LOOK_INTERVAL_MS = 250;
/** Rounds of reading the thread and acting on it before giving up for now (each round is one change by another attempt). */
const MAX_THREAD_ROUNDS = 4;
const ROOT_GONE = Symbol('root gone');

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

/** One attempt at delivering one event: its claim and the times its decisions are measured against. */
interface Attempt {
  readonly event: WatcherEvent;
  readonly token: string;
  readonly now: Date;
  /** Set when an earlier attempt claimed the event first (since then): it may have posted. */
  readonly reclaimedSince?: string;
  readonly deadBefore: string;
  readonly staleBefore: string;
  readonly threadExpiry: number;
  /** Throws when the claim was taken over by another attempt (this one looked dead): it must not post. */
  assertHeld(): void;
}

type Bot = Extract<SlackDestination, { mode: 'bot' }>;
type Posted = { readonly ts: string; readonly recovered: boolean };

/** Builds `deliver(event)`. Throws `SlackError` when Slack refuses or cannot be reached after retries. */
export function makeSlackDelivery(deps: SlackDeliveryDependencies): SlackDelivery {
  const settings = { ...DEFAULT_SLACK_DELIVERY_SETTINGS, ...deps.settings };
  const { destination, store, clock, logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const channelKey = channelKeyOf(destination);
  let lastRefreshAt: number | undefined;

  async function deliver(event: WatcherEvent): Promise<DeliveryOutcome> {
    if (!routeMatches(deps.rules, event)) return 'filtered';
    const now = clock.now();
    const token = randomUUID();
    const deadBefore = new Date(now.getTime() - settings.claimGraceMs).toISOString();
    const staleBefore = new Date(now.getTime() - settings.claimStaleMs).toISOString();
    const keys = { channel: channelKey, eventId: event.id, eventType: event.type, itemId: event.itemId };

    const claim: DeliveryClaim = await store.claimDelivery(channelKey, event.id, { now: now.toISOString(), token, deadBefore, staleBefore });
    if (claim.outcome === 'done') {
      await refreshInPassing();
      return 'duplicate';
    }
    if (claim.outcome === 'busy') {
      // Another attempt holds it and is alive (it renewed its claim lately): it is posting now. Retry once its claim is
      // done, or once it has been silent for the grace period. Reporting success here would lose the event whenever
      // that other attempt dies.
      throw new SlackError(
        'delivery_in_progress',
        false,
        `another attempt is delivering event ${event.id} (last sign of life ${claim.aliveAt}); retry later`,
      );
    }

    const heartbeat = keepClaimAlive(event.id, token);
    const attempt: Attempt = {
      event,
      token,
      now,
      reclaimedSince: claim.outcome === 'reclaimed' ? claim.since : undefined,
      deadBefore,
      staleBefore,
      threadExpiry: Math.floor(now.getTime() / 1000) + settings.threadRetentionDays * DAY_S,
      assertHeld() {
        if (heartbeat.lost()) {
          throw new SlackError('delivery_taken_over', false, `another attempt took over event ${event.id}; this one stops before posting`);
        }
      },
    };
    let outcome: { ts?: string; recovered: boolean };
    try {
      outcome =
        destination.mode === 'webhook'
          ? { ts: await postWebhook(destination.webhook, attempt), recovered: false }
          : await postToThread(destination, attempt);
    } catch (error) {
      await heartbeat.stop();
      // Slack refused or could not be reached: give the claim back so a retry need not wait for it to go silent.
      if (error instanceof SlackError) await store.releaseDelivery(channelKey, event.id, token);
      throw error;
    }
    await heartbeat.stop();
    await store.completeDelivery(channelKey, event.id, outcome.ts, Math.floor(now.getTime() / 1000) + settings.deliveryRetentionDays * DAY_S);
    logger.info(outcome.recovered ? 'slack delivery recovered' : 'slack message posted', { ...keys, ts: outcome.ts });
    await refreshInPassing();
    return outcome.recovered ? 'recovered' : 'posted';
  }

  /** Renews the claim every `heartbeatMs` while the attempt runs, so that nobody takes a live attempt for a dead one. */
  function keepClaimAlive(eventId: string, token: string) {
    let lost = false;
    let renewing: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (renewing) return;
      renewing = store
        .renewDelivery(channelKey, eventId, token, clock.now().toISOString())
        .then((held) => {
          if (!held) lost = true;
        })
        .catch((error: unknown) => logger.warn('could not renew a delivery claim', { channel: channelKey, eventId, reason: reasonOf(error) }))
        .finally(() => {
          renewing = undefined;
        });
    }, settings.heartbeatMs);
    timer.unref?.();
    return {
      lost: () => lost,
      async stop() {
        clearInterval(timer);
        await renewing;
      },
    };
  }

  async function postWebhook(webhook: SlackWebhook, attempt: Attempt): Promise<undefined> {
    // A webhook cannot be asked what it posted: a crash right after posting may repeat this message.
    attempt.assertHeld();
    await webhook.post(renderStandalone(attempt.event));
    return undefined;
  }

  /** Delivers the event into its item's thread: as the root when there is none (or it is gone), else as a reply. */
  async function postToThread(bot: Bot, attempt: Attempt): Promise<Posted> {
    const threadKey = threadKeyOf(attempt.event);
    for (let round = 0; round < MAX_THREAD_ROUNDS; round += 1) {
      const thread = await store.getThread(channelKey, threadKey);
      if (thread?.rootTs) {
        const replied = await replyInThread(bot, attempt, threadKey, { ...thread, rootTs: thread.rootTs });
        if (replied !== ROOT_GONE) return replied;
        // The root was deleted: forget it (unless the thread changed meanwhile) and start the thread afresh with this
        // event as its root, showing everything so far.
        if (await forgetGoneRoot(bot, attempt, threadKey, thread.version, thread.rootTs, 'a reply to it answered that the thread is gone')) {
          return await postRoot(bot, attempt, threadKey, thread.state);
        }
        continue;
      }
      const started = await startThread(bot, attempt, threadKey, thread);
      if (started) return started;
    }
    throw new SlackError('thread_contended', false, `the thread of ${threadKey} kept changing under this attempt; retry later`);
  }

  /** The thread has no root: adopt the one an earlier attempt posted, wait for a live one posting it, or post it. */
  async function startThread(bot: Bot, attempt: Attempt, threadKey: string, thread: StoredThread | undefined): Promise<Posted | undefined> {
    const { event } = attempt;
    // An earlier attempt of this very event may have posted the root before it died: look before posting again.
    const earlier = attempt.reclaimedSince
      ? await bot.api.findPosted({ channel: bot.channel, eventId: event.id, oldestTs: slackTs(attempt.reclaimedSince, -60) })
      : undefined;
    if (earlier) {
      const state = threadStateFrom(thread?.state, event);
      const saved = await store.saveThread(
        channelKey,
        threadKey,
        { rootTs: earlier, rootEventId: event.id, state, expiresAt: attempt.threadExpiry, rootShowsState: true },
        thread?.version ?? 0,
      );
      return saved ? { ts: earlier, recovered: true } : undefined;
    }

    let takeOver: string | undefined;
    if (thread?.claimedAt !== undefined && thread.claimEventId !== event.id) {
      if (await claimantAlive(thread, attempt)) {
        // It is posting the root right now: wait a few seconds rather than start a second thread.
        await waitForRoot(threadKey);
        return undefined;
      }
      if (thread.claimEventId !== undefined) {
        // It died, maybe after posting: adopt its root rather than start a second thread beside it.
        const theirs = await bot.api.findPosted({
          channel: bot.channel,
          eventId: thread.claimEventId,
          oldestTs: slackTs(thread.claimedAt, -60),
        });
        if (theirs) {
          await store.saveThread(
            channelKey,
            threadKey,
            { rootTs: theirs, rootEventId: thread.claimEventId, state: thread.state ?? threadStateFrom(undefined, event), expiresAt: attempt.threadExpiry },
            thread.version,
          );
          logger.info('adopted the thread root of an attempt that died', {
            channel: channelKey,
            eventId: event.id,
            itemId: event.itemId,
            rootEventId: thread.claimEventId,
            ts: theirs,
          });
          return undefined; // the next round replies in it
        }
        takeOver = thread.claimToken;
      }
    }
    const claimed = await store.claimThreadRoot(channelKey, threadKey, {
      now: attempt.now.toISOString(),
      eventId: event.id,
      token: attempt.token,
      staleBefore: attempt.staleBefore,
      takeOver,
    });
    return claimed ? await postRoot(bot, attempt, threadKey, thread?.state) : undefined;
  }

  /** Posts the event as the root of its thread (the caller holds the root claim), showing `previous` folded with it. */
  async function postRoot(bot: Bot, attempt: Attempt, threadKey: string, previous: ThreadState | undefined): Promise<Posted> {
    const state = threadStateFrom(previous, attempt.event);
    attempt.assertHeld();
    const { ts } = await bot.api.postMessage({ channel: bot.channel, message: renderRoot(state), eventId: attempt.event.id });
    const fresh = await store.getThread(channelKey, threadKey);
    await store.saveThread(
      channelKey,
      threadKey,
      { rootTs: ts, rootEventId: attempt.event.id, state, expiresAt: attempt.threadExpiry, rootShowsState: true },
      fresh?.version ?? 0,
    );
    return { ts, recovered: false };
  }

  /** Posts the event as a reply under the root (or finds an earlier attempt's), then brings the root up to date. */
  async function replyInThread(
    bot: Bot,
    attempt: Attempt,
    threadKey: string,
    thread: StoredThread & { readonly rootTs: string },
  ): Promise<Posted | typeof ROOT_GONE> {
    const { event } = attempt;
    if (thread.rootEventId === event.id) {
      // This event is the root: an earlier attempt posted and remembered it, then died before recording the delivery.
      await saveAndShow(bot, attempt, threadKey, thread);
      return { ts: thread.rootTs, recovered: true };
    }
    let ts: string | undefined;
    let recovered = false;
    try {
      // An earlier attempt of this very event may have posted before it died: look before posting again.
      ts = attempt.reclaimedSince
        ? await bot.api.findPosted({
            channel: bot.channel,
            eventId: event.id,
            threadTs: thread.rootTs,
            oldestTs: slackTs(attempt.reclaimedSince, -60),
          })
        : undefined;
      recovered = ts !== undefined;
      if (ts === undefined) {
        attempt.assertHeld();
        ts = (
          await bot.api.postMessage({
            channel: bot.channel,
            message: renderReply(event),
            eventId: event.id,
            threadTs: thread.rootTs,
            broadcast: BROADCAST.has(event.type),
          })
        ).ts;
      }
    } catch (error) {
      if (error instanceof SlackError && ROOT_GONE_ON_REPLY.has(error.code)) return ROOT_GONE;
      throw error;
    }
    await saveAndShow(bot, attempt, threadKey, thread);
    return { ts, recovered };
  }

  /** Folds the event into the thread's state, saves it (conditionally, re-reading on a conflict) and updates the root. */
  async function saveAndShow(bot: Bot, attempt: Attempt, threadKey: string, read: StoredThread & { readonly rootTs: string }): Promise<void> {
    let thread = read;
    for (let tries = 1; ; tries += 1) {
      const state = threadStateFrom(thread.state, attempt.event);
      if (await store.saveThread(channelKey, threadKey, { rootTs: thread.rootTs, state, expiresAt: attempt.threadExpiry }, thread.version)) {
        await updateRoot(bot, attempt, threadKey, { ...thread, state, version: thread.version + 1 });
        return;
      }
      // Another attempt saved first; fold this event into what it saved, a few times at most, then leave it to them.
      const fresh = tries < 3 ? await store.getThread(channelKey, threadKey) : undefined;
      if (!fresh?.rootTs) return;
      thread = { ...fresh, rootTs: fresh.rootTs };
    }
  }

  /**
   * Shows `thread.state` (saved as `thread.version`) in the root. A root that is gone is replaced by a fresh one; one
   * Slack would not update for now is marked stale and refreshed later. Never throws a SlackError: the event is in.
   */
  async function updateRoot(bot: Bot, attempt: Attempt, threadKey: string, thread: StoredThread & { readonly rootTs: string; readonly state: ThreadState }) {
    const keys = { channel: bot.channel, eventId: attempt.event.id, itemId: attempt.event.itemId, ts: thread.rootTs };
    try {
      await bot.api.updateMessage({ channel: bot.channel, ts: thread.rootTs, message: renderRoot(thread.state) });
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      if (ROOT_GONE_ON_UPDATE.has(error.code)) {
        // The reply is in; the channel must still show the item's status: a fresh root, carrying this event's id so
        // that a retry after a crash finds it rather than posting another.
        if (await forgetGoneRoot(bot, attempt, threadKey, thread.version, thread.rootTs, error.message)) {
          await postRoot(bot, attempt, threadKey, thread.state);
        }
        return;
      }
      if (error.permanent) {
        // No retry can fix it (the workspace's edit window, say): leave the root as it is.
        logger.error('could not update the root message; left as it is', { ...keys, code: error.code, reason: error.message });
        return;
      }
      // A 5xx, a timeout, a rate limit beyond what we wait: the reply is posted and recorded; refresh the root later.
      const marked = await store.markRootStale(channelKey, threadKey, thread.version);
      logger.warn('could not update the root message; it is refreshed later', { ...keys, code: error.code, reason: error.message, marked });
      return;
    }
    if (thread.rootStale) await store.clearRootStale(channelKey, threadKey, thread.version);
  }

  /** Forgets a root Slack says is gone, claiming the right to post the fresh one; false when the thread changed meanwhile. */
  async function forgetGoneRoot(bot: Bot, attempt: Attempt, threadKey: string, version: number, rootTs: string, reason: string) {
    const forgotten = await store.forgetRoot(channelKey, threadKey, {
      expectedVersion: version,
      rootTs,
      claim: { now: attempt.now.toISOString(), eventId: attempt.event.id, token: attempt.token },
    });
    logger.warn('thread root gone from the channel; posting a fresh root', {
      channel: bot.channel,
      eventId: attempt.event.id,
      itemId: attempt.event.itemId,
      ts: rootTs,
      reason,
      outcome: forgotten ? 'forgotten' : 'thread changed meanwhile',
    });
    return forgotten;
  }

  /** Whether the attempt holding the thread's root claim is alive: its delivery claim is the same and renewed lately. */
  async function claimantAlive(thread: StoredThread, attempt: Attempt): Promise<boolean> {
    if (thread.claimedAt === undefined || thread.claimedAt < attempt.staleBefore) return false;
    // A claim made by a version without heartbeats is trusted until it goes stale.
    if (thread.claimEventId === undefined || thread.claimToken === undefined) return true;
    const holder = await store.getDelivery(channelKey, thread.claimEventId);
    if (holder?.status !== 'sending' || holder.claimToken !== thread.claimToken) return false;
    // A released claim (the attempt failed and gave it back) is as good as dead.
    if ((holder.claimedAt ?? '') < attempt.staleBefore) return false;
    return (holder.aliveAt ?? holder.claimedAt ?? '') >= attempt.deadBefore;
  }

  /** Another, live attempt is posting this item's root: wait for it rather than start a second thread. */
  async function waitForRoot(threadKey: string): Promise<void> {
    // Bounded by looks, not by the clock: a frozen or skewed clock must not make this wait forever.
    for (let look = 0; look <= Math.ceil(settings.rootWaitMs / ROOT_LOOK_INTERVAL_MS); look += 1) {
      await sleep(ROOT_LOOK_INTERVAL_MS);
      const thread = await store.getThread(channelKey, threadKey);
      if (thread?.rootTs || thread?.claimedAt === undefined) return;
    }
    throw new SlackError('thread_root_pending', false, `another attempt is still posting the root message of ${threadKey}`);
  }

  async function refreshStaleRoots(): Promise<RootRefreshOutcome> {
    if (destination.mode !== 'bot') return { refreshed: 0, forgotten: 0, left: 0 };
    const bot = destination;
    const listed = await store.staleRoots(channelKey);
    let refreshed = 0;
    let forgotten = 0;
    let done = 0;
    for (const threadKey of listed.slice(0, settings.rootRefreshLimit)) {
      const thread = await store.getThread(channelKey, threadKey);
      if (!thread?.rootTs || !thread.rootStale || !thread.state) {
        await store.dropStaleRoot(channelKey, threadKey);
        done += 1;
        continue;
      }
      const keys = { channel: bot.channel, threadKey, ts: thread.rootTs };
      try {
        await bot.api.updateMessage({ channel: bot.channel, ts: thread.rootTs, message: renderRoot(thread.state) });
      } catch (error) {
        if (!(error instanceof SlackError)) throw error;
        if (ROOT_GONE_ON_UPDATE.has(error.code)) {
          // Deleted while stale: forgotten; the item's next event posts a fresh root (nothing new to say until then).
          if (await store.forgetRoot(channelKey, threadKey, { expectedVersion: thread.version, rootTs: thread.rootTs })) forgotten += 1;
          logger.warn('stale thread root gone from the channel; forgotten', { ...keys, reason: error.message });
        } else if (error.permanent) {
          logger.error('could not refresh a stale root message; left as it is', { ...keys, code: error.code, reason: error.message });
          await store.clearRootStale(channelKey, threadKey, thread.version);
        } else {
          // Slack is still struggling: the rest waits for the next refresh.
          logger.warn('could not refresh a stale root message yet', { ...keys, code: error.code, reason: error.message });
          break;
        }
        await store.dropStaleRoot(channelKey, threadKey);
        done += 1;
        continue;
      }
      // When the thread moved on meanwhile, its newer state is shown by whoever saved it, or by the next refresh.
      if (await store.clearRootStale(channelKey, threadKey, thread.version)) {
        await store.dropStaleRoot(channelKey, threadKey);
        done += 1;
      }
      refreshed += 1;
      logger.info('stale root message refreshed', keys);
    }
    return { refreshed, forgotten, left: listed.length - done };
  }

  /** After a delivery: refreshes stale roots now and then, never failing the delivery for it. */
  async function refreshInPassing(): Promise<void> {
    if (destination.mode !== 'bot') return;
    const now = clock.now().getTime();
    if (lastRefreshAt !== undefined && now >= lastRefreshAt && now - lastRefreshAt < settings.rootRefreshIntervalMs) return;
    lastRefreshAt = now;
    try {
      await refreshStaleRoots();
    } catch (error) {
      logger.warn('could not refresh stale root messages', { channel: channelKey, reason: reasonOf(error) });
    }
  }

  return Object.assign(deliver, { refreshStaleRoots });
}

/** The key of a destination's delivery records and threads: the channel ID, or `webhook:<route id>`. */
export function channelKeyOf(destination: SlackDestination): string {
  return destination.mode === 'bot' ? destination.channel : `webhook:${destination.routeId}`;
}

/** A Slack timestamp ("1730000000.000000") for an ISO time, shifted by `offsetS` seconds. */
function slackTs(iso: string, offsetS: number): string {
  return `${Math.max(0, Math.floor(Date.parse(iso) / 1000) + offsetS)}.000000`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
