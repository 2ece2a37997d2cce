import { describe, expect, it } from 'vitest';
import { DEFAULT_EVERY_MINUTES, parseConfig, type SourceConfig } from '../../../functions/config/config.js';
import { DEFAULT_ADVISORY_PACKAGES } from '../../../functions/sources/github-advisories/default-packages.js';
import { SOURCE_MODULES, SOURCE_REGISTRY, sourceModuleFor } from '../../../functions/sources/registry.js';
import { makeSourceRegistry } from '../../../functions/sources/source-registry.js';
import { FEED_SOURCE_REGISTRY } from '../../../functions/sources/feed-registry.js';
import { PROBE_SOURCE_REGISTRY, probeModuleFor } from '../../../functions/sources/probe-registry.js';
import { SOURCE_TYPE_NAMES } from '../../../functions/sources/source-types.js';

/** The module of a feed source (every source these tests configure is one). */
function feedModuleFor(source: SourceConfig) {
  const module = sourceModuleFor(source);
  if (module.kind !== 'feed') throw new Error(`${source.id} is not a feed`);
  return module;
}

/** The probe types (issue 16): checks run each time rather than feeds. */
const PROBE_TYPES = new Set(['auth0-synthetic-login', 'auth0-ip-ranges', 'auth0-tenant-checks', 'auth0-deprecations']);

describe('source registry', () => {
  it('has a module for every source type, declaring that type; the Auth0 ones name Auth0 as their vendor; tenant logs are a stream, the tenant checks and probes are probes', () => {
    for (const [type, module] of Object.entries(SOURCE_MODULES)) {
      expect(module.type).toBe(type);
      expect(module.kind).toBe(type === 'auth0-tenant-logs' ? 'stream' : PROBE_TYPES.has(type) ? 'probe' : 'feed');
      if (type.startsWith('auth0-') || type === 'github-advisories') expect(module.vendor).toBe('Auth0');
    }
    expect(Object.keys(SOURCE_MODULES).sort()).toEqual([
      'auth0-changelog',
      'auth0-deprecations',
      'auth0-ip-ranges',
      'auth0-status',
      'auth0-synthetic-login',
      'auth0-tenant-checks',
      'auth0-tenant-logs',
      'feed',
      'github-advisories',
      'google-status',
      'statuspage',
    ]);
    expect(SOURCE_REGISTRY.types).toEqual(Object.keys(SOURCE_MODULES));
    // The names the poll function checks a compiled config against, and the feeds it reads, without the other plug-ins.
    expect(SOURCE_TYPE_NAMES).toEqual(SOURCE_REGISTRY.types);
    const ofKind = (kind: string) => SOURCE_REGISTRY.types.filter((type) => SOURCE_REGISTRY.modules.find((m) => m.type === type)!.kind === kind);
    expect(FEED_SOURCE_REGISTRY.types).toEqual(ofKind('feed'));
    expect(PROBE_SOURCE_REGISTRY.types).toEqual(ofKind('probe'));
    expect(() => probeModuleFor({ id: 'status', type: 'auth0-status', url: 'https://status.auth0.com/feed' })).toThrow('source "status" (auth0-status) is not a probe source');
  });

  it('finds the module for each configured source; advisories ask once per ecosystem of the default packages', () => {
    const config = parseConfig(
      {
        sources: [
          { id: 'status', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=samples.auth0.com', region: 'US-1' },
          { id: 'changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' },
          { id: 'advisories', type: 'github-advisories' },
        ],
      },
      '/tmp',
    );
    const requests = config.sources.map((source: SourceConfig) => feedModuleFor(source).requests(source));
    const ecosystems = new Set(DEFAULT_ADVISORY_PACKAGES.map((pkg) => pkg.ecosystem));
    expect(requests.map((list) => list.length)).toEqual([1, 1, ecosystems.size]);
    expect(requests[2]?.[0]?.url).toMatch(/^https:\/\/api\.github\.com\/advisories\?ecosystem=npm&affects=auth0,auth0-js,/);
  });

  it('derives the default cadences from the modules (tenant logs every 5 minutes, the login probe every minute)', () => {
    expect(DEFAULT_EVERY_MINUTES).toEqual({
      'auth0-status': 1,
      'auth0-changelog': 15,
      'github-advisories': 60,
      statuspage: 5,
      'google-status': 5,
      feed: 5,
      'auth0-tenant-logs': 5,
      'auth0-synthetic-login': 1,
      'auth0-ip-ranges': 60,
      'auth0-deprecations': 240,
      'auth0-tenant-checks': 60,
    });
  });

  it('answers vendor, region, secrets, emptiness and cadence from the module', () => {
    const config = parseConfig(
      {
        sources: [
          { id: 'status', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'EU-1' },
          { id: 'advisories', type: 'github-advisories', token: 'ssm:/watcher/github', everyMinutes: 30 },
          { id: 'open', type: 'feed', vendor: 'Meta', url: 'https://metastatus.com/feed.rss', emptyWhenHealthy: true },
        ],
        presets: ['github', 'google-cloud'],
      },
      '/tmp',
    );
    const [status, advisories, open, github, google] = config.sources as [SourceConfig, SourceConfig, SourceConfig, SourceConfig, SourceConfig];
    expect(config.sources.map((source) => SOURCE_REGISTRY.vendorOf(source))).toEqual(['Auth0', 'Auth0', 'Meta', 'GitHub', 'Google Cloud']);
    expect(sourceModuleFor(status).regionOf?.(status)).toBe('EU-1');
    expect(config.sources.map((source) => SOURCE_REGISTRY.secretRefsOf(source))).toEqual([
      [],
      [{ field: 'token', ref: 'ssm:/watcher/github' }],
      [],
      [],
      [],
    ]);
    expect([open, github, google].map((source) => feedModuleFor(source).emptyIsNormal?.(source) ?? false)).toEqual([true, false, false]);
    expect(config.sources.map((source) => SOURCE_REGISTRY.everyMinutesOf(source))).toEqual([1, 30, 5, 5, 5]);
    expect(SOURCE_REGISTRY.itemScopeOf(status)).toBe('@status.auth0.com');
    expect(SOURCE_REGISTRY.itemScopeOf(advisories)).toBe('advisories');
  });

  it('refuses two plug-ins of one type', () => {
    const [first] = SOURCE_REGISTRY.modules;
    expect(() => makeSourceRegistry([first!, first!])).toThrow('two source plug-ins declare the type "auth0-status"');
  });
});
