// The 'auth0-tenant-logs' plug-in: its config (defaults, secret references, the tenant's bare domain) and its facts.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../functions/config/config.js';
import { audienceOf, tenantHostOf } from '../../../functions/sources/auth0-tenant-logs/config-schema.js';
import { auth0TenantLogsSource } from '../../../functions/sources/auth0-tenant-logs/plugin.js';
import { SOURCE_REGISTRY } from '../../../functions/sources/registry.js';

const SOURCE = {
  id: 'acme-logs',
  type: 'auth0-tenant-logs',
  url: 'https://acme.us.auth0.com',
  clientId: 'q8fgX3Yh2mAbCdEf',
  clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET',
};
const parse = (source: Record<string, unknown>) => parseConfig({ sources: [source] }, '/tmp').sources[0]!;

describe('auth0-tenant-logs source config', () => {
  it('reads the issue\'s example with its defaults: 30 days of retention, 20 pages a run, every 5 minutes, audience <url>/api/v2/', () => {
    const source = parse(SOURCE);
    expect(source).toMatchObject({ ...SOURCE, retentionDays: 30, maxPagesPerRun: 20 });
    if (source.type !== 'auth0-tenant-logs') throw new Error('not a tenant-logs source');
    expect(audienceOf(source)).toBe('https://acme.us.auth0.com/api/v2/');
    expect(audienceOf(parse({ ...SOURCE, url: 'https://acme.us.auth0.com/' }) as typeof source)).toBe('https://acme.us.auth0.com/api/v2/');
    expect(tenantHostOf(source)).toBe('acme.us.auth0.com');
    expect(SOURCE_REGISTRY.everyMinutesOf(source)).toBe(5);
    expect(auth0TenantLogsSource.kind).toBe('stream');
    expect(SOURCE_REGISTRY.secretRefsOf(source)).toEqual([{ field: 'clientSecret', ref: 'env:AUTH0_LOGS_CLIENT_SECRET' }]);
  });

  it('takes detector settings part by part, a plan\'s retention, and a loopback http:// tenant for tests', () => {
    const source = parse({
      ...SOURCE,
      url: 'http://127.0.0.1:8123',
      retentionDays: 10,
      detectors: { rateLimits: { quietMinutes: 30 }, loginFailures: { minFailures: 50, factor: 3 } },
    });
    expect(source).toMatchObject({ retentionDays: 10, detectors: { rateLimits: { quietMinutes: 30 }, loginFailures: { minFailures: 50, factor: 3 } } });
  });

  it.each([
    ['a secret written into the config', { clientSecret: 'hunter2-the-actual-secret' }, /clientSecret.*must reference a secret/],
    ['a tenant URL with a path', { url: 'https://acme.us.auth0.com/api/v2/logs' }, /url.*tenant's domain alone/],
    ['plain http to a remote tenant', { url: 'http://acme.us.auth0.com' }, /url.*https:\/\//],
    ['a retention no plan has', { retentionDays: 7 }, /retentionDays/],
    ['an unknown detector', { detectors: { bruteForce: {} } }, /detectors/],
    ['a missing client id', { clientId: undefined }, /clientId/],
  ])('refuses %s, naming the field', (_what, patch, message) => {
    expect(() => parse({ ...SOURCE, ...patch })).toThrow(ConfigError);
    expect(() => parse({ ...SOURCE, ...patch })).toThrow(message);
  });
});
