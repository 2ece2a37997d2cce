// The Slack status board against dynalite and the Slack test server: through the AWS notifier (makeQueueNotifier), one
// message posted once, pinned once and updated in place once per batch as a real Auth0 incident (January 2021) opens and
// resolves and as the synthetic login fails and recovers (real-shaped token-endpoint answers); redelivery harmless; a
// holder that died after posting is adopted, not posted again. And once through the real CLI.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeDynamoSlackBoardStore } from '../../functions/channels/slack/board-dynamo-store.js';
import { boardEventIdOf, makeSlackBoard } from '../../functions/channels/slack/board-keeper.js';
import type { SlackBoardStore } from '../../functions/channels/slack/board-ports.js';
import { makeSlackWebApi } from '../../functions/channels/slack/slack-web-api.js';
import { makeQueueNotifier } from '../../functions/channels/slack/slack-notifier.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import { boardStateFrom, EMPTY_BOARD, type BoardRowSeed } from '../../functions/core/slack-board.js';
import { testEvent } from '../../functions/core/delivery-check.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { realIncident } from '../support/real-auth0-incident.js';
import { runCliProcess } from '../support/run-cli.js';
import { syntheticLoginEvents } from '../support/synthetic-login-events.js';
import { startSlackTestServer, type RecordedMessage, type SlackTestServer } from '../support/slack-test-server.js';

const TABLE = 'watcher-slack-board';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const syntheticEvents = syntheticLoginEvents;

/** The board's line for a row, read from the message: `🟠 *Auth0 US-1* · …`. */
function lineOf(board: RecordedMessage | undefined, name: string): string | undefined {
  const text = (board?.blocks ?? []).map((b) => (b as { text?: { text?: string } }).text?.text ?? '').join('\n');
  return text.split('\n').find((line) => line.includes(`*${name}*`));
}

