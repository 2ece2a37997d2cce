// The auth0-tenant-checks probe through the probe use case (makeRunProbe, in-memory store, recording publisher) and the
// Management API client against the loopback fake of an Auth0 tenant, whose answers are the real fixtures: the built-in
// test email provider (404 inexistent_email_provider), a paused log stream, a token without a check's scope, a 503.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetAuth0Tokens, makeManagementApiClient } from '../../functions/adapters/auth0-management-client.js';
import { SOURCE_SCHEMA_KIT } from '../../functions/config/source-schema-kit.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Fetcher, Logger } from '../../functions/core/ports.js';
import { makeRunProbe, type ProbeSourceState } from '../../functions/probe/run-probe.js';
import { auth0TenantChecksConfigSchema } from '../../functions/sources/auth0-tenant-checks/config-schema.js';
import { auth0TenantChecksSource } from '../../functions/sources/auth0-tenant-checks/plugin.js';
import type { ProbeSourceModule, SourceConfigBase } from '../../functions/sources/source.js';
import { fixtureBody, startAuth0ManagementServer, type Auth0ManagementServer } from '../support/auth0-management-server.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const noFetcher: Fetcher = { fetch: async () => Promise.reject(new Error('the tenant checks read no feeds')) };
const SECRET_REF = 'env:ACME_CHECKS_CLIENT_SECRET';
const HOUR = 3_600_000;
const CHECK_SCOPES = ['read:email_provider', 'read:log_streams'];

/** The real log-stream objects: an active EventBridge stream and a paused HTTP stream (whose sink holds a credential). */
const realStreams = (): Record<string, unknown>[] => {
  const file = JSON.parse(readFileSync(new URL('../fixtures/auth0-tenant/log-streams/get-log-streams.real.json', import.meta.url), 'utf8')) as {
    eventbridge: Record<string, unknown>;
    http_paused: Record<string, unknown>;
  };
  return [file.eventbridge, file.http_paused];
};

let servers: Auth0ManagementServer[] = [];
beforeEach(() => {
  forgetAuth0Tokens();
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function bed(scopes: readonly string[] = CHECK_SCOPES) {
  const server = await startAuth0ManagementServer({ scopes });
  servers.push(server);
  const config = auth0TenantChecksConfigSchema(SOURCE_SCHEMA_KIT).parse({
    id: 'acme-checks',
    type: 'auth0-tenant-checks',
    url: server.url,
    clientId: server.clientId,
    clientSecret: SECRET_REF,
    failureThreshold: 1,
  });
  const state = inMemoryStateStore();
  const published: WatcherEvent[] = [];
  let at = Date.parse('2026-12-01T09:00:00Z');
  const run = makeRunProbe({
    store: state.store,
    publisher: { publish: async (event) => void published.push(event) },
    secrets: {
      resolve: async (ref) => {
        if (ref !== SECRET_REF) throw new Error(`unexpected secret reference ${ref}`);
        return server.clientSecret;
      },
    },
    clock: { now: () => new Date(at) },
    logger: quiet,
    fetcher: noFetcher,
    managementApi: makeManagementApiClient,
    moduleFor: () => auth0TenantChecksSource as unknown as ProbeSourceModule<SourceConfigBase>,
  });
  const tick = async () => {
    const result = await run(config);
    at += HOUR;
    return result;
  };
  const probeState = () => (state.records.get(`${config.id}|`)?.value as ProbeSourceState | undefined)?.probe;
  return { server, published, tick, probeState };
}

const types = (events: readonly WatcherEvent[]) => events.map((event) => `${event.type} ${event.itemId}`);

describe('auth0-tenant-checks against a fake Management API', () => {
  it("announces the built-in test email provider once, says nothing while it stays, and one check_passed when a provider is set", async () => {
    const { server, published, tick } = await bed();
    const first = await tick();
    expect(first).toMatchObject({ outcome: 'changed', measurements: { failingChecks: 1 } });
    expect(types(published)).toEqual(['tenant.check_failed email-provider']);
    expect(published[0]).toMatchObject({ check: 'email-provider', sourceType: 'auth0-tenant-checks', severity: 'major' });
    expect(published[0]!.summary).toContain("Auth0's built-in email provider");
    // Only the non-secret fields are asked for.
    expect(server.requests('email-provider')[0]!.query).toEqual({ fields: 'name,enabled', include_fields: 'true' });

    expect((await tick()).outcome).toBe('unchanged');
    expect(published).toHaveLength(1);

    server.setEmailProvider(fixtureBody('email-provider/get-provider.200.ses.real.json') as Record<string, unknown>);
    const fixed = await tick();
    expect(fixed).toMatchObject({ outcome: 'changed', measurements: { failingChecks: 0 } });
    expect(types(published)).toEqual(['tenant.check_failed email-provider', 'tenant.check_passed email-provider']);
    expect(published[1]!.previous).toEqual({ id: published[0]!.id, detectedAt: published[0]!.detectedAt });
    // One token for the three runs: it is cached.
    expect(server.tokensIssued()).toBe(1);
  });

  it('announces the paused log stream of the real fixture by name and type, never quoting its sink', async () => {
    const { server, published, tick } = await bed();
    server.setEmailProvider(fixtureBody('email-provider/get-provider.200.mandrill.real.json') as Record<string, unknown>);
    server.setLogStreams(realStreams());
    await tick();
    expect(types(published)).toEqual(['tenant.check_failed log-stream:lst_0000000000002466']);
    expect(published[0]!.title).toBe('Log stream "Acceptance-Test-LogStream-http-TestAccLogStreamHTTP" (http) is paused');
    expect(published[0]!.action).toContain('Monitoring > Streams');
    expect(JSON.stringify(published)).not.toContain('AKIAXXXXXXXXXXXXXXXX');
  });

  it('fails the source naming read:log_streams when the token lacks it, changing no check, and recovers once it is granted', async () => {
    const { server, published, tick, probeState } = await bed();
    await tick();
    const before = probeState();
    server.grantScopes(['read:email_provider']);
    forgetAuth0Tokens();
    server.setEmailProvider(fixtureBody('email-provider/get-provider.200.ses.real.json') as Record<string, unknown>);

    const failed = await tick();
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toContain('lacks the scope read:log_streams');
    expect(failed.reason).toContain(server.clientId);
    expect(server.requests('log-streams').at(-1)!.status).toBe(403);
    expect(types(published)).toEqual(['tenant.check_failed email-provider', 'source.failing acme-checks']);
    expect(published[1]!.summary).toContain('read:log_streams');
    expect(probeState()).toEqual(before);
    for (const text of [JSON.stringify(published), inspect(failed, { depth: 5 })]) expect(text).not.toContain(server.clientSecret);

    server.grantScopes(CHECK_SCOPES);
    forgetAuth0Tokens();
    await tick();
    expect(types(published).slice(2).sort()).toEqual(['source.recovered acme-checks', 'tenant.check_passed email-provider']);
  });

  it('retries a 503 of the Management API and judges the answer that follows', async () => {
    const { server, published, tick } = await bed();
    server.failNext('email-provider', 1, { kind: 'status', status: 503 });
    const result = await tick();
    expect(result.outcome).toBe('changed');
    expect(server.requests('email-provider').map((request) => request.status)).toEqual([503, 404]);
    expect(types(published)).toEqual(['tenant.check_failed email-provider']);
  });
});
