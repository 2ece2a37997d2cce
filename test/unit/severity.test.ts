// The default severity of an incident by its wording, on real incidents of Auth0's and GitHub's status pages and on the
// wording on-call must hear about first; the vendor's own rating, maintenance, change log and advisories keep theirs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultSeverity, incidentSeverity } from '../../functions/core/diff-severity.js';
import type { IncidentItem, Severity } from '../../functions/core/model.js';

interface WordingRow {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly updates: readonly string[];
  readonly expected: Severity;
  readonly knownMiss?: string;
}

const table = JSON.parse(readFileSync(new URL('../fixtures/severity/incident-wording.json', import.meta.url), 'utf8')) as {
  readonly auth0: readonly WordingRow[];
  readonly github: readonly WordingRow[];
};

const incident = (title: string, ...texts: string[]): IncidentItem => ({
  kind: 'incident',
  itemId: 'x',
  title,
  url: 'https://status.example/incidents/x',
  updates: texts.map((text, index) => ({ label: 'Investigating', at: `2026-10-06T10:${String(10 + index)}:00Z`, text })),
  regions: [],
});

const severityOf = (row: WordingRow) => incidentSeverity(incident(row.title, ...row.updates));

describe('default incident severity on real wording', () => {
  it.each(table.auth0.filter((row) => !row.knownMiss).map((row) => [row.title, row] as const))('Auth0: "%s"', (_title, row) => {
    expect(severityOf(row)).toBe(row.expected);
  });

  it.each(table.github.filter((row) => !row.knownMiss).map((row) => [row.id, row.title, row] as const))(
    'GitHub %s: "%s"',
    (_id, _title, row) => {
      expect(severityOf(row)).toBe(row.expected);
    },
  );

  it('still gets the rows it is known to get wrong wrong (the table says so, and says why)', () => {
    const misses = [...table.auth0, ...table.github].filter((row) => row.knownMiss);
    expect(misses.map((row) => row.id)).toEqual(['vt61qk2xqysz', 'rb719z1knkm7']);
    for (const row of misses) expect(severityOf(row), row.id).not.toBe(row.expected);
  });

  it('rates every real Auth0 incident about logins, authentication or MFA critical', () => {
    const critical = table.auth0.filter((row) => !row.knownMiss && severityOf(row) === 'critical').map((row) => row.id);
    expect(critical).toEqual([
      'rb4z1181bd4z',
      'tf6886gf5htv',
      'b6jwvpxb300t',
      'w9w498gx65zg',
      'mdvjz43ydzb9',
      'j6p14hm4yfzh',
      'x3tjpmltk5w5',
      '9mvhy0f1fdcw',
    ]);
  });
});

describe('default incident severity on the wording on-call must hear about first', () => {
  it.each([
    ['Elevated error rates for User Authentication in US-1'],
    ['Investigating authentication failures'],
    ['Login failures in EU-1'],
    ['Some users see errors when logging in'],
    ['Increased errors for MFA'],
    ['Token issuance delays'],
    ['Token issuance failures for Machine-to-Machine applications'],
    ['Elevated errors on sign-ups'],
    ['Users unable to log in'],
    ['Service outage in US-1'],
    ['Management API unavailable'],
  ])('"%s" is critical', (title) => {
    expect(incidentSeverity(incident(title))).toBe('critical');
  });

  it('reads the update text too, a sentence at a time', () => {
    expect(incidentSeverity(incident('Elevated Errors in US-1', 'We are investigating elevated error rates for User Authentication in US-1 Production.'))).toBe(
      'critical',
    );
    // Errors in one sentence, authentication named in another that says it was spared.
    expect(incidentSeverity(incident('Management API errors', 'We are investigating errors. Authentication is not affected.'))).toBe('major');
  });

  it.each([
    ['Dashboard delays', 'A small number of customers may see delays in the dashboard.'],
    ['Investigating reports of slowness in Management API docs', 'We are looking into it.'],
    ['Increased latency for logins', 'Logins are slower than usual.'],
    ['Delays in tenant logs', 'We have tracked down the cause and are slowing down the replay.'],
    ['Management API errors', 'Logins are not affected; no customer impact on authentication.'],
    ['Scheduled maintenance of the login service', 'Logins will be unavailable between 04:00 and 04:05 UTC.'],
    ['Database maintenance in EU-1', 'No downtime is expected.'],
  ])('"%s" is not critical', (title, text) => {
    expect(incidentSeverity(incident(title, text))).toBe('major');
  });
});

describe('the default severity of other items', () => {
  it('takes the vendor’s own impact rating where the format has one, over the wording', () => {
    expect(defaultSeverity({ ...incident('Login failures'), impact: 'minor' })).toBe('minor');
  });

  it('rates maintenance info whatever it says', () => {
    expect(defaultSeverity({ ...incident('Login outage during maintenance'), kind: 'maintenance' })).toBe('info');
  });
});
