// Plug-in 'slack', the status board of a bot route with `"board": true`: one message per channel, posted once, pinned
// once and updated in place. Each event the route delivers is folded into the board's record (a conditional write,
// before the delivery completes, so a crash folds it again on the retry, harmlessly); the message is brought up to
// date once per batch, by whoever holds the record's lease, so two notifiers never fight over it.
import { randomUUID } from 'node:crypto';
import { threadKeyOf } from '../../core/event-chain.js';
import type { WatcherEvent } from '../../core/model.js';
import type { Clock, Logger } from '../../core/ports.js';
import { boardStateFrom, EMPTY_BOARD, type BoardRowSeed } from '../../core/slack-board.js';
import { renderBoard } from '../../core/slack-board-render.js';
import type { ChannelConnection } from '../channel.js';
import type { SlackBoardApi, SlackBoardStore, StoredBoard } from './board-ports.js';
import { SlackError } from './slack-error.js';
import { slackTs } from './slack-bot.js';
import type { SlackThreadStore } from './slack-ports.js';

export interface SlackBoardSettings {
  /** How long the holder of the message's lease may take; a crashed holder delays the board by at most this. */
  readonly leaseMs: number;
}

export const DEFAULT_SLACK_BOARD_SETTINGS: SlackBoardSettings = { leaseMs: 5 * 60_000 };

export interface SlackBoardDependencies {
  /** The board's channel ID: the key of its record, beside the channel's threads. */
  readonly channel: string;
  readonly api: SlackBoardApi;
  readonly boards: SlackBoardStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The rows shown from the start (the route's `boardRows`, from the config's sources). */
  readonly seeds?: readonly BoardRowSeed[];
  readonly settings?: Partial<SlackBoardSettings>;
}

/** What a refresh did: the message brought up to date, nothing to do, or another attempt holds the lease. */
export type BoardRefreshOutcome = 'shown' | 'up to date' | 'busy' | 'failed';

export interface SlackBoard {
  /** Folds a delivered event into the board's record. Throws what the store throws, or `SlackError` when contended. */
  fold(event: WatcherEvent, threadTs: string | undefined): Promise<void>;
  /** Posts, pins or updates the message so that it shows the record. Never throws: a failure waits for the next refresh. */
  refresh(): Promise<BoardRefreshOutcome>;
}

/** The metadata event id of a channel's board message: how a post whose answer was lost is found again. */
export const boardEventIdOf = (channel: string) => `board:${channel}`;

/** What Slack answers an update of a message that is gone, or that this bot can no longer edit. */
const MESSAGE_GONE: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message']);
const FOLD_TRIES = 5;
const SHOW_ROUNDS = 3;

