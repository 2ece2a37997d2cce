// The finding "the same incident in two regions' feeds makes two Slack threads and two emails per update", through the
// real CLI: a global Auth0 incident listed by the US-1 and EU-1 feeds of one status page, over its whole life, to an SNS
// output (what email subscribers get, one message per publish) and a Slack route in bot mode, then the digest.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherEvent } from '../../functions/core/model.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { GLOBAL_INCIDENT, globalIncidentFeed } from '../support/global-incident-feed.js';
import { cliRunner, runCliProcess } from '../support/run-cli.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

/** The first CLI run of this file in a child process, the others in this process (test/support/run-cli.ts). */
const cli = cliRunner();

const CHANNEL = 'C0REGIONS';
const DOMAINS = { 'US-1': 'acme.us.auth0.com', 'EU-1': 'acme.eu.auth0.com' } as const;

describe('an incident in two regions’ feeds (US-1 and EU-1) through npm start: one Slack thread and one email per change, not two', () => {
  let feeds: FeedServer;
  let sns: SnsTestServer;
  let slack: SlackTestServer;
  let dir: string;
  let configPath: string;
  let topicArn: string;
  let env: NodeJS.ProcessEnv;
  let digestText = '';

  /** Both regions' feeds list the incident with its first `updates` updates; one poll of both at `now`. */
  const pollAt = async (updates: number, now: string) => {
    for (const domain of Object.values(DOMAINS)) {
      feeds.setRoute(`/feed?domain=${domain}`, { body: globalIncidentFeed(domain, updates), contentType: 'application/atom+xml' });
    }
    const run = await cli(['--config', configPath, '--now', now], env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  };
  const events = () => sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent);

  beforeAll(async () => {
    [feeds, sns, slack] = await Promise.all([startFeedServer(), startSnsTestServer(), startSlackTestServer()]);
    slack.addChannel(CHANNEL);
    topicArn = sns.createTopic('watcher-events');
    dir = await mkdtemp(join(tmpdir(), 'watcher-two-regions-'));
    configPath = join(dir, 'config.json');
    env = { SLACK_BOT_TOKEN: slack.token };
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: Object.entries(DOMAINS).map(([region, domain]) => ({
          id: `auth0-status-${region.toLowerCase()}`,
          type: 'auth0-status',
          region,
          url: feeds.url(`/feed?domain=${domain}`),
        })),
        outputs: [
          { type: 'sns', topicArn, endpoint: sns.endpoint, region: 'us-east-1' },
          { type: 'slack', id: 'incidents', botToken: 'env:SLACK_BOT_TOKEN', channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl, rules: { types: ['incident.*'] } },
          { type: 'jsonl', path: 'out/digests.jsonl' },
        ],
      }),
    );
    await pollAt(1, '2026-04-22T19:56:00Z'); // opened (Investigating 19:55), in both feeds
    await pollAt(1, '2026-04-22T19:57:00Z'); // a minute later, nothing new
    await pollAt(2, '2026-04-22T20:02:00Z'); // Identified 20:01
    await pollAt(3, '2026-04-22T20:10:00Z'); // Monitoring 20:09
    await pollAt(4, '2026-04-22T20:15:00Z'); // Resolved 20:14
    const digest = await runCliProcess(['digest', '--config', configPath, '--now', '2026-04-22T20:30:00Z'], env);
    expect(digest.code, digest.stderr).toBe(0);
    const lines = (await readFile(join(dir, 'out', 'digests.jsonl'), 'utf8')).split('\n').filter(Boolean);
    digestText = lines.map((line) => JSON.parse(line) as { type: string; text: string }).find((d) => d.type === 'digest')?.text ?? '';
  }, 120_000);

  afterAll(async () => {
    await Promise.all([feeds?.close(), sns?.close(), slack?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes each change once to SNS, so email subscribers get one message per change', () => {
    expect(events().map((e) => [e.type, e.itemId, e.update?.label])).toEqual([
      ['incident.opened', GLOBAL_INCIDENT, 'Investigating'],
      ['incident.updated', GLOBAL_INCIDENT, 'Identified'],
      ['incident.updated', GLOBAL_INCIDENT, 'Monitoring'],
      ['incident.resolved', GLOBAL_INCIDENT, 'Resolved'],
    ]);
    expect(new Set(events().map((e) => e.id)).size).toBe(4);
    const emails = sns.published(topicArn).map((p) => (JSON.parse(p.message) as { email: string }).email);
    expect(emails.filter((email) => email.includes('Latest update (Resolved'))).toHaveLength(1);
    // Each event says which region source saw it, and that the incident is the status page's, whichever that was.
    expect(new Set(events().map((e) => e.scope))).toEqual(new Set([`@${new URL(feeds.url('/')).host}`]));
    for (const event of events()) expect(['auth0-status-us-1', 'auth0-status-eu-1']).toContain(event.source);
  });

  it('names both regions once the second region’s feed has listed the incident', () => {
    const [opened, ...later] = events();
    expect([['US-1'], ['EU-1'], ['EU-1', 'US-1']]).toContainEqual(opened!.regions);
    for (const event of later) expect(event.regions).toEqual(['EU-1', 'US-1']);
    const resolvedEmail = (JSON.parse(sns.published(topicArn).at(-1)!.message) as { email: string }).email;
    expect(resolvedEmail).toContain('Regions: EU-1, US-1');
  });

  it('keeps one Slack thread for the incident, its replies in order, the root showing both regions', () => {
    const roots = slack.messages(CHANNEL).filter((m) => m.threadTs === undefined);
    expect(roots).toHaveLength(1);
    const replies = slack.replies(CHANNEL, roots[0]!.ts);
    expect(replies.map((r) => [JSON.stringify(r.blocks).match(/Identified|Monitoring|Resolved/)?.[0], r.broadcast])).toEqual([
      ['Identified', false],
      ['Monitoring', false],
      ['Resolved', true],
    ]);
    const root = JSON.stringify(roots[0]!.blocks);
    expect(root).toContain('EU-1, US-1');
    expect(root).toContain('Resolved');
  });

  it('lists the incident once in the digest', () => {
    expect(digestText).toContain('In this period: 1 incident opened, 1 resolved, 2 incident updates');
    expect(digestText).toContain('RESOLVED IN THIS PERIOD (1)');
    expect(digestText).toContain('Still owed (1)');
    expect(digestText.split(`/incidents/${GLOBAL_INCIDENT}`).length - 1).toBe(2); // resolved, and its RCA owed
  });
});
