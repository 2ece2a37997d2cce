// The tenant's logs through the real CLI (npm start) against a loopback fake of the Management API: the first run
// starts silently after the newest log, later runs archive every page under <stateDir>/archive/ and print their
// events; a token without read:logs fails the source with a message naming the scope.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLocalLogArchive } from '../../functions/adapters/local-log-archive.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { TenantLog } from '../../functions/stream/ports.js';
import { sampleLogs, startAuth0ManagementServer, tenantLog, type Auth0ManagementServer } from '../support/auth0-management-server.js';
import { cliRunner, type CliRun } from '../support/run-cli.js';

/** The first CLI run of this file in a child process, the others in this process (test/support/run-cli.ts). */
const cli = cliRunner();

const MINUTE = 60_000;

describe('auth0-tenant-logs through npm start', () => {
  let tenant: Auth0ManagementServer;
  let dir: string;
  let configPath: string;
  let seen = 0;
  let now = Date.parse('2026-11-02T09:00:00Z');
  let seq = 0;

  const poll = async (advanceMinutes = 5): Promise<CliRun> => {
    now += advanceMinutes * MINUTE;
    return cli(['--config', configPath, '--now', new Date(now).toISOString()], { AUTH0_LOGS_CLIENT_SECRET: tenant.clientSecret });
  };
  async function newEvents(): Promise<WatcherEvent[]> {
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const fresh = lines.slice(seen).map((line) => JSON.parse(line) as WatcherEvent);
    seen = lines.length;
    return fresh;
  }
  const logsOf = (type: string, times: readonly number[]): TenantLog[] =>
    times.map((at) => tenantLog(sampleLogs(type)[0]!, new Date(at), (seq += 1)));

  beforeAll(async () => {
    tenant = await startAuth0ManagementServer();
    dir = await mkdtemp(join(tmpdir(), 'watcher-tenant-logs-'));
    configPath = join(dir, 'config.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'state',
        failureThreshold: 2,
        sources: [
          { id: 'acme-logs', type: 'auth0-tenant-logs', url: tenant.url, clientId: tenant.clientId, clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET' },
        ],
        outputs: [{ type: 'console' }, { type: 'jsonl', path: 'events.jsonl' }],
      }),
    );
  });
  afterAll(async () => {
    await tenant?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts after the newest existing log without an event, then archives new pages and prints their events', async () => {
    tenant.append(...logsOf('s', [now - 30 * MINUTE, now - 20 * MINUTE, now - 10 * MINUTE]));
    const first = await poll();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/acme-logs\s+unchanged\s+0 events, 0 logs archived/);
    expect(await newEvents()).toEqual([]);

    // 150 logins, a rate-limit burst (one api_limit a minute) and a deprecation notice.
    const start = now;
    const added = [
      ...logsOf('s', Array.from({ length: 150 }, (_, i) => start + i * 1000)),
      ...logsOf('api_limit', Array.from({ length: 8 }, (_, i) => start + i * MINUTE + 500)),
      ...logsOf('depnote', [start + 2 * MINUTE]),
    ];
    tenant.append(...added);
    const second = await poll(10);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/acme-logs\s+changed\s+2 events, 159 logs archived/);
    const events = await newEvents();
    expect(events.map((e) => e.type).sort()).toEqual(['tenant.deprecation_notice', 'tenant.rate_limited']);
    expect(events.every((e) => e.source === 'acme-logs' && e.sourceType === 'auth0-tenant-logs' && e.url === tenant.url)).toBe(true);
    // The console output printed them too.
    expect(second.stdout).toContain(events.find((e) => e.type === 'tenant.rate_limited')!.title);

    const archive = makeLocalLogArchive(join(dir, 'state', 'archive'));
    const host = new URL(tenant.url).host;
    const archived = await archive.readAll(host);
    expect(archived.map((log) => log.log_id).sort()).toEqual(added.map((log) => log.log_id).sort());
    expect(await archive.summary(host)).toMatchObject({ objects: 2, oldestDay: '2026-11-02' });

    const third = await poll();
    expect(third.stdout).toMatch(/acme-logs\s+unchanged\s+0 events, 0 logs archived/);
    expect((await archive.readAll(host)).length).toBe(159);
  });

  it('fails the source when the token lacks read:logs, naming the scope and archiving nothing, then recovers', async () => {
    tenant.grantScopes([]);
    tenant.append(...logsOf('s', [now + MINUTE]));
    const runs = [await poll(), await poll()];
    expect(runs.map((run) => run.code)).toEqual([1, 1]);
    expect(runs[0]!.stdout).toMatch(/acme-logs\s+failed\s+.*read:logs/);
    const failing = (await newEvents()).filter((e) => e.type === 'source.failing');
    expect(failing).toHaveLength(1);
    expect(failing[0]!.summary).toContain('read:logs');
    expect(failing[0]!.summary).not.toContain(tenant.clientSecret);
    const archive = makeLocalLogArchive(join(dir, 'state', 'archive'));
    expect((await archive.readAll(new URL(tenant.url).host)).length).toBe(159);

    tenant.grantScopes(['read:logs']);
    const healed = await poll();
    expect(healed.code).toBe(0);
    // Read again: the source recovers, the new log is archived, and the rate-limit burst, quiet since, has ended.
    expect((await newEvents()).map((e) => e.type).sort()).toEqual(['source.recovered', 'tenant.rate_limit_recovered']);
    expect((await archive.readAll(new URL(tenant.url).host)).length).toBe(160);
  });
});
