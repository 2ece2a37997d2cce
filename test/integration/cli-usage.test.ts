// The real CLI (the bundle `npm start` runs) on its first run and on bad usage: the version, one line and exit 2 for a
// usage error, and a first line that says what a run without a config watches.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_BUNDLE } from '../support/cli-bundle.js';
import { runCliProcess } from '../support/run-cli.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('npm start, the command line itself', () => {
  it('prints the package version with --version, exit 0', async () => {
    const run = await runCliProcess(['--version']);
    expect(run).toEqual({ code: 0, stdout: `auth0-ops-watcher ${packageVersion}\n`, stderr: '' });
  });

  it('exits 2 with one line on stderr for a usage error, pointing to --help', async () => {
    const run = await runCliProcess(['stauts', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('auth0-ops-watcher: unknown command "stauts" (did you mean "status"?); see npm start -- --help\n');
  });

  it('starts a run without a config by saying which tenant and region it watches and how to watch your own', async () => {
    // Run where a state directory may be created, and stop it once the first line is out: the rest polls the Internet.
    const dir = await mkdtemp(join(tmpdir(), 'watcher-first-run-'));
    try {
      const child = spawn(process.execPath, [CLI_BUNDLE], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
      const firstLine = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('\n')) resolve(text.split('\n')[0]!);
        });
        child.once('error', reject);
        child.once('close', () => resolve(text.split('\n')[0]!));
      });
      child.kill();
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('close', resolve)));
      expect(firstLine).toMatch(/^No config given: watching Auth0 status for the tenant samples\.auth0\.com \(US-1, /);
      expect(firstLine).toContain('npm start -- init --tenant <your-tenant>.<region>.auth0.com');
      expect(firstLine).toContain('npm start -- --config watcher.config.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
