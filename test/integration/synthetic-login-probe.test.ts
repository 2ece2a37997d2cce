// The synthetic login through the probe use case (makeRunProbe) with the in-memory store, against the loopback fake token
// endpoint replaying the real-shaped ropg answers: the password-realm request as documented, the token discarded, the
// latency measured; failing, slow and recovered; misconfigured once, then paused with no further login attempts until
// the password secret is rotated; discovery only without credentials.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHttpFetcher } from '../../functions/adapters/http-fetcher.js';
import { parseConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { makeRunProbe } from '../../functions/probe/run-probe.js';
import { probeModuleFor } from '../../functions/sources/registry.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { recordingLogger } from '../support/recording-logger.js';
import { passwordRealmRequestForm, startFakeTokenEndpoint, type FakeTokenEndpoint } from '../support/fake-token-endpoint.js';

const PASSWORD = 'correct horse battery staple';
const CLIENT_SECRET = 'probe-client-secret-value';
const T0 = Date.parse('2026-11-20T10:00:00.000Z');

describe('auth0-synthetic-login through the probe use case', () => {
  let tenant: FakeTokenEndpoint;
  beforeAll(async () => {
    tenant = await startFakeTokenEndpoint();
  });
  afterAll(async () => {
    await tenant?.close();
  });

  /** A probe of the fake tenant with its own store, clock and secrets; `run()` advances the clock a minute each time. */
  function probe(overrides: Record<string, unknown> = {}, credentials = true) {
    const secrets: Record<string, string> = { PROBE_PASSWORD: PASSWORD, PROBE_CLIENT_SECRET: CLIENT_SECRET };
    const [source] = parseConfig(
      {
        sources: [
          {
            id: 'login-us',
            type: 'auth0-synthetic-login',
            url: tenant.url,
            ...(credentials && {
              clientId: 'synthetic-client',
              clientSecret: 'env:PROBE_CLIENT_SECRET',
              username: 'synthetic-monitor@acme.example',
              password: 'env:PROBE_PASSWORD',
              realm: 'synthetic-monitoring',
            }),
            slowThresholdMs: 300,
            // Generous: a loaded test machine must not turn a baseline login into a timeout.
            timeoutMs: 5_000,
            ...overrides,
          },
        ],
      },
      '/',
    ).sources;
    const memory = inMemoryStateStore();
    const published: WatcherEvent[] = [];
    const { logger, logged } = recordingLogger();
    let minute = 0;
    const runProbe = makeRunProbe({
      store: memory.store,
      publisher: { publish: async (event) => void published.push(event) },
      secrets: { resolve: async (ref) => secrets[ref.replace(/^env:/, '')]! },
      clock: { now: () => new Date(T0 + minute * 60_000) },
      logger,
      fetcher: makeHttpFetcher(),
      moduleFor: probeModuleFor,
    });
    return {
      secrets,
      published,
      logged,
      memory,
      run: async () => {
        const result = await runProbe(source!);
        minute += 1;
        return result;
      },
      advanceMinutes: (n: number) => void (minute += n),
    };
  }

  beforeEach(() => {
    tenant.answerWith({ answer: '200' });
    tenant.discoveryWith({});
  });

  it('sends the documented password-realm grant, discards the token and measures the latency; the first success is silent', async () => {
    const p = probe();
    const before = tenant.tokenRequests.length;
    const result = await p.run();
    expect(result).toMatchObject({ outcome: 'unchanged', published: [] });
    expect(result.measurements?.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = tenant.tokenRequests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(sent[0]!.form).sort()).toEqual(Object.keys(passwordRealmRequestForm()).sort());
    expect(sent[0]!.form).toMatchObject({
      grant_type: passwordRealmRequestForm()['grant_type'],
      realm: 'synthetic-monitoring',
      username: 'synthetic-monitor@acme.example',
      password: PASSWORD,
      client_id: 'synthetic-client',
      client_secret: CLIENT_SECRET,
      scope: 'openid',
    });
    // Neither the token nor a secret is kept or logged.
    const stored = JSON.stringify([...p.memory.records.values()]);
    const logs = JSON.stringify(p.logged);
    for (const text of [stored, logs]) {
      expect(text).not.toContain('test-access-token');
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });

  it('announces failing after the threshold on 503, 429 and a timeout, and recovered on the next success', async () => {
    const p = probe({ timeoutMs: 1_000 });
    await p.run();
    tenant.answerWith({ answer: '503.temporarily_unavailable' });
    expect((await p.run()).published).toEqual([]);
    tenant.answerWith({ answer: '429.rate-limited' });
    const failing = await p.run();
    expect(failing.outcome).toBe('changed');
    expect(failing.published.map((e) => e.type)).toEqual(['synthetic.failing']);
    expect(failing.published[0]!.synthetic).toMatchObject({ outcome: 'failing', consecutive: 2, httpStatus: 429 });
    tenant.answerWith({ hang: true });
    expect((await p.run()).published).toEqual([]);
    tenant.answerWith({ answer: '200' });
    const recovered = await p.run();
    expect(recovered.published.map((e) => e.type)).toEqual(['synthetic.recovered']);
    // One thread: the recovery names the failing event as its previous.
    expect(recovered.published[0]!.previous?.id).toBe(failing.published[0]!.id);
  });

  it('announces degraded after three slow logins in a row and recovered when they are fast again', async () => {
    const p = probe();
    tenant.answerWith({ answer: '200', delayMs: 600 });
    const types: string[] = [];
    for (let i = 0; i < 3; i += 1) types.push(...(await p.run()).published.map((e) => e.type));
    expect(types).toEqual(['synthetic.degraded']);
    tenant.answerWith({ answer: '200' });
    expect((await p.run()).published.map((e) => e.type)).toEqual(['synthetic.recovered']);
  });

  it('announces a wrong password once, then pauses: no further login attempts until the password secret is rotated', async () => {
    const p = probe();
    tenant.answerWith({ answer: '403.invalid_grant.wrong-password' });
    const start = tenant.count('/oauth/token');
    const first = await p.run();
    expect(first.published.map((e) => e.type)).toEqual(['synthetic.misconfigured']);
    expect(first.published[0]!.action).toMatch(/password/);
    for (let i = 0; i < 5; i += 1) {
      const paused = await p.run();
      expect(paused).toMatchObject({ outcome: 'unchanged', published: [] });
      expect(paused.skipped).toMatch(/^paused since .* \(wrong username or password\)/);
    }
    // The fake saw exactly one login attempt: the one refused.
    expect(tenant.count('/oauth/token') - start).toBe(1);
    expect(p.logged.some((l) => l.message === 'probe skipped')).toBe(true);

    p.secrets['PROBE_PASSWORD'] = 'the rotated password';
    tenant.answerWith({ answer: '200' });
    const resumed = await p.run();
    expect(tenant.count('/oauth/token') - start).toBe(2);
    expect(resumed.published.map((e) => e.type)).toEqual(['synthetic.recovered']);
    expect(JSON.stringify([...p.memory.records.values()])).not.toContain('the rotated password');
  });

  it('tries a paused probe again once the back-off has passed', async () => {
    const p = probe({ pauseHours: 1 });
    tenant.answerWith({ answer: '403.mfa_required' });
    const start = tenant.count('/oauth/token');
    expect((await p.run()).published.map((e) => e.type)).toEqual(['synthetic.misconfigured']);
    await p.run();
    expect(tenant.count('/oauth/token') - start).toBe(1);
    p.advanceMinutes(60);
    // Still refused: paused again, silently (the cause was announced).
    expect((await p.run()).published).toEqual([]);
    expect(tenant.count('/oauth/token') - start).toBe(2);
  });

  it('without credentials checks OpenID discovery and its JWKS only, and fails the source on a JWKS on another host', async () => {
    const p = probe({}, false);
    const tokens = tenant.count('/oauth/token');
    const ok = await p.run();
    expect(ok).toMatchObject({ outcome: 'unchanged', published: [] });
    expect(ok.measurements?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(tenant.count('/oauth/token')).toBe(tokens);

    tenant.discoveryWith({ status: 503 });
    await p.run();
    expect((await p.run()).published.map((e) => e.title)).toEqual([`login-us: the tenant does not answer OpenID discovery`]);

    tenant.discoveryWith({ jwksUri: 'https://evil.example/.well-known/jwks.json' });
    const bad = await p.run();
    expect(bad.outcome).toBe('failed');
    expect(bad.reason).toContain("jwks_uri is not on the tenant's host");
  });
});
