// Plug-in 'slack': a Slack channel, in bot mode (a bot token and a channel ID: one living thread per item, slack-bot.ts)
// or webhook mode (an incoming webhook: one message per event, slack-webhook.ts). One plug-in with two posters rather
// than two plug-ins: both are `"type": "slack"` in the config with one schema (exactly one of botToken and webhookUrl),
// they share Slack's error codes, key prefix and notifier bundle, and a deployed route keeps its records either way.
import type { ChannelPlugin } from '../channel.js';
import { refreshSlackBoard, slackBoardOf } from './board-connect.js';
import { withSlackBoard } from './board-keeper.js';
import { slackConfigSchema, type SlackOutputConfig } from './config-schema.js';
import { makeDynamoSlackStore, makeDynamoSlackThreadStore, SLACK_KEY_PREFIX } from './dynamo-slack-thread-store.js';
import { connectSlackDestination, refreshSlackRoots } from './slack-delivery.js';
import { makeSlackDestination } from './slack-destination.js';
import { classifySlackFailure } from './slack-failures.js';
import { slackWebhookDestination } from './slack-webhook.js';

export const slackChannel: ChannelPlugin<SlackOutputConfig> = {
  type: 'slack',
  label: 'Slack',
  configSchema: slackConfigSchema,

  checkRoute(route, invalid) {
    const secret = (['botToken', 'webhookUrl'] as const).filter((field) => route[field] !== undefined);
    if (secret.length !== 1) throw invalid('botToken', 'set exactly one of webhookUrl or botToken');
    const [field] = secret as [(typeof secret)[number]];
    // A reference (scheme:name), never a value: the resolver reads the secret it names.
    if (typeof route[field] !== 'string' || !/^[a-z]+:./.test(route[field])) throw invalid(field, 'must be a secret reference');
    if (field === 'botToken' && typeof route['channel'] !== 'string') throw invalid('channel', 'is required with botToken');
    if (typeof route['apiBaseUrl'] !== 'string') throw invalid('apiBaseUrl', 'must be a URL');
    if (route['board'] !== undefined && typeof route['board'] !== 'boolean') throw invalid('board', 'must be true or false');
    if (route['board'] === true && field !== 'botToken') throw invalid('board', 'needs botToken and channel');
    const rows = route['boardRows'];
    if (rows !== undefined && !(Array.isArray(rows) && rows.every((row) => typeof row?.key === 'string' && typeof row?.kind === 'string' && typeof row?.name === 'string'))) {
      throw invalid('boardRows', 'must be the rows the config gave the board ({key, kind, name} each)');
    }
  },

  secretRefsOf(route) {
    // The schema admits exactly one of the two.
    if (route.botToken !== undefined) return [{ field: 'botToken', ref: route.botToken }];
    if (route.webhookUrl !== undefined) return [{ field: 'webhookUrl', ref: route.webhookUrl }];
    return [];
  },

  // Records of every deployed version: `SLACK#<channel ID>` in bot mode, `SLACK#webhook:<route id>` in webhook mode.
  keyPrefix: SLACK_KEY_PREFIX,
  destinationKey: (route) => (route.botToken && route.channel ? route.channel : slackWebhookDestination(route.id)),

  classifyFailure: classifySlackFailure,

  notifier: {
    entry: new URL('./handler.ts', import.meta.url).href,
    serviceName: 'auth0-ops-watcher-slack',
    describe: (route) => (route.channel !== undefined ? `bot, channel ${route.channel}` : 'incoming webhook'),
  },

  async connect(route, context) {
    const destination = await makeSlackDestination(route, route.id, context.secrets, context.http);
    const threads = makeDynamoSlackThreadStore(context.table);
    const connection = connectSlackDestination(destination, {
      threads,
      deliveries: context.deliveries,
      clock: context.clock,
      logger: context.logger,
      sleep: context.sleep,
    });
    if (route.board !== true || destination.mode !== 'bot' || !destination.pins) return connection;
    const board = slackBoardOf(destination.channel, destination.api, destination.pins, context, route.boardRows);
    return withSlackBoard(connection, board, threads, destination.channel);
  },

  // Thread roots Slack would not update during a delivery (this run's or an earlier one's) are brought up to date, so
  // a channel never keeps showing an incident open after it resolved; what still fails is tried again next run.
  async afterLocalRun(route, context) {
    await refreshSlackRoots(route, route.id, { ...context, store: makeDynamoSlackStore(context.table), adapterOptions: context.http });
    // The board's one update of the run, or of an earlier run that could not make it.
    if (route.board === true) await refreshSlackBoard(route, context);
  },
};
