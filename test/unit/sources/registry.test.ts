import { describe, expect, it } from 'vitest';
import { parseConfig, type SourceConfig } from '../../../functions/config/config.js';
import { DEFAULT_ADVISORY_PACKAGES } from '../../../functions/config/default-packages.js';
import { SOURCE_MODULES, sourceModuleFor } from '../../../functions/sources/registry.js';

describe('source registry', () => {
  it('has a module for every source type, declaring that type; the Auth0 ones name Auth0 as their vendor', () => {
    for (const [type, module] of Object.entries(SOURCE_MODULES)) {
      expect(module.type).toBe(type);
      if (type.startsWith('auth0-') || type === 'github-advisories') expect(module.vendor).toBe('Auth0');
    }
    expect(Object.keys(SOURCE_MODULES).sort()).toEqual([
      'auth0-bulletins',
      'auth0-changelog',
      'auth0-status',
      'feed',
      'github-advisories',
      'google-status',
      'statuspage',
    ]);
  });

  it('finds the module for each configured source; advisories ask once per ecosystem of the default packages', () => {
    const config = parseConfig(
      {
        sources: [
          { id: 'status', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=samples.auth0.com', region: 'US-1' },
          { id: 'changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' },
          { id: 'advisories', type: 'github-advisories' },
          { id: 'bulletins', type: 'auth0-bulletins', url: 'https://auth0.com/docs/secure/security-guidance/security-bulletins.md' },
        ],
      },
      '/tmp',
    );
    const requests = config.sources.map((source: SourceConfig) => sourceModuleFor(source).requests(source));
    const ecosystems = new Set(DEFAULT_ADVISORY_PACKAGES.map((pkg) => pkg.ecosystem));
    expect(requests.map((list) => list.length)).toEqual([1, 1, ecosystems.size, 1]);
    expect(requests[2]?.[0]?.url).toMatch(/^https:\/\/api\.github\.com\/advisories\?ecosystem=npm&affects=auth0,auth0-js,/);
  });
});
