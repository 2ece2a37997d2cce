import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GithubAdvisoriesSourceConfig } from '../../../functions/sources/github-advisories/config-schema.js';
import type { AdvisoryItem, ParseResult } from '../../../functions/core/model.js';
import { githubAdvisoriesSource } from '../../../functions/sources/github-advisories/plugin.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

const config: GithubAdvisoriesSourceConfig = {
  id: 'auth0-advisories',
  type: 'github-advisories',
  url: 'https://api.github.com/advisories',
  packages: [
    { ecosystem: 'npm', name: 'jsonwebtoken' },
    { ecosystem: 'pip', name: 'auth0-python' },
    { ecosystem: 'npm', name: '@auth0/auth0-spa-js' },
    { ecosystem: 'maven', name: 'com.auth0:java-jwt' },
    { ecosystem: 'npm', name: 'express-openid-connect' },
  ],
};

const PAGE_URL = 'https://api.github.com/advisories?ecosystem=npm&affects=jsonwebtoken&per_page=100';

function page(body: string, url = PAGE_URL): FetchedDocument {
  return { url, finalUrl: url, contentType: 'application/json; charset=utf-8', body };
}

function parseFixtures(...paths: string[]): ParseResult {
  return githubAdvisoriesSource.parse(
    paths.map((path) => page(fixture(path))),
    config,
  );
}

function advisories(...paths: string[]): AdvisoryItem[] {
  const result = parseFixtures(...paths);
  if (!result.ok) throw new Error(`expected ${paths.join(', ')} to parse: ${result.reason}`);
  return result.items as AdvisoryItem[];
}

describe('github-advisories requests', () => {
  it('asks once per ecosystem, packages comma-joined and URL-encoded in affects, paginated by Link header', () => {
    expect(githubAdvisoriesSource.requests(config)).toEqual([
      {
        url: 'https://api.github.com/advisories?ecosystem=npm&affects=jsonwebtoken,%40auth0%2Fauth0-spa-js,express-openid-connect&per_page=100',
        expect: 'json',
        paginate: 'link-header',
        headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
      },
      {
        url: 'https://api.github.com/advisories?ecosystem=pip&affects=auth0-python&per_page=100',
        expect: 'json',
        paginate: 'link-header',
        headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
      },
      {
        url: 'https://api.github.com/advisories?ecosystem=maven&affects=com.auth0%3Ajava-jwt&per_page=100',
        expect: 'json',
        paginate: 'link-header',
        headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
      },
    ]);
  });

  it('sends the configured token reference as the bearer token', () => {
    const requests = githubAdvisoriesSource.requests({ ...config, token: 'env:GITHUB_TOKEN' });
    expect(requests.map((request) => request.bearerToken)).toEqual(['env:GITHUB_TOKEN', 'env:GITHUB_TOKEN', 'env:GITHUB_TOKEN']);
    expect(githubAdvisoriesSource.requests(config).some((request) => 'bearerToken' in request)).toBe(false);
  });
});

