// The reader of Auth0's "Deprecations and Migrations" page, on real captures of the page's source
// (test/fixtures/auth0-tenant/deprecations/, auth0/docs-v2 at five commits) and on every date form the page's history
// shows: entries, anchors, dates read or kept as written, and pages that are not the page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDocDate } from '../../../functions/sources/auth0-deprecations/doc-dates.js';
import { readDeprecationsPage, type PageEntry } from '../../../functions/sources/auth0-deprecations/page.js';

const DIR = join(import.meta.dirname, '../../fixtures/auth0-tenant/deprecations');
const capture = (name: string) => readFileSync(join(DIR, name), 'utf8');
const PAGE = 'https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations';

function entriesOf(markdown: string): readonly PageEntry[] {
  const read = readDeprecationsPage(markdown, PAGE);
  if (!read.ok) throw new Error(read.reason);
  return read.entries;
}

describe('the Deprecations and Migrations page reader', () => {
  it('reads every entry of the real page (2026-08-19) with its title, anchor link and both dates, and not "Learn more"', () => {
    const entries = entriesOf(capture('deprecations-and-migrations.2026-08-19.092f7114e.mdx'));
    expect(entries).toHaveLength(19);
    expect(entries.map((entry) => entry.title)).not.toContain('Learn more');
    expect(entries[0]).toMatchObject({
      id: 'uncapped-user-profile-data',
      title: 'Uncapped User Profile Data',
      url: `${PAGE}#uncapped-user-profile-data`,
      deprecated: { text: 'August 4, 2026', day: '2026-08-04' },
      endOfLife: { text: 'March 4, 2027', day: '2027-03-04' },
    });
    expect(entries[0]!.summary).toMatch(/^Auth0 is introducing a 10KB limit on user profile/);
    // Every entry of this capture has two readable dates.
    expect(entries.every((entry) => entry.deprecated?.day !== undefined && entry.endOfLife?.day !== undefined)).toBe(true);
  });

  it('reads the label forms the page mixes: **Deprecated:**, **End-of-life:**, **End of Life:** and "28th, 2026"', () => {
    const byId = new Map(entriesOf(capture('deprecations-and-migrations.2026-08-19.092f7114e.mdx')).map((entry) => [entry.id, entry]));
    expect(byId.get('multiple-actions-for-custom-phone-and-email-provider-triggers')).toMatchObject({
      deprecated: { day: '2025-06-16' },
      endOfLife: { day: '2025-12-16' },
    });
    expect(byId.get('rules-and-hooks-deprecations')).toMatchObject({
      deprecated: { day: '2023-05-16' },
      endOfLife: { text: 'November 18th, 2026', day: '2026-11-18' },
    });
    expect(byId.get('opt-in-to-wcag-22-aa-compliant-ui-for-universal-login')).toMatchObject({ endOfLife: { text: 'July 31st, 2025', day: '2025-07-31' } });
    expect(byId.get('unconfirmed-login-with-non-verifiable-callback-uri-redirects')).toMatchObject({ endOfLife: { day: '2026-04-28' } });
    // Markup in a heading is not part of the title.
    expect(byId.get('field-fromsandbox-in-authentication-api-error-responses')?.title).toBe('Field fromSandbox in Authentication API Error Responses');
  });

  it('keeps a date the page gets wrong as written, never "correcting" it (an end of life before its deprecation)', () => {
    const jwt = entriesOf(capture('deprecations-and-migrations.2026-08-19.092f7114e.mdx')).find((entry) =>
      entry.id.startsWith('audience-validation'),
    );
    expect(jwt).toMatchObject({ deprecated: { day: '2025-10-06' }, endOfLife: { day: '2025-04-08' } });
  });

  it('keeps an entry whose end of life is "TBA" with its title and the text as written, and no date (2025-10-09 capture)', () => {
    const rules = entriesOf(capture('deprecations-and-migrations.2025-10-09.5da4ef878.mdx')).find((entry) => entry.id === 'rules-and-hooks-deprecations');
    expect(rules).toMatchObject({ title: 'Rules and Hooks Deprecations', deprecated: { day: '2023-05-16' }, endOfLife: { text: 'TBA' } });
    expect(rules?.endOfLife?.day).toBeUndefined();
  });

  it('reads "April 28th , 2026" (a stray space, 2025-10-20 capture) and a page with Windows line endings (2025-09-17 capture) alike', () => {
    const october = entriesOf(capture('deprecations-and-migrations.2025-10-20.fd8ce5185.mdx'));
    expect(october.find((entry) => entry.id.startsWith('unconfirmed-login'))?.endOfLife).toEqual({ text: 'April 28th , 2026', day: '2026-04-28' });
    const crlf = capture('deprecations-and-migrations.2025-09-17.9cde02646.mdx');
    expect(crlf).toContain('\r\n');
    const entries = entriesOf(crlf);
    expect(entries).toHaveLength(14);
    expect(entries.map((entry) => [entry.id, entry.endOfLife?.day ?? entry.endOfLife?.text])).toEqual(
      entriesOf(capture('deprecations-and-migrations.2025-10-09.5da4ef878.mdx')).map((entry) => [entry.id, entry.endOfLife?.day ?? entry.endOfLife?.text]),
    );
  });

  it('reads the shared excerpt (the first four entries of the current page) the same as the full page', () => {
    const excerpt = entriesOf(capture('deprecations-and-migrations.excerpt.md'));
    const full = entriesOf(capture('deprecations-and-migrations.2026-08-19.092f7114e.mdx'));
    expect(excerpt.map(({ id, deprecated, endOfLife }) => ({ id, deprecated, endOfLife }))).toEqual(
      full.slice(0, 4).map(({ id, deprecated, endOfLife }) => ({ id, deprecated, endOfLife })),
    );
  });

  it('reads the served Markdown form: an index blockquote, indented headings, subsections and code fences are not entries', () => {
    const served = [
      '> ## Documentation Index',
      '> Fetch the complete documentation index at: https://auth0.com/docs/llms.txt',
      '',
      '# Deprecations and Migrations',
      '',
      '<div id="weak-tls">',
      '  ## Weak TLS 1.2 Cipher Suites',
      '</div>',
      '',
      '**Deprecated**: December 10, 2025',
      '',
      '**End of life**: June 10, 2026',
      '',
      '### Affected endpoints',
      '',
      '```md',
      '## Not a heading',
      '**Deprecated**: January 1, 2020',
      '```',
      '',
      '## Learn more',
    ].join('\n');
    expect(entriesOf(served).map(({ id, title, endOfLife }) => ({ id, title, endOfLife }))).toEqual([
      { id: 'weak-tls-12-cipher-suites', title: 'Weak TLS 1.2 Cipher Suites', endOfLife: { text: 'June 10, 2026', day: '2026-06-10' } },
    ]);
  });

  it('gives a repeated heading its own anchor, and strips control and bidi characters from titles', () => {
    const page = ['## Legacy \u202eFlow', '**Deprecated**: May 1, 2026', '', '## Legacy Flow', '**End of life**: June 1, 2026'].join('\n');
    expect(entriesOf(page).map(({ id, title }) => ({ id, title }))).toEqual([
      { id: 'legacy-flow', title: 'Legacy Flow' },
      { id: 'legacy-flow-2', title: 'Legacy Flow' },
    ]);
  });

  it('refuses an HTML page (the docs site without its Markdown form) with a reason', () => {
    expect(readDeprecationsPage('<!DOCTYPE html><html><head><title>Deprecations</title></head></html>', PAGE)).toEqual({
      ok: false,
      reason: 'the page came as HTML, not as Markdown',
    });
  });

  it('finds no entries in a page without lifecycle lines (the judge then fails the source)', () => {
    expect(readDeprecationsPage('# Moved\n\n## Learn more\n\nThis page moved.', PAGE)).toEqual({ ok: true, entries: [] });
  });
});

describe('the page\'s dates', () => {
  it.each([
    ['August 4, 2026', '2026-08-04'],
    ['October 28th, 2025', '2025-10-28'],
    ['April 28th , 2026', '2026-04-28'],
    ['July 31st, 2025', '2025-07-31'],
    ['November 22nd, 2026', '2026-11-22'],
    ['May 3rd, 2026', '2026-05-03'],
    ['Sept. 16, 2025', '2025-09-16'],
    ['Dec 9 2025', '2025-12-09'],
    // The page's table form before 2020 (auth0/docs articles/product-lifecycle/migrations.md).
    ['6 June 2018', '2018-06-06'],
    ['2027-03-04', '2027-03-04'],
    ['Tuesday, March 4, 2027', '2027-03-04'],
    ['February 29, 2028', '2028-02-29'],
  ])('reads "%s" as %s', (text, day) => {
    expect(readDocDate(text)).toBe(day);
  });

  it.each(['TBA', 'TBD', 'Q3 2026', 'Mid-2026', 'February 30, 2026', 'February 29, 2027', 'Smarch 3, 2026', 'June 10', '', '2026-13-01'])(
    'does not guess a date from "%s"',
    (text) => {
      expect(readDocDate(text)).toBeUndefined();
    },
  );
});
