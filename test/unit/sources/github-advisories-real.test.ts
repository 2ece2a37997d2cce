// The github-advisories reader on real advisory records for Auth0's packages (github/advisory-database), in the REST
// shape of GET /advisories: a record updated (severity raised), a record withdrawn, and one left alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DiffContext } from '../../../functions/core/diff-items.js';
import type { AdvisoryItem, ParseResult } from '../../../functions/core/model.js';
import type { GithubAdvisoriesSourceConfig } from '../../../functions/sources/github-advisories/config-schema.js';
import { githubAdvisoriesSource } from '../../../functions/sources/github-advisories/plugin.js';
import type { FetchedDocument } from '../../../functions/sources/source.js';
import { playPolls } from '../../support/diff-context.js';

const DIR = '../../fixtures/github-advisories/';
const text = (path: string): string => readFileSync(new URL(`${DIR}${path}`, import.meta.url), 'utf8');
const json = (path: string): unknown => JSON.parse(text(path));

const config: GithubAdvisoriesSourceConfig = {
  id: 'auth0-advisories',
  type: 'github-advisories',
  url: 'https://api.github.com/advisories',
  packages: [
    { ecosystem: 'npm', name: 'jsonwebtoken' },
    { ecosystem: 'npm', name: 'express-openid-connect' },
  ],
};

const PAGE_URL = 'https://api.github.com/advisories?ecosystem=npm&affects=jsonwebtoken,express-openid-connect&per_page=100';

function parsePage(path: string): ParseResult {
  const document: FetchedDocument = { url: PAGE_URL, finalUrl: PAGE_URL, contentType: 'application/json; charset=utf-8', body: text(path) };
  return githubAdvisoriesSource.parse([document], config);
}

function advisories(path: string): Map<string, AdvisoryItem> {
  const result = parsePage(path);
  if (!result.ok) throw new Error(`expected ${path} to parse: ${result.reason}`);
  return new Map((result.items as AdvisoryItem[]).map((item) => [item.itemId, item]));
}

function get(items: Map<string, AdvisoryItem>, id: string): AdvisoryItem {
  const item = items.get(id);
  if (!item) throw new Error(`no advisory ${id}`);
  return item;
}

// ---------------------------------------------------------------------------------------------------------------
// The REST fixtures are conversions of the committed OSV records; this is the conversion, so a fixture edited by
// hand (or an OSV field dropped or invented) fails here. Fields OSV does not carry (cvss score, cwe names, credits,
// epss) are left out of both.

interface OsvRecord {
  id: string;
  modified: string;
  published: string;
  withdrawn?: string;
  aliases?: string[];
  summary: string;
  details: string;
  affected: Array<{
    package: { ecosystem: string; name: string };
    ranges: Array<{ type: string; events: Array<{ introduced?: string; fixed?: string }> }>;
    database_specific?: { last_known_affected_version_range?: string };
  }>;
  references: Array<{ type: string; url: string }>;
  database_specific: { severity: string; github_reviewed?: boolean; github_reviewed_at?: string; nvd_published_at?: string };
}

function versionRange(affected: OsvRecord['affected'][number]): { range: string; fixed: string | null } {
  const events = affected.ranges.filter((r) => r.type === 'ECOSYSTEM').flatMap((r) => r.events);
  const fixed = events.find((e) => e.fixed !== undefined)?.fixed ?? null;
  const lastKnown = affected.database_specific?.last_known_affected_version_range;
  if (lastKnown) return { range: lastKnown, fixed };
  const parts = events.filter((e) => e.introduced !== undefined && e.introduced !== '0').map((e) => `>= ${e.introduced}`);
  if (fixed) parts.push(`< ${fixed}`);
  return { range: parts.join(', '), fixed };
}

