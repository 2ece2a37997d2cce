// Deprecation notices still active in the digest's YOUR TENANT section: read from each tenant-log source's detector
// state (a feature last seen less than `silenceDays` ago), whenever it was announced, beside the period's own
// announcements; on the real depnote log and a reconstructed one (test/fixtures/auth0-tenant/log-events.samples.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import { renderDigest } from '../../functions/core/digest.js';
import type { TenantDeprecation } from '../../functions/core/digest-tenant.js';
import type { Logger } from '../../functions/core/ports.js';
import {
  activeDeprecations,
  DEFAULT_TENANT_DETECTOR_SETTINGS,
  detectTenantLogs,
  tenantDetectorSettings,
  type TenantDetectorState,
  type TenantLogRecord,
} from '../../functions/core/tenant/index.js';
import { EMPTY_SOURCE_STATE } from '../../functions/core/tracked.js';
import { makeRunDigest, type DigestMessage } from '../../functions/digest/run-digest.js';
import type { StreamSourceState } from '../../functions/stream/poll-stream.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { memoryDigestStore } from '../support/memory-digest-store.js';

const SAMPLES = (
  JSON.parse(readFileSync(new URL('../fixtures/auth0-tenant/log-events.samples.json', import.meta.url), 'utf8')) as {
    samples: Record<string, Array<{ provenance: string; event: TenantLogRecord }>>;
  }
).samples;
/** Real: legacy_custom_claims, client redacted `****` by Auth0's docs. */
const REAL = SAMPLES['depnote']![0]!;
/** Reconstructed: legacy_connection_enabled_clients, client terraform-ci. */
const TERRAFORM = SAMPLES['depnote']![1]!.event;

let sequence = 0;
const logAt = (template: TenantLogRecord, iso: string, overrides: Record<string, unknown> = {}): TenantLogRecord => {
  sequence += 1;
  return { ...template, log_id: `900${iso.replace(/[-:T]/g, '').slice(0, 14)}${String(sequence).padStart(39, '0')}`, date: iso, ...overrides };
};

const SOURCE = { id: 'acme-logs', type: 'auth0-tenant-logs', vendor: 'Auth0', url: 'https://acme-prod.us.auth0.com' };
/** The detector state after reading `logs` (one page) at `now`. */
const stateAfter = (logs: readonly TenantLogRecord[], now: string, previous?: TenantDetectorState): TenantDetectorState =>
  detectTenantLogs(previous, logs, { source: SOURCE, now: new Date(now), settings: DEFAULT_TENANT_DETECTOR_SETTINGS }).state;