describe('github-advisories parse', () => {
  it('reads advisories with ids, severities, CVE, dates and affected packages', () => {
    const items = advisories('github-advisories/advisories.json');
    expect(items[0]).toEqual({
      kind: 'advisory',
      itemId: 'GHSA-8cf7-32gw-wr33',
      title: 'jsonwebtoken unrestricted key type could lead to legacy keys usage',
      url: 'https://github.com/advisories/GHSA-8cf7-32gw-wr33',
      publishedAt: '2022-12-22T03:32:22.000Z',
      updatedAt: '2022-12-23T00:39:12.000Z',
      vendorSeverity: 'medium',
      cveId: 'CVE-2022-23539',
      packages: [{ ecosystem: 'npm', name: 'jsonwebtoken', vulnerableRange: '<= 8.5.1', firstPatchedVersion: '9.0.0' }],
      text: 'Overview\n\nVersions <=8.5.1 of jsonwebtoken library could be misconfigured so that legacy, insecure key types are used for signature verification.',
    });
    expect(items.map((item) => item.itemId)).toEqual(['GHSA-8cf7-32gw-wr33', 'GHSA-7p99-3798-f85c']);
    expect(items.some((item) => 'withdrawnAt' in item)).toBe(false);
  });

  it('sees a changed updated_at and description, and a new advisory with an old-style first_patched_version', () => {
    const items = advisories('github-advisories/advisories-updated.json');
    expect(items.map((item) => item.itemId)).toEqual(['GHSA-qwph-4952-7xr6', 'GHSA-8cf7-32gw-wr33', 'GHSA-7p99-3798-f85c']);
    expect(items[0]).toMatchObject({
      vendorSeverity: 'high',
      cveId: 'CVE-2022-23540',
      packages: [{ ecosystem: 'npm', name: 'jsonwebtoken', vulnerableRange: '<= 8.5.1', firstPatchedVersion: '9.0.0' }],
    });
    const openRedirect = items[2];
    expect(openRedirect?.updatedAt).toBe('2026-09-02T14:05:41.000Z');
    expect(openRedirect?.text).toContain(
      'Patches\n\nUpgrade to express-openid-connect 2.7.2 or later. See the release notes (https://github.com/auth0/express-openid-connect/releases) for details.',
    );
  });

  it('reports withdrawn_at only when GitHub set it', () => {
    const items = advisories('github-advisories/advisories-withdrawn.json');
    expect(items[1]?.withdrawnAt).toBe('2026-09-10T08:00:00.000Z');
    expect(items[0] && 'withdrawnAt' in items[0]).toBe(false);
  });

  it('deduplicates an advisory returned by several ecosystem requests', () => {
    const items = advisories('github-advisories/advisories.json', 'github-advisories/advisories-updated.json');
    expect(items.map((item) => item.itemId)).toEqual(['GHSA-8cf7-32gw-wr33', 'GHSA-7p99-3798-f85c', 'GHSA-qwph-4952-7xr6']);
  });

  it('maps unknown severities to unknown and "moderate" to medium', () => {
    const base = JSON.parse(fixture('github-advisories/advisories.json')) as Record<string, unknown>[];
    const body = JSON.stringify([
      { ...base[0], severity: 'moderate' },
      { ...base[1], severity: 'unreviewed' },
    ]);
    const result = githubAdvisoriesSource.parse([page(body)], config);
    expect(result.ok && result.items.map((item) => item.kind === 'advisory' && item.vendorSeverity)).toEqual(['medium', 'unknown']);
  });

  it('quotes the message of a rate-limit error object', () => {
    expect(parseFixtures('github-advisories/rate-limited.json')).toEqual({
      ok: false,
      reason:
        "GitHub answered with an error instead of advisories: \"API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)\"",
    });
  });

  it('fails on a body that is not JSON', () => {
    const result = githubAdvisoriesSource.parse([page('<html><body>Bad gateway</body></html>')], config);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^page 1 \(https:\/\/api\.github\.com\/advisories\?[^)]*\) is not JSON: /);
  });

  it('fails on a JSON object without a message', () => {
    expect(githubAdvisoriesSource.parse([page('{"items":[]}')], config)).toEqual({
      ok: false,
      reason: `page 1 (${PAGE_URL}) is not a JSON array of advisories`,
    });
  });

  it('fails, naming the record index, when a record has no ghsa_id', () => {
    expect(parseFixtures('github-advisories/missing-ghsa-id.json')).toEqual({
      ok: false,
      reason: `advisory record 1 of page 1 (${PAGE_URL}) has no ghsa_id`,
    });
  });

  it('fails, naming the record index, when a record has no html_url', () => {
    const base = JSON.parse(fixture('github-advisories/advisories.json')) as Record<string, unknown>[];
    const body = JSON.stringify([{ ...base[0], html_url: null }]);
    expect(githubAdvisoriesSource.parse([page(body)], config)).toEqual({
      ok: false,
      reason: `advisory record 0 of page 1 (${PAGE_URL}) (GHSA-8cf7-32gw-wr33) has no html_url`,
    });
  });

  it('parses an empty result page as no advisories', () => {
    expect(githubAdvisoriesSource.parse([page('[]')], config)).toEqual({ ok: true, items: [] });
  });
});
