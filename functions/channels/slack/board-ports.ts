// The ports of the Slack status board: its record beside the channel's thread roots (board-dynamo-store.ts) and the one
// Web API call it adds to the thread's (pins.add, in slack-web-api.ts).
import type { BoardState } from '../../core/slack-board.js';
import type { SlackApi } from './slack-ports.js';

/** pins.add: pins a message to its channel; a message already pinned is fine. Throws `SlackError` otherwise. */
export interface SlackPins {
  pinMessage(input: { readonly channel: string; readonly ts: string }): Promise<void>;
}

/** What the board posts, updates, finds and pins through. */
export type SlackBoardApi = Pick<SlackApi, 'postMessage' | 'updateMessage' | 'findPosted'> & SlackPins;

/** A channel's board as stored. */
export interface StoredBoard {
  /** What the board shows now: every event the route delivered, folded (absent until the first). */
  readonly state?: BoardState;
  /** Raised by each change of `state`. */
  readonly version: number;
  /** The version the message shows (0: none). */
  readonly shownVersion: number;
  /** The board message, once posted. */
  readonly ts?: string;
  readonly pinned: boolean;
  /** Set before the message is posted, cleared once its ts is saved: a crash in between is adopted, not posted twice. */
  readonly postingSince?: string;
  /** Who may post, update and pin the message now, and until when. */
  readonly leaseToken?: string;
  readonly leaseUntil?: string;
}

/** What a lease holder records about the message; `null` removes a field. */
export interface BoardMessageChange {
  readonly ts?: string | null;
  readonly pinned?: boolean;
  readonly postingSince?: string | null;
  readonly shownVersion?: number;
}

/**
 * The board's record, keyed by the channel like the channel's threads. Changes of what it shows are conditional on
 * the version read; the message is posted, updated and pinned only by the holder of its lease, so two notifiers never
 * fight over it.
 */
export interface SlackBoardStore {
  getBoard(channel: string): Promise<StoredBoard | undefined>;
  /** Saves a new state as `expectedVersion + 1`; false when another attempt saved first. */
  saveBoardState(channel: string, state: BoardState, expectedVersion: number): Promise<boolean>;
  /** Takes the message's lease when nobody holds it or it expired before `now`; the board as it is then, or undefined. */
  takeBoardLease(channel: string, lease: { readonly token: string; readonly now: string; readonly until: string }): Promise<StoredBoard | undefined>;
  /** Records a change while holding the lease (`release` gives it back); the board after it, or undefined when the lease was lost. */
  changeBoardMessage(channel: string, token: string, change: BoardMessageChange & { readonly release?: boolean }): Promise<StoredBoard | undefined>;
}
