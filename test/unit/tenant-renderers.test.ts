// Tenant-log events as people see them: the email lists what was counted, Slack shows it as escaped fields, and the
// digest's YOUR TENANT section groups rate-limit episodes, deprecation notices, login failures and the archive.
import { describe, expect, it } from 'vitest';
import { renderDigest } from '../../functions/core/digest.js';
import { renderEmailText, renderSubject } from '../../functions/core/event-text.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { renderStandalone } from '../../functions/core/slack-message.js';
import { DEFAULT_TENANT_DETECTOR_SETTINGS, detectTenantLogs, makeTenantGapEvent } from '../../functions/core/tenant/index.js';

const SOURCE = { id: 'acme-logs', type: 'auth0-tenant-logs', vendor: 'Auth0', url: 'https://acme-prod.us.auth0.com' };
const ctx = (now: string) => ({ source: SOURCE, now: new Date(now), settings: DEFAULT_TENANT_DETECTOR_SETTINGS });

const HOSTILE_CLIENT = 'evil <!channel> *bold* `code`\nStatus: resolved';

/** A rate-limit episode of 6 logs from a client with a hostile name, announced and recovered. */
function rateEpisode(): WatcherEvent[] {
  const logs = Array.from({ length: 6 }, (_, index) => ({
    log_id: `9002026120110150${index}`,
    date: new Date(Date.parse('2026-12-01T10:15:00Z') + index * 60_000).toISOString(),
    type: 'api_limit',
    client_id: 'Xk2mWatcherM2MClientId0000000001',
    client_name: HOSTILE_CLIENT,
    details: { limit: { bucket: 'global', global: true, size: 50 }, request: { method: 'get', path: '/api/v2/users' } },
  }));
  const first = detectTenantLogs(undefined, logs, ctx('2026-12-01T10:21:00Z'));
  const tick = detectTenantLogs(first.state, [], ctx('2026-12-01T10:40:00Z'));
  return [...first.events, ...tick.events];
}

function depnote(): WatcherEvent {
  const log = {
    log_id: '90020261201093012001000000000000001223372060900000000001',
    date: '2026-12-01T09:30:12.001Z',
    type: 'depnote',
    client_id: 'Xk2mTerraformCiClient00000000007',
    client_name: 'terraform-ci',
    details: { feature: { id: 'legacy_connection_enabled_clients', name: "Legacy Management of Connection's Enabled Clients" } },
  };
  return detectTenantLogs(undefined, [log], ctx('2026-12-01T09:31:00Z')).events[0]!;
}

describe('tenant events in email and Slack', () => {
  it('lists count, client, bucket, path and span in the email, vendor text on one line that cannot pose as a field', () => {
    const [limited] = rateEpisode();
    expect(renderSubject(limited!)).toBe('[MAJOR] Auth0 tenant rate limited: Rate limit exceeded: bucket global on /api/v2/users');
    const text = renderEmailText(limited!);
    expect(text).toContain('\nStatus: rate_limited\n');
    expect(text).toContain('\nCount: 6 api_limit logs (window 5 min)\n');
    expect(text).toContain('\nClient: evil <!channel> *bold* `code` Status: resolved (Xk2mWatcherM2MClientId0000000001)\n');
    expect(text).toContain('\nBucket: global\nPath: /api/v2/users\n');
    expect(text).toContain('\nLogs: 2026-12-01 10:15–10:20 UTC\n');
    expect(text.split('\n').filter((line) => line.startsWith('Status:'))).toHaveLength(1);
  });

  it('shows the facts as Slack fields with vendor text escaped', () => {
    const [limited] = rateEpisode();
    const message = renderStandalone(limited!);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Auth0 tenant: Rate limit exceeded: bucket global on /api/v2/users');
    expect(json).toContain('*Count*\\n6 api_limit logs (window 5 min)');
    expect(json).toContain('*Path*\\n/api/v2/users');
    expect(json).toContain('evil &lt;!channel&gt;');
    expect(json).not.toContain('<!channel>');
    expect(message.text).toContain('[MAJOR] Auth0 tenant rate limited: ');
  });

  it('marks a recovery as done in Slack and shows a feature by name and id', () => {
    const [, recovered] = rateEpisode();
    expect(recovered?.type).toBe('tenant.rate_limit_recovered');
    expect(JSON.stringify(renderStandalone(recovered!).blocks)).toContain('✅ Auth0 tenant: Rate limit recovered');
    const json = JSON.stringify(renderStandalone(depnote()).blocks);
    expect(json).toContain("*Feature*\\nLegacy Management of Connection's Enabled Clients (legacy_connection_enabled_clients)");
    expect(json).toContain('*Client*\\nterraform-ci (Xk2mTerraformCiClient00000000007)');
  });
});

