// The config schema: presets, secret references, URLs, relative paths, and errors that name the field.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/config/config.js';
import { PRESET_NAMES, PRESETS } from '../../functions/config/presets.js';

const status = { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' };

function error(input: unknown): string {
  try {
    parseConfig(input, '/etc/watcher');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('turns each preset into a source named after it, with its provider, URL and format', () => {
    const config = parseConfig({ presets: ['github', 'google-workspace', 'facebook-login'], sources: [status] }, '/');
    expect(config.sources.map((s) => [s.id, s.type, 'vendor' in s ? s.vendor : undefined, s.url])).toEqual([
      ['auth0-status-us-1', 'auth0-status', undefined, status.url],
      ['github', 'statuspage', 'GitHub', 'https://www.githubstatus.com'],
      ['google-workspace', 'google-status', 'Google Workspace', 'https://www.google.com/appsstatus/dashboard/incidents.json'],
      ['facebook-login', 'feed', 'Meta (Facebook Login)', 'https://metastatus.com/outage-events-feed-facebook-login.rss'],
    ]);
    expect(config.sources.find((s) => s.id === 'facebook-login')).toMatchObject({ emptyWhenHealthy: true });
  });

  it('accepts presets alone, every preset valid on its own', () => {
    const config = parseConfig({ presets: PRESET_NAMES }, '/');
    expect(config.sources.map((s) => s.id)).toEqual(Object.keys(PRESETS));
  });

  it('names the field and the valid presets for an unknown preset', () => {
    const message = error({ presets: ['myspace'], sources: [status] });
    expect(message).toContain('presets[0]');
    expect(message).toContain('"github"');
  });

  it('refuses a source id used twice, including a preset clashing with a source', () => {
    expect(error({ presets: ['github'], sources: [status, { ...status, id: 'github' }] })).toContain('duplicate source id "github"');
  });

  it('accepts http only for loopback hosts and secrets only as references', () => {
    expect(error({ sources: [{ ...status, url: 'http://status.auth0.com/feed' }] })).toContain('sources[0].url');
    expect(() => parseConfig({ sources: [{ ...status, url: 'http://127.0.0.1:8080/feed' }] }, '/')).not.toThrow();
    expect(error({ sources: [{ id: 'adv', type: 'github-advisories', token: 'ghp_x' }] })).toContain('sources[0].token');
    expect(() => parseConfig({ sources: [{ id: 'adv', type: 'github-advisories', token: 'ssm:/watcher/github' }] }, '/')).not.toThrow();
  });

  it('resolves stateDir and jsonl paths against the config file directory', () => {
    const config = parseConfig({ stateDir: 'state', sources: [status], outputs: [{ type: 'jsonl', path: 'out/e.jsonl' }] }, '/etc/watcher');
    expect(config.stateDir).toBe('/etc/watcher/state');
    expect(config.outputs[0]).toEqual({ type: 'jsonl', path: '/etc/watcher/out/e.jsonl' });
  });

  it('refuses the removed auth0-bulletins type, saying when it went and pointing to github-advisories', () => {
    const bulletins = { id: 'bulletins', type: 'auth0-bulletins', url: 'https://auth0.com/docs/secure/security-guidance/security-bulletins.md' };
    expect(error({ sources: [status, bulletins] })).toBe(
      'invalid config: sources[1].type: "auth0-bulletins" is no longer a source type: the Auth0 Security Bulletins page was ' +
        'removed on 2026-07-08; use "github-advisories" for advisories about Auth0\'s SDKs',
    );
  });

  it('lists the source types of the registry for a type it does not know', () => {
    expect(error({ sources: [{ ...status, type: 'rss' }] })).toBe(
      "invalid config: sources[0].type: Invalid discriminator value. Expected 'auth0-status' | 'auth0-changelog' | " +
        "'github-advisories' | 'statuspage' | 'google-status' | 'feed' | 'auth0-tenant-logs' | 'auth0-synthetic-login' | " +
        "'auth0-ip-ranges' | 'auth0-deprecations' | 'auth0-tenant-checks'",
    );
  });

  it('refuses a Slack output that has both or neither of a bot token and a webhook', () => {
    expect(error({ sources: [status], outputs: [{ type: 'slack', webhookUrl: 'env:A', botToken: 'env:B', channel: 'C0123456' }] })).toContain(
      'exactly one of webhookUrl or botToken',
    );
    expect(error({ sources: [status], outputs: [{ type: 'slack', botToken: 'env:B' }] })).toContain('outputs[0].channel');
  });
});
