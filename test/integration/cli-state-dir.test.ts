// The local state directory through the real CLI: one run at a time, a damaged store refused with one line that names
// the directory and how to start over, a missing store created only where there was none.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { runCliProcess, type CliRun } from '../support/run-cli.js';

const RSS = 'application/rss+xml; charset=utf-8';
const changelog = readFileSync(new URL('../fixtures/auth0-changelog/rss.xml', import.meta.url), 'utf8');
const LOCK = 'watcher.lock';

/** One line on stderr, and nothing that looks like a stack trace. */
function expectOneLine(run: CliRun): string {
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.stderr.trimEnd();
}

/** The database's data files with their content (LevelDB rewrites its LOG on every attempt to open). */
async function dataFiles(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((name) => !['LOG', 'LOG.old', 'LOCK'].includes(name)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, (await readFile(join(dir, name))).toString('base64')])));
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('npm start on its state directory', () => {
  let feeds: FeedServer;
  let root: string;
  let n = 0;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.setRoute('/changelog/rss.xml', { body: changelog, contentType: RSS });
    root = await mkdtemp(join(tmpdir(), 'watcher-state-dir-'));
  });
  afterAll(async () => {
    await feeds?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A config whose state directory is `stateDir` (relative to its own directory), polling the change log. */
  async function configFor(stateDir: string, path = '/changelog/rss.xml'): Promise<string> {
    const configPath = join(root, `config-${++n}.json`);
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir,
        sources: [{ id: 'changelog', type: 'auth0-changelog', url: feeds.url(path) }],
        outputs: [{ type: 'jsonl', path: `out-${n}.jsonl` }],
      }),
    );
    return configPath;
  }
  const poll = (configPath: string) => runCliProcess(['--config', configPath]);

  it('says busy on one line and exits 1 while another live run holds the directory', async () => {
    const configPath = await configFor('busy');
    await mkdir(join(root, 'busy'));
    // This test's own process plays the live run holding the directory.
    const holder = { pid: process.pid, startedAt: new Date().toISOString(), host: hostname() };
    await writeFile(join(root, 'busy', LOCK), JSON.stringify(holder));
    const run = await poll(configPath);
    expect(run.code).toBe(1);
    expect(expectOneLine(run)).toBe(
      `auth0-ops-watcher: busy: another run holds ${join(root, 'busy')} since ${holder.startedAt} (pid ${process.pid})`,
    );
    expect(run.stdout).toBe('');
    expect(JSON.parse(await readFile(join(root, 'busy', LOCK), 'utf8'))).toEqual(holder);
    expect(await readdir(join(root, 'busy'))).toEqual([LOCK]); // the store was not opened
  });

  it('lets the second of two runs at once on one directory say busy, and the first finish', async () => {
    let releaseFeed!: () => void;
    const feedHeld = new Promise<void>((resolve) => (releaseFeed = resolve));
    let feedAsked!: () => void;
    const asked = new Promise<void>((resolve) => (feedAsked = resolve));
    feeds.setRoute('/slow/rss.xml', async (_request, response) => {
      feedAsked();
      await feedHeld;
      response.writeHead(200, { 'content-type': RSS }).end(changelog);
    });
    const configPath = await configFor('overlap', '/slow/rss.xml');
    const first = poll(configPath);
    await asked; // the first run holds the directory and waits for its feed
    const second = await poll(configPath);
    const lock = JSON.parse(await readFile(join(root, 'overlap', LOCK), 'utf8').catch(() => '{}')) as { pid: number; startedAt: string };
    releaseFeed();
    expect(second.code).toBe(1);
    expect(expectOneLine(second)).toBe(
      `auth0-ops-watcher: busy: another run holds ${join(root, 'overlap')} since ${lock.startedAt} (pid ${lock.pid})`,
    );
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(existsSync(join(root, 'overlap', LOCK))).toBe(false);
  });

  it.concurrent('takes over the lock a run that died left behind', async () => {
    const configPath = await configFor('stale');
    await mkdir(join(root, 'stale'));
    await writeFile(join(root, 'stale', LOCK), JSON.stringify({ pid: await deadPid(), startedAt: '2026-12-01T08:00:00.000Z', host: hostname() }));
    const run = await poll(configPath);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(existsSync(join(root, 'stale', LOCK))).toBe(false);
  });

  it.concurrent('creates a state directory that does not exist, and a store in an empty one', async () => {
    await mkdir(join(root, 'empty'));
    const [missing, empty] = await Promise.all([poll(await configFor('missing/nested/state')), poll(await configFor('empty'))]);
    for (const run of [missing, empty]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Polled 1 source');
    }
    expect(await readdir(join(root, 'missing/nested/state'))).toContain('CURRENT');
    expect(await readdir(join(root, 'empty'))).toContain('CURRENT');
  });

  it.concurrent('refuses a state directory it cannot create with one line naming it, exit 2', async () => {
    await writeFile(join(root, 'a-file'), 'not a directory');
    const run = await poll(await configFor('a-file/state'));
    expect(run.code).toBe(2);
    expect(expectOneLine(run)).toMatch(new RegExp(`^auth0-ops-watcher: cannot use the state directory ${join(root, 'a-file/state')}: `));
  });

  describe('with a damaged store', () => {
    let store: string;

    beforeAll(async () => {
      store = join(root, 'good');
      const configPath = await configFor('good');
      // Two runs: the second opens the store again, which moves the first run's records into a table file.
      for (let i = 0; i < 2; i += 1) expect((await poll(configPath)).code).toBe(0);
      expect((await readdir(store)).some((name) => name.endsWith('.ldb'))).toBe(true);
    }, 60_000);

    const table = async (dir: string) => (await readdir(dir)).find((name) => name.endsWith('.ldb'))!;
    /** [name, damage it, what the reason says, which data files the refusal must leave exactly as they were] */
    const damages: Array<[string, (dir: string) => Promise<void>, RegExp, 'all' | 'tables']> = [
      ['a damaged CURRENT file', (dir) => writeFile(join(dir, 'CURRENT'), 'MANIFEST-00'), /CURRENT/, 'all'],
      [
        'a damaged MANIFEST file',
        (dir) => writeFile(join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim()), 'not a manifest, not a manifest at all'),
        /Corruption/,
        'all',
      ],
      [
        'a damaged table file',
        async (dir) => {
          const path = join(dir, await table(dir));
          const bytes = await readFile(path);
          bytes.fill(0x41, 10, Math.min(bytes.length - 60, 400));
          await writeFile(path, bytes);
        },
        /Corruption|IO error/,
        // LevelDB opens this store (writing a new log and MANIFEST) before reading finds the damage; the tables stay.
        'tables',
      ],
      // Not opened at all: LevelDB would start a new, empty database over the old files.
      ['a deleted CURRENT file', (dir) => unlink(join(dir, 'CURRENT')), /CURRENT file is missing/, 'all'],
    ];

    // Each case copies the store into a directory of its own, so they run at once.
    it.concurrent.each(damages)('refuses %s with one line naming the directory and how to start over, exit 2', async (_, damage, reason, kept) => {
      const dir = join(root, `damaged-${++n}`);
      await cp(store, dir, { recursive: true });
      await damage(dir);
      const before = await dataFiles(dir);
      const run = await poll(await configFor(dir));
      expect(run.code).toBe(2);
      const line = expectOneLine(run);
      expect(line).toContain(`the state store in ${dir} is damaged`);
      expect(line).toMatch(reason);
      expect(line).toContain('move the directory aside or delete it');
      expect(line).toContain('incidents still open, which are announced again');
      expect(run.stdout).toBe('');
      const after = await dataFiles(dir);
      if (kept === 'all') expect(after).toEqual(before);
      else expect(after[await table(dir)]).toBe(before[await table(dir)]);
      expect(existsSync(join(dir, LOCK))).toBe(false);
    });
  });
});
