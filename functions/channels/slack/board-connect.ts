// The Slack status board of a route, connected from the plug-in's context: its record in the watcher's table and the
// route's bot client; and the board's update at the end of a local run.
import type { ChannelContext, Routed } from '../channel.js';
import type { BoardRowSeed } from '../../core/slack-board.js';
import type { SlackBoardApi, SlackPins } from './board-ports.js';
import { makeDynamoSlackBoardStore } from './board-dynamo-store.js';
import { makeSlackBoard, needsShowing, type BoardRefreshOutcome, type SlackBoard } from './board-keeper.js';
import type { SlackOutputConfig } from './config-schema.js';
import { makeSlackDestination } from './slack-destination.js';
import type { SlackApi } from './slack-ports.js';

/** The board of `channel`, its record in the context's table, posting through the bot's client and pinning with `pins`. */
export function slackBoardOf(
  channel: string,
  bot: SlackApi,
  pins: SlackPins,
  context: Pick<ChannelContext, 'table' | 'clock' | 'logger'>,
  seeds: readonly BoardRowSeed[] = [],
): SlackBoard {
  const api: SlackBoardApi = {
    postMessage: (input) => bot.postMessage(input),
    updateMessage: (input) => bot.updateMessage(input),
    findPosted: (input) => bot.findPosted(input),
    pinMessage: (input) => pins.pinMessage(input),
  };
  return makeSlackBoard({ channel, api, boards: makeDynamoSlackBoardStore(context.table), clock: context.clock, logger: context.logger, seeds });
}

/**
 * Brings a board route's message up to date (local mode, after a run's deliveries): does nothing, and resolves no
 * secret, when the message already shows the record. Never throws: a failure is logged and the next run tries again.
 */
export async function refreshSlackBoard(route: Routed<SlackOutputConfig>, context: ChannelContext): Promise<BoardRefreshOutcome | undefined> {
  if (route.board !== true || route.channel === undefined) return undefined;
  try {
    const stored = await makeDynamoSlackBoardStore(context.table).getBoard(route.channel);
    // A board with configured rows is started (posted, all green) even before anything is heard.
    const notStarted = (route.boardRows?.length ?? 0) > 0 && stored?.state === undefined;
    if (!needsShowing(stored) && !notStarted) return 'up to date';
    const destination = await makeSlackDestination(route, route.id, context.secrets, context.http);
    if (destination.mode !== 'bot' || !destination.pins) return undefined;
    return await slackBoardOf(destination.channel, destination.api, destination.pins, context, route.boardRows).refresh();
  } catch (error) {
    context.logger.warn('could not bring the status board up to date', { route: route.id, reason: error instanceof Error ? error.message : String(error) });
    return 'failed';
  }
}
