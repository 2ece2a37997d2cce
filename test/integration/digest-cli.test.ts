// Digests through the real CLI over several weeks: an outage, a failing source, an RCA three weeks later.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherEvent } from '../../functions/core/model.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { cliRunner } from '../support/run-cli.js';

/** The first CLI run of this file in a child process, the others in this process (test/support/run-cli.ts). */
const cli = cliRunner();

const fixture = (name: string, source = 'auth0-status') => readFileSync(new URL(`../fixtures/${source}/${name}`, import.meta.url), 'utf8');

interface DigestLine {
  readonly type: 'digest';
  readonly subject: string;
  readonly text: string;
  readonly from: string;
  readonly to: string;
  readonly counts: Record<string, number>;
}

describe('npm start -- digest over a multi-week sequence', () => {
  let feeds: FeedServer;
  let dir: string;
  let configPath: string;
  const digests: DigestLine[] = [];
  let events: WatcherEvent[] = [];

  const run = async (args: string[], now: string, expectedCode = 0) => {
    const result = await cli([...args, '--config', configPath, '--now', now]);
    expect(result.code, result.stderr).toBe(expectedCode);
    return result;
  };
  const poll = (snapshot: string | undefined, now: string, expectedCode = 0) => {
    if (snapshot) feeds.setRoute('/feed', { body: fixture(snapshot), contentType: 'application/atom+xml' });
    else feeds.setRoute('/feed', { status: 503, body: 'down', contentType: 'text/plain' });
    return run([], now, expectedCode);
  };
  const digest = async (now: string) => {
    const result = await run(['digest'], now);
    const lines = (await readFile(join(dir, 'out.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const latest = lines.filter((l) => l.type === 'digest').at(-1) as DigestLine;
    digests.push(latest);
    return { result, digest: latest };
  };

  beforeAll(async () => {
    feeds = await startFeedServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-digest-'));
    configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'status-us-5', type: 'auth0-status', url: feeds.url('/feed'), region: 'US-5' }],
        outputs: [{ type: 'jsonl', path: 'out.jsonl' }, { type: 'console' }],
        email: { digest: { timeZone: 'Europe/Berlin' } },
      }),
    );
    await poll('seq-01-baseline.atom', '2026-10-06T10:15:00Z');
    await digest('2026-10-06T10:20:00Z');
    await poll('seq-02-update.atom', '2026-10-06T10:50:00Z');
    await poll('seq-03-resolved.atom', '2026-10-06T11:30:00Z');
    for (const minute of [31, 32, 33]) await poll(undefined, `2026-10-06T11:${minute}:00Z`, 1);
    await digest('2026-10-07T06:00:00Z');
    await poll('seq-03-resolved.atom', '2026-10-07T09:00:00Z');
    await poll('seq-04-rca-edit.atom', '2026-10-27T15:05:00Z');
    await digest('2026-10-28T06:00:00Z');
    events = (await readFile(join(dir, 'out.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((l) => l.type !== 'digest');
  }, 120_000);

  afterAll(async () => {
    await feeds?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes one jsonl object per digest with subject, text, period and counts', () => {
    expect(digests).toHaveLength(3);
    for (const d of digests) {
      expect(Object.keys(d).sort()).toEqual(['counts', 'from', 'subject', 'text', 'to', 'type']);
      expect(d.subject.length).toBeLessThan(100);
      expect(d.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('covers back-to-back periods, each event in exactly one digest', () => {
    expect(digests[1]!.from).toBe(digests[0]!.to);
    expect(digests[2]!.from).toBe(digests[1]!.to);
    const digestOf = (e: WatcherEvent) => digests.filter((d) => e.detectedAt >= d.from && e.detectedAt < d.to).length;
    expect(events.length).toBeGreaterThan(0);
    expect(events.map(digestOf)).toEqual(events.map(() => 1));
    const counted = digests.flatMap((d) => Object.entries(d.counts)).reduce((sum, [, n]) => sum + n, 0);
    expect(counted).toBe(events.length);
  });

  it('reports the outage day: the open incident, then its resolution, the failing source and the RCA owed', () => {
    const [first, second] = digests;
    expect(first!.counts).toEqual({ 'incident.opened': 1 });
    expect(first!.text).toContain('Tenant Logs and Group Memberships Impacted on US-5 Public Cloud');
    expect(second!.counts).toEqual({ 'incident.updated': 1, 'incident.opened': 1, 'incident.resolved': 1, 'source.failing': 1 });
    expect(second!.text).toMatch(/RESOLVED IN THIS PERIOD/);
    // The digest's zone is the config's: 11:31 UTC is 13:31 in Berlin's summer time.
    expect(second!.text).toMatch(/FAILING since 2026-10-06 13:31 CEST/);
    expect(second!.text).toContain('HTTP 503');
    expect(second!.text).toMatch(/Still owed[\s\S]*Tenant Logs and Group Memberships/);
    expect(second!.subject).toContain('source failing');
  });

  it('reports the RCA three weeks later as published, no longer owed, and the source recovered', () => {
    const third = digests[2]!;
    expect(third.counts).toEqual({ 'source.recovered': 1, 'incident.rca_published': 1 });
    expect(third.text).toMatch(/Published in this period[\s\S]*Tenant Logs and Group Memberships/);
    expect(third.text).not.toMatch(/Still owed \(\d+\):[\s\S]*Tenant Logs and Group Memberships[\s\S]*Published in this period/);
    expect(third.text).not.toMatch(/FAILING/);
  });
});

describe('npm start -- digest when the clock steps back', () => {
  let feeds: FeedServer;
  let dir: string;
  let configPath: string;

  const run = async (args: string[], now: string) => {
    const result = await cli([...args, '--config', configPath, '--now', now]);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const lines = async () =>
    (await readFile(join(dir, 'out.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type?: string });

  beforeAll(async () => {
    feeds = await startFeedServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-digest-clock-'));
    configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'changelog', type: 'auth0-changelog', url: feeds.url('/changelog/rss.xml') }],
        outputs: [{ type: 'jsonl', path: 'out.jsonl' }],
      }),
    );
  });
  afterAll(async () => {
    await feeds?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('never moves a period backwards, and puts an event detected after the step in the next digest, once', async () => {
    feeds.setRoute('/changelog/rss.xml', { body: fixture('rss.xml', 'auth0-changelog'), contentType: 'application/rss+xml' });
    await run([], '2026-10-06T10:00:00Z'); // the baseline
    await run(['digest'], '2026-10-06T12:00:00Z');
    // The clock steps back half an hour: a new change-log entry is detected "before" the digest just sent.
    feeds.setRoute('/changelog/rss.xml', { body: fixture('rss-new-entry.xml', 'auth0-changelog'), contentType: 'application/rss+xml' });
    await run([], '2026-10-06T11:30:00Z');
    const early = await run(['digest'], '2026-10-06T11:45:00Z');
    expect(early.stderr).toContain('No new period since the previous digest.');
    await run(['digest'], '2026-10-06T13:00:00Z');

    const all = await lines();
    const digests = all.filter((l): l is DigestLine => l.type === 'digest');
    const events = all.filter((l) => l.type !== 'digest') as WatcherEvent[];
    expect(events.map((e) => e.type)).toEqual(['changelog.published']);
    expect(events[0]!.detectedAt).toBe('2026-10-06T11:30:00.000Z');
    expect(digests.map((d) => [d.from, d.to])).toEqual([
      ['2026-10-05T12:00:00.000Z', '2026-10-06T12:00:00.000Z'],
      ['2026-10-06T12:00:00.000Z', '2026-10-06T13:00:00.000Z'],
    ]);
    expect(digests.map((d) => d.counts)).toEqual([{}, { 'changelog.published': 1 }]);
  });
});
