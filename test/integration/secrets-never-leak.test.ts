// Secrets (GitHub token, Slack bot token, webhook URL; the paging channels' keys, workflow URL and signing secret) never
// appear in logs, events, outputs or error messages, even when the services they authenticate to refuse or fail.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startOpsgenieAlertServer, type OpsgenieAlertServer } from '../support/opsgenie-alert-server.js';
import { startPagerDutyEventsServer, type PagerDutyEventsServer } from '../support/pagerduty-events-server.js';
import { runCliInProcess, runCliProcess } from '../support/run-cli.js';
import { startTeamsWorkflowsServer, type TeamsWorkflowsServer } from '../support/teams-workflows-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';

const GITHUB_TOKEN = 'ghp_TESTSECRETvalue0123456789abcdefghij';

describe('secrets in local runs', () => {
  let feeds: FeedServer;
  let slack: SlackTestServer;
  let dir: string;
  let webhookUrl: string;
  const captured: string[] = [];

  beforeAll(async () => {
    feeds = await startFeedServer();
    slack = await startSlackTestServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-secrets-'));
    webhookUrl = slack.webhookUrl('T0SECRET/B0SECRET/websecretpart');
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        failureThreshold: 1,
        sources: [
          { id: 'status', type: 'auth0-status', url: feeds.url('/feed'), region: 'US-5' },
          {
            id: 'advisories',
            type: 'github-advisories',
            url: feeds.url('/advisories'),
            packages: [{ ecosystem: 'npm', name: 'jsonwebtoken' }],
            token: 'env:GITHUB_TOKEN',
          },
        ],
        outputs: [
          { type: 'jsonl', path: 'events.jsonl' },
          { type: 'console' },
          { type: 'slack', id: 'bot', botToken: 'env:SLACK_BOT_TOKEN', channel: 'C0INCIDENTS', apiBaseUrl: slack.apiBaseUrl },
          { type: 'slack', id: 'hook', webhookUrl: 'env:SLACK_WEBHOOK_URL' },
        ],
      }),
    );
    const env = { GITHUB_TOKEN, SLACK_BOT_TOKEN: slack.token, SLACK_WEBHOOK_URL: webhookUrl };
    feeds.setRoute('/feed', { body: readFileSync(new URL('../fixtures/auth0-status/seq-01-baseline.atom', import.meta.url)), contentType: 'application/atom+xml' });
    // GitHub refuses the token; the webhook fails; then both work.
    feeds.setRoute('/advisories', (request, response) => {
      captured.push(`server saw authorization: ${request.headers.authorization === `Bearer ${GITHUB_TOKEN}`}`);
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Bad credentials"}');
    });
    slack.failNext('webhook:T0SECRET/B0SECRET/websecretpart', 2, { kind: 'slack', error: 'invalid_token' });
    for (const now of ['2026-10-06T10:15:00Z', '2026-10-06T10:16:00Z']) {
      const run = await runCliProcess(['--config', configPath, '--verbose', '--now', now], env);
      captured.push(run.stdout, run.stderr);
    }
    feeds.setRoute('/advisories', { body: readFileSync(new URL('../fixtures/github-advisories/advisories.json', import.meta.url)), contentType: 'application/json' });
    const run = await runCliProcess(['--config', configPath, '--verbose', '--now', '2026-10-06T10:30:00Z'], env);
    captured.push(run.stdout, run.stderr, await readFile(join(dir, 'events.jsonl'), 'utf8'));
    captured.push(JSON.stringify(slack.messages()), JSON.stringify(slack.webhookPosts('T0SECRET/B0SECRET/websecretpart')));
  }, 90_000);

  afterAll(async () => {
    await feeds?.close();
    await slack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sent the token to GitHub and reported the refusal, naming the source and URL', () => {
    const all = captured.join('\n');
    expect(all).toContain('server saw authorization: true');
    expect(all).toMatch(/advisories\s+failed\s+HTTP 401/);
    expect(all).toContain('slack route hook');
  });

  it('never prints, logs, publishes or posts the GitHub token, the Slack bot token or the webhook URL', () => {
    const all = captured.join('\n');
    for (const secret of [GITHUB_TOKEN, slack.token, webhookUrl, 'websecretpart']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('secrets of the paging channels in local runs', () => {
  const WEBHOOK_SECRET = '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100';
  let feeds: FeedServer;
  let pd: PagerDutyEventsServer;
  let og: OpsgenieAlertServer;
  let teams: TeamsWorkflowsServer;
  let receiver: WebhookReceiver;
  let dir: string;
  let teamsUrl: string;
  /** The receiver's clock follows the runs' `--now`: the watcher signs with its own clock. */
  let nowMs = 0;
  const captured: string[] = [];

  beforeAll(async () => {
    [feeds, pd, og, teams, receiver] = await Promise.all([
      startFeedServer(),
      startPagerDutyEventsServer(),
      startOpsgenieAlertServer(),
      startTeamsWorkflowsServer(),
      startWebhookReceiver(WEBHOOK_SECRET, () => nowMs),
    ]);
    teamsUrl = teams.workflowUrl('oncall');
    dir = await mkdtemp(join(tmpdir(), 'watcher-paging-secrets-'));
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'status', type: 'auth0-status', url: feeds.url('/feed'), region: 'US-5' }],
        outputs: [
          { type: 'jsonl', path: 'events.jsonl' },
          { type: 'pagerduty', id: 'pd', routingKey: 'env:PD_ROUTING_KEY', apiBaseUrl: pd.apiBaseUrl, rules: {} },
          { type: 'opsgenie', id: 'og', apiKey: 'env:OPSGENIE_KEY', apiBaseUrl: og.apiBaseUrl, rules: {} },
          { type: 'teams', id: 'teams', webhookUrl: 'env:TEAMS_URL', rules: {} },
          { type: 'webhook', id: 'hook', url: receiver.url, secret: 'env:HOOK_SECRET', rules: {} },
        ],
      }),
    );
    const env = { PD_ROUTING_KEY: pd.routingKey, OPSGENIE_KEY: og.apiKey, TEAMS_URL: teamsUrl, HOOK_SECRET: WEBHOOK_SECRET };
    feeds.setRoute('/feed', { body: readFileSync(new URL('../fixtures/auth0-status/seq-01-baseline.atom', import.meta.url)), contentType: 'application/atom+xml' });
    // Each service refuses the first attempt as a bad credential would, then accepts.
    pd.failNext(1, { kind: 'http', status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] } });
    og.failNext(1, { kind: 'http', status: 401, body: { message: 'Could not authenticate' } });
    teams.failNext({ kind: 'status', status: 401, body: 'signature mismatch' });
    receiver.failNext({ status: 401 });
    for (const now of ['2026-10-06T10:15:00Z', '2026-10-06T10:16:00Z']) {
      nowMs = Date.parse(now);
      const run = await runCliInProcess(['--config', configPath, '--verbose', '--now', now], env);
      captured.push(run.stdout, run.stderr);
    }
    captured.push(await readFile(join(dir, 'events.jsonl'), 'utf8'));
  }, 90_000);

  afterAll(async () => {
    await Promise.all([feeds?.close(), pd?.close(), og?.close(), teams?.close(), receiver?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reported each refusal by its route, and delivered once each service accepted', () => {
    const all = captured.join('\n');
    for (const route of ['pd', 'og', 'teams', 'hook']) expect(all).toMatch(new RegExp(`\\b${route}\\b`));
    expect(og.requests().some((request) => request.status === 401)).toBe(true);
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(teams.cards('oncall').length).toBeGreaterThan(0);
  });

  it('never prints, logs or publishes the routing key, the API key, the Teams workflow URL or the webhook secret', () => {
    const all = captured.join('\n');
    const signature = new URL(teamsUrl).searchParams.get('sig') ?? '';
    expect(signature).not.toBe('');
    for (const secret of [pd.routingKey, og.apiKey, teamsUrl, signature, WEBHOOK_SECRET]) expect(all).not.toContain(secret);
  });
});
