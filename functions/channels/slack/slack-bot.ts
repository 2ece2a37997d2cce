// Plug-in 'slack', bot mode: one living thread per item in a channel, its root updated in place and healed when it is
// deleted or falls behind, each event posted once as the root or a reply. Slack's thread roots are this module's
// own state (slack-ports.ts `SlackThreadStore`); the delivery boundary (deliver-to-channel.ts) claims and completes.
import { threadKeyOf } from '../../core/event-chain.js';
import { isBroadcast } from '../../core/event-types.js';
import type { WatcherEvent } from '../../core/model.js';
import type { Clock, Logger } from '../../core/ports.js';
import { renderReply, renderRoot, threadStateFrom, type ThreadState } from '../../core/slack-message.js';
import type { ChannelConnection, PostAttempt } from '../channel.js';
import type { DeliveryStore } from '../delivery-store.js';
import { SlackError } from './slack-error.js';
import type { SlackApi, SlackThreadStore, StoredThread } from './slack-ports.js';

export interface SlackThreadSettings {
  /** How long a thread root is remembered after its last update (an RCA may come weeks after resolution). */
  readonly threadRetentionDays: number;
  /** How long to wait for another, live attempt that is posting an item's root message. */
  readonly rootWaitMs: number;
  /** Roots that failed to update are refreshed after a delivery at most this often (per connection). */
  readonly rootRefreshIntervalMs: number;
  /** At most this many stale roots are refreshed at once. */
  readonly rootRefreshLimit: number;
}

export const DEFAULT_SLACK_THREAD_SETTINGS: SlackThreadSettings = {
  threadRetentionDays: 120,
  rootWaitMs: 5_000,
  rootRefreshIntervalMs: 60_000,
  rootRefreshLimit: 5,
};

/** What a refresh of stale roots did. */
export interface RootRefreshOutcome {
  /** Roots updated to show their thread's state. */
  readonly refreshed: number;
  /** Roots found gone (deleted): forgotten; the item's next event posts a fresh root. */
  readonly forgotten: number;
  /** Roots still listed as stale (Slack still failing, or beyond the limit). */
  readonly left: number;
}

/** A bot route connected: the boundary's connection, and the refresh of roots that failed to update. */
export interface SlackBotConnection extends ChannelConnection {
  /**
   * Updates the roots that failed to update (at most `rootRefreshLimit`, stopping at the first Slack still refuses
   * for a reason that may pass). Throws only what the store throws.
   */
  refreshStaleRoots(): Promise<RootRefreshOutcome>;
}

