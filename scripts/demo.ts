// `npm run demo`: replays a recorded Auth0 outage through the whole pipeline, offline, and shows what Slack and
// email would receive at each step. Local servers stand in for status.auth0.com, SNS and Slack.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../functions/cli/run-cli.js';
import { startFeedServer } from '../test/support/feed-server.js';
import { startSlackTestServer, type RecordedMessage } from '../test/support/slack-test-server.js';
import { startSnsTestServer } from '../test/support/sns-test-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const CHANNEL = 'C0INCIDENTS';
const out = (text = '') => process.stdout.write(`${text}\n`);
const rule = (title: string) => out(`\n${'═'.repeat(78)}\n${title}\n${'═'.repeat(78)}`);
const indent = (text: string, prefix = '    │ ') => text.split('\n').map((line) => prefix + line).join('\n');

interface Step {
  readonly title: string;
  readonly now: string;
  readonly serve: () => void;
  /** Then send the digest at this time (`npm start -- digest`). */
  readonly digestAt?: string;
}

async function main(): Promise<number> {
  const feeds = await startFeedServer();
  const sns = await startSnsTestServer();
  const slack = await startSlackTestServer();
  const dir = await mkdtemp(join(tmpdir(), 'auth0-watcher-demo-'));
  try {
    const topicArn = sns.createTopic('auth0-watcher-events');
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'auth0-status-us-5', type: 'auth0-status', name: 'Auth0 status (US-5)', url: feeds.url('/feed'), region: 'US-5' }],
        outputs: [
          { type: 'sns', topicArn, endpoint: sns.endpoint, region: 'us-east-1' },
          { type: 'slack', id: 'incidents', botToken: 'env:DEMO_SLACK_TOKEN', channel: CHANNEL, apiBaseUrl: slack.apiBaseUrl },
          { type: 'jsonl', path: 'events.jsonl' },
          // The digest command prints to console outputs.
          { type: 'console' },
        ],
        email: { digest: { time: '08:00', timeZone: 'Europe/Berlin' } },
      }),
    );
    const env = { ...process.env, DEMO_SLACK_TOKEN: slack.token };
    const serve = (name: string) => () => feeds.setRoute('/feed', { body: fixture(name), contentType: 'application/atom+xml' });
    const down = () => feeds.setRoute('/feed', { status: 503, body: 'Service Unavailable', contentType: 'text/plain' });

    const steps: Step[] = [
      { title: '1. The watcher starts: US-5 tenant logs are delayed (an incident already open)', now: '2026-10-06T10:15:00Z', serve: serve('seq-01-baseline.atom') },
      { title: '2. Auth0 posts "Monitoring", and a second incident opens in US-1', now: '2026-10-06T10:50:00Z', serve: serve('seq-02-update.atom') },
      { title: '3. Auth0 resolves the US-5 incident', now: '2026-10-06T11:30:00Z', serve: serve('seq-03-resolved.atom') },
      { title: '4. The status page is down for three polls: the watcher says it is blind', now: '2026-10-06T11:31:00Z', serve: down },
      { title: '   (second failed poll)', now: '2026-10-06T11:32:00Z', serve: down },
      { title: '   (third failed poll)', now: '2026-10-06T11:33:00Z', serve: down },
      { title: '5. The status page answers again', now: '2026-10-06T11:34:00Z', serve: serve('seq-03-resolved.atom'), digestAt: '2026-10-07T06:00:00Z' },
      {
        title: '6. Three weeks later: the root-cause analysis is written into the resolved incident',
        now: '2026-10-27T15:05:00Z',
        serve: serve('seq-04-rca-edit.atom'),
        digestAt: '2026-10-28T06:00:00Z',
      },
    ];

    rule('auth0-ops-watcher demo: a recorded outage, replayed offline');
    out('Feed server, SNS and Slack are local stand-ins; the embedded store lives in a temporary directory.');

    let seenSns = 0;
    const seenSlack = new Map<string, number>();
    for (const step of steps) {
      step.serve();
      rule(`${step.title}\n   at ${step.now}`);
      const { code, stdout } = await capture(['--config', configPath, '--now', step.now], env, dir);
      out(`  npm start → exit ${code}`);
      out(indent(stdout.split('\n').filter((l) => l.startsWith('Polled') || l.startsWith('  auth0')).join('\n'), '    '));

      const published = sns.published(topicArn).slice(seenSns);
      seenSns += published.length;
      for (const message of published) {
        const { email } = JSON.parse(message.message) as { email: string };
        out(`\n  ✉  Email to subscribers (SNS, filtered by severity/type)\n    Subject: ${message.subject}`);
        out(indent(email.trimEnd()));
      }
      for (const message of slack.messages(CHANNEL)) {
        const before = seenSlack.get(message.ts);
        if (before === message.updates) continue;
        seenSlack.set(message.ts, message.updates);
        const what =
          before !== undefined
            ? 'root message updated in place'
            : message.threadTs
              ? `reply in the incident's thread${message.broadcast ? ', also sent to the channel' : ''}`
              : 'new root message';
        out(`\n  💬 Slack #incidents: ${what}`);
        out(indent(slackText(message)));
      }
      if (published.length === 0) out('\n  (nothing new: no email, no Slack message)');
      if (step.digestAt) {
        rule(`   The next morning's digest email (npm start -- digest), at ${step.digestAt}`);
        const digest = await capture(['digest', '--config', configPath, '--now', step.digestAt], env, dir);
        out(indent(digest.stdout.trimEnd(), '    '));
      }
    }

    rule('Done. Configure your own sources and outputs: see README.md.');
    return 0;
  } finally {
    await Promise.all([feeds.close(), sns.close(), slack.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the CLI in this process with its output captured. */
async function capture(argv: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  stderr.resume();
  const code = await runCli(argv, { stdout, stderr, env, cwd });
  return { code, stdout: text };
}

/** A plain-text view of the whole Block Kit message: header, section texts and fields, context lines. */
function slackText(message: RecordedMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks as Array<Record<string, any>>) {
    if (block['type'] === 'header') lines.push(block['text'].text);
    if (block['type'] === 'section' && block['text']) lines.push(block['text'].text);
    if (block['type'] === 'section' && block['fields']) {
      lines.push(block['fields'].map((f: { text: string }) => f.text.replace('\n', ': ')).join('   '));
    }
    if (block['type'] === 'context') lines.push(block['elements'].map((e: { text: string }) => e.text).join(' '));
  }
  return lines
    .join('\n')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