describe('the Slack status board', () => {
  let dynamo: RunningDynamo;
  let slack: SlackTestServer;
  let channels = 0;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    slack = await startSlackTestServer();
  }, 60_000);
  afterAll(async () => {
    await slack?.close();
    await dynamo?.stop();
  });

  function newChannel(): string {
    const channel = `C0BOARD${++channels}`;
    slack.addChannel(channel);
    return channel;
  }
  const boardsOf = (channel: string) => slack.messages(channel).filter((m) => m.metadata?.event_payload['event_id'] === boardEventIdOf(channel));

  /** The AWS notifier of a board route on `channel`, with `events` in the event log, and SQS records for events. */
  async function awsNotifier(channel: string, events: readonly WatcherEvent[], boardRows?: BoardRowSeed[]) {
    const log = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    for (const event of events) await log.logEvent(event);
    const notify = makeQueueNotifier({
      route: { type: 'slack', id: 'helpdesk', botToken: 'env:SLACK_BOT_TOKEN', channel, board: true, apiBaseUrl: slack.apiBaseUrl, rules: {}, ...(boardRows && { boardRows }) },
      client: dynamo.client,
      tableName: TABLE,
      secrets: { resolve: async () => slack.token },
      clock: { now: () => new Date() },
      logger: quiet,
      settings: { predecessorWaitMs: 100 },
      adapterOptions: { retries: 1, minRetryDelayMs: 5 },
      sleep: async () => undefined,
    });
    const batch = (...batchEvents: WatcherEvent[]) =>
      notify(batchEvents.map((event) => ({ messageId: `m-${event.id}`, body: JSON.stringify(event), attributes: { SentTimestamp: String(Date.now()) } })));
    return batch;
  }

  it('starts a board with configured rows, all green and pinned, on the route’s first batch even when it is only the post-deploy test event', async () => {
    const channel = newChannel();
    const seeds: BoardRowSeed[] = [
      { key: 'auth0:US-1', kind: 'auth0', name: 'Auth0 US-1' },
      { key: 'dependency:github', kind: 'dependency', name: 'GitHub' },
      { key: 'watcher', kind: 'watcher', name: 'Watcher' },
    ];
    const probe = testEvent({ runId: 'deploy-check', now: new Date('2026-11-20T10:00:00Z') });
    const batch = await awsNotifier(channel, [probe], seeds);
    expect((await batch(probe)).batchItemFailures).toEqual([]);
    const [board] = boardsOf(channel);
    expect(boardsOf(channel)).toHaveLength(1);
    expect(slack.pins(channel)).toEqual([board!.ts]);
    for (const name of ['Auth0 US-1', 'GitHub', 'Watcher']) expect(lineOf(board, name)).toMatch(new RegExp(`^🟢 \\*${name}\\*`));
    // A second batch with nothing new leaves it as it is.
    expect((await batch(probe)).batchItemFailures).toEqual([]);
    expect(boardsOf(channel)[0]!.updates).toBe(0);
  });

  it('posts the board once, pins it once and updates it in place, once per batch, as a real incident opens and resolves', async () => {
    const channel = newChannel();
    const [opened, u1, u2, u3, resolved] = realIncident();
    const batch = await awsNotifier(channel, realIncident());

    expect((await batch(opened!)).batchItemFailures).toEqual([]);
    const [posted] = boardsOf(channel);
    expect(boardsOf(channel)).toHaveLength(1);
    expect(slack.pins(channel)).toEqual([posted!.ts]);
    const root = slack.messages(channel).find((m) => m.metadata?.event_payload['event_id'] === opened!.id)!;
    expect(lineOf(posted, 'Auth0 US-1')).toMatch(/^🟠 \*Auth0 US-1\* · major, investigating: </);
    expect(lineOf(posted, 'Auth0 US-1')).toContain(`https://slack.com/archives/${channel}/p${root.ts.replace('.', '')}`);

    // Three updates in one batch: one chat.update of the board.
    expect((await batch(u1!, u2!, u3!)).batchItemFailures).toEqual([]);
    expect(boardsOf(channel)[0]!.updates).toBe(1);

    expect((await batch(resolved!)).batchItemFailures).toEqual([]);
    const after = boardsOf(channel);
    expect(after).toHaveLength(1);
    expect(after[0]!.ts).toBe(posted!.ts);
    expect(after[0]!.updates).toBe(2);
    expect(lineOf(after[0], 'Auth0 US-1')).toBe('🟢 *Auth0 US-1* · operational, nothing open');
    expect((after[0]!.blocks[0] as { text: { text: string } }).text.text).toBe('🟢 Status board');

    // Redelivered (SNS at least once, a redrive): nothing posted, updated or pinned again.
    const calls = { post: slack.calls('chat.postMessage'), update: slack.calls('chat.update'), pin: slack.calls('pins.add') };
    expect((await batch(opened!, resolved!, u2!)).batchItemFailures).toEqual([]);
    expect({ post: slack.calls('chat.postMessage'), update: slack.calls('chat.update'), pin: slack.calls('pins.add') }).toEqual(calls);
    expect(boardsOf(channel)).toHaveLength(1);
    expect(slack.pins(channel)).toEqual([posted!.ts]);
  });

  it('turns the synthetic login row red when the probe fails (503 twice) and green when it logs in again', async () => {
    const channel = newChannel();
    const [failing, recovered] = syntheticEvents(['503.temporarily_unavailable', '503.temporarily_unavailable', '200']);
    expect([failing!.type, recovered!.type]).toEqual(['synthetic.failing', 'synthetic.recovered']);
    const batch = await awsNotifier(channel, [failing!, recovered!]);

    await batch(failing!);
    expect(lineOf(boardsOf(channel)[0], 'Synthetic login (login-us)')).toMatch(/^🔴 .* · login failing: </);
    await batch(recovered!);
    expect(lineOf(boardsOf(channel)[0], 'Synthetic login (login-us)')).toBe('🟢 *Synthetic login (login-us)* · logging in');
    expect(boardsOf(channel)).toHaveLength(1);
    expect(slack.pins(channel)).toHaveLength(1);
  });

  it('adopts the message a holder posted before it died, rather than posting a second board, once its lease has passed', async () => {
    const channel = newChannel();
    const boards = makeDynamoSlackBoardStore({ client: dynamo.client, tableName: TABLE });
    const api = makeSlackWebApi({ token: slack.token, apiBaseUrl: slack.apiBaseUrl, retries: 0 });
    const [opened] = realIncident();
    let now = Date.parse('2026-11-20T10:00:00Z');
    // The process dies right after Slack answered the post: it neither saves the ts nor gives the lease back.
    const dying: SlackBoardStore = {
      ...boards,
      async changeBoardMessage(ch, token, change) {
        if (change.ts !== undefined || change.release) throw new Error('process died');
        return boards.changeBoardMessage(ch, token, change);
      },
    };
    const board = (store: SlackBoardStore) => makeSlackBoard({ channel, api, boards: store, clock: { now: () => new Date(now) }, logger: quiet });
    await boards.saveBoardState(channel, boardStateFrom(EMPTY_BOARD, opened!, undefined), 0);

    expect(await board(dying).refresh()).toBe('failed');
    expect(boardsOf(channel)).toHaveLength(1);
    // Within the lease, another holder waits; after it, the message is found by its metadata and adopted.
    expect(await board(boards).refresh()).toBe('busy');
    now += 6 * 60_000;
    expect(await board(boards).refresh()).toBe('shown');
    expect(boardsOf(channel)).toHaveLength(1);
    expect(slack.pins(channel)).toEqual([boardsOf(channel)[0]!.ts]);
    expect((await boards.getBoard(channel))?.ts).toBe(boardsOf(channel)[0]!.ts);
  });

  it('posts a fresh board, pinned, when a person deleted it', async () => {
    const channel = newChannel();
    const [opened, u1] = realIncident();
    const batch = await awsNotifier(channel, realIncident());
    await batch(opened!);
    slack.deleteMessage(channel, boardsOf(channel)[0]!.ts);
    await batch(u1!);
    expect(boardsOf(channel)).toHaveLength(1);
    expect(slack.pins(channel)).toEqual([boardsOf(channel)[0]!.ts]);
  });
});