function osvToRest(osv: OsvRecord): Record<string, unknown> {
  const ds = osv.database_specific;
  const cves = (osv.aliases ?? []).filter((alias) => alias.startsWith('CVE-'));
  const repoAdvisory = osv.references
    .map((ref) => /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/security\/advisories\/(GHSA-[\w-]+)$/.exec(ref.url))
    .find((match) => match !== null);
  const severity = ds.severity.toLowerCase();
  return {
    ghsa_id: osv.id,
    cve_id: cves[0] ?? null,
    url: `https://api.github.com/advisories/${osv.id}`,
    html_url: `https://github.com/advisories/${osv.id}`,
    repository_advisory_url: repoAdvisory
      ? `https://api.github.com/repos/${repoAdvisory[1]}/${repoAdvisory[2]}/security-advisories/${repoAdvisory[3]}`
      : null,
    summary: osv.summary,
    description: osv.details,
    type: ds.github_reviewed ? 'reviewed' : 'unreviewed',
    severity: severity === 'moderate' ? 'medium' : severity,
    source_code_location: osv.references.find((ref) => ref.type === 'PACKAGE')?.url ?? '',
    identifiers: [{ value: osv.id, type: 'GHSA' }, ...cves.map((cve) => ({ value: cve, type: 'CVE' }))],
    references: osv.references.map((ref) => ref.url),
    published_at: osv.published,
    updated_at: osv.modified,
    github_reviewed_at: ds.github_reviewed_at ?? null,
    nvd_published_at: ds.nvd_published_at ?? null,
    withdrawn_at: osv.withdrawn ?? null,
    vulnerabilities: osv.affected.map((affected) => {
      const { range, fixed } = versionRange(affected);
      return {
        package: { ecosystem: affected.package.ecosystem, name: affected.package.name },
        vulnerable_version_range: range,
        first_patched_version: fixed,
        vulnerable_functions: [],
      };
    }),
  };
}

const BEFORE_OSV = ['GHSA-8cf7-32gw-wr33@6274bf8c.json', 'GHSA-27h2-hvpr-p74q@1a13ad39.json', 'GHSA-7rg2-qxmf-hhx9@c7654e92.json'];
const AFTER_OSV = ['GHSA-8cf7-32gw-wr33@6905620e.json', 'GHSA-27h2-hvpr-p74q@978594ec.json', 'GHSA-7rg2-qxmf-hhx9@c7654e92.json'];

function restPageOf(osvFiles: readonly string[]): unknown {
  return osvFiles
    .map((file) => osvToRest(json(`osv/${file}`) as OsvRecord))
    .sort((a, b) => String(b['published_at']).localeCompare(String(a['published_at'])));
}

describe('github-advisories real fixtures: provenance', () => {
  it('the "before" REST page is exactly the conversion of the three committed OSV records it names', () => {
    expect(json('real-advisories-before.json')).toEqual(restPageOf(BEFORE_OSV));
  });

  it('the "after" REST page is exactly the conversion of the later OSV versions it names', () => {
    expect(json('real-advisories-after.json')).toEqual(restPageOf(AFTER_OSV));
  });
});

