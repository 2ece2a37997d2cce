// `npm start -- init --tenant <domain>`: the starter config of a tenant's region, written once, never over a file, and
// the first line of a run without a config, which points to it.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/run-cli.js';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../functions/config/config.js';
import { firstRunLine, starterConfig } from '../../functions/cli/init-command.js';

// A real tenant's canonical domain, as Auth0's Terraform provider recorded it (see the fixtures' README).
const settings = JSON.parse(readFileSync(new URL('../fixtures/auth0-tenant/tenant/tenant-settings.200.real.json', import.meta.url), 'utf8')) as {
  request: { url: string };
};
const REAL_TENANT = new URL(settings.request.url).hostname;

const run = (argv: string[], cwd: string) => runCliInProcess(argv, {}, cwd);

describe('the starter config', () => {
  it.each([
    ['acme.eu.auth0.com', 'EU-1', 'auth0-status-eu-1'],
    ['acme.auth0.com', 'US-1', 'auth0-status-us-1'],
    [REAL_TENANT, 'US-1', 'auth0-status-us-1'],
    ['acme.au.auth0.com', 'AU-1', 'auth0-status-au-1'],
    ['https://ACME.jp.auth0.com/', 'JP-1', 'auth0-status-jp-1'],
  ])("watches %s's region through its status feed, the change log and advisories", (tenant, region, id) => {
    const starter = starterConfig(tenant);
    const domain = tenant.replace(/^https:\/\//, '').replace(/\/$/, '').toLowerCase();
    const config = parseConfig(starter.input, '/srv/watcher');
    expect(config.sources.map((source) => source.id)).toEqual([id, 'auth0-changelog', 'auth0-advisories']);
    expect(config.sources[0]).toMatchObject({ type: 'auth0-status', region, url: `https://status.auth0.com/feed?domain=${domain}` });
    expect(config.outputs).toEqual([{ type: 'console' }]);
  });

  it('says when the domain cannot tell the region number (.us. and .eu.), and not for the original US-1 domain', () => {
    expect(starterConfig('acme.eu.auth0.com').otherRegion).toBe('EU-2');
    expect(starterConfig(REAL_TENANT).otherRegion).toBe('US-3');
    expect(starterConfig('acme.auth0.com').otherRegion).toBeUndefined();
    expect(starterConfig('acme.uk.auth0.com').otherRegion).toBeUndefined();
  });

  it.each(['login.acme.com', 'acme.xx.auth0.com', 'acme.eu.auth0.com/api/v2', 'acme eu auth0 com', ''])(
    'refuses %j with one line saying what a tenant domain looks like',
    (tenant) => {
      expect(() => starterConfig(tenant)).toThrow(/^--tenant must be your tenant's Auth0 domain, <tenant>\.<region>\.auth0\.com .*; got "/);
    },
  );
});

describe('npm start -- init', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-init-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('writes watcher.config.json in the current directory and prints the next steps, with a tenant block that validates', async () => {
    const result = await run(['init', '--tenant', 'acme.eu.auth0.com'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const written = JSON.parse(await readFile(join(dir, 'watcher.config.json'), 'utf8')) as Record<string, unknown>;
    expect(written).toEqual(starterConfig('acme.eu.auth0.com').input);
    expect(result.stdout.split('\n')[0]).toBe(
      "Wrote watcher.config.json: Auth0 status for acme.eu.auth0.com (EU-1), the Auth0 change log and advisories for Auth0's SDKs, printed to the console.",
    );
    expect(result.stdout).toContain('npm start -- --config watcher.config.json');
    expect(result.stdout).toContain('(EU-2, say)');
    // The printed block, with a real client id in place of the placeholder, turns on the tenant's own sources.
    const block = /"tenant": (\{.*\})/.exec(result.stdout)?.[1];
    const tenant = { ...(JSON.parse(block!) as Record<string, string>), clientId: 'Abc123def456GHI789jkl012MNO345pq' };
    const withTenant = parseConfig({ ...written, tenant }, dir);
    expect(withTenant.sources.map((source) => source.id)).toEqual(expect.arrayContaining(['acme-logs', 'acme-checks', 'acme-ip-ranges']));
  });

  it('refuses to overwrite an existing file, exit 2 with one line, leaving it as it was', async () => {
    const path = join(dir, 'mine.json');
    await writeFile(path, '{"sources": []}');
    const result = await run(['init', '--tenant', 'acme.eu.auth0.com', '--config', 'mine.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'auth0-ops-watcher: mine.json already exists and init never overwrites a config: move it aside or name another file ' +
        'with --config <file>; see npm start -- --help\n',
    );
    expect(await readFile(path, 'utf8')).toBe('{"sources": []}');
    expect(result.stdout).toBe('');
  });

  it('refuses a custom domain with one line and writes nothing', async () => {
    const result = await run(['init', '--tenant', 'login.acme.com', '--config', 'custom.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('not a custom domain); got "login.acme.com"');
    await expect(readFile(join(dir, 'custom.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('the first line of a run without a config', () => {
  it("names the default config's tenant and region and how to watch your own", () => {
    expect(firstRunLine(DEFAULT_CONFIG_INPUT)).toBe(
      "No config given: watching Auth0 status for the tenant samples.auth0.com (US-1, Auth0's sample tenant). " +
        'To watch your own: npm start -- init --tenant <your-tenant>.<region>.auth0.com, then npm start -- --config watcher.config.json',
    );
  });
});