export function makeSlackBoard(deps: SlackBoardDependencies): SlackBoard {
  const settings = { ...DEFAULT_SLACK_BOARD_SETTINGS, ...deps.settings };
  const { channel, api, boards, clock, logger } = deps;
  const eventId = boardEventIdOf(channel);

  async function fold(event: WatcherEvent, threadTs: string | undefined): Promise<void> {
    for (let tries = 0; tries < FOLD_TRIES; tries += 1) {
      const board = await boards.getBoard(channel);
      const previous = board?.state ?? EMPTY_BOARD;
      const next = boardStateFrom(previous, event, threadTs);
      if (next === previous || (board?.state !== undefined && JSON.stringify(next) === JSON.stringify(previous))) return;
      if (await boards.saveBoardState(channel, next, board?.version ?? 0)) return;
    }
    throw new SlackError('board_contended', false, `the status board of ${channel} kept changing under this attempt; retry later`);
  }

  /** One lease: rounds of showing the record until the message shows its latest version. */
  async function showUnderLease(token: string, taken: StoredBoard): Promise<StoredBoard> {
    const held = (board: StoredBoard | undefined): StoredBoard => {
      if (!board) throw new SlackError('board_lease_lost', false, `another attempt took over the status board of ${channel}`);
      return board;
    };
    let board = taken;
    for (let round = 0; round < SHOW_ROUNDS && board.state !== undefined; round += 1) {
      const version = board.version;
      const stale = board.ts === undefined || board.shownVersion < version;
      if (!stale && board.pinned) break;
      const message = renderBoard(board.state!, channel, deps.seeds);
      let ts = board.ts;
      if (ts !== undefined && stale) {
        try {
          await api.updateMessage({ channel, ts, message });
        } catch (error) {
          if (!(error instanceof SlackError && MESSAGE_GONE.has(error.code))) throw error;
          logger.warn('status board message gone from the channel; posting a fresh one', { channel, ts, reason: error.message });
          board = held(await boards.changeBoardMessage(channel, token, { ts: null, pinned: false }));
          ts = undefined;
        }
      }
      if (ts === undefined) {
        // An earlier holder may have posted it and died before saving its ts: adopt that message rather than post twice.
        const earlier = board.postingSince ? await api.findPosted({ channel, eventId, oldestTs: slackTs(board.postingSince, -60) }) : undefined;
        if (earlier !== undefined) {
          await api.updateMessage({ channel, ts: earlier, message });
          ts = earlier;
        } else {
          held(await boards.changeBoardMessage(channel, token, { postingSince: board.postingSince ?? clock.now().toISOString() }));
          ts = (await api.postMessage({ channel, message, eventId })).ts;
        }
        board = held(await boards.changeBoardMessage(channel, token, { ts, postingSince: null, pinned: false }));
      }
      let pinned = board.pinned;
      if (!pinned) {
        try {
          await api.pinMessage({ channel, ts });
          pinned = true;
        } catch (error) {
          if (!(error instanceof SlackError)) throw error;
          logger.error('could not pin the status board message; it is updated all the same', { channel, ts, code: error.code, reason: error.message });
        }
      }
      board = held(await boards.changeBoardMessage(channel, token, { pinned, shownVersion: version }));
      if (!pinned) break;
    }
    return board;
  }

  /**
   * A board with configured rows starts before anything is heard: its record gets the empty state, so the next showing
   * posts and pins it with every row green (after the route's first batch, a post-deploy check's test event included).
   */
  async function start(): Promise<void> {
    if ((deps.seeds?.length ?? 0) === 0) return;
    const board = await boards.getBoard(channel);
    if (board?.state === undefined) await boards.saveBoardState(channel, EMPTY_BOARD, board?.version ?? 0);
  }

  async function refresh(): Promise<BoardRefreshOutcome> {
    let outcome: BoardRefreshOutcome = 'up to date';
    try {
      await start();
    } catch (error) {
      logger.warn('could not start the status board; it is tried again after the next delivery', {
        channel,
        reason: error instanceof Error ? error.message : String(error),
      });
      return 'failed';
    }
    // A second lease only when an event was folded in while the first was being given back.
    for (let lease = 0; lease < 2; lease += 1) {
      const now = clock.now();
      const token = randomUUID();
      let board: StoredBoard | undefined;
      try {
        board = await boards.takeBoardLease(channel, { token, now: now.toISOString(), until: new Date(now.getTime() + settings.leaseMs).toISOString() });
        if (!board) return lease === 0 ? 'busy' : outcome;
        if (needsShowing(board)) {
          board = await showUnderLease(token, board);
          outcome = 'shown';
        }
      } catch (error) {
        logger.warn('could not bring the status board up to date; it is tried again after the next delivery', {
          channel,
          ...(error instanceof SlackError && { code: error.code }),
          reason: error instanceof Error ? error.message : String(error),
        });
        outcome = 'failed';
      }
      const released = await boards.changeBoardMessage(channel, token, { release: true }).catch(() => undefined);
      if (outcome === 'failed' || !released || !needsShowing(released)) return outcome;
    }
    return outcome;
  }

  return { fold, refresh };
}

/** Whether the message must be posted, updated or pinned to show the record. */
export function needsShowing(board: StoredBoard | undefined): boolean {
  return board?.state !== undefined && (board.ts === undefined || board.shownVersion < board.version || !board.pinned);
}

/**
 * A bot connection that keeps the channel's board: each event it posts is folded in with its thread's root, and the
 * message is brought up to date after each batch (`afterBatch`).
 */
export function withSlackBoard(connection: ChannelConnection, board: SlackBoard, threads: Pick<SlackThreadStore, 'getThread'>, channel: string): ChannelConnection {
  return {
    ...connection,
    async post(event, attempt) {
      const posted = await connection.post(event, attempt);
      const thread = await threads.getThread(channel, threadKeyOf(event));
      await board.fold(event, thread?.rootTs ?? posted.receipt);
      return posted;
    },
    async afterBatch() {
      await board.refresh();
    },
  };
}