describe('activeDeprecations: the notices still active in a detector state', () => {
  it('lists feature, client, announcement, last sighting and count, most recently seen first, from the real depnote log', () => {
    expect(REAL.provenance).toBe('real');
    const state = stateAfter(
      [
        logAt(REAL.event, '2026-12-01T00:10:00.000Z'),
        logAt(TERRAFORM, '2026-12-01T00:20:00.000Z'),
        logAt(REAL.event, '2026-12-01T05:10:00.000Z'),
        logAt(REAL.event, '2026-12-03T05:10:00.000Z'),
      ],
      '2026-12-03T06:00:00Z',
    );
    expect(activeDeprecations(state, new Date('2026-12-10T00:00:00Z'), DEFAULT_TENANT_DETECTOR_SETTINGS)).toEqual([
      {
        key: 'depnote:legacy_custom_claims:****',
        feature: { id: 'legacy_custom_claims', name: 'Custom claims must be namespaced when they are added through rules / actions / hooks.' },
        clientId: '****',
        clientName: '****',
        announcedAt: '2026-12-01T00:10:00.000Z',
        lastSeenAt: '2026-12-03T05:10:00.000Z',
        count: 3,
      },
      {
        key: 'depnote:legacy_connection_enabled_clients:Xk2mTerraformCiClient00000000007',
        feature: { id: 'legacy_connection_enabled_clients', name: "Legacy Management of Connection's Enabled Clients" },
        clientId: 'Xk2mTerraformCiClient00000000007',
        clientName: 'terraform-ci',
        announcedAt: '2026-12-01T00:20:00.000Z',
        lastSeenAt: '2026-12-01T00:20:00.000Z',
        count: 1,
      },
    ]);
  });

  it('drops a notice last seen silenceDays or more before now, by the default or the configured silence', () => {
    const state = stateAfter([logAt(REAL.event, '2026-12-01T00:00:00.000Z')], '2026-12-01T00:05:00Z');
    const keys = (now: string, settings = DEFAULT_TENANT_DETECTOR_SETTINGS) =>
      activeDeprecations(state, new Date(now), settings).map((notice) => notice.key);
    expect(keys('2026-12-30T23:59:59Z')).toEqual(['depnote:legacy_custom_claims:****']);
    expect(keys('2026-12-31T00:00:00Z')).toEqual([]);
    const week = tenantDetectorSettings({ deprecations: { silenceDays: 7 } });
    expect(keys('2026-12-07T23:00:00Z', week)).toEqual(['depnote:legacy_custom_claims:****']);
    expect(keys('2026-12-08T00:00:00Z', week)).toEqual([]);
  });

  it('reads feature and client from the key where the state kept only the times, and passes over what it cannot read', () => {
    const last = Date.parse('2026-12-01T00:00:00Z');
    const state = {
      v: 1,
      episodes: {},
      logins: {},
      deprecations: {
        'depnote:ns:legacy:feature:tenant': { announced: last - 1000, last },
        'depnote:legacy_custom_claims:Xk2mClient': { announced: last, last },
        'not-a-deprecation-key': { announced: last, last },
        'depnote:no_time:tenant': { announced: last },
        'depnote:null_entry:tenant': null,
      },
    } as unknown as TenantDetectorState;
    const active = activeDeprecations(state, new Date('2026-12-02T00:00:00Z'), DEFAULT_TENANT_DETECTOR_SETTINGS);
    expect(active).toEqual([
      { key: 'depnote:legacy_custom_claims:Xk2mClient', feature: { id: 'legacy_custom_claims' }, clientId: 'Xk2mClient', announcedAt: '2026-12-01T00:00:00.000Z', lastSeenAt: '2026-12-01T00:00:00.000Z' },
      { key: 'depnote:ns:legacy:feature:tenant', feature: { id: 'ns:legacy:feature' }, announcedAt: '2026-11-30T23:59:59.000Z', lastSeenAt: '2026-12-01T00:00:00.000Z' },
    ]);
    expect(activeDeprecations(undefined, new Date(), DEFAULT_TENANT_DETECTOR_SETTINGS)).toEqual([]);
    expect(activeDeprecations({ v: 1, deprecations: 'x' } as unknown as TenantDetectorState, new Date(), DEFAULT_TENANT_DETECTOR_SETTINGS)).toEqual([]);
  });

  it('keeps the count and names in the state without changing the events or the state the caller gave', () => {
    const first = stateAfter([logAt(TERRAFORM, '2026-12-01T09:30:00.000Z')], '2026-12-01T09:31:00Z');
    const frozen = structuredClone(first);
    const second = detectTenantLogs(first, [logAt(TERRAFORM, '2026-12-02T09:30:00.000Z')], {
      source: SOURCE,
      now: new Date('2026-12-02T09:31:00Z'),
      settings: DEFAULT_TENANT_DETECTOR_SETTINGS,
    });
    expect(second.events).toEqual([]);
    expect(first).toEqual(frozen);
    expect(second.state.deprecations['depnote:legacy_connection_enabled_clients:Xk2mTerraformCiClient00000000007']).toEqual({
      announced: Date.parse('2026-12-01T09:30:00.000Z'),
      last: Date.parse('2026-12-02T09:30:00.000Z'),
      count: 2,
      name: "Legacy Management of Connection's Enabled Clients",
      clientName: 'terraform-ci',
    });
  });
});

