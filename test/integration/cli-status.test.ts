// `npm start -- status` on the state a real poll left: a feed (a real Auth0 incident, reconstructed), a failing feed,
// a probe (Auth0's outbound IP addresses) and a stream (the tenant's logs) read from loopback servers, and outputs of
// which one delivers and one is refused. The command runs in this process, as `npm start` runs it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/run-cli.js';
import { startEmbeddedDynamo } from '../../functions/adapters/embedded-dynamo.js';
import type { WatcherStatus } from '../../functions/cli/status-command.js';
import { sampleLogs, startAuth0ManagementServer, tenantLog, type Auth0ManagementServer } from '../support/auth0-management-server.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const fixture = (path: string) => readFile(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const SECRET = '9d2f4b6a8c0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a';
const NOW = Date.parse('2021-01-20T12:35:00Z');

const run = (args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) => runCliInProcess(args, env, cwd);

describe('npm start -- status on the state a real poll left', () => {
  let feeds: FeedServer;
  let tenant: Auth0ManagementServer;
  let receiver: WebhookReceiver;
  let dir: string;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  let status: WatcherStatus;
  let table: string;

  /** Every record of the state table, keyed by pk and sk: what a read-only command must leave as it was. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const store = await startEmbeddedDynamo(join(dir, 'state'), 'auth0-watcher-state');
    try {
      const { Items = [] } = await store.client.send(new ScanCommand({ TableName: 'auth0-watcher-state', ConsistentRead: true }));
      return Object.fromEntries(Items.map((item) => unmarshall(item)).map((item) => [`${item['pk']} ${item['sk']}`, item]));
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    [feeds, tenant, receiver] = await Promise.all([startFeedServer(), startAuth0ManagementServer(), startWebhookReceiver(SECRET, () => NOW)]);
    dir = await mkdtemp(join(tmpdir(), 'watcher-status-'));
    configPath = join(dir, 'watcher.json');
    // A real Auth0 incident, open (Investigating), as the status page showed it on 2021-01-20 at 12:30 UTC.
    feeds.setRoute('/history.atom', { body: await fixture('auth0-status/real-seq-01-2021-01-20T1230.atom'), contentType: 'application/atom+xml' });
    feeds.setRoute('/ip-ranges.json', { body: await fixture('auth0-tenant/ip-ranges/ip-ranges.v1.json'), contentType: 'application/json' });
    // The change log answers 503: a failing source.
    feeds.setRoute('/changelog/rss.xml', { status: 503, body: 'Service Unavailable', contentType: 'text/plain' });
    tenant.append(...[3, 2, 1].map((minutes, seq) => tenantLog(sampleLogs('s')[0]!, new Date(NOW - minutes * 60_000), seq + 1)));
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [
          { id: 'auth0-status-us-1', type: 'auth0-status', url: feeds.url('/history.atom'), region: 'US-1' },
          { id: 'auth0-changelog', type: 'auth0-changelog', url: feeds.url('/changelog/rss.xml') },
          { id: 'auth0-ip-ranges', type: 'auth0-ip-ranges', url: feeds.url('/ip-ranges.json') },
          { id: 'acme-logs', type: 'auth0-tenant-logs', url: tenant.url, clientId: tenant.clientId, clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET' },
        ],
        outputs: [
          { type: 'jsonl', path: 'events.jsonl' },
          { type: 'webhook', id: 'itsm', url: receiver.url, secret: 'env:WEBHOOK_SECRET', rules: { types: ['incident.*'] } },
          { type: 'webhook', id: 'forged', url: receiver.url, secret: 'env:WEBHOOK_WRONG', rules: { types: ['incident.*'] } },
        ],
      }),
    );
    env = { AUTH0_LOGS_CLIENT_SECRET: tenant.clientSecret, WEBHOOK_SECRET: SECRET, WEBHOOK_WRONG: 'not-the-shared-secret' };
    const poll = await run(['--config', configPath, '--now', new Date(NOW).toISOString()], env, dir);
    expect(poll.code, poll.stdout + poll.stderr).toBe(1);
    table = (await run(['status', '--config', configPath, '--now', new Date(NOW + 60_000).toISOString()], env, dir)).stdout;
    const json = await run(['status', '--json', '--config', configPath, '--now', new Date(NOW + 60_000).toISOString()], env, dir);
    expect(json.code, json.stderr).toBe(0);
    status = JSON.parse(json.stdout) as WatcherStatus;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([feeds?.close(), tenant?.close(), receiver?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives each feed its last success, items tracked and open incidents, and a failing one its failure and reason', () => {
    const [statusFeed, changelog] = status.sources;
    expect(statusFeed).toMatchObject({
      id: 'auth0-status-us-1',
      kind: 'feed',
      polled: true,
      lastSuccessAt: '2021-01-20T12:35:00.000Z',
      lastFailure: null,
      consecutiveFailures: 0,
      itemsTracked: 1,
      eventsToPublish: 0,
    });
    expect(statusFeed!.openIncidents).toEqual([
      expect.objectContaining({ itemId: 'rx8wtk8svly4', since: '2021-01-20T12:35:00.000Z', title: expect.stringMatching(/\S/) }),
    ]);
    expect(changelog).toMatchObject({ id: 'auth0-changelog', lastSuccessAt: null, consecutiveFailures: 1, failingAnnounced: false, itemsTracked: 0 });
    expect(changelog!.lastFailure).toEqual({ at: '2021-01-20T12:35:00.000Z', url: feeds.url('/changelog/rss.xml'), reason: expect.stringContaining('503') });
  });

  it('shows what a probe and a stream keep: the probe state, the stream checkpoint and how far it has read', () => {
    const probe = status.sources.find((s) => s.id === 'auth0-ip-ranges')!;
    expect(probe.kind).toBe('probe');
    expect(probe.probe).not.toBeNull();
    expect(probe.stream).toBeNull();
    const stream = status.sources.find((s) => s.id === 'acme-logs')!;
    expect(stream).toMatchObject({ kind: 'stream', probe: null, lastSuccessAt: '2021-01-20T12:35:00.000Z' });
    expect(stream.stream).toEqual({ checkpoint: tenant.logs().at(-1)!.log_id, readThrough: expect.any(String) });
  });

  it('gives each output its waiting and parked events and each route its last delivery, and the digest none sent yet', async () => {
    const byId = Object.fromEntries(status.outputs.map((o) => [o.id, o]));
    expect(byId[`jsonl:${join(dir, 'events.jsonl')}`]).toMatchObject({ configured: true, waiting: 0, parked: 0, lastSuccessAt: '2021-01-20T12:35:00.000Z', route: null });
    const itsm = byId['webhook:itsm']!;
    expect(itsm).toMatchObject({ waiting: 0, parked: 0, route: { channel: 'webhook', id: 'itsm' } });
    expect(itsm.route!.lastDelivery).toEqual({ eventId: receiver.received[0]!.event.id, at: expect.any(String) });
    // Its attempt began during the poll (the channel's clock is the run's: --now).
    expect(Math.abs(Date.parse(itsm.route!.lastDelivery!.at) - NOW)).toBeLessThanOrEqual(1_000);
    const forged = byId['webhook:forged']!;
    // Every event of the poll waits in its queue (the jsonl output has each one).
    const polled = (await readFile(join(dir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(forged.waiting + forged.parked).toBe(polled.length);
    expect(forged.consecutiveFailedRuns).toBeGreaterThan(0);
    expect(forged.route!.lastDelivery).toBeNull();
    expect(status.digest).toEqual({ frequency: 'daily', lastTo: null, lastSentAt: null });
  });

  it('prints a compact table: a row per source and output, with the failure, open incident and stream beneath', () => {
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^Sources \(state in .*state, read at 2021-01-20 12:36 UTC\):$/);
    expect(lines[1]).toMatch(/^ {2}SOURCE +KIND +LAST SUCCESS +LAST FAILURE +FAILS +ITEMS +OPEN$/);
    expect(table).toMatch(/\n {2}auth0-status-us-1 +feed +2021-01-20 12:35 UTC +- +0 +1 +1\n {6}open: \[[A-Z]+\] .+ \(since 2021-01-20 12:35 UTC\)\n/);
    expect(table).toMatch(/\n {2}auth0-changelog +feed +- +2021-01-20 12:35 UTC +1 +0 +0\n {6}failing: .*503.* \(http:\/\/127\.0\.0\.1:\d+\/changelog\/rss\.xml\)\n/);
    expect(table).toMatch(/\n {6}stream: checkpoint \S+, every log read through 2021-01-20 \d\d:\d\d UTC\n/);
    expect(table).toMatch(/\n {6}probe: .+\n/);
    expect(table).toMatch(/\n {2}webhook:itsm +0 +0 +2021-01-20 12:35 UTC +2021-01-20 12:35 UTC \([0-9a-f]{32}\)\n/);
    expect(table).toMatch(/\n {2}webhook:forged +\d +\d +- +none recorded\n {6}failing \d+ runs?: webhook route forged: .*401.*\(route\)\n/);
    expect(table).toMatch(/\nDigest \(daily\): none sent yet\.\n$/);
  });

  it('changes nothing: every record, with its version, is as it was', async () => {
    const before = await snapshot();
    const again = await run(['status', '--json', '--config', configPath], env, dir);
    expect(again.code).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(Object.keys(before).length).toBeGreaterThan(5);
  });

  it('says there is no state yet, and creates none, when the state directory does not exist', async () => {
    const fresh = join(dir, 'fresh.json');
    await writeFile(fresh, JSON.stringify({ stateDir: 'no-state-here', sources: [{ id: 'auth0-changelog', type: 'auth0-changelog', url: feeds.url('/changelog/rss.xml') }], outputs: [{ type: 'console' }] }));
    const result = await run(['status', '--config', fresh], env, dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^auth0-ops-watcher: no state in \S+no-state-here yet: run `npm start` once/);
    await expect(readFile(join(dir, 'no-state-here'))).rejects.toThrow(/ENOENT/);
  });
});