export interface SlackBotDependencies {
  /** The channel ID (`C0123ABCD`): the destination, and the key of its records. */
  readonly channel: string;
  readonly api: SlackApi;
  readonly threads: SlackThreadStore;
  /** The channel's delivery records: whether the attempt holding a root claim is alive. */
  readonly deliveries: Pick<DeliveryStore, 'getDelivery'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings?: Partial<SlackThreadSettings>;
  /** Waits between looks for a root another attempt is posting (tests shorten it). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What Slack answers a reply whose root is gone (`thread_not_found` is documented for a deleted parent). */
const ROOT_GONE_ON_REPLY: ReadonlySet<string> = new Set(['thread_not_found', 'message_not_found']);
/** What Slack answers an update of a message that is gone, or that this bot can no longer edit. */
const ROOT_GONE_ON_UPDATE: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message']);

const DAY_S = 86_400;
const ROOT_LOOK_INTERVAL_MS = 250;
/** Rounds of reading the thread and acting on it before giving up for now (each round is one change by another attempt). */
const MAX_THREAD_ROUNDS = 4;
const ROOT_GONE = Symbol('root gone');

/** One attempt at one event, with the expiry its thread's record gets. */
type BotAttempt = PostAttempt & { readonly event: WatcherEvent; readonly threadExpiry: number };
type ThreadPost = { readonly ts: string; readonly recovered: boolean };

/** Connects a bot route: posts into threads; throws `SlackError` when Slack refuses or cannot be reached after retries. */
export function makeSlackBotConnection(deps: SlackBotDependencies): SlackBotConnection {
  const settings = { ...DEFAULT_SLACK_THREAD_SETTINGS, ...deps.settings };
  const { channel, api, threads, deliveries, clock, logger } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastRefreshAt: number | undefined;

  return {
    destination: channel,
    async post(event, attempt) {
      const threadExpiry = Math.floor(attempt.now.getTime() / 1000) + settings.threadRetentionDays * DAY_S;
      const { ts, recovered } = await postToThread({ ...attempt, event, threadExpiry });
      return { receipt: ts, recovered };
    },
    afterDelivery: refreshInPassing,
    error: (code, message) => new SlackError(code, false, message),
    refreshStaleRoots,
  };

  /** Delivers the event into its item's thread: as the root when there is none (or it is gone), else as a reply. */
  async function postToThread(attempt: BotAttempt): Promise<ThreadPost> {
    const threadKey = threadKeyOf(attempt.event);
    for (let round = 0; round < MAX_THREAD_ROUNDS; round += 1) {
      const thread = await threads.getThread(channel, threadKey);
      if (thread?.rootTs) {
        const replied = await replyInThread(attempt, threadKey, { ...thread, rootTs: thread.rootTs });
        if (replied !== ROOT_GONE) return replied;
        // The root was deleted: forget it (unless the thread changed meanwhile) and start the thread afresh with this
        // event as its root, showing everything so far.
        if (await forgetGoneRoot(attempt, threadKey, thread.version, thread.rootTs, 'a reply to it answered that the thread is gone')) {
          return await postRoot(attempt, threadKey, thread.state);
        }
        continue;
      }
      const started = await startThread(attempt, threadKey, thread);
      if (started) return started;
    }
    throw new SlackError('thread_contended', false, `the thread of ${threadKey} kept changing under this attempt; retry later`);
  }

  /** The thread has no root: adopt the one an earlier attempt posted, wait for a live one posting it, or post it. */
  async function startThread(attempt: BotAttempt, threadKey: string, thread: StoredThread | undefined): Promise<ThreadPost | undefined> {
    const { event } = attempt;
    // An earlier attempt of this very event may have posted the root before it died: look before posting again.
    const earlier = attempt.reclaimedSince
      ? await api.findPosted({ channel, eventId: event.id, oldestTs: slackTs(attempt.reclaimedSince, -60) })
      : undefined;
    if (earlier) {
      const state = threadStateFrom(thread?.state, event);
      const saved = await threads.saveThread(
        channel,
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
        const theirs = await api.findPosted({
          channel,
          eventId: thread.claimEventId,
          oldestTs: slackTs(thread.claimedAt, -60),
        });
        if (theirs) {
          await threads.saveThread(
            channel,
            threadKey,
            { rootTs: theirs, rootEventId: thread.claimEventId, state: thread.state ?? threadStateFrom(undefined, event), expiresAt: attempt.threadExpiry },
            thread.version,
          );
          logger.info('adopted the thread root of an attempt that died', {
            channel,
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
    const claimed = await threads.claimThreadRoot(channel, threadKey, {
      now: attempt.now.toISOString(),
      eventId: event.id,
      token: attempt.token,
      staleBefore: attempt.staleBefore,
      takeOver,
    });
    return claimed ? await postRoot(attempt, threadKey, thread?.state) : undefined;
  }

  /** Posts the event as the root of its thread (the caller holds the root claim), showing `previous` folded with it. */
  async function postRoot(attempt: BotAttempt, threadKey: string, previous: ThreadState | undefined): Promise<ThreadPost> {
    const state = threadStateFrom(previous, attempt.event);
    attempt.assertHeld();
    const { ts } = await api.postMessage({ channel, message: renderRoot(state), eventId: attempt.event.id });
    const fresh = await threads.getThread(channel, threadKey);
    await threads.saveThread(
      channel,
      threadKey,
      { rootTs: ts, rootEventId: attempt.event.id, state, expiresAt: attempt.threadExpiry, rootShowsState: true },
      fresh?.version ?? 0,
    );
    return { ts, recovered: false };
  }

  /** Posts the event as a reply under the root (or finds an earlier attempt's), then brings the root up to date. */
  async function replyInThread(
    attempt: BotAttempt,
    threadKey: string,
    thread: StoredThread & { readonly rootTs: string },
  ): Promise<ThreadPost | typeof ROOT_GONE> {
    const { event } = attempt;
    if (thread.rootEventId === event.id) {
      // This event is the root: an earlier attempt posted and remembered it, then died before recording the delivery.
      await saveAndShow(attempt, threadKey, thread);
      return { ts: thread.rootTs, recovered: true };
    }
    let ts: string | undefined;
    let recovered = false;
    try {
      // An earlier attempt of this very event may have posted before it died: look before posting again.
      ts = attempt.reclaimedSince
        ? await api.findPosted({
            channel,
            eventId: event.id,
            threadTs: thread.rootTs,
            oldestTs: slackTs(attempt.reclaimedSince, -60),
          })
        : undefined;
      recovered = ts !== undefined;
      if (ts === undefined) {
        attempt.assertHeld();
        ts = (
          await api.postMessage({
            channel,
            message: renderReply(event, { openedAt: thread.state?.openedAt }),
            eventId: event.id,
            threadTs: thread.rootTs,
            broadcast: isBroadcast(event.type),
          })
        ).ts;
      }
    } catch (error) {
      if (error instanceof SlackError && ROOT_GONE_ON_REPLY.has(error.code)) return ROOT_GONE;
      throw error;
    }
    await saveAndShow(attempt, threadKey, thread);
    return { ts, recovered };
  }

  /** Folds the event into the thread's state, saves it (conditionally, re-reading on a conflict) and updates the root. */
  async function saveAndShow(attempt: BotAttempt, threadKey: string, read: StoredThread & { readonly rootTs: string }): Promise<void> {
    let thread = read;
    for (let tries = 1; ; tries += 1) {
      const state = threadStateFrom(thread.state, attempt.event);
      if (await threads.saveThread(channel, threadKey, { rootTs: thread.rootTs, state, expiresAt: attempt.threadExpiry }, thread.version)) {
        await updateRoot(attempt, threadKey, { ...thread, state, version: thread.version + 1 });
        return;
      }
      // Another attempt saved first; fold this event into what it saved, a few times at most, then leave it to them.
      const fresh = tries < 3 ? await threads.getThread(channel, threadKey) : undefined;
      if (!fresh?.rootTs) return;
      thread = { ...fresh, rootTs: fresh.rootTs };
    }
  }

  /**
   * Shows `thread.state` (saved as `thread.version`) in the root. A root that is gone is replaced by a fresh one; one
   * Slack would not update for now is marked stale and refreshed later. Never throws a SlackError: the event is in.
   */
  async function updateRoot(attempt: BotAttempt, threadKey: string, thread: StoredThread & { readonly rootTs: string; readonly state: ThreadState }) {
    const keys = { channel, eventId: attempt.event.id, itemId: attempt.event.itemId, ts: thread.rootTs };
    try {
      await api.updateMessage({ channel, ts: thread.rootTs, message: renderRoot(thread.state) });
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      if (ROOT_GONE_ON_UPDATE.has(error.code)) {
        // The reply is in; the channel must still show the item's status: a fresh root, carrying this event's id so
        // that a retry after a crash finds it rather than posting another.
        if (await forgetGoneRoot(attempt, threadKey, thread.version, thread.rootTs, error.message)) {
          await postRoot(attempt, threadKey, thread.state);
        }
        return;
      }
      if (error.permanent) {
        // No retry can fix it (the workspace's edit window, say): leave the root as it is.
        logger.error('could not update the root message; left as it is', { ...keys, code: error.code, reason: error.message });
        return;
      }
      // A 5xx, a timeout, a rate limit beyond what we wait: the reply is posted and recorded; refresh the root later.
      const marked = await threads.markRootStale(channel, threadKey, thread.version);
      logger.warn('could not update the root message; it is refreshed later', { ...keys, code: error.code, reason: error.message, marked });
      return;
    }
    if (thread.rootStale) await threads.clearRootStale(channel, threadKey, thread.version);
  }

  /** Forgets a root Slack says is gone, claiming the right to post the fresh one; false when the thread changed meanwhile. */
  async function forgetGoneRoot(attempt: BotAttempt, threadKey: string, version: number, rootTs: string, reason: string) {
    const forgotten = await threads.forgetRoot(channel, threadKey, {
      expectedVersion: version,
      rootTs,
      claim: { now: attempt.now.toISOString(), eventId: attempt.event.id, token: attempt.token },
    });
    logger.warn('thread root gone from the channel; posting a fresh root', {
      channel,
      eventId: attempt.event.id,
      itemId: attempt.event.itemId,
      ts: rootTs,
      reason,
      outcome: forgotten ? 'forgotten' : 'thread changed meanwhile',
    });
    return forgotten;
  }

  /** Whether the attempt holding the thread's root claim is alive: its delivery claim is the same and renewed lately. */
  async function claimantAlive(thread: StoredThread, attempt: BotAttempt): Promise<boolean> {
    if (thread.claimedAt === undefined || thread.claimedAt < attempt.staleBefore) return false;
    // A claim made by a version without heartbeats is trusted until it goes stale.
    if (thread.claimEventId === undefined || thread.claimToken === undefined) return true;
    const holder = await deliveries.getDelivery(channel, thread.claimEventId);
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
      const thread = await threads.getThread(channel, threadKey);
      if (thread?.rootTs || thread?.claimedAt === undefined) return;
    }
    throw new SlackError('thread_root_pending', false, `another attempt is still posting the root message of ${threadKey}`);
  }

  async function refreshStaleRoots(): Promise<RootRefreshOutcome> {
    const listed = await threads.staleRoots(channel);
    let refreshed = 0;
    let forgotten = 0;
    let done = 0;
    for (const threadKey of listed.slice(0, settings.rootRefreshLimit)) {
      const thread = await threads.getThread(channel, threadKey);
      if (!thread?.rootTs || !thread.rootStale || !thread.state) {
        await threads.dropStaleRoot(channel, threadKey);
        done += 1;
        continue;
      }
      const keys = { channel, threadKey, ts: thread.rootTs };
      try {
        await api.updateMessage({ channel, ts: thread.rootTs, message: renderRoot(thread.state) });
      } catch (error) {
        if (!(error instanceof SlackError)) throw error;
        if (ROOT_GONE_ON_UPDATE.has(error.code)) {
          // Deleted while stale: forgotten; the item's next event posts a fresh root (nothing new to say until then).
          if (await threads.forgetRoot(channel, threadKey, { expectedVersion: thread.version, rootTs: thread.rootTs })) forgotten += 1;
          logger.warn('stale thread root gone from the channel; forgotten', { ...keys, reason: error.message });
        } else if (error.permanent) {
          logger.error('could not refresh a stale root message; left as it is', { ...keys, code: error.code, reason: error.message });
          await threads.clearRootStale(channel, threadKey, thread.version);
        } else {
          // Slack is still struggling: the rest waits for the next refresh.
          logger.warn('could not refresh a stale root message yet', { ...keys, code: error.code, reason: error.message });
          break;
        }
        await threads.dropStaleRoot(channel, threadKey);
        done += 1;
        continue;
      }
      // When the thread moved on meanwhile, its newer state is shown by whoever saved it, or by the next refresh.
      if (await threads.clearRootStale(channel, threadKey, thread.version)) {
        await threads.dropStaleRoot(channel, threadKey);
        done += 1;
      }
      refreshed += 1;
      logger.info('stale root message refreshed', keys);
    }
    return { refreshed, forgotten, left: listed.length - done };
  }

  /** After a delivery: refreshes stale roots now and then, never failing the delivery for it. */
  async function refreshInPassing(): Promise<void> {
    const now = clock.now().getTime();
    if (lastRefreshAt !== undefined && now >= lastRefreshAt && now - lastRefreshAt < settings.rootRefreshIntervalMs) return;
    lastRefreshAt = now;
    try {
      await refreshStaleRoots();
    } catch (error) {
      logger.warn('could not refresh stale root messages', { channel, reason: reasonOf(error) });
    }
  }
}

/** A Slack timestamp ("1730000000.000000") for an ISO time, shifted by `offsetS` seconds. */
export function slackTs(iso: string, offsetS: number): string {
  return `${Math.max(0, Math.floor(Date.parse(iso) / 1000) + offsetS)}.000000`;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
