// The CDK app's `-c key=value` context, checked before any stack is built: each problem one line naming the key, exit
// 2, no stack trace; any other error is left to show in full.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppContext, reportAppError } from '../../bin/app-context.js';
import { ConfigError } from '../../functions/config/config.js';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];

/** What the app prints and its exit code for the context `values`. */
async function appError(values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  let printed = '';
  const error = await readAppContext(contextOf(values), env, '/').then(
    () => undefined,
    (e: unknown) => e,
  );
  const code = reportAppError(error, { write: (text: string) => (printed += text) });
  return { code, printed };
}

describe('the CDK app context', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-app-context-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads the defaults, and every key given', async () => {
    const defaults = await readAppContext(contextOf({}), {}, '/');
    expect(defaults).toMatchObject({ stackName: 'Auth0OpsWatcher', deadMansSwitchMinutes: undefined, monitoring: undefined });
    expect(defaults.config.sources.map((source) => source.id)).toContain('auth0-status-us-1');
    const path = join(dir, 'watcher.json');
    await writeFile(path, JSON.stringify({ sources: [{ id: 'changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' }] }));
    const given = await readAppContext(contextOf({ config: path, stackName: 'Dev', deadMansSwitchMinutes: '30', monitoring: 'detailed' }), {}, '/');
    expect(given).toMatchObject({ stackName: 'Dev', deadMansSwitchMinutes: 30, monitoring: 'detailed' });
    expect(given.config.sources.map((source) => source.id)).toEqual(['changelog']);
  });

  it.each([
    [{ config: 'missing/watcher.json' }, /^cannot read config file missing\/watcher\.json: ENOENT/],
    [{ monitoring: 'verbose' }, /^-c monitoring=verbose: must be standard or detailed$/],
    [{ deadMansSwitchMinutes: 'soon' }, /^-c deadMansSwitchMinutes=soon: must be a whole number of minutes from 1 to 1440$/],
    [{ deadMansSwitchMinutes: '0' }, /^-c deadMansSwitchMinutes=0: /],
    [{ stackName: 'my stack' }, /^-c stackName=my stack: must be a CloudFormation stack name/],
  ])('stops on %j with one line naming it, exit 2', async (values, line) => {
    const { code, printed } = await appError(values);
    expect(code).toBe(2);
    expect(printed.split('\n')).toEqual([expect.stringMatching(line), '']);
  });

  it('prints each config problem on its own line, and a JSON error at its line and column', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ sources: [{ id: 'status', type: 'auth0-status', url: 'http://status.auth0.com/feed', region: 'US' }] }));
    const config = await appError({ config: bad });
    expect(config.code).toBe(2);
    expect(config.printed.split('\n')).toEqual([
      expect.stringMatching(/^invalid config: sources\[0\]\.url: must be an https:\/\/ URL/),
      'invalid config: sources[0].region: must be a region label such as "US-1"',
      '',
    ]);
    const syntax = join(dir, 'syntax.json');
    await writeFile(syntax, '{\n  "sources": [\n    {}\n    {}\n  ]\n}\n');
    const fromEnv = await appError({}, { WATCHER_CONFIG_FILE: syntax });
    expect(fromEnv).toEqual({ code: 2, printed: `${syntax}:4:5: not valid JSON: Expected ',' or ']' after array element\n` });
  });

  it('leaves an error it does not explain to be shown in full', () => {
    let printed = '';
    expect(reportAppError(new TypeError('a fault'), { write: (text: string) => (printed += text) })).toBeUndefined();
    expect(reportAppError(new ConfigError('x'), { write: (text: string) => (printed += text) })).toBe(2);
    expect(printed).toBe('x\n');
  });
});
