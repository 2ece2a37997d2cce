// Third-party status pages through the real CLI: the same event rules as the Auth0 sources, on snapshot sequences,
// including the real githubstatus.com RCA edit; events labelled with their provider, and routes that select them.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherEvent } from '../../functions/core/model.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { cliRunner, runCliProcess, type CliRun } from '../support/run-cli.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';

/** The first CLI run of this file in a child process, the others in this process (test/support/run-cli.ts). */
const cli = cliRunner();

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const JSON_TYPE = 'application/json; charset=utf-8';

describe('third-party sources through npm start', () => {
  let feeds: FeedServer;
  let slack: SlackTestServer;
  let dir: string;
  let configPath: string;
  let seen = 0;
  let now = Date.parse('2026-10-06T10:00:00Z');

  const poll = async (advanceMinutes = 5): Promise<CliRun> => {
    now += advanceMinutes * 60_000;
    const run = await cli(['--config', configPath, '--now', new Date(now).toISOString()], { SLACK_BOT_TOKEN: slack.token });
    expect(run.stderr).toBe('');
    return run;
  };
  async function newEvents(): Promise<WatcherEvent[]> {
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const fresh = lines.slice(seen).map((line) => JSON.parse(line) as WatcherEvent);
    seen = lines.length;
    return fresh;
  }
  const summary = (events: WatcherEvent[]) => events.map((e) => `${e.source} ${e.type} ${e.itemId}`).sort();
  const serve = {
    githubApi: (incidents: string, maintenances = 'statuspage/scheduled-maintenances.json') => {
      feeds.setRoute('/github/api/v2/incidents.json', { body: fixture(incidents), contentType: JSON_TYPE });
      feeds.setRoute('/github/api/v2/scheduled-maintenances.json', { body: fixture(maintenances), contentType: JSON_TYPE });
    },
    githubFeed: (file: string) => feeds.setRoute('/ghfeed/history.atom', { body: fixture(file), contentType: 'application/atom+xml' }),
    google: (file: string) => feeds.setRoute('/google/incidents.json', { body: fixture(`google-status/${file}`), contentType: JSON_TYPE }),
    meta: (file: string) => feeds.setRoute('/meta.rss', { body: fixture(`feed/${file}`), contentType: 'application/rss+xml' }),
  };

  beforeAll(async () => {
    feeds = await startFeedServer();
    slack = await startSlackTestServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-third-'));
    configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        trackResolvedDays: 365,
        sources: [
          { id: 'github', type: 'statuspage', vendor: 'GitHub', url: feeds.url('/github') },
          { id: 'github-history', type: 'statuspage', vendor: 'GitHub', url: feeds.url('/ghfeed'), mode: 'feed' },
          { id: 'google-cloud', type: 'google-status', vendor: 'Google Cloud', url: feeds.url('/google/incidents.json') },
          { id: 'facebook-login', type: 'feed', vendor: 'Meta (Facebook Login)', url: feeds.url('/meta.rss'), emptyWhenHealthy: true },
        ],
        outputs: [
          { type: 'jsonl', path: 'events.jsonl' },
          {
            type: 'slack',
            id: 'github-only',
            botToken: 'env:SLACK_BOT_TOKEN',
            channel: 'C0INCIDENTS',
            apiBaseUrl: slack.apiBaseUrl,
            rules: { vendors: ['GitHub'], types: ['incident.*'] },
          },
        ],
      }),
    );
    serve.githubApi('statuspage/api-seq-01-incidents.json');
    serve.githubFeed('statuspage/rca-edit-before.atom');
    serve.google('seq-01.json');
    serve.meta('meta-open.rss');
  });

  afterAll(async () => {
    await feeds?.close();
    await slack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('announces only what is still open on the first poll, labelled with the provider', async () => {
    const run = await poll();
    expect(run.code).toBe(0);
    const events = await newEvents();
    expect(events.filter((e) => e.source === 'github-history')).toEqual([]);
    expect(events.every((e) => e.type === 'incident.opened' || e.type === 'maintenance.scheduled')).toBe(true);
    expect(new Set(events.map((e) => e.source))).toEqual(new Set(['github', 'google-cloud', 'facebook-login']));
    for (const event of events) expect(['GitHub', 'Google Cloud', 'Meta (Facebook Login)']).toContain(event.vendor);
    const github = events.find((e) => e.source === 'github' && e.type === 'incident.opened')!;
    expect(github.components?.length).toBeGreaterThan(0);
    expect(github.url).toMatch(/\/github\/incidents\//);
  });

  it('emits one event per new update, typed by what it does, for Statuspage, Google and plain feeds', async () => {
    serve.githubApi('statuspage/api-seq-02-incidents.json');
    serve.google('seq-02.json');
    expect((await poll()).code).toBe(0);
    expect(summary(await newEvents()).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'github incident.updated',
      'google-cloud incident.updated',
    ]);
    serve.githubApi('statuspage/api-seq-03-incidents.json');
    serve.google('seq-03.json');
    serve.meta('meta-resolved.rss');
    expect((await poll()).code).toBe(0);
    expect(summary(await newEvents()).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'facebook-login incident.resolved',
      'github incident.resolved',
      'google-cloud incident.resolved',
    ]);
  });

  it('announces an RCA once: the postmortem status, a rewritten Google update, the real githubstatus edit', async () => {
    serve.githubApi('statuspage/api-seq-04-incidents.json');
    serve.google('seq-04.json');
    serve.githubFeed('statuspage/rca-edit-after.atom');
    expect((await poll(3 * 24 * 60)).code).toBe(0);
    const events = await newEvents();
    expect(summary(events).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'github incident.rca_published',
      'github-history incident.rca_published',
      'google-cloud incident.rca_published',
    ]);
    expect(events.find((e) => e.source === 'github-history')!.itemId).toBe('gx7js8bd0jpz');
    expect((await poll()).code).toBe(0);
    expect(await newEvents()).toEqual([]);
  });

  it('takes an empty feed from a page that lists only open events as all clear, not as a failure', async () => {
    serve.meta('meta-empty.rss');
    const run = await poll();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/facebook-login\s+changed/);
    expect(await newEvents()).toEqual([]);
  });

  it('lets a route select one provider: only GitHub incidents reach its channel, named as GitHub', () => {
    const roots = slack.messages('C0INCIDENTS').filter((m) => m.threadTs === undefined);
    expect(roots.length).toBeGreaterThan(0);
    for (const root of roots) expect(JSON.stringify(root.blocks)).toContain('GitHub:');
    expect(JSON.stringify(slack.messages('C0INCIDENTS'))).not.toMatch(/Google Cloud|Meta \(Facebook/);
  });
});

describe('presets', () => {
  it('refuses an unknown preset, naming the valid ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'watcher-presets-'));
    try {
      const path = join(dir, 'config.json');
      await writeFile(path, JSON.stringify({ presets: ['github', 'myspace'], sources: [] }));
      const run = await runCliProcess(['--config', path]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('presets[1]');
      for (const name of ['github', 'google-workspace', 'facebook-login', 'sendgrid', 'twilio']) expect(run.stderr).toContain(name);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