describe('the Slack status board through npm start', () => {
  let feeds: FeedServer;
  let slack: SlackTestServer;
  let dir: string;
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');

  beforeAll(async () => {
    feeds = await startFeedServer();
    slack = await startSlackTestServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-board-'));
  });
  afterAll(async () => {
    await feeds?.close();
    await slack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps one pinned board in the channel: US-5 amber while its incident is open, green once resolved, US-1 red for a new critical one', async () => {
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'status-us-1', type: 'auth0-status', url: feeds.url('/feed'), region: 'US-1' }],
        outputs: [{ type: 'slack', id: 'helpdesk', botToken: 'env:SLACK_BOT_TOKEN', channel: 'C0INCIDENTS', board: true, apiBaseUrl: slack.apiBaseUrl, rules: {} }],
      }),
    );
    const env = { SLACK_BOT_TOKEN: slack.token };
    const poll = async (snapshot: string, now: string) => {
      feeds.setRoute('/feed', { body: fixture(snapshot), contentType: 'application/atom+xml' });
      const run = await runCliProcess(['--config', configPath, '--now', now], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    };
    const board = () => slack.messages('C0INCIDENTS').filter((m) => m.metadata?.event_payload['event_id'] === boardEventIdOf('C0INCIDENTS'));

    await poll('seq-01-baseline.atom', '2026-10-06T10:15:00Z');
    expect(board()).toHaveLength(1);
    expect(slack.pins('C0INCIDENTS')).toEqual([board()[0]!.ts]);
    expect(lineOf(board()[0], 'Auth0 US-5')).toMatch(/^🟠 \*Auth0 US-5\* · major, /);

    await poll('seq-03-resolved.atom', '2026-10-06T11:30:00Z');
    expect(board()).toHaveLength(1);
    expect(board()[0]!.updates).toBe(1);
    expect(slack.calls('pins.add')).toBe(1);
    expect(lineOf(board()[0], 'Auth0 US-5')).toBe('🟢 *Auth0 US-5* · operational, nothing open');
    // The snapshot also opens a critical incident in US-1: its row turns red, linking to its thread.
    expect(lineOf(board()[0], 'Auth0 US-1')).toMatch(/^🔴 \*Auth0 US-1\* · critical, investigating: <https:\/\/slack.com\/archives\/C0INCIDENTS\/p\d+\|Elevated Errors in US-1>$/);
  }, 60_000);
});
