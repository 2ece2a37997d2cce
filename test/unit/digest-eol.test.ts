// The digest lists every end of life of the next 90 days on Auth0's Deprecations and Migrations page, read from the
// auth0-deprecations probe's stored state (whatever the period's events), soonest first, with the entries whose end of
// life is given in words; on the real page of 2026-08-19 and of 2025-10-09 (test/fixtures/auth0-tenant/deprecations/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import { endsOfLifeAhead } from '../../functions/core/deprecations/countdown.js';
import { renderDigest } from '../../functions/core/digest.js';
import type { Logger } from '../../functions/core/ports.js';
import { EMPTY_SOURCE_STATE } from '../../functions/core/tracked.js';
import { makeRunDigest, type DigestMessage } from '../../functions/digest/run-digest.js';
import type { ProbeSourceState } from '../../functions/probe/run-probe.js';
import { judgeDeprecations } from '../../functions/sources/auth0-deprecations/judge.js';
import { readDeprecationsPage } from '../../functions/sources/auth0-deprecations/page.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { memoryDigestStore } from '../support/memory-digest-store.js';

const DIR = join(import.meta.dirname, '../fixtures/auth0-tenant/deprecations');
const PAGE = 'https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The probe's state after reading a capture at `at`. */
function probeStateOf(file: string, at: string): Record<string, unknown> {
  const read = readDeprecationsPage(readFileSync(join(DIR, file), 'utf8'), PAGE);
  if (!read.ok) throw new Error(read.reason);
  const source = { id: 'auth0-deprecations', type: 'auth0-deprecations', vendor: 'Auth0', url: PAGE };
  return judgeDeprecations(read.entries, undefined, { source, now: new Date(at), url: `${PAGE}.md` }).state;
}

describe('ends of life in the digest', () => {
  it('lists the ends of life within 90 days of now, soonest first, none passed and none beyond', () => {
    const state = probeStateOf('deprecations-and-migrations.2026-08-19.092f7114e.mdx', '2026-08-20T00:00:00Z');
    const { upcoming } = endsOfLifeAhead(state, new Date('2026-08-30T08:00:00Z'));
    expect(upcoming.map((entry) => [entry.endOfLife, entry.daysLeft, entry.itemId])).toEqual([
      ['2026-10-23', 54, 'enhanced-security-for-third-party-applications'],
      ['2026-11-18', 80, 'rules-and-hooks-deprecations'],
    ]);
    expect(endsOfLifeAhead({ entries: 'garbled' }, new Date())).toEqual({ upcoming: [], unreadable: [] });
  });

  it('puts the list in the digest sent by the digest use case, read from the probe state stored on the source record', async () => {
    const states = inMemoryStateStore();
    const record: ProbeSourceState = {
      ...EMPTY_SOURCE_STATE,
      lastSuccessAt: '2026-08-30T04:00:00Z',
      probe: probeStateOf('deprecations-and-migrations.2026-08-19.092f7114e.mdx', '2026-08-20T00:00:00Z'),
    };
    await states.store.putSource('auth0-deprecations', record, { expectedVersion: undefined });
    const digests = memoryDigestStore();
    const sent: DigestMessage[] = [];
    const source = { id: 'auth0-deprecations', type: 'auth0-deprecations', url: PAGE } as unknown as SourceConfig;
    const outcome = await makeRunDigest({
      digestStore: digests.store,
      stateStore: digests.sharingEventLog(states.store),
      publisher: { publish: async (digest) => void sent.push(digest) },
      clock: { now: () => new Date('2026-08-30T08:00:00Z') },
      logger: quiet,
      sources: [source],
      digest: digestSchema.parse({}),
    })();
    expect(outcome.outcome).toBe('sent');
    const text = sent[0]!.text;
    const section = text.slice(text.indexOf('ENDS OF LIFE'), text.indexOf('\n\n', text.indexOf('ENDS OF LIFE')));
    expect(section).toBe(
      [
        'ENDS OF LIFE IN THE NEXT 90 DAYS (2)',
        '  - 2026-10-23 (in 54 days): Enhanced Security for Third-Party Applications',
        '    deprecated 2026-04-23',
        `    ${PAGE}#enhanced-security-for-third-party-applications`,
        '  - 2026-11-18 (in 80 days): Rules and Hooks Deprecations',
        '    deprecated 2023-05-16',
        `    ${PAGE}#rules-and-hooks-deprecations`,
      ].join('\n'),
    );
  });

  it('lists an end of life given in words apart, and says "None" when nothing ends within 90 days', () => {
    const state = probeStateOf('deprecations-and-migrations.2025-10-09.5da4ef878.mdx', '2025-10-10T00:00:00Z');
    const base = {
      frequency: 'daily' as const,
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z',
      generatedAt: '2026-01-02T00:10:00Z',
      timeZone: 'UTC',
      events: [],
      openItems: [],
      rcaOwed: [],
      sources: [],
    };
    const ahead = endsOfLifeAhead(state, new Date('2026-01-02T00:10:00Z'));
    const text = renderDigest({
      ...base,
      endsOfLife: {
        upcoming: ahead.upcoming.map((entry) => ({ source: 'auth0-deprecations', ...entry })),
        unreadable: ahead.unreadable.map((entry) => ({ source: 'auth0-deprecations', ...entry })),
      },
    }).text;
    expect(text).toContain(
      [
        'ENDS OF LIFE IN THE NEXT 90 DAYS (0)',
        "  None on Auth0's Deprecations and Migrations page.",
        '  End of life not given as a date (1):',
        '  - Rules and Hooks Deprecations: "TBA"',
        `    ${PAGE}#rules-and-hooks-deprecations`,
      ].join('\n'),
    );
    // Without an auth0-deprecations source the digest has no such section.
    expect(renderDigest(base).text).not.toContain('ENDS OF LIFE');
  });

  it("names the period's end-of-life warning in the change log by what happened, not as a change-log entry", () => {
    const read = readDeprecationsPage(readFileSync(join(DIR, 'deprecations-and-migrations.2026-08-19.092f7114e.mdx'), 'utf8'), PAGE);
    if (!read.ok) throw new Error(read.reason);
    const source = { id: 'auth0-deprecations', type: 'auth0-deprecations', vendor: 'Auth0', url: PAGE };
    const { events } = judgeDeprecations(read.entries, undefined, { source, now: new Date('2026-05-21T09:00:00Z'), url: `${PAGE}.md` });
    const text = renderDigest({
      frequency: 'daily',
      from: '2026-05-21T00:00:00Z',
      to: '2026-05-22T00:00:00Z',
      generatedAt: '2026-05-22T00:10:00Z',
      timeZone: 'UTC',
      events,
      openItems: [],
      rcaOwed: [],
      sources: [],
    }).text;
    expect(text).toContain('  - [end of life approaching] Weak TLS 1.2 Cipher Suites\n');
    expect(text).not.toContain('[entry]');
  });
});
