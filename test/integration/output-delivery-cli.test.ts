// Finding 6 through the real CLI: one failing output must not hold every other output hostage. Each output has its
// own queue: a revoked Slack token holds only Slack's events, an event Slack refuses is parked, a jsonl file that
// cannot be written holds only jsonl; each output gets each event once, and the watcher says which output failed.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import type { WatcherEvent } from '../../functions/core/model.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { cliRunner, type CliRun } from '../support/run-cli.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';

/** The first CLI run of this file in a child process, the others in this process (test/support/run-cli.ts). */
const cli = cliRunner();

const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const CHANNEL = 'C0INCIDENTS';
const SLACK_METHODS = ['chat.postMessage', 'chat.update', 'conversations.history', 'conversations.replies'];

interface Scenario {
  readonly feeds: FeedServer;
  readonly slack: SlackTestServer;
  readonly dir: string;
  readonly feedUrl: string;
  /** Serves the snapshot and runs `npm start` at the pinned time. */
  poll(snapshot: string, now: string): Promise<CliRun>;
  /** The events in the jsonl file, in order. */
  jsonl(): Promise<WatcherEvent[]>;
  /** The event ids of the Slack messages, in the order they were posted. */
  slackEventIds(): string[];
  close(): Promise<void>;
}

async function startScenario(outputs: (slackApiBaseUrl: string) => unknown[]): Promise<Scenario> {
  const feeds = await startFeedServer();
  const slack = await startSlackTestServer();
  const dir = await mkdtemp(join(tmpdir(), 'watcher-outputs-'));
  const configPath = join(dir, 'config.json');
  const feedUrl = feeds.url('/feed');
  await writeFile(
    configPath,
    JSON.stringify({
      stateDir: 'state',
      failureThreshold: 3,
      sources: [{ id: 'status-us-1', type: 'auth0-status', url: feedUrl, region: 'US-1' }],
      outputs: outputs(slack.apiBaseUrl),
    }),
  );
  return {
    feeds,
    slack,
    dir,
    feedUrl,
    async poll(snapshot, now) {
      feeds.setRoute('/feed', { body: fixture(snapshot), contentType: 'application/atom+xml' });
      return cli(['--config', configPath, '--now', now], { SLACK_BOT_TOKEN: slack.token });
    },
    async jsonl() {
      const text = await readFile(join(dir, 'out', 'events.jsonl'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as WatcherEvent);
    },
    slackEventIds: () =>
      slack
        .messages(CHANNEL)
        .sort((a, b) => Number(a.ts) - Number(b.ts))
        .map((m) => String(m.metadata?.event_payload['event_id'])),
    async close() {
      await Promise.all([feeds.close(), slack.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const slackRoute = (apiBaseUrl: string) => ({ type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel: CHANNEL, apiBaseUrl });
const label = (e: WatcherEvent) => `${e.type} ${e.itemId}`;
/** The output's line of the CLI's delivery summary. */
const outputLine = (run: CliRun, outputId: string) => run.stdout.split('\n').find((line) => line.trimStart().startsWith(`${outputId} `)) ?? '';

// The scenarios are independent (own servers, own state) and mostly wait on child processes: run them side by side.
describe.concurrent('one failing output holds every other output hostage (finding 6)', () => {
  it('a revoked Slack token holds only Slack: jsonl gets every event once and at once, Slack gets them all in order once the token works', async ({ expect }) => {
    const s = await startScenario((api) => [{ type: 'jsonl', path: 'out/events.jsonl' }, slackRoute(api)]);
    try {
      // The token is revoked: Slack answers token_revoked to everything, for three polls.
      const restore = SLACK_METHODS.map((method) => s.slack.refuseWhere(method, () => true, 'token_revoked'));
      const revoked: CliRun[] = [];
      const arrived: string[][] = [];
      for (const [snapshot, now] of [
        ['seq-02-update.atom', '2026-10-06T10:50:00Z'],
        ['seq-03-resolved.atom', '2026-10-06T11:30:00Z'],
        // The root-cause analysis, a month later.
        ['seq-04-rca-edit.atom', '2026-11-06T09:00:00Z'],
      ] as const) {
        const before = (await s.jsonl()).length;
        revoked.push(await s.poll(snapshot, now));
        arrived.push((await s.jsonl()).slice(before).map(label));
      }
      const afterRevoked = await s.jsonl();
      for (const run of revoked) {
        expect(run.code).toBe(1);
        // The poll itself succeeded: the source is not blamed, the Slack route is, and without any feed URL.
        expect(run.stdout).toMatch(/status-us-1\s+changed/);
        expect(run.stdout).toContain('Polled 1 sources: all read.');
        expect(outputLine(run, 'slack:incidents')).toMatch(/failing .*token_revoked.*held until it is fixed/);
        expect(outputLine(run, 'slack:incidents')).not.toContain(s.feedUrl);
        expect(outputLine(run, `jsonl:${join(s.dir, 'out', 'events.jsonl')}`)).toMatch(/\bok\s+delivered [1-9]\d*, waiting 0, parked 0$/);
      }
      // Each event reaches jsonl in the run that found it, the RCA included; nothing waits for Slack.
      expect(arrived).toEqual([
        // Within a run, events go out in the order their changes happened: s6nmyrpsnbmj began first.
        ['incident.opened s6nmyrpsnbmj', 'incident.opened n3wincid3nt1', 'source.failing slack:incidents'],
        ['incident.resolved s6nmyrpsnbmj'],
        ['incident.rca_published s6nmyrpsnbmj'],
      ]);
      // One watcher-health event, on the first failed run (a revoked token does not heal by retrying), naming the route.
      const failing = afterRevoked.find((e) => e.type === 'source.failing')!;
      expect(failing).toMatchObject({ source: 'slack:incidents', sourceType: 'output', url: '', status: 'failing' });
      expect(failing.summary).toContain('token_revoked');
      expect(JSON.stringify(failing)).not.toContain(s.feedUrl);
      expect(s.slackEventIds()).toEqual([]);

      for (const lift of restore) lift();
      const fixed = await s.poll('seq-04-rca-edit.atom', '2026-11-06T09:10:00Z');
      expect(fixed.code, fixed.stdout).toBe(0);
      expect(outputLine(fixed, 'slack:incidents')).toMatch(/\bok\s+delivered 6, waiting 0, parked 0$/);
      const all = await s.jsonl();
      expect(all.slice(afterRevoked.length).map(label)).toEqual(['source.recovered slack:incidents']);
      // jsonl: every event exactly once. Slack: every event once, in the order announced, the held ones included.
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      expect(s.slackEventIds()).toEqual(all.map((e) => e.id));
      expect(all.filter((e) => e.source === 'slack:incidents').map((e) => e.type)).toEqual(['source.failing', 'source.recovered']);
    } finally {
      await s.close();
    }
  });

  it('parks an event Slack refuses after three runs and delivers the others', async ({ expect }) => {
    const s = await startScenario((api) => [{ type: 'jsonl', path: 'out/events.jsonl' }, slackRoute(api)]);
    try {
      let refusals = 0;
      s.slack.refuseWhere(
        'chat.postMessage',
        (params) => JSON.stringify(params).includes('/incidents/n3wincid3nt1') && (refusals += 1) > 0,
        'msg_too_long',
      );
      // The first poll announces both open incidents; Slack refuses the message of n3wincid3nt1 every time.
      const runs = [
        await s.poll('seq-02-update.atom', '2026-10-06T10:50:00Z'),
        await s.poll('seq-02-update.atom', '2026-10-06T11:00:00Z'),
        await s.poll('seq-03-resolved.atom', '2026-10-06T11:30:00Z'),
      ];
      expect(runs.map((run) => run.code)).toEqual([1, 1, 1]);
      expect(outputLine(runs[0]!, 'slack:incidents')).toMatch(/ok\s+delivered 1, waiting 1, parked 0$/);
      expect(runs[0]!.stdout).toMatch(/refused \w+ \(incident\.opened "Elevated Errors in US-1"\): .*msg_too_long; retried next run \(1 of 3 tries\)/);
      expect(runs[2]!.stdout).toMatch(/parked now \w+ \(incident\.opened "Elevated Errors in US-1"\): .*msg_too_long; not retried/);
      expect(refusals).toBe(3);

      const events = await s.jsonl();
      expect(events.map(label)).toEqual([
        'incident.opened s6nmyrpsnbmj',
        'incident.opened n3wincid3nt1',
        'incident.resolved s6nmyrpsnbmj',
        'source.failing slack:incidents',
      ]);
      const parked = events[3]!;
      expect(events[1]!.title).toBe('Elevated Errors in US-1');
      expect(parked.title).toBe('Watcher: output slack:incidents refused an event: Elevated Errors in US-1');
      expect(parked.summary).toContain(events[1]!.id);
      // Slack has everything but the refused event (parked: kept, listed, not retried), and the watcher-health event about it.
      expect(outputLine(runs[2]!, 'slack:incidents')).toMatch(/ok\s+delivered 2, waiting 0, parked 1$/);
      expect(s.slackEventIds()).toEqual([events[0]!.id, events[2]!.id, parked.id]);
    } finally {
      await s.close();
    }
  });

  it('a jsonl file that cannot be written holds only jsonl: console and Slack are unaffected', async ({ expect }) => {
    const s = await startScenario((api) => [{ type: 'jsonl', path: 'out/events.jsonl' }, { type: 'console' }, slackRoute(api)]);
    try {
      const path = join(s.dir, 'out', 'events.jsonl');
      await mkdir(path, { recursive: true }); // a directory where the file should be
      const broken = await s.poll('seq-01-baseline.atom', '2026-10-06T10:15:00Z');
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(/status-us-1\s+changed\s+1 event/);
      expect(outputLine(broken, `jsonl:${path}`)).toMatch(/failing .*EISDIR.*held until it is fixed/);
      expect(outputLine(broken, 'console')).toMatch(/ok\s+delivered 2, waiting 0/);
      expect(outputLine(broken, 'slack:incidents')).toMatch(/ok\s+delivered 2, waiting 0/);
      expect(broken.stdout).toContain('[MAJOR] incident.opened');
      expect(broken.stdout).toContain(`[MAJOR] source.failing · auth0-ops-watcher · jsonl:${path}`);
      expect(s.slackEventIds()).toHaveLength(2);

      await rmdir(path);
      const fixed = await s.poll('seq-01-baseline.atom', '2026-10-06T10:16:00Z');
      expect(fixed.code, fixed.stdout).toBe(0);
      expect((await s.jsonl()).map(label)).toEqual([
        'incident.opened s6nmyrpsnbmj',
        `source.failing jsonl:${path}`,
        `source.recovered jsonl:${path}`,
      ]);
      expect(fixed.stdout).toContain(`[INFO] source.recovered · auth0-ops-watcher · jsonl:${path}`);
      expect(s.slackEventIds()).toHaveLength(3);
    } finally {
      await s.close();
    }
  });
});
