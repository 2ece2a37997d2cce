// A full incident lifecycle through the real CLI into a local Slack (Web API and webhook): one living thread.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { cliRunner } from '../support/run-cli.js';
import { startSlackTestServer, type RecordedMessage, type SlackTestServer } from '../support/slack-test-server.js';

/** The first CLI run of this file in a child process, the others in this process (test/support/run-cli.ts). */
const cli = cliRunner();

const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const CHANNEL = 'C0INCIDENTS';
const HOSTILE =
  '&lt;!channel&gt; urgent: log in again at &lt;http://evil.example|Auth0 login&gt; @here. ' + 'Delayed log delivery continues. '.repeat(200);

/** The snapshot with a second update (10:55, hostile and long) added to s6nmyrpsnbmj, cloned from the fixture. */
function withSecondUpdate(xml: string): string {
  const anchor = '<p><small>Oct 6, 10:48 UTC</small>';
  if (!xml.includes(anchor)) throw new Error('fixture changed: no 10:48 update to anchor on');
  return xml.replace(anchor, `<p><small>Oct 6, 10:55 UTC</small><br><strong>Update</strong> - ${HOSTILE}</p>${anchor}`);
}

describe('Slack outputs of npm start over an incident lifecycle', () => {
  let feeds: FeedServer;
  let slack: SlackTestServer;
  let dir: string;
  let configPath: string;
  let env: NodeJS.ProcessEnv;

  const poll = async (snapshot: string, now: string) => {
    feeds.setRoute('/feed', { body: snapshot, contentType: 'application/atom+xml' });
    const run = await cli(['--config', configPath, '--now', now], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run;
  };
  const topLevel = () => slack.messages(CHANNEL).filter((m) => m.threadTs === undefined);
  const rootOf = (itemId: string): RecordedMessage => {
    const root = topLevel().find((m) => JSON.stringify(m.blocks).includes(`/incidents/${itemId}`));
    if (!root) throw new Error(`no root message for ${itemId}`);
    return root;
  };

  beforeAll(async () => {
    feeds = await startFeedServer();
    slack = await startSlackTestServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-slack-'));
    configPath = join(dir, 'config.json');
    env = { SLACK_BOT_TOKEN: slack.token, SLACK_WEBHOOK_URL: slack.webhookUrl('T0/B0/ops') };
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'status-us-1', type: 'auth0-status', url: feeds.url('/feed'), region: 'US-1' }],
        outputs: [
          {
            type: 'slack',
            id: 'incidents',
            botToken: 'env:SLACK_BOT_TOKEN',
            channel: CHANNEL,
            apiBaseUrl: slack.apiBaseUrl,
            rules: { types: ['incident.*'], regions: ['US-5'] },
          },
          { type: 'slack', id: 'ops', webhookUrl: 'env:SLACK_WEBHOOK_URL', rules: { types: ['incident.*'] } },
        ],
      }),
    );
    await poll(fixture('seq-01-baseline.atom'), '2026-10-06T10:15:00Z');
    await poll(fixture('seq-02-update.atom'), '2026-10-06T10:50:00Z');
    await poll(withSecondUpdate(fixture('seq-02-update.atom')), '2026-10-06T10:56:00Z');
    await poll(withSecondUpdate(fixture('seq-03-resolved.atom')), '2026-10-06T11:30:00Z');
    // The root-cause analysis, rewritten into the resolved incident a month later.
    await poll(withSecondUpdate(fixture('seq-04-rca-edit.atom')), '2026-11-06T09:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await feeds?.close();
    await slack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('posts one root message per incident, only for the region the route takes', () => {
    expect(topLevel()).toHaveLength(1); // n3wincid3nt1 names US-1, which this route does not take
    expect(JSON.stringify(rootOf('s6nmyrpsnbmj').blocks)).toContain('Tenant Logs and Group Memberships');
  });

  it('puts every later update in the thread, broadcasting the resolution and the RCA', () => {
    const root = rootOf('s6nmyrpsnbmj');
    const replies = slack.replies(CHANNEL, root.ts);
    expect(replies.map((r) => [JSON.stringify(r.blocks).match(/Monitoring|Update|Resolved|Root-cause analysis/)?.[0], r.broadcast])).toEqual([
      ['Monitoring', false],
      ['Update', false],
      ['Resolved', true],
      ['Root-cause analysis', true],
    ]);
  });

  it('keeps the root message up to date in place', () => {
    const root = rootOf('s6nmyrpsnbmj');
    expect(root.updates).toBe(4);
    const blocks = JSON.stringify(root.blocks);
    expect(blocks).toContain('Resolved');
    expect(blocks).toContain('Root-cause analysis published');
  });

  it('makes hostile vendor text inert and keeps long text within the limits', () => {
    const root = rootOf('s6nmyrpsnbmj');
    const hostile = slack.replies(CHANNEL, root.ts)[1]!;
    const json = JSON.stringify(hostile.blocks);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<http://evil.example');
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toMatch(/@here/);
    expect(json).toContain('read more');
    for (const block of hostile.blocks as Array<{ type: string; text?: { text: string } }>) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
  });

  it('posts one message per event by webhook, without threads', () => {
    const posts = slack.webhookPosts('T0/B0/ops');
    // opened s6n, Monitoring, opened n3w, Update, Resolved, RCA
    expect(posts).toHaveLength(6);
    expect(posts.every((p) => !('thread_ts' in p))).toBe(true);
    expect(JSON.stringify(posts)).not.toContain('<!channel>');
  });

  it('posts nothing more when the same snapshot is polled again', async () => {
    const before = [slack.messages().length, slack.webhookPosts('T0/B0/ops').length];
    await poll(withSecondUpdate(fixture('seq-04-rca-edit.atom')), '2026-11-06T09:01:00Z');
    expect([slack.messages().length, slack.webhookPosts('T0/B0/ops').length]).toEqual(before);
  });
});