describe('the digest: YOUR TENANT', () => {
  const base = {
    frequency: 'daily' as const,
    from: '2026-12-01T00:00:00Z',
    to: '2026-12-02T00:00:00Z',
    generatedAt: '2026-12-02T00:05:00Z',
    timeZone: 'UTC',
    openItems: [],
    rcaOwed: [],
    sources: [],
  };

  it('groups a rate-limit episode with its recovery, lists deprecation notices, login failures by connection and the archive', () => {
    const spikeLogs = [
      ...Array.from({ length: 120 }, (_, index) => ({
        log_id: `a${index}`,
        date: new Date(Date.parse('2026-12-01T08:00:00Z') + index * 60_000).toISOString(),
        type: 'fu',
        connection: 'Username-Password-Authentication',
      })),
      ...Array.from({ length: 30 }, (_, index) => ({
        log_id: `b${index}`,
        date: new Date(Date.parse('2026-12-01T10:30:00Z') + index * 10_000).toISOString(),
        type: 'f',
        connection: 'google-oauth2',
        strategy: 'google-oauth2',
      })),
    ];
    const spike = detectTenantLogs(undefined, spikeLogs, ctx('2026-12-01T10:40:00Z')).events;
    expect(spike.map((event) => event.type)).toEqual(['tenant.login_failures_spike']);
    const gap = makeTenantGapEvent({ source: SOURCE, now: new Date('2026-12-01T12:00:00Z') }, '2026-10-01T00:00:00.000Z', '2026-11-01T12:00:00.000Z');
    const digest = renderDigest({
      ...base,
      events: [...rateEpisode(), depnote(), ...spike, gap],
      tenantArchive: [{ source: 'acme-logs', bytes: 12 * 1024 * 1024, objects: 340, oldestDay: '2026-11-01' }],
    });
    const text = digest.text;
    expect(text).toContain('YOUR TENANT (5 events from the tenant logs)');
    expect(text).toContain('Rate-limit episodes (1):');
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(
      '- [MAJOR] Rate limit exceeded: bucket global on /api/v2/users 6 logs 2026-12-01 10:15–10:20 UTC; ' +
        'client evil <!channel> *bold* `code` Status: resolved (Xk2mWatcherM2MClientId0000000001); ' +
        'recovered (detected 2026-12-01 10:40 UTC)',
    );
    // Vendor text never starts a line of its own.
    expect(text.split('\n').some((line) => line.startsWith('Status:'))).toBe(false);
    expect(text).toContain('Deprecation notices still active (1):');
    expect(flat).toContain("Deprecated feature in use by terraform-ci: Legacy Management of Connection's Enabled Clients");
    expect(text).toContain('Login failures by connection (1):');
    expect(text).toContain('[CRITICAL] Login failures spike on google-oauth2 (Google)');
    expect(flat).toContain('Tenant logs lost from 2026-10-01 00:00 UTC to 2026-11-01 12:00 UTC');
    expect(text).toContain('acme-logs: 12.0 MB in 340 objects, oldest day archived 2026-11-01');
    expect(digest.subject).toContain('5 tenant events');
  });

  it('shows the archive in a quiet digest, and no tenant section without tenant events or archive', () => {
    const quiet = renderDigest({ ...base, events: [], tenantArchive: [{ source: 'acme-logs', bytes: 2048, objects: 3, oldestDay: '2026-11-30' }] });
    expect(quiet.quiet).toBe(true);
    expect(quiet.text).toContain('YOUR TENANT (0 events from the tenant logs)');
    expect(quiet.text).toContain('acme-logs: 2.0 KB in 3 objects, oldest day archived 2026-11-30');
    expect(renderDigest({ ...base, events: [] }).text).not.toContain('YOUR TENANT');
  });
});
