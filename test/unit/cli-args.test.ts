// The command line of `npm start`: every command and option it accepts, and every usage error in one line, exit 2.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/run-cli.js';
import { parseCliArgs, UsageError, VERSION } from '../../functions/cli/run-cli.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const run = (argv: string[]) => runCliInProcess(argv, {}, '/nonexistent');

describe('npm start arguments', () => {
  it('polls by default and reads each command with its own options and arguments', () => {
    expect(parseCliArgs([])).toMatchObject({ command: 'poll', verbose: false, json: false, positionals: [] });
    expect(parseCliArgs(['digest', '-c', 'w.json', '--now', '2026-10-07T06:00:00Z'])).toMatchObject({
      command: 'digest',
      config: 'w.json',
      now: '2026-10-07T06:00:00Z',
    });
    expect(parseCliArgs(['test', '--verbose'])).toMatchObject({ command: 'test', verbose: true });
    expect(parseCliArgs(['status', '--json'])).toMatchObject({ command: 'status', json: true });
    expect(parseCliArgs(['snooze', 'auth0-status-us-1', 'n3wincid3nt1', '--for', '4h'])).toMatchObject({
      command: 'snooze',
      positionals: ['auth0-status-us-1', 'n3wincid3nt1'],
      for: '4h',
    });
    expect(parseCliArgs(['init', '--tenant', 'acme.eu.auth0.com'])).toMatchObject({ command: 'init', tenant: 'acme.eu.auth0.com' });
    expect(parseCliArgs(['--version'])).toMatchObject({ version: true });
    // Asking for help needs nothing else the command needs.
    expect(parseCliArgs(['init', '--help'])).toMatchObject({ command: 'init', help: true });
    expect(parseCliArgs(['snooze', '--help'])).toMatchObject({ command: 'snooze', help: true });
  });

  it.each([
    [['polll'], 'unknown command "polll" (did you mean "poll"?)'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['--frobnicate'], 'unknown option "--frobnicate"'],
    [['--confg', 'w.json'], 'unknown option "--confg" (did you mean "--config"?)'],
    [['-x'], 'unknown option "-x"'],
    [['--config'], '--config needs a value'],
    [['-c'], '--config needs a value'],
    [['--verbose=yes'], '--verbose takes no value'],
    [['--now', 'yesterday'], '--now needs an ISO 8601 time, got "yesterday"'],
    [['poll', 'extra'], 'unexpected argument "extra"'],
    [['--json'], '--json is an option of the status command, not of poll'],
    [['digest', '--tenant', 'acme.auth0.com'], '--tenant is an option of the init command, not of digest'],
    [['init'], 'init needs --tenant <domain>'],
    [['snooze', 'auth0-status-us-1'], 'snooze needs <source> <item>'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('prints every usage error in one line with a pointer to --help, exit 2, nothing on stdout', async () => {
    const result = await run(['--frobnicate']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'auth0-ops-watcher: unknown option "--frobnicate"; see npm start -- --help\n' });
  });

  it('prints the version of package.json, exit 0', async () => {
    expect(VERSION).toBe(`auth0-ops-watcher ${packageVersion}`);
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('lists every command and every option in --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['poll', 'digest', 'test', 'status', 'snooze', 'init', 'check-deploy']) expect(result.stdout).toMatch(new RegExp(`^  ${word}\\b`, 'm'));
    for (const option of ['--config', '-c', '--verbose', '-v', '--now', '--help', '-h', '--version', '--json', '--for', '--tenant']) {
      expect(result.stdout).toContain(option);
    }
  });
});
