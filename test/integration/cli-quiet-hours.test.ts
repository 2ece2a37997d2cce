// Quiet hours as `npm start` runs them (the night's run by the real CLI in a child process, the morning's by its entry
// function in this process): a real Auth0 incident polled at night in Auckland waits in a signed-webhook route's
// queue, the run saying until when, and the first run after the hours delivers it, once.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, runCliProcess } from '../support/run-cli.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = '4c1e7a9b2d5f8e0a3c6b9d2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f2a';
/** 12:35 UTC on 20 January 2021 is 01:35 in Auckland (NZDT, UTC+13); the quiet hours end at 07:00 there, 18:00 UTC. */
const NIGHT = '2021-01-20T12:35:00.000Z';
const MORNING = '2021-01-20T18:01:00.000Z';

const run = (args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) => runCliInProcess(args, env, cwd);

describe('npm start with a route’s quiet hours', () => {
  let feeds: FeedServer;
  let receiver: WebhookReceiver;
  let dir: string;
  let now = Date.parse(NIGHT);

  beforeAll(async () => {
    [feeds, receiver] = await Promise.all([startFeedServer(), startWebhookReceiver(SECRET, () => now)]);
    dir = await mkdtemp(join(tmpdir(), 'watcher-quiet-'));
    // A real Auth0 incident, open (Investigating), as the status page showed it on 2021-01-20 at 12:30 UTC.
    const atom = await readFile(new URL('../fixtures/auth0-status/real-seq-01-2021-01-20T1230.atom', import.meta.url), 'utf8');
    feeds.setRoute('/history.atom', { body: atom, contentType: 'application/atom+xml' });
  });
  afterAll(async () => {
    await Promise.all([feeds?.close(), receiver?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the incident at night and delivers it in the first run after the hours', async () => {
    const config = join(dir, 'watcher.json');
    await writeFile(
      config,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'auth0-status-us-1', type: 'auth0-status', url: feeds.url('/history.atom'), region: 'US-1' }],
        outputs: [
          { type: 'jsonl', path: 'events.jsonl' },
          {
            type: 'webhook',
            id: 'oncall',
            url: receiver.url,
            secret: 'env:WEBHOOK_SECRET',
            rules: { types: ['incident.*'], quietHours: { from: '22:00', to: '07:00', timeZone: 'Pacific/Auckland', below: 'critical' } },
          },
        ],
      }),
    );
    const env = { WEBHOOK_SECRET: SECRET };

    const night = await runCliProcess(['--config', config, '--now', NIGHT], env);
    expect(night.code, night.stderr).toBe(0);
    const polled = (await readFile(join(dir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; severity: string });
    expect(polled.map((event) => event.severity)).not.toContain('critical');
    expect(polled.length).toBeGreaterThan(0);
    expect(receiver.received).toEqual([]);
    expect(night.stdout).toMatch(
      new RegExp(`webhook:oncall\\s+ok\\s+delivered 0, waiting ${polled.length} \\(${polled.length} held for quiet hours until 2021-01-20T18:00:00.000Z\\)`),
    );

    now = Date.parse(MORNING);
    const morning = await run(['--config', config, '--now', MORNING], env, dir);
    expect(morning.code, morning.stderr).toBe(0);
    expect(receiver.received.map((received) => received.event.id)).toEqual(polled.map((event) => event.id));
    expect(morning.stdout).toMatch(new RegExp(`webhook:oncall\\s+ok\\s+delivered ${polled.length}, waiting 0, parked 0`));
  });
});
