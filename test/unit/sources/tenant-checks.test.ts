// The tenant checks' pure parts on the real Management API answers (test/fixtures/auth0-tenant/): what each check makes
// of its answer, and the state machine that announces a check once when it starts failing and once when it passes again.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOURCE_SCHEMA_KIT } from '../../../functions/config/source-schema-kit.js';
import { ProbeError } from '../../../functions/core/errors.js';
import type { EventSourceInfo } from '../../../functions/core/event-factory.js';
import type { WatcherEvent } from '../../../functions/core/model.js';
import {
  judgeEmailProvider,
  judgeLogStreams,
  judgeSyntheticPrerequisites,
  type CheckFinding,
} from '../../../functions/sources/auth0-tenant-checks/checks.js';
import { auth0TenantChecksConfigSchema, checksOf, scopesOf, type CheckName } from '../../../functions/sources/auth0-tenant-checks/config-schema.js';
import { judgeChecks } from '../../../functions/sources/auth0-tenant-checks/judge.js';
import type { ProbeState } from '../../../functions/sources/source.js';

function fixture(path: string): { status: number; body: unknown } {
  const file = JSON.parse(readFileSync(new URL(`../../fixtures/auth0-tenant/${path}`, import.meta.url), 'utf8')) as {
    response: { status: number; body: unknown };
  };
  return file.response;
}

const PROVIDER_URL = 'https://acme.us.auth0.com/api/v2/emails/provider?fields=name,enabled&include_fields=true';
const STREAMS_URL = 'https://acme.us.auth0.com/api/v2/log-streams';
const SETTINGS_URL = 'https://acme.us.auth0.com/api/v2/tenants/settings?fields=default_directory&include_fields=true';
/** The real log-stream objects (an active EventBridge stream, a paused HTTP stream), as `GET /api/v2/log-streams` lists them. */
const realStreams = (): Record<string, unknown>[] => {
  const file = JSON.parse(readFileSync(new URL('../../fixtures/auth0-tenant/log-streams/get-log-streams.real.json', import.meta.url), 'utf8')) as {
    eventbridge: Record<string, unknown>;
    http_paused: Record<string, unknown>;
  };
  return [file.eventbridge, file.http_paused];
};

const source: EventSourceInfo = { id: 'acme-checks', type: 'auth0-tenant-checks', vendor: 'Auth0', url: 'https://acme.us.auth0.com' };
const at = (minutes: number) => ({ source, now: new Date(Date.parse('2026-12-01T12:00:00.000Z') + minutes * 60_000) });

const builtIn = () => judgeEmailProvider({ url: PROVIDER_URL, ...fixture('email-provider/get-provider.404.builtin-test-provider.real.json') });
const ses = () => judgeEmailProvider({ url: PROVIDER_URL, ...fixture('email-provider/get-provider.200.ses.real.json') });

