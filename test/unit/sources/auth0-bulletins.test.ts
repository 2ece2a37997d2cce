import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Auth0BulletinsSourceConfig } from '../../../functions/config/config.js';
import type { AdvisoryItem, ParseResult } from '../../../functions/core/model.js';
import { auth0BulletinsSource } from '../../../functions/sources/auth0-bulletins.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

const config: Auth0BulletinsSourceConfig = {
  id: 'auth0-bulletins',
  type: 'auth0-bulletins',
  url: 'https://auth0.com/docs/secure/security-guidance/security-bulletins.md',
};

const REDIRECT_TARGET = 'https://auth0.com/docs/secure/security-guidance.md';

function parseFixture(path: string, finalUrl = config.url): ParseResult {
  return auth0BulletinsSource.parse([{ url: config.url, finalUrl, contentType: 'text/markdown', body: fixture(path) }], config);
}

function bulletins(path: string): AdvisoryItem[] {
  const result = parseFixture(path);
  if (!result.ok) throw new Error(`expected ${path} to parse: ${result.reason}`);
  return result.items as AdvisoryItem[];
}

describe('auth0-bulletins requests', () => {
  it('fetches the configured page as Markdown, once', () => {
    expect(auth0BulletinsSource.requests(config)).toEqual([{ url: config.url, expect: 'markdown' }]);
  });
});

describe('auth0-bulletins parse', () => {
  const items = bulletins('auth0-bulletins/bulletins-index.md');

  it('reads one advisory per table row, keyed on the absolute bulletin link', () => {
    expect(items.map((item) => item.itemId)).toEqual([
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/2022-12-21-jsonwebtoken',
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2022-23505',
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2022-24794',
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2021-43812',
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2021-41246',
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2021-32702',
      'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2021-32641',
    ]);
  });

  it('reads the date as UTC midnight, the CVE when the number cell has one, and the affected software', () => {
    expect(items[2]).toEqual({
      kind: 'advisory',
      itemId: 'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2022-24794',
      title: 'Security Update for Express OpenID Connect Library',
      url: 'https://auth0.com/docs/secure/security-guidance/security-bulletins/cve-2022-24794',
      publishedAt: '2022-03-30T00:00:00.000Z',
      vendorSeverity: 'unknown',
      cveId: 'CVE-2022-24794',
      packages: [{ ecosystem: 'other', name: 'express-openid-connect' }],
      text: 'Security Update for Express OpenID Connect Library',
    });
    expect(items[0]).toMatchObject({ publishedAt: '2022-12-21T00:00:00.000Z', packages: [{ ecosystem: 'other', name: 'node-jsonwebtoken' }] });
    expect(items[0] && 'cveId' in items[0]).toBe(false);
    expect(items[6]?.publishedAt).toBe('2021-06-04T00:00:00.000Z');
  });

  it('decodes &lt; &gt; in titles', () => {
    expect(items[3]?.title).toBe('Security Update for Next.js Auth0 Library <=1.6.1');
    expect(items[4]?.title).toBe('Security Update for Express OpenID Connect >= 2.3.0, <= 2.5.1');
  });

  it('sees a new row in the changed page', () => {
    const changed = bulletins('auth0-bulletins/bulletins-index-new-row.md');
    expect(changed.slice(1)).toEqual(items);
    expect(changed[0]).toMatchObject({
      itemId: 'https://auth0.com/docs/secure/security-guidance/security-bulletins/2023-01-10-express-jwt',
      title: 'Auth0 security bulletin for express-jwt <= 7.7.7',
      publishedAt: '2023-01-10T00:00:00.000Z',
      packages: [{ ecosystem: 'other', name: 'express-jwt' }],
    });
  });

  it('reports the page broken after the redirect to the security guidance page', () => {
    expect(parseFixture('auth0-bulletins/security-guidance.md', REDIRECT_TARGET)).toEqual({
      ok: false,
      reason: `page no longer lists bulletins (no bulletin table found) after redirect to ${REDIRECT_TARGET}`,
    });
  });

  it('reports the page broken when the table is gone without a redirect', () => {
    expect(parseFixture('auth0-bulletins/security-guidance.md')).toEqual({
      ok: false,
      reason: 'page no longer lists bulletins (no bulletin table found)',
    });
  });

  it('reports an empty bulletin table as broken, not as "no bulletins"', () => {
    expect(parseFixture('auth0-bulletins/bulletins-index-empty-table.md')).toEqual({
      ok: false,
      reason: 'page no longer lists bulletins (no bulletin table found)',
    });
  });

  it('fails, naming the row, on a date it cannot read', () => {
    const body = fixture('auth0-bulletins/bulletins-index.md').replace('| March 30, 2022 |', '| 2022-03-30 |');
    expect(auth0BulletinsSource.parse([{ url: config.url, finalUrl: config.url, contentType: 'text/markdown', body }], config)).toEqual({
      ok: false,
      reason: 'bulletin table row 3 has an unreadable date "2022-03-30" (expected like "December 21, 2022")',
    });
  });
});
