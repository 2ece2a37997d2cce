// The ports of the Slack plug-in: the Web API and incoming webhooks (adapters slack-web-api.ts, slack-webhook-client.ts)
// and the thread roots it keeps beside its delivery records (dynamo-slack-thread-store.ts).
import type { SlackMessage } from '../../core/ports.js';
import type { ThreadState } from '../../core/slack-message.js';

/**
 * The Slack Web API as the notifier uses it (bot-token mode). Rate limits (429 + Retry-After), 5xx and timeouts
 * are retried inside; what is thrown is final: `SlackError`.
 */
export interface SlackApi {
  /** Posts to the channel (or into a thread), tagging the message with the event id in its metadata. */
  postMessage(input: {
    readonly channel: string;
    readonly message: SlackMessage;
    readonly eventId: string;
    readonly threadTs?: string;
    /** Also show a thread reply in the channel. */
    readonly broadcast?: boolean;
  }): Promise<{ readonly ts: string }>;
  /** Replaces a message's text and blocks; a message that is gone answers `message_not_found` (or `cant_update_message`). */
  updateMessage(input: { readonly channel: string; readonly ts: string; readonly message: SlackMessage }): Promise<void>;
  /**
   * Finds a message posted since `oldestTs` that carries this event id: with `threadTs`, in that thread (its root
   * included); without, among the channel's own messages (thread replies, even broadcast ones, are not counted).
   * A thread whose root is gone answers `thread_not_found`.
   */
  findPosted(input: {
    readonly channel: string;
    readonly eventId: string;
    readonly oldestTs: string;
    readonly threadTs?: string;
  }): Promise<string | undefined>;
}

/** An incoming webhook: one message per call, no threads, no way to look a message up. */
export interface SlackWebhook {
  post(message: SlackMessage): Promise<void>;
}

/** An item's thread in one channel, as stored. */
export interface StoredThread {
  readonly rootTs?: string;
  /** The event the root message was posted for (its metadata carries this id). */
  readonly rootEventId?: string;
  readonly state?: ThreadState;
  /** The root may not show `state`: its last update failed. */
  readonly rootStale?: boolean;
  /** While an attempt posts the root: when it claimed that right, for which event, and its delivery claim's token. */
  readonly claimedAt?: string;
  readonly claimEventId?: string;
  readonly claimToken?: string;
  readonly version: number;
}

export interface ThreadRootClaim {
  readonly now: string;
  readonly eventId: string;
  /** The token of the claimant's delivery claim: its heartbeats say whether it is alive. */
  readonly token: string;
  /** A root claim older than this is taken over whoever holds it. */
  readonly staleBefore: string;
  /** The token of a root claim whose holder died: that claim may be taken over. */
  readonly takeOver?: string;
}

/**
 * Slack's own state beside the delivery records: one thread root per item and channel, and the roots waiting for a
 * refresh. Keyed by the channel key (the channel ID), like the channel's delivery records.
 */
export interface SlackThreadStore {
  getThread(channel: string, threadKey: string): Promise<StoredThread | undefined>;
  /**
   * Claims the right to post an item's root message; false when a root exists or another attempt holds a claim that
   * is neither stale, nor this event's own (an earlier attempt of the same event), nor the dead one named in `takeOver`.
   */
  claimThreadRoot(channel: string, threadKey: string, claim: ThreadRootClaim): Promise<boolean>;
  /**
   * Saves the root and its state, ending any root claim; conditional on the version read, false when another attempt
   * saved first. `rootEventId` is kept as it was when not given; `rootShowsState` (a root just posted or adopted with
   * this state) clears `rootStale`.
   */
  saveThread(
    channel: string,
    threadKey: string,
    thread: {
      readonly rootTs: string;
      readonly state: ThreadState;
      readonly expiresAt: number;
      readonly rootEventId?: string;
      readonly rootShowsState?: boolean;
    },
    expectedVersion: number,
  ): Promise<boolean>;
  /**
   * Forgets a root that is gone from the channel (deleted by a person), keeping the thread's state; with `claim`, the
   * caller holds the right to post the fresh root. Conditional on the version read and that root; false otherwise.
   */
  forgetRoot(
    channel: string,
    threadKey: string,
    forget: { readonly expectedVersion: number; readonly rootTs: string; readonly claim?: Omit<ThreadRootClaim, 'staleBefore' | 'takeOver'> },
  ): Promise<boolean>;
  /** Records that the root may not show the state of `version` and lists the thread for a refresh; false when the thread moved on. */
  markRootStale(channel: string, threadKey: string, version: number): Promise<boolean>;
  /** Records that the root shows the state of `version`; false when the thread moved on since. */
  clearRootStale(channel: string, threadKey: string, version: number): Promise<boolean>;
  /** The threads listed for a root refresh (some may have been refreshed since: their `rootStale` says). */
  staleRoots(channel: string): Promise<string[]>;
  /** Takes a thread off the refresh list, unless it was marked stale again meanwhile. */
  dropStaleRoot(channel: string, threadKey: string): Promise<void>;
}
