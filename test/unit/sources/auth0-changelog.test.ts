import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Auth0ChangelogSourceConfig } from '../../../functions/sources/auth0-changelog/config-schema.js';
import { ATTENTION_CHANGE_TYPES, type ChangeType, type ChangelogItem, type ParseResult } from '../../../functions/core/model.js';
import { auth0ChangelogSource } from '../../../functions/sources/auth0-changelog/plugin.js';
import { classifyChangeType } from '../../../functions/sources/auth0-changelog/reader.js';
import { markdownToText } from '../../../functions/sources/formats/html-text.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

const config: Auth0ChangelogSourceConfig = {
  id: 'auth0-changelog',
  type: 'auth0-changelog',
  url: 'https://auth0.com/changelog/rss.xml',
};

interface Entry {
  readonly id: string;
  readonly type: ChangeType;
  readonly title: string;
  readonly description: string;
}

const entries = JSON.parse(fixture('auth0-changelog/entries.json')) as Entry[];

function parseFixture(path: string): ParseResult {
  const document: FetchedDocument = {
    url: config.url,
    finalUrl: config.url,
    contentType: 'application/rss+xml',
    body: fixture(path),
  };
  return auth0ChangelogSource.parse([document], config);
}

function changelogItems(path: string): ChangelogItem[] {
  const result = parseFixture(path);
  if (!result.ok) throw new Error(`expected ${path} to parse: ${result.reason}`);
  return result.items as ChangelogItem[];
}

describe('auth0-changelog requests', () => {
  it('fetches the configured RSS feed as XML, once', () => {
    expect(auth0ChangelogSource.requests(config)).toEqual([{ url: 'https://auth0.com/changelog/rss.xml', expect: 'xml' }]);
  });
});