describe('the digest: deprecation notices still active', () => {
  const base = {
    frequency: 'daily' as const,
    from: '2026-12-20T00:00:00Z',
    to: '2026-12-21T00:00:00Z',
    generatedAt: '2026-12-21T00:05:00Z',
    timeZone: 'UTC',
    openItems: [],
    rcaOwed: [],
    sources: [],
  };
  const older: TenantDeprecation = {
    source: 'acme-logs',
    feature: { id: 'legacy_custom_claims', name: 'Custom claims must be namespaced\nStatus: resolved <!channel>' },
    clientId: 'Xk2mClient',
    clientName: 'evil\u202E ci\r\n*bold*',
    lastSeenAt: '2026-12-10T04:00:00.000Z',
    announcedAt: '2026-12-01T00:00:00.000Z',
    count: 12,
  };

  it('lists a notice announced before the period with feature, client and last seen, vendor text on one clean line', () => {
    const digest = renderDigest({ ...base, events: [], tenantDeprecations: [older] });
    expect(digest.quiet).toBe(true);
    const text = digest.text;
    expect(text).toContain('YOUR TENANT (0 events from the tenant logs)');
    expect(text).toContain('Deprecation notices still active (1):');
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(
      'Deprecated feature in use by evil ci *bold* (Xk2mClient): Custom claims must be namespaced Status: resolved <!channel> (legacy_custom_claims)',
    );
    expect(flat).toContain('feature legacy_custom_claims; client evil ci *bold* (Xk2mClient); last seen 2026-12-10 04:00 UTC (12 notices since announced); source acme-logs');
    expect(text).not.toMatch(/[\u202E\r]/);
    expect(text.split('\n').some((line) => line.startsWith('Status:'))).toBe(false);
  });

  it("merges the period's announcement with its active notice, keeps an announcement the state lacks, and says None when none is active", () => {
    const announcement = detectTenantLogs(undefined, [logAt(TERRAFORM, '2026-12-20T09:30:12.001Z')], {
      source: SOURCE,
      now: new Date('2026-12-20T09:31:00Z'),
      settings: DEFAULT_TENANT_DETECTOR_SETTINGS,
    }).events[0]!;
    const terraform: TenantDeprecation = {
      source: 'acme-logs',
      feature: { id: 'legacy_connection_enabled_clients', name: "Legacy Management of Connection's Enabled Clients" },
      clientId: 'Xk2mTerraformCiClient00000000007',
      clientName: 'terraform-ci',
      lastSeenAt: '2026-12-20T18:00:00.000Z',
      count: 5,
    };
    const merged = renderDigest({ ...base, events: [announcement], tenantDeprecations: [older, terraform] }).text;
    expect(merged).toContain('Deprecation notices still active (2):');
    const flat = merged.replace(/\s+/g, ' ');
    expect(flat).toContain(
      "- [MAJOR] Deprecated feature in use by terraform-ci: Legacy Management of Connection's Enabled Clients " +
        'first noticed 2026-12-20 09:30 UTC; feature legacy_connection_enabled_clients; ' +
        'client terraform-ci (Xk2mTerraformCiClient00000000007); last seen 2026-12-20 18:00 UTC (5 notices since announced)',
    );
    // Most recently seen first.
    expect(flat.indexOf('terraform-ci:')).toBeLessThan(flat.indexOf('legacy_custom_claims'));

    const stateless = renderDigest({ ...base, events: [announcement], tenantDeprecations: [] }).text;
    expect(stateless).toContain('Deprecation notices still active (1):');
    expect(stateless.replace(/\s+/g, ' ')).toContain('first noticed 2026-12-20 09:30 UTC; feature legacy_connection_enabled_clients');

    const none = renderDigest({ ...base, events: [{ ...announcement, type: 'tenant.security_signal', tenant: { count: 1 } }], tenantDeprecations: [] }).text;
    expect(none).toMatch(/Deprecation notices still active \(0\):\n {2}None\.\n/);
    expect(renderDigest({ ...base, events: [], tenantDeprecations: [] }).text).not.toContain('YOUR TENANT');
  });
});

describe('the digest use case reads the active notices from each tenant-log source', () => {
  const tenantSource = (id: string, detectors?: unknown) =>
    ({
      id,
      type: 'auth0-tenant-logs',
      url: 'https://acme.us.auth0.com',
      clientId: 'm2m-client',
      clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET',
      retentionDays: 30,
      maxPagesPerRun: 20,
      ...(detectors !== undefined && { detectors }),
    }) as unknown as SourceConfig;
  const NOW = '2026-12-20T08:00:00Z';
  const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

  it('lists a notice last seen 10 days before the period, not one last seen more than silenceDays ago', async () => {
    // Period: 2026-12-19 07:50 to 2026-12-20 07:50 (the default settle of 10 minutes before the run).
    const detectors = stateAfter(
      [logAt(TERRAFORM, '2026-11-15T00:00:00.000Z'), logAt(REAL.event, '2026-12-09T06:00:00.000Z')],
      '2026-12-09T06:05:00Z',
    );
    expect(Object.keys(detectors.deprecations)).toHaveLength(2);
    const states = inMemoryStateStore();
    const record: StreamSourceState = { ...EMPTY_SOURCE_STATE, stream: { checkpoint: 'x', detectors } };
    await states.store.putSource('acme-logs', record, { expectedVersion: undefined });
    // The same state under a source configured with a 7-day silence: nothing of it is active any more.
    await states.store.putSource('acme-weekly-silence', record, { expectedVersion: undefined });
    const digests = memoryDigestStore();
    const sent: DigestMessage[] = [];
    const outcome = await makeRunDigest({
      digestStore: digests.store,
      stateStore: digests.sharingEventLog(states.store),
      publisher: { publish: async (digest) => void sent.push(digest) },
      clock: { now: () => new Date(NOW) },
      logger: quiet,
      sources: [tenantSource('acme-logs'), tenantSource('acme-weekly-silence', { deprecations: { silenceDays: 7 } }), tenantSource('never-read')],
      digest: digestSchema.parse({}),
    })();
    expect(outcome).toMatchObject({ outcome: 'sent', digest: { from: '2026-12-19T07:50:00.000Z', to: '2026-12-20T07:50:00.000Z' } });
    const text = sent[0]!.text;
    expect(text).toContain('Deprecation notices still active (1):');
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Deprecated feature in use by **** (****): Custom claims must be namespaced');
    expect(flat).toContain('last seen 2026-12-09 06:00 UTC; source acme-logs');
    expect(text).not.toContain('legacy_connection_enabled_clients');
    expect(flat).not.toContain('source acme-weekly-silence');
  });
});
