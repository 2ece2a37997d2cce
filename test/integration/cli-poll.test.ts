// The event rules end to end: snapshot sequences served on loopback, polled by `npm start` on the embedded store: the
// first poll of a sequence by the real CLI in a child process, the others by its entry function in this process (the
// same code, without a process's start-up cost).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherEvent } from '../../functions/core/model.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';
import { runCliInProcess, runCliProcess, type CliRun } from '../support/run-cli.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const ATOM = 'application/atom+xml; charset=utf-8';
const RSS = 'application/rss+xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

describe('npm start on snapshot sequences', () => {
  let server: FeedServer;
  let dir: string;
  let configPath: string;
  let seen = 0;

  /** Events appended to the jsonl output since the last call. */
  async function newEvents(): Promise<WatcherEvent[]> {
    const lines = (await readFile(join(dir, 'out', 'events.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const fresh = lines.slice(seen).map((line) => JSON.parse(line) as WatcherEvent);
    seen = lines.length;
    return fresh;
  }

  // Each poll runs at a pinned time a little after the snapshot it reads, as it would have live.
  let now = Date.parse('2026-10-06T10:15:00Z');
  let polls = 0;
  const poll = (advanceMinutes = 1): Promise<CliRun> => {
    now += advanceMinutes * 60_000;
    const args = ['--config', configPath, '--now', new Date(now).toISOString()];
    polls += 1;
    return polls === 1 ? runCliProcess(args) : runCliInProcess(args);
  };
  const serveStatus = (file: string, etag?: string) =>
    server.setRoute('/feed', { body: fixture(`auth0-status/${file}`), contentType: ATOM, etag });
  const types = (events: WatcherEvent[]) => events.map((e) => `${e.type} ${e.itemId}`);

  beforeAll(async () => {
    server = await startFeedServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-cli-'));
    configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        failureThreshold: 3,
        sources: [
          {
            id: 'status-us-1',
            type: 'auth0-status',
            url: server.url('/feed?domain=example.us.auth0.com'),
            region: 'US-1',
            // The April incident of the fixtures gets its postmortem in October.
            trackResolvedDays: 365,
          },
          { id: 'changelog', type: 'auth0-changelog', url: server.url('/changelog/rss.xml') },
          {
            id: 'advisories',
            type: 'github-advisories',
            url: server.url('/advisories'),
            packages: [
              { ecosystem: 'npm', name: 'jsonwebtoken' },
              { ecosystem: 'npm', name: 'express-openid-connect' },
            ],
          },
        ],
        outputs: [{ type: 'jsonl', path: 'out/events.jsonl' }, { type: 'console' }],
        // Applied by the local poll as by the deployed one: raises the express-openid-connect advisories.
        severityRules: [{ sources: ['advisories'], pattern: 'express-openid-connect', severity: 'critical' }],
      }),
    );
    serveStatus('seq-01-baseline.atom', '"v1"');
    server.setRoute('/changelog/rss.xml', { body: fixture('auth0-changelog/rss.xml'), contentType: RSS });
    server.setRoute('/advisories', { body: fixture('github-advisories/advisories.json'), contentType: JSON_TYPE });
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records a baseline on the first poll and announces only the incident still open', async () => {
    const run = await poll();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = await newEvents();
    expect(types(events)).toEqual(['incident.opened s6nmyrpsnbmj']);
    expect(events[0]).toMatchObject({ schemaVersion: 1, source: 'status-us-1', regions: ['US-5'], status: 'identified' });
    expect(run.stdout).toContain('[MAJOR] incident.opened');
    expect(run.stdout).toContain('Polled 3 sources: all read.');
  });

  it('emits nothing on an unchanged poll and uses a conditional GET', async () => {
    const before = server.requests.length;
    const run = await poll();
    expect(run.code).toBe(0);
    expect(await newEvents()).toEqual([]);
    const feedRequest = server.requests.slice(before).find((r) => r.path.startsWith('/feed'));
    expect(feedRequest?.headers['if-none-match']).toBe('"v1"');
    expect(run.stdout).toMatch(/status-us-1\s+unchanged/);
  });

  it('emits one event per new update and one for a new incident', async () => {
    serveStatus('seq-02-update.atom');
    expect((await poll(35)).code).toBe(0);
    expect(types(await newEvents()).sort()).toEqual(['incident.opened n3wincid3nt1', 'incident.updated s6nmyrpsnbmj']);
  });

  it('emits incident.resolved for a Resolved update', async () => {
    serveStatus('seq-03-resolved.atom');
    expect((await poll(40)).code).toBe(0);
    const events = await newEvents();
    expect(types(events)).toEqual(['incident.resolved s6nmyrpsnbmj']);
    expect(events[0]!.status).toBe('resolved');
  });

  it("emits incident.rca_published when the resolved incident's text is rewritten", async () => {
    serveStatus('seq-04-rca-edit.atom');
    expect((await poll(21 * 24 * 60)).code).toBe(0);
    expect(types(await newEvents())).toEqual(['incident.rca_published s6nmyrpsnbmj']);
  });

  it('emits nothing for markup- and whitespace-only changes', async () => {
    serveStatus('seq-05-markup-only.atom');
    expect((await poll()).code).toBe(0);
    expect(await newEvents()).toEqual([]);
  });

  it('emits incident.rca_published for a Postmortem update and maintenance.scheduled for new maintenance', async () => {
    serveStatus('seq-06-postmortem.atom');
    expect((await poll(18 * 60)).code).toBe(0);
    expect(types(await newEvents())).toEqual(['incident.rca_published rb4z1181bd4z']);
    serveStatus('seq-07-maintenance.atom');
    expect((await poll(27 * 60)).code).toBe(0);
    expect(types(await newEvents())).toEqual(['maintenance.scheduled m4int3n4nc31']);
  });

  it('fails a source that errors without changing state, names it, and announces source.failing at the threshold', async () => {
    server.setRoute('/feed', { status: 503, body: 'Service Unavailable', contentType: 'text/plain' });
    const runs = [await poll(), await poll(), await poll()];
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/status-us-1\s+failed\s+HTTP 503/);
      expect(run.stdout).toContain(server.url('/feed?domain=example.us.auth0.com'));
      expect(run.stdout).toMatch(/changelog\s+unchanged/);
    }
    const events = await newEvents();
    expect(types(events)).toEqual(['source.failing status-us-1']);
    expect(events[0]!.url).toBe(server.url('/feed?domain=example.us.auth0.com'));
  });

  it('announces source.recovered on the next success and re-notifies nothing old', async () => {
    serveStatus('seq-07-maintenance.atom');
    expect((await poll()).code).toBe(0);
    expect(types(await newEvents())).toEqual(['source.recovered status-us-1']);
  });

  it.each([
    ['a truncated body', 'truncated.atom', ATOM, /truncated|unclosed|end of|Unexpected/i],
    ['an entity-expansion bomb', 'entity-bomb.atom', ATOM, /DOCTYPE|entit/i],
    ['an HTML page with status 200', 'not-a-feed.html', 'text/html; charset=utf-8', /expected xml but got text\/html/],
    ['a suddenly empty feed', 'empty.atom', ATOM, /suddenly empty/],
  ])('treats %s as a source failure and emits no item events', async (_name, file, contentType, reason) => {
    server.setRoute('/feed', { body: fixture(`auth0-status/${file}`), contentType });
    const run = await poll();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(reason);
    expect(await newEvents()).toEqual([]);
    serveStatus('seq-07-maintenance.atom');
    expect((await poll()).code).toBe(0);
    expect(await newEvents()).toEqual([]);
  });

  it('announces a new change-log entry and an updated advisory once', async () => {
    server.setRoute('/changelog/rss.xml', { body: fixture('auth0-changelog/rss-new-entry.xml'), contentType: RSS });
    server.setRoute('/advisories', { body: fixture('github-advisories/advisories-updated.json'), contentType: JSON_TYPE });
    expect((await poll()).code).toBe(0);
    const events = await newEvents();
    const changelog = events.filter((e) => e.type === 'changelog.published');
    expect(changelog).toHaveLength(1);
    expect(['deprecated', 'upcoming-deprecation']).toContain(changelog[0]!.changeType);
    expect(changelog[0]!.severity).toBe('major');
    expect(events.filter((e) => e.source === 'advisories').map((e) => e.type).sort()).toEqual([
      'advisory.published',
      'advisory.updated',
    ]);
    // The severity rule of the config: express-openid-connect's medium advisory is critical, jsonwebtoken's keep theirs.
    const bySeverity = events.filter((e) => e.source === 'advisories').map((e) => [e.title.includes('express-openid-connect'), e.severity]);
    expect(bySeverity.filter(([named]) => named).map(([, severity]) => severity)).toEqual(['critical']);
    expect(bySeverity.filter(([named]) => !named).every(([, severity]) => severity !== 'critical')).toBe(true);
    expect((await poll()).code).toBe(0);
    expect(await newEvents()).toEqual([]);
  });
});