describe('what each check makes of its answer', () => {
  it("reads the real 404 inexistent_email_provider as the built-in test provider: failing, not for production, with the docs link", () => {
    const finding = builtIn();
    expect(finding.itemId).toBe('email-provider');
    expect(finding.failing?.reason).toBe('built-in-provider');
    expect(finding.failing?.summary).toContain('not for production');
    expect(finding.failing?.action).toContain('https://auth0.com/docs/customize/email/smtp-email-providers');
  });

  it('passes the real SES and Mandrill providers and fails the disabled one, naming the provider', () => {
    expect(ses()).toMatchObject({ passing: 'Email provider "ses" is configured and enabled.' });
    expect(judgeEmailProvider({ url: PROVIDER_URL, ...fixture('email-provider/get-provider.200.mandrill.real.json') }).failing).toBeUndefined();
    const disabled = judgeEmailProvider({ url: PROVIDER_URL, ...fixture('email-provider/get-provider.200.disabled.reconstructed.json') });
    expect(disabled.failing).toMatchObject({ reason: 'disabled', title: 'Email provider: "smtp" is configured but disabled' });
  });

  it('refuses an email-provider answer of another shape with a ProbeError naming the URL, never "passing"', () => {
    const notOurs = () => judgeEmailProvider({ url: PROVIDER_URL, status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Not Found' } });
    expect(notOurs).toThrow(ProbeError);
    expect(notOurs).toThrow(PROVIDER_URL);
    expect(() => judgeEmailProvider({ url: PROVIDER_URL, status: 200, body: { enabled: true } })).toThrow(/no usable name/);
    expect(() => judgeEmailProvider({ url: PROVIDER_URL, status: 200, body: { name: 'ses', enabled: 'yes' } })).toThrow(/enabled/);
  });

  it('judges each real log stream on its own: the active EventBridge passes, the paused HTTP stream fails naming it and its type', () => {
    const findings = judgeLogStreams({ url: STREAMS_URL, body: realStreams() });
    expect(findings.map((finding) => [finding.itemId, finding.failing?.reason ?? 'passing'])).toEqual([
      ['log-stream:lst_0000000000010032', 'passing'],
      ['log-stream:lst_0000000000002466', 'paused'],
    ]);
    const paused = findings[1]!.failing!;
    expect(paused.title).toBe('Log stream "Acceptance-Test-LogStream-http-TestAccLogStreamHTTP" (http) is paused');
    expect(paused.action).toContain('set the stream active again');
    // The sink holds the stream's credentials: nothing of it is read.
    expect(JSON.stringify(findings)).not.toMatch(/AKIAXXXX|example\.com\/webhook|999999999999/);
  });

  it('refuses a log-stream answer that is not a list, or a stream without a usable id or status', () => {
    expect(() => judgeLogStreams({ url: STREAMS_URL, body: { streams: [] } })).toThrow(/not a list of log streams/);
    expect(() => judgeLogStreams({ url: STREAMS_URL, body: [{ ...realStreams()[0], id: '../x' }] })).toThrow(/no usable id/);
    expect(() => judgeLogStreams({ url: STREAMS_URL, body: [{ ...realStreams()[0], status: undefined }] })).toThrow(/no usable status/);
  });

  it('fails synthetic prerequisites on the real tenant settings (default_directory ""), and passes once a directory is set', () => {
    const empty = judgeSyntheticPrerequisites({ url: SETTINGS_URL, body: fixture('tenant/tenant-settings.200.real.json').body });
    expect(empty.failing?.reason).toBe('no-default-directory');
    expect(empty.failing?.summary).toContain('Authorization server not configured with default connection');
    const set = judgeSyntheticPrerequisites({ url: SETTINGS_URL, body: { default_directory: 'Username-Password-Authentication' } });
    expect(set.passing).toBe('The tenant\'s default directory is "Username-Password-Authentication".');
    expect(() => judgeSyntheticPrerequisites({ url: SETTINGS_URL, body: { default_directory: 3 } })).toThrow(ProbeError);
  });
});

describe('each check is a state: one event per transition', () => {
  const run = (previous: ProbeState | undefined, findings: CheckFinding[], minutes: number, ran: readonly CheckName[] = ['email-provider', 'log-stream']) =>
    judgeChecks(previous, findings, ran, at(minutes));
  const types = (events: readonly WatcherEvent[]) => events.map((event) => `${event.type} ${event.itemId}`);

  it('announces a check already failing on the first run once, with the check, what to do and the docs link', () => {
    const first = run(undefined, [builtIn()], 0);
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({
      type: 'tenant.check_failed',
      itemId: 'email-provider',
      check: 'email-provider',
      severity: 'major',
      status: 'failing',
      url: 'https://auth0.com/docs/customize/email/smtp-email-providers',
    });
    expect(first.events[0]!.action).toContain('Branding > Email Provider');
    expect(first.failing).toBe(1);
  });

  it('is silent on a first run where every check passes', () => {
    const first = run(undefined, [ses(), ...judgeLogStreams({ url: STREAMS_URL, body: [realStreams()[0]] })], 0);
    expect(first.events).toEqual([]);
    expect(first.failing).toBe(0);
    expect(Object.keys(first.state.items)).toEqual(['email-provider', 'log-stream:lst_0000000000010032']);
  });

  it('says nothing more while a check keeps failing, one check_passed when fixed, and a new check_failed when it fails again', () => {
    const first = run(undefined, [builtIn()], 0);
    const still = run(first.state, [builtIn()], 60);
    expect(still.events).toEqual([]);
    expect(still.state).toEqual(first.state);
    const fixed = run(still.state, [ses()], 120);
    expect(types(fixed.events)).toEqual(['tenant.check_passed email-provider']);
    expect(fixed.events[0]).toMatchObject({ check: 'email-provider', severity: 'info', summary: 'Email provider "ses" is configured and enabled.' });
    expect(run(fixed.state, [ses()], 180).events).toEqual([]);
    const again = run(fixed.state, [builtIn()], 240);
    expect(types(again.events)).toEqual(['tenant.check_failed email-provider']);
    expect(again.events[0]!.id).not.toBe(first.events[0]!.id);
  });

  it('gives each log stream its own thread, and ends a failing stream that was deleted with check_passed', () => {
    const [active, paused] = realStreams();
    const first = run(undefined, judgeLogStreams({ url: STREAMS_URL, body: [active, paused] }), 0, ['log-stream']);
    expect(types(first.events)).toEqual(['tenant.check_failed log-stream:lst_0000000000002466']);
    expect(first.events[0]!.check).toBe('log-stream');
    const resumed = run(first.state, judgeLogStreams({ url: STREAMS_URL, body: [active, { ...paused, status: 'active' }] }), 60, ['log-stream']);
    expect(types(resumed.events)).toEqual(['tenant.check_passed log-stream:lst_0000000000002466']);
    const suspended = run(resumed.state, judgeLogStreams({ url: STREAMS_URL, body: [active, { ...paused, status: 'suspended' }] }), 120, ['log-stream']);
    expect(suspended.events[0]!.title).toContain('is suspended');
    const deleted = run(suspended.state, judgeLogStreams({ url: STREAMS_URL, body: [active] }), 180, ['log-stream']);
    expect(types(deleted.events)).toEqual(['tenant.check_passed log-stream:lst_0000000000002466']);
    expect(deleted.events[0]!.summary).toContain('no longer exists');
    expect(Object.keys(deleted.state.items)).toEqual(['log-stream:lst_0000000000010032']);
  });

  it('keeps the state of a check turned off, so turning it on again does not announce it twice', () => {
    const first = run(undefined, [builtIn()], 0, ['email-provider']);
    const off = run(first.state, judgeLogStreams({ url: STREAMS_URL, body: [] }), 60, ['log-stream']);
    expect(off.events).toEqual([]);
    expect(off.state.items['email-provider']).toEqual(first.state.items['email-provider']);
    expect(off.failing).toBe(0);
    expect(run(off.state, [builtIn()], 120, ['email-provider']).events).toEqual([]);
  });

  it('reads a state of another shape as a first run', () => {
    expect(types(run({ v: 2, anything: true }, [builtIn()], 0).events)).toEqual(['tenant.check_failed email-provider']);
    expect(types(run({ v: 1, items: { 'email-provider': { check: 'nope' } } }, [builtIn()], 0).events)).toEqual([
      'tenant.check_failed email-provider',
    ]);
  });
});

describe('config', () => {
  const schema = auth0TenantChecksConfigSchema(SOURCE_SCHEMA_KIT);
  const base = { id: 'acme-checks', type: 'auth0-tenant-checks', url: 'https://acme.us.auth0.com', clientId: 'abcDEF123', clientSecret: 'env:ACME_SECRET' };

  it('runs email-provider and log-stream by default with their two scopes; synthetic-prerequisites when listed', () => {
    const config = schema.parse(base);
    expect(checksOf(config)).toEqual(['email-provider', 'log-stream']);
    expect(scopesOf(config)).toEqual(['read:email_provider', 'read:log_streams']);
    const listed = schema.parse({ ...base, checks: ['synthetic-prerequisites', 'email-provider'] });
    expect(scopesOf(listed)).toEqual(['read:email_provider', 'read:tenant_settings']);
  });

  it('refuses an unknown or repeated check, a secret written in, and a URL with a path', () => {
    expect(schema.safeParse({ ...base, checks: ['email'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, checks: ['log-stream', 'log-stream'] }).success).toBe(false);
    expect(schema.safeParse({ ...base, clientSecret: 's3cr3t-value' }).success).toBe(false);
    expect(schema.safeParse({ ...base, url: 'https://acme.us.auth0.com/api/v2' }).success).toBe(false);
  });
});