describe('github-advisories parse: real records', () => {
  const before = advisories('real-advisories-before.json');
  const after = advisories('real-advisories-after.json');

  it('reads every record of the page, keyed on its GHSA id', () => {
    expect([...before.keys()].sort()).toEqual(['GHSA-27h2-hvpr-p74q', 'GHSA-7rg2-qxmf-hhx9', 'GHSA-8cf7-32gw-wr33']);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  });

  it('maps GitHub severities as published: "medium" (OSV MODERATE) and "high"', () => {
    expect(get(before, 'GHSA-8cf7-32gw-wr33').vendorSeverity).toBe('medium');
    expect(get(before, 'GHSA-7rg2-qxmf-hhx9').vendorSeverity).toBe('medium');
    expect(get(before, 'GHSA-27h2-hvpr-p74q').vendorSeverity).toBe('high');
  });

  it('reads the affected package, its vulnerable range and first patched version', () => {
    expect(get(before, 'GHSA-8cf7-32gw-wr33').packages).toEqual([
      { ecosystem: 'npm', name: 'jsonwebtoken', vulnerableRange: '<= 8.5.1', firstPatchedVersion: '9.0.0' },
    ]);
    expect(get(before, 'GHSA-7rg2-qxmf-hhx9').packages).toEqual([
      { ecosystem: 'npm', name: 'express-openid-connect', vulnerableRange: '>= 2.3.0, < 2.5.2', firstPatchedVersion: '2.5.2' },
    ]);
  });

  it('keeps the CVE id, the advisory page URL, and the publication and update times', () => {
    const item = get(before, 'GHSA-7rg2-qxmf-hhx9');
    expect(item.cveId).toBe('CVE-2021-41246');
    expect(item.url).toBe('https://github.com/advisories/GHSA-7rg2-qxmf-hhx9');
    expect(item.title).toBe('Session fixation in express-openid-connect');
    expect(item.publishedAt).toBe('2021-12-09T19:08:58.000Z');
    expect(item.updatedAt).toBe('2021-12-15T15:28:49.000Z');
  });

  it('trims the trailing space GitHub left in a real summary', () => {
    expect((json('real-advisories-before.json') as Array<{ summary: string }>)[0]!.summary).toMatch(/usage $/);
    expect(get(before, 'GHSA-8cf7-32gw-wr33').title).toBe('jsonwebtoken unrestricted key type could lead to legacy keys usage');
  });

  it('turns the Markdown description into plain text: no heading marks or backticks, link text kept', () => {
    const description = get(before, 'GHSA-27h2-hvpr-p74q').text;
    expect(description).toContain('Overview');
    expect(description).toContain('readme link');
    expect(description).not.toMatch(/^#|\n#|`/);
    expect(description).not.toContain('](https://');
  });

  it('sees the real severity raise of GHSA-8cf7-32gw-wr33: medium before, high after, with a later updated_at', () => {
    const was = get(before, 'GHSA-8cf7-32gw-wr33');
    const now = get(after, 'GHSA-8cf7-32gw-wr33');
    expect([was.vendorSeverity, now.vendorSeverity]).toEqual(['medium', 'high']);
    expect(was.updatedAt).toBe('2022-12-23T00:39:12.000Z');
    expect(now.updatedAt).toBe('2024-06-24T21:23:38.000Z');
    expect(now.withdrawnAt).toBeUndefined();
  });

  it('sees the real withdrawal of GHSA-27h2-hvpr-p74q (CVE-2022-23529): no withdrawn_at before, its date after', () => {
    expect(get(before, 'GHSA-27h2-hvpr-p74q').withdrawnAt).toBeUndefined();
    expect(get(after, 'GHSA-27h2-hvpr-p74q').withdrawnAt).toBe('2023-01-27T21:51:55.000Z');
    expect(get(after, 'GHSA-27h2-hvpr-p74q').text).toContain('the calling code, and not in the library itself');
  });

  it('reads a record left unchanged between the two pages into the same item', () => {
    expect(get(after, 'GHSA-7rg2-qxmf-hhx9')).toEqual(get(before, 'GHSA-7rg2-qxmf-hhx9'));
  });

  it('fails the page, naming the record, when a real record loses its ghsa_id', () => {
    const page = json('real-advisories-before.json') as Array<Record<string, unknown>>;
    delete page[1]!['ghsa_id'];
    const document: FetchedDocument = { url: PAGE_URL, finalUrl: PAGE_URL, contentType: 'application/json', body: JSON.stringify(page) };
    const result = githubAdvisoriesSource.parse([document], config);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/advisory record 1 of page 1 \(https:\/\/api\.github\.com\/advisories\?.*\) has no ghsa_id/) });
  });
});

describe('github-advisories diff: the real before/after pages', () => {
  const SOURCE = {
    id: 'auth0-advisories',
    type: 'github-advisories',
    vendor: 'Auth0',
    url: 'https://api.github.com/advisories',
  } as const;
  const ctx = (now: string, baseline = false): DiffContext => ({ source: SOURCE, baseline, now: new Date(now), trackResolvedDays: 60 });
  const items = (path: string): AdvisoryItem[] => [...advisories(path).values()];

  it('announces nothing on the baseline poll, then one advisory.updated for the severity raise and one advisory.withdrawn', () => {
    const [first, second] = playPolls([
      { ctx: ctx('2023-01-12T00:00:00Z', true), items: items('real-advisories-before.json') },
      { ctx: ctx('2024-06-25T00:00:00Z'), items: items('real-advisories-after.json') },
    ]);
    expect(first!.events).toEqual([]);
    expect(second!.events.map((event) => [event.type, event.itemId]).sort()).toEqual([
      ['advisory.updated', 'GHSA-8cf7-32gw-wr33'],
      ['advisory.withdrawn', 'GHSA-27h2-hvpr-p74q'],
    ]);
    const updated = second!.events.find((event) => event.type === 'advisory.updated')!;
    expect(updated.severity).toBe('major');
    expect(updated.summary).toMatch(/^high severity advisory affecting jsonwebtoken \(CVE-2022-23539\)/);
    const withdrawn = second!.events.find((event) => event.type === 'advisory.withdrawn')!;
    expect(withdrawn.occurredAt).toBe('2023-01-27T21:51:55.000Z');
  });

  it('announces each real advisory once when first seen after the baseline, and the withdrawn one not at all', () => {
    const [outcome] = playPolls([{ ctx: ctx('2024-06-25T00:00:00Z'), items: items('real-advisories-after.json') }]);
    expect(outcome!.events.map((event) => [event.type, event.itemId]).sort()).toEqual([
      ['advisory.published', 'GHSA-7rg2-qxmf-hhx9'],
      ['advisory.published', 'GHSA-8cf7-32gw-wr33'],
    ]);
  });
});