describe('npm start configuration errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-config-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function withConfig(config: unknown): Promise<CliRun> {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
    return runCliInProcess(['--config', path]);
  }

  it('exits 2 naming the field when a non-loopback URL is not https', async () => {
    const run = await withConfig({
      sources: [{ id: 'status', type: 'auth0-status', url: 'http://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' }],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('sources[0].url');
    expect(run.stderr).toContain('https://');
  });

  it('exits 2 naming the field for a missing region, an unknown type and a literal secret', async () => {
    const missing = await withConfig({ sources: [{ id: 'status', type: 'auth0-status', url: 'https://status.auth0.com/feed' }] });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('sources[0].region');
    const unknown = await withConfig({ sources: [{ id: 'x', type: 'auth0-twitter', url: 'https://x.example' }] });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('sources[0].type');
    const literal = await withConfig({ sources: [{ id: 'adv', type: 'github-advisories', token: 'ghp_realtokenvalue' }] });
    expect(literal.code).toBe(2);
    expect(literal.stderr).toContain('sources[0].token');
    expect(literal.stderr).not.toContain('ghp_realtokenvalue');
  });

  it('exits 2 for a file that is not JSON, at its line and column, and for an unknown flag, in one line', async () => {
    const bad = await withConfig('{ not json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^auth0-ops-watcher: \S+\.json:1:3: not valid JSON: Expected property name or '}'\n$/);
    const flag = await runCliProcess(['--frobnicate']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('auth0-ops-watcher: unknown option "--frobnicate"; see npm start -- --help\n');
  });
});

describe('npm start with an SNS output, and a config that still names the removed bulletins page', () => {
  let server: FeedServer;
  let sns: SnsTestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startFeedServer();
    sns = await startSnsTestServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-sns-'));
  });
  afterAll(async () => {
    await server?.close();
    await sns?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a config naming the removed auth0-bulletins type with exit 2, pointing to github-advisories', async () => {
    const configPath = join(dir, 'bulletins.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'bulletins-state',
        sources: [
          { id: 'status-us-1', type: 'auth0-status', url: server.url('/feed'), region: 'US-1' },
          { id: 'bulletins', type: 'auth0-bulletins', url: server.url('/docs/secure/security-guidance/security-bulletins.md') },
        ],
      }),
    );
    const run = await runCliProcess(['--config', configPath, '--now', '2026-10-06T10:15:00Z']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('sources[1].type: "auth0-bulletins" is no longer a source type');
    expect(run.stderr).toContain('removed on 2026-07-08');
    expect(run.stderr).toContain('use "github-advisories"');
    // Nothing was polled.
    expect(server.requests).toEqual([]);
  });

  it('publishes the status baseline to SNS', async () => {
    const topicArn = sns.createTopic('watcher-events');
    server.setRoute('/feed', { body: fixture('auth0-status/seq-01-baseline.atom'), contentType: ATOM });
    const configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'status-us-1', type: 'auth0-status', url: server.url('/feed'), region: 'US-1' }],
        outputs: [{ type: 'sns', topicArn, endpoint: sns.endpoint, region: 'us-east-1' }],
      }),
    );
    const run = await runCliProcess(['--config', configPath, '--now', '2026-10-06T10:15:00Z']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/status-us-1\s+changed\s+1 event/);

    const [published, ...more] = sns.published(topicArn);
    expect(more).toEqual([]);
    expect(published!.messageStructure).toBe('json');
    const bodies = JSON.parse(published!.message) as { default: string; email: string };
    const event = JSON.parse(bodies.default) as WatcherEvent;
    expect(event).toMatchObject({ type: 'incident.opened', itemId: 's6nmyrpsnbmj', source: 'status-us-1' });
    expect(bodies.email).toContain('https://status.auth0.com/incidents/s6nmyrpsnbmj');
    expect(published!.subject!.length).toBeLessThan(100);
    expect(published!.attributes).toMatchObject({
      type: { dataType: 'String', value: 'incident.opened' },
      source: { dataType: 'String', value: 'status-us-1' },
      severity: { dataType: 'String', value: 'major' },
      region: { dataType: 'String.Array', value: '["US-5"]' },
    });
  });
});
