// `npm start -- test` against loopback fakes of Slack, PagerDuty, Opsgenie and a signed-webhook receiver (which verifies
// signatures with its own implementation), plus the console and a jsonl file: in this process for the details, and once
// through the real CLI with `status --json` after it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../functions/cli/status-command.js';
import { pagerDutyDedupKeyOf } from '../../functions/channels/pagerduty/pagerduty-event.js';
import { TEST_EVENT_TITLE } from '../../functions/core/delivery-check.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { startOpsgenieAlertServer, type OpsgenieAlertServer } from '../support/opsgenie-alert-server.js';
import { startPagerDutyEventsServer, type PagerDutyEventsServer } from '../support/pagerduty-events-server.js';
import { runCliInProcess, runCliProcess } from '../support/run-cli.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = '5e8d1c4b7a0f3e6d9c2b5a8f1e4d7c0b3a6f9e2d5c8b1a4f7e0d3c6b9a2f5e8d';

const run = (args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) => runCliInProcess(args, env, cwd);

describe('npm start -- test', () => {
  let slack: SlackTestServer;
  let pd: PagerDutyEventsServer;
  let og: OpsgenieAlertServer;
  let receiver: WebhookReceiver;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  /** A config whose routes' rules would take none of the test event (it is sent to them anyway), and its extra outputs. */
  const writeConfig = async (name: string, extra: readonly object[] = []) => {
    const path = join(dir, `${name}.json`);
    await writeFile(
      path,
      JSON.stringify({
        stateDir: `state-${name}`,
        sources: [{ id: 'auth0-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' }],
        outputs: [
          { type: 'console' },
          { type: 'jsonl', path: `${name}.jsonl` },
          { type: 'slack', id: 'platform', webhookUrl: 'env:SLACK_WEBHOOK', rules: { types: ['advisory.*'] } },
          { type: 'pagerduty', id: 'oncall', routingKey: 'env:PD_ROUTING_KEY', apiBaseUrl: pd.apiBaseUrl, rules: { minSeverity: 'critical' } },
          { type: 'opsgenie', id: 'sre', apiKey: 'env:OPSGENIE_KEY', region: 'eu', apiBaseUrl: og.apiBaseUrl, rules: { types: ['synthetic.*'] } },
          { type: 'webhook', id: 'itsm', url: receiver.url, secret: 'env:WEBHOOK_SECRET', rules: { sources: ['nothing'] } },
          ...extra,
        ],
      }),
    );
    return path;
  };
  const eventsIn = async (name: string) =>
    (await readFile(join(dir, `${name}.jsonl`), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as WatcherEvent);

  beforeAll(async () => {
    [slack, pd, og, receiver] = await Promise.all([startSlackTestServer(), startPagerDutyEventsServer(), startOpsgenieAlertServer(), startWebhookReceiver(SECRET)]);
    dir = await mkdtemp(join(tmpdir(), 'watcher-test-command-'));
    env = {
      SLACK_WEBHOOK: slack.webhookUrl('T0/B0/platform'),
      PD_ROUTING_KEY: pd.routingKey,
      OPSGENIE_KEY: og.apiKey,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_WRONG: 'not-the-shared-secret',
    };
  }, 30_000);

  afterAll(async () => {
    await Promise.all([slack?.close(), pd?.close(), og?.close(), receiver?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends one marked test event straight to every output whatever its rules, says each accepted it, and exits 0', async () => {
    const result = await run(['test', '--config', await writeConfig('all-good')], env, dir);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const [event] = await eventsIn('all-good');
    expect(event).toMatchObject({ schemaVersion: 1, type: 'incident.opened', title: TEST_EVENT_TITLE, itemId: expect.stringMatching(/^test-[0-9a-f]{12}$/) });
    expect(event!.summary).toMatch(/^\[TEST\] .*no action needed\.$/);
    // Each output has it once: the console printed it, Slack, PagerDuty, Opsgenie and the receiver got it.
    expect(result.stdout).toContain(`  ${TEST_EVENT_TITLE}`);
    expect(slack.webhookPosts('T0/B0/platform')).toHaveLength(1);
    expect(JSON.stringify(slack.webhookPosts('T0/B0/platform')[0])).toContain('[TEST] auth0-ops-watcher test event');
    expect(receiver.received.map((r) => r.event.id)).toEqual([event!.id]);
    expect(pd.accepted()[0]).toMatchObject({ event_action: 'trigger', dedup_key: pagerDutyDedupKeyOf(event!) });
    expect(og.actions()[0]).toMatch(/^create /);
    const lines = result.stdout.slice(result.stdout.indexOf('Sent test event')).trimEnd().split('\n');
    expect(lines[0]).toBe(`Sent test event ${event!.id} ("${TEST_EVENT_TITLE}") straight to each of 6 outputs; routes' rules are not applied to it:`);
    expect(lines.slice(1, 4)).toEqual([
      expect.stringMatching(/^ {2}console +accepted$/),
      expect.stringMatching(/^ {2}jsonl:\S+all-good\.jsonl +accepted$/),
      expect.stringMatching(/^ {2}slack:platform +accepted$/),
    ]);
    expect(lines[4]).toMatch(/^ {2}pagerduty:oncall +accepted; its test alert was closed again at once \(event [0-9a-f]{32}\), so none is left open$/);
    expect(lines[5]).toMatch(/^ {2}opsgenie:sre +accepted; its test alert was closed again at once/);
    expect(lines[6]).toMatch(/^ {2}webhook:itsm +accepted$/);
    expect(lines[7]).toBe('All 6 outputs accepted the test event.');
  });

  it('leaves no alert open on PagerDuty or Opsgenie: a trigger then a resolve under one key, a create then a close', () => {
    expect(pd.accepted().map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(pd.alerts()).toEqual([expect.objectContaining({ status: 'resolved', events: [expect.anything(), expect.anything()] })]);
    expect(og.actions().map((action) => action.split(' ')[0])).toEqual(['create', 'close']);
    expect(og.alerts()).toEqual([expect.objectContaining({ status: 'closed', count: 1 })]);
    expect(og.failedRequests()).toEqual([]);
  });

  it('sends a new event each run, so that no receiver takes it for the last one', async () => {
    const result = await run(['test', '--config', await writeConfig('again')], env, dir);
    expect(result.code).toBe(0);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.duplicates).toEqual([]);
    expect(new Set(receiver.received.map((r) => r.event.id)).size).toBe(2);
    expect(pd.alerts()).toHaveLength(2);
  });

  it('exits 1 and names the output and its reason when one does not accept the event; the others still get it', async () => {
    const forged = { type: 'webhook', id: 'forged', url: receiver.url, secret: 'env:WEBHOOK_WRONG' };
    const before = receiver.received.length;
    const result = await run(['test', '--config', await writeConfig('one-refuses', [forged])], env, dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}webhook:forged +NOT accepted: webhook route forged: .*HTTP 401 \(bad signature\)\n/);
    expect(result.stdout).toContain('\n6 of 7 outputs accepted the test event.\n');
    expect(receiver.received).toHaveLength(before + 1);
    expect(result.stdout + result.stderr).not.toContain('not-the-shared-secret');
  });
});

describe('npm start -- test and status --json through the real CLI', () => {
  let receiver: WebhookReceiver;
  let dir: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    dir = await mkdtemp(join(tmpdir(), 'watcher-test-cli-'));
  });
  afterAll(async () => {
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 when every output accepted the test event, and status --json then shows the route delivered it', async () => {
    const config = join(dir, 'watcher.json');
    await writeFile(
      config,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'auth0-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' }],
        outputs: [{ type: 'webhook', id: 'itsm', url: receiver.url, secret: 'env:WEBHOOK_SECRET', rules: { types: ['advisory.*'] } }],
      }),
    );
    const test = await runCliProcess(['test', '--config', config], { WEBHOOK_SECRET: SECRET });
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/\n {2}webhook:itsm {2}accepted\nAll 1 output accepted the test event\.\n$/);

    const status = await runCliProcess(['status', '--json', '--config', config]);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as WatcherStatus;
    expect(parsed.statusVersion).toBe(1);
    expect(parsed.sources).toEqual([expect.objectContaining({ id: 'auth0-changelog', polled: false, lastSuccessAt: null, consecutiveFailures: 0 })]);
    expect(parsed.outputs).toEqual([
      expect.objectContaining({ id: 'webhook:itsm', waiting: 0, parked: 0, route: { channel: 'webhook', id: 'itsm', lastDelivery: { eventId: receiver.received[0]!.event.id, at: expect.any(String) } } }),
    ]);
  }, 30_000);
});
