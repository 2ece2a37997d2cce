// The `tenant` block: one tenant's domain and credentials expanded into its ordinary sources (logs, checks, synthetic
// login with `probe`, the allow-list of its region), validated like any source; errors name the block's fields.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import { expandTenantBlock, tenantDomainOf } from '../../functions/config/tenant-block.js';
import { configErrorOf } from '../support/config-error.js';

const PROBE = {
  clientId: 'probeClient0123',
  clientSecret: 'env:AUTH0_PROBE_CLIENT_SECRET',
  username: 'synthetic-probe@acme.example',
  password: 'env:AUTH0_PROBE_PASSWORD',
  realm: 'Username-Password-Authentication',
};
const TENANT = { url: 'https://acme.eu.auth0.com', clientId: 'opsWatcher0123', clientSecret: 'env:AUTH0_CLIENT_SECRET', probe: PROBE };

describe('the tenant block', () => {
  it('turns on the logs, checks, synthetic login and allow-list of the tenant, with derived ids and its credentials', () => {
    const config = parseConfig({ tenant: TENANT }, '/');
    expect(config.sources.map((source) => [source.id, source.type])).toEqual([
      ['acme-logs', 'auth0-tenant-logs'],
      ['acme-checks', 'auth0-tenant-checks'],
      ['acme-login', 'auth0-synthetic-login'],
      ['acme-ip-ranges', 'auth0-ip-ranges'],
    ]);
    const [logs, checks, login, ipRanges] = config.sources;
    const management = { url: 'https://acme.eu.auth0.com', clientId: 'opsWatcher0123', clientSecret: 'env:AUTH0_CLIENT_SECRET' };
    expect(logs).toMatchObject(management);
    expect(checks).toMatchObject(management);
    expect(login).toMatchObject({ url: 'https://acme.eu.auth0.com', ...PROBE });
    expect(ipRanges).toMatchObject({ url: 'https://cdn.auth0.com/ip-ranges.json', regions: ['EU'] });
  });

  it('leaves the synthetic login out without probe credentials', () => {
    const { probe: _probe, ...withoutProbe } = TENANT;
    const config = parseConfig({ tenant: withoutProbe }, '/');
    expect(config.sources.map((source) => source.id)).toEqual(['acme-logs', 'acme-checks', 'acme-ip-ranges']);
  });

  it.each([
    ['https://acme.auth0.com', 'US'],
    ['https://acme.us.auth0.com', 'US'],
    ['https://acme.eu.auth0.com/', 'EU'],
    ['https://acme.au.auth0.com', 'AU'],
    ['https://acme.ca.auth0.com', 'CA'],
    ['https://acme.jp.auth0.com', 'JP'],
    ['https://ACME.UK.auth0.com', 'UK'],
  ])('reads the allow-list region of %s as %s', (url, region) => {
    expect(tenantDomainOf(url)).toEqual({ name: 'acme', region, origin: `https://${new URL(url).hostname}` });
  });

  it('adds its sources after those listed and the presets', () => {
    const status = { id: 'auth0-status-eu-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=acme.eu.auth0.com', region: 'EU-1' };
    const config = parseConfig({ presets: ['github'], sources: [status], tenant: { ...TENANT, url: 'https://acme.auth0.com' } }, '/');
    expect(config.sources.map((source) => source.id)).toEqual([
      'auth0-status-eu-1',
      'github',
      'acme-logs',
      'acme-checks',
      'acme-login',
      'acme-ip-ranges',
    ]);
    expect(config.sources.at(-1)).toMatchObject({ regions: ['US'] });
  });

  it('lets a source listed with a derived id and the same type replace the derived one', () => {
    const tuned = { id: 'acme-login', type: 'auth0-synthetic-login', url: 'https://acme.eu.auth0.com', ...PROBE, slowThresholdMs: 800 };
    const config = parseConfig({ sources: [tuned], tenant: TENANT }, '/');
    expect(config.sources.filter((source) => source.id === 'acme-login')).toEqual([expect.objectContaining({ slowThresholdMs: 800 })]);
    expect(config.sources).toHaveLength(4);
  });

  it('refuses a source listed with a derived id but another type, naming where', () => {
    const clash = { id: 'acme-logs', type: 'auth0-ip-ranges' };
    expect(configErrorOf(() => parseConfig({ sources: [clash], tenant: TENANT }, '/'))).toBe(
      'invalid config: sources[0].type: the tenant block derives a source "acme-logs" of type auth0-tenant-logs; ' +
        'a source listed with that id replaces it only with the same type (or use another id)',
    );
  });

  it.each([
    [{ ...TENANT, url: 'https://login.acme.example' }, 'tenant.url: must be the tenant\'s canonical domain'],
    [{ ...TENANT, url: 'https://acme.xx.auth0.com' }, 'tenant.url: must be the tenant\'s canonical domain'],
    [{ ...TENANT, url: 'https://acme.eu.auth0.com/api/v2/' }, 'tenant.url: must be the tenant\'s canonical domain'],
    [{ ...TENANT, url: 'http://acme.eu.auth0.com' }, 'tenant.url: must be the tenant\'s canonical domain'],
    [{ ...TENANT, url: `https://${'a'.repeat(54)}.eu.auth0.com` }, 'tenant.url: names a tenant longer than 53 characters'],
    [{ ...TENANT, clientSecret: 'hunter2-the-real-secret' }, 'tenant.clientSecret: must reference a secret as env:NAME'],
    [{ ...TENANT, probe: { ...PROBE, password: 'Passw0rd!' } }, 'tenant.probe.password: must reference a secret as env:NAME'],
    [{ ...TENANT, probe: { ...PROBE, realm: undefined } }, 'tenant.probe.realm: '],
    [{ ...TENANT, probe: { ...PROBE, grant: 'password' } }, 'tenant.probe: Unrecognized key: "grant"'],
    [{ ...TENANT, clientId: 'has spaces' }, "tenant.clientId: must be the machine-to-machine application's client id"],
  ])('refuses a block with a bad field, naming its path (%#)', (tenant, start) => {
    const message = configErrorOf(() => parseConfig({ tenant }, '/'));
    expect(message).toContain(`invalid config: ${start}`);
    // A secret written where a reference belongs is never repeated back.
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('Passw0rd');
  });

  it('adds nothing to sources that are not a list, which the schema then reports', () => {
    expect(configErrorOf(() => parseConfig({ sources: { id: 'x' }, tenant: TENANT }, '/'))).toMatch(/^invalid config: sources: /);
  });

  it('names a problem inside a derived source after the block and the source', () => {
    const expansion = expandTenantBlock({ sources: [{ id: 'own', type: 'auth0-ip-ranges' }], tenant: TENANT });
    expect(expansion.pathName(['sources', 2, 'clientSecret'])).toBe('tenant (source "acme-checks").clientSecret');
    expect(expansion.pathName(['sources', 0, 'url'])).toBeUndefined();
    expect(expansion.pathName(['outputs', 0])).toBeUndefined();
  });
});