describe('auth0-changelog parse', () => {
  const items = changelogItems('auth0-changelog/rss.xml');

  it('keys entries on the guid and uses it as the URL, not the feed-URL <link>', () => {
    expect(items.map((item) => item.itemId)).toEqual(entries.map((entry) => `https://auth0.com/changelog#${entry.id}`));
    expect(items.every((item) => item.url === item.itemId)).toBe(true);
  });

  it('reads title, publication date and the description as plain text', () => {
    expect(items[6]).toEqual({
      kind: 'changelog',
      itemId: 'https://auth0.com/changelog#1uSq2TFMlabQdziQ5Bq0Eh',
      title: 'Device Credentials API: Remove unused response field',
      url: 'https://auth0.com/changelog#1uSq2TFMlabQdziQ5Bq0Eh',
      publishedAt: '2022-05-05T00:00:00.000Z',
      changeType: 'removed',
      changeTypeFrom: 'classified',
      text: 'The device credentials management API (Auth0 Management API v2 (https://auth0.com/docs/api/management/v2#!/Device_Credentials/get_device_credentials)) was returning an undocumented field last_used. This field has now been removed from the API response.',
    });
    expect(items[1]?.text).toMatch(/^We're excited to announce that Refresh Token Metadata is now Generally Available/);
    expect(items[1]?.text).toContain("\n\nWhat's included in the feature\n\n");
  });

  it('classifies entries when the feed carries no category', () => {
    expect(items.map((item) => [item.changeType, item.changeTypeFrom])).toEqual([
      ['updated', 'classified'],
      ['updated', 'classified'],
      ['fixed', 'classified'],
      ['deprecated', 'classified'],
      ['upcoming-deprecation', 'classified'],
      ['changed', 'classified'],
      ['removed', 'classified'],
    ]);
  });

  it('takes the change type from <category> when it names one', () => {
    const withCategory = changelogItems('auth0-changelog/rss-with-category.xml');
    expect(withCategory.map((item) => [item.changeType, item.changeTypeFrom])).toEqual(
      entries.map((entry) => [entry.type, 'feed']),
    );
  });

  it('sees a new deprecation entry on top of the changed feed', () => {
    const changed = changelogItems('auth0-changelog/rss-new-entry.xml');
    expect(changed.slice(1)).toEqual(items);
    expect(changed[0]).toMatchObject({
      itemId: 'https://auth0.com/changelog#4kQv8ZrN2pXe7LmWs1TgHc',
      title: 'Deprecation of the Node 18 Runtime for Actions',
      publishedAt: '2026-09-14T00:00:00.000Z',
      changeType: 'deprecated',
      changeTypeFrom: 'classified',
    });
    expect(changed[0]?.text).toContain('The Node 18 runtime for Actions (https://auth0.com/docs/customize/actions) is now deprecated');
  });

  it('fails on an HTML page, naming its root element', () => {
    expect(parseFixture('auth0-changelog/not-rss.html')).toEqual({
      ok: false,
      reason: 'not an RSS 2.0 feed (root element <html>)',
    });
  });

  it('fails on an Atom feed: the change log is RSS only', () => {
    const result = auth0ChangelogSource.parse(
      [{ url: config.url, finalUrl: config.url, contentType: 'application/atom+xml', body: fixture('auth0-status/feed.atom') }],
      config,
    );
    expect(result).toEqual({ ok: false, reason: 'not an RSS 2.0 feed (root element <feed>)' });
  });

  it('leaves out and reports an item without a guid, and reads the others', () => {
    const full = fixture('auth0-changelog/rss.xml');
    const body = full.replace('<guid isPermaLink="true">https://auth0.com/changelog#20FMZ1MYg5HlOYzM1fwZux</guid>', '');
    const doc = (text: string) => [{ url: config.url, finalUrl: config.url, contentType: 'application/rss+xml', body: text }];
    const all = auth0ChangelogSource.parse(doc(full), config);
    const result = auth0ChangelogSource.parse(doc(body), config);
    if (!all.ok || !result.ok) throw new Error('expected both feeds to parse');
    expect(result.skipped).toEqual(['item "Fix for Empty login_hint Parameter on External Identity Providers Requests" has no <guid> to key it on']);
    expect(result.items.map((item) => item.itemId)).toEqual(
      all.items.map((item) => item.itemId).filter((id) => id !== 'https://auth0.com/changelog#20FMZ1MYg5HlOYzM1fwZux'),
    );
    expect(result.items.length).toBe(all.items.length - 1);
  });

  it('fails a feed whose every item lacks a guid, rather than reading it as empty', () => {
    const body = fixture('auth0-changelog/rss.xml').replace(/<guid[^>]*>[^<]*<\/guid>/g, '');
    const result = auth0ChangelogSource.parse([{ url: config.url, finalUrl: config.url, contentType: 'application/rss+xml', body }], config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^every entry was left out: item ".*" has no <guid> to key it on$/);
  });
});

describe('classifyChangeType', () => {
  const results = entries.map((entry) => ({
    entry,
    classified: classifyChangeType(entry.title, markdownToText(entry.description)),
  }));

  it.each(entries.filter((entry) => ATTENTION_CHANGE_TYPES.includes(entry.type)).map((entry) => [entry.type, entry.title]))(
    'gets the attention type %s right for the real entry "%s"',
    (type, title) => {
      expect(results.find((result) => result.entry.title === title)?.classified).toBe(type);
    },
  );

  it('classifies at least 6 of the 7 real entries right (an "added" GA launch reads as "updated")', () => {
    const right = results.filter((result) => result.classified === result.entry.type);
    expect(right.length).toBeGreaterThanOrEqual(6);
    expect(results.filter((result) => result.classified !== result.entry.type).map((result) => result.entry.id)).toEqual([
      '6aN3hsgrdNAaAdXwAOMpAk',
    ]);
  });

  it.each<[string, string, ChangeType]>([
    ['Legacy Lock widget will be removed on March 1', '', 'upcoming-deprecation'],
    ['TLS 1.0 support', 'We will remove support for TLS 1.0 after June 30.', 'upcoming-deprecation'],
    ['Management API v1', 'The v1 endpoints will no longer accept requests.', 'upcoming-deprecation'],
    ['Rules have been removed', '', 'removed'],
    ['Classic Universal Login page templates', 'These templates are no longer available.', 'removed'],
    ['End of life for Node 16 in Actions', '', 'deprecated'],
    ['Rules and Hooks are deprecated', '', 'deprecated'],
    ['Behavior change for silent authentication', '', 'changed'],
    ['Password reset', 'The reset flow now requires a verified email address.', 'changed'],
    ['Session cookie', 'We fixed a bug where sessions expired early.', 'fixed'],
    ['Improved log search performance', '', 'updated'],
    ['Passkeys for B2B', 'You can now enroll passkeys in organizations.', 'added'],
  ])('classifies "%s" / "%s" as %s', (title, text, type) => {
    expect(classifyChangeType(title, text)).toBe(type);
  });

  it('ignores words inside URLs', () => {
    expect(classifyChangeType('New dashboard view', 'See https://auth0.com/docs/remove-users for details.')).toBe('added');
  });
});
