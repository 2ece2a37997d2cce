// How config problems read: one line per problem with its field path, "did you mean" for a misspelt key at any depth,
// and a JSON syntax error at its line and column.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../functions/config/config.js';
import { closestWord, editDistance } from '../../functions/core/text/closest-word.js';

const status = { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=acme.auth0.com', region: 'US-1' };

/** The `ConfigError` that `load` throws; any other outcome fails the test. */
async function configError(load: () => unknown): Promise<ConfigError> {
  try {
    await load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('closest word', () => {
  it('counts added, dropped, changed and swapped letters, ignoring case', () => {
    expect(editDistance('sorces', 'sources')).toBe(1);
    expect(editDistance('everyMinute', 'everyMinutes')).toBe(1);
    expect(editDistance('timezone', 'timeZone')).toBe(0);
    expect(editDistance('faliureThreshold', 'failureThreshold')).toBe(1);
    expect(editDistance('', 'url')).toBe(3);
  });

  it('suggests the nearest known word only when the slip is small for the word', () => {
    expect(closestWord('sorces', ['stateDir', 'sources', 'outputs'])).toBe('sources');
    expect(closestWord('ur', ['url', 'name'])).toBe('url');
    expect(closestWord('grant', ['clientId', 'clientSecret', 'username', 'password', 'realm'])).toBeUndefined();
    expect(closestWord('colour', ['stateDir', 'tableName'])).toBeUndefined();
  });
});

describe('config errors', () => {
  it('puts each problem on its own line, each naming its field, and keeps them as an issues list', async () => {
    const error = await configError(() =>
      parseConfig(
        {
          sources: [
            status,
            { ...status, id: 'auth0-status-eu-1', url: 'http://status.auth0.com/feed?domain=acme.eu.auth0.com', region: 'EU' },
          ],
        },
        '/',
      ),
    );
    expect(error.issues).toEqual([
      'invalid config: sources[1].url: must be an https:// URL (http:// is accepted only for loopback hosts)',
      'invalid config: sources[1].region: must be a region label such as "US-1"',
    ]);
    expect(error.message).toBe(error.issues.join('\n'));
  });

  it('says which known key a misspelt one is a slip of, at the top, in a source, an output and a nested block', async () => {
    const error = await configError(() =>
      parseConfig(
        {
          sorces: [],
          presets: ['github'],
          sources: [{ ...status, everyMinute: 5 }],
          outputs: [{ type: 'slack', webhookUrl: 'env:SLACK_WEBHOOK', rule: { minSeverity: 'major' } }],
          email: { digest: { timezone: 'Europe/Berlin' } },
        },
        '/',
      ),
    );
    expect(error.issues).toEqual([
      'invalid config: sources[0]: Unrecognized key: "everyMinute" (did you mean "everyMinutes"?)',
      'invalid config: outputs[0]: Unrecognized key: "rule" (did you mean "rules"?)',
      'invalid config: email.digest: Unrecognized key: "timezone" (did you mean "timeZone"?)',
      'invalid config: (config): Unrecognized key: "sorces"',
    ]);
  });

  it('suggests a top-level key only when the config does not already have it, and each unknown key gets its line', async () => {
    const error = await configError(() => parseConfig({ sorces: [status], outptus: [], colour: 'blue' }, '/'));
    expect(error.issues).toContain('invalid config: (config): Unrecognized key: "sorces" (did you mean "sources"?)');
    expect(error.issues).toContain('invalid config: (config): Unrecognized key: "outptus" (did you mean "outputs"?)');
    expect(error.issues).toContain('invalid config: (config): Unrecognized key: "colour"');
  });

  it("reads a source's keys from its own type: a key of another source type is not suggested", async () => {
    // "token" belongs to github-advisories, not to auth0-status.
    const error = await configError(() => parseConfig({ sources: [{ ...status, tokn: 'env:GITHUB_TOKEN' }] }, '/'));
    expect(error.issues).toEqual(['invalid config: sources[0]: Unrecognized key: "tokn"']);
    const advisories = await configError(() =>
      parseConfig({ sources: [{ id: 'adv', type: 'github-advisories', tokn: 'env:GITHUB_TOKEN' }] }, '/'),
    );
    expect(advisories.issues).toEqual(['invalid config: sources[0]: Unrecognized key: "tokn" (did you mean "token"?)']);
  });
});

describe('JSON syntax errors in the config file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-json-errors-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function syntaxError(name: string, text: string): Promise<ConfigError> {
    const path = join(dir, name);
    await writeFile(path, text);
    return configError(() => loadConfigFile(path));
  }

  it.each([
    [
      'a missing comma between two sources',
      '{\n  "sources": [\n    { "id": "a" }\n    { "id": "b" }\n  ]\n}\n',
      "4:5: not valid JSON: Expected ',' or ']' after array element",
    ],
    ['a missing comma after a property', '{\n  "stateDir": "state"\n  "sources": []\n}\n', "3:3: not valid JSON: Expected ',' or '}' after property value"],
    ['a trailing comma in an array', '{\n  "sources": [\n    { "id": "a" },\n  ]\n}\n', "4:3: not valid JSON: Unexpected token ']'"],
    ['a trailing comma in an object', '{\n  "stateDir": "state",\n}\n', '3:1: not valid JSON: Expected double-quoted property name'],
    ['a file cut short', '{\n  "sources": [\n', '3:1: not valid JSON: Unexpected end of JSON input'],
    ['a comment', '{\n  // my sources\n  "sources": []\n}\n', '2:3: not valid JSON: Expected property name or \'}\''],
  ])('names the line and column of %s', async (_what, text, expected) => {
    const error = await syntaxError('config.json', text);
    expect(error.issues).toEqual([`${join(dir, 'config.json')}:${expected}`]);
  });

  it('reads a file that starts with a byte-order mark', async () => {
    const path = join(dir, 'bom.json');
    await writeFile(path, `\uFEFF${JSON.stringify({ sources: [status] })}`);
    expect((await loadConfigFile(path)).sources.map((source) => source.id)).toEqual(['auth0-status-us-1']);
  });

  it('keeps a control character in the reason on the one line', async () => {
    const error = await syntaxError('tab.json', '{"stateDir": "a\tb"}');
    expect(error.issues).toHaveLength(1);
    expect(error.message).not.toContain('\t');
    expect(error.message).toMatch(/tab\.json:1:16: not valid JSON: Bad control character in string literal$/);
  });
});
