// The synthetic login's judgement, pure, on the real-shaped token-endpoint answers (test/fixtures/auth0-tenant/synthetic/):
// each answer's classification, the failing threshold, the slow streak, the one misconfigured event and the pause, and
// what ends the pause (a changed config, rotated secrets, the back-off); recovered on the next success.
import { describe, expect, it } from 'vitest';
import { parseWatcherEvent } from '../../../functions/core/event-schema.js';
import {
  classifyTokenAnswer,
  judge,
  readSyntheticState,
  stillPaused,
  transportFailure,
  type JudgeContext,
  type Observation,
  type SyntheticState,
} from '../../../functions/sources/auth0-synthetic-login/judge.js';
import { ropgResponse, type RopgAnswer } from '../../support/fake-token-endpoint.js';

const SOURCE = { id: 'login-us', type: 'auth0-synthetic-login', vendor: 'Auth0', url: 'https://acme.us.auth0.com', name: 'Login US' };
const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const MINUTE = 60_000;

const ctxAt = (minute: number, extra: Partial<JudgeContext> = {}): JudgeContext => ({
  source: SOURCE,
  now: new Date(T0 + minute * MINUTE),
  slowThresholdMs: 1_000,
  slowAfter: 3,
  failingAfter: 2,
  pauseHours: 24,
  mode: 'login',
  configHash: 'config-1',
  secretsHash: 'secrets-1',
  ...extra,
});
const answer = (name: RopgAnswer, latencyMs = 250): Observation => {
  const { status, body } = ropgResponse(name);
  return classifyTokenAnswer(status, body, latencyMs);
};

/** Judges observations one a minute from `state`; returns every run's events and the last state. */
function runAll(observations: readonly Observation[], state?: SyntheticState, extra: Partial<JudgeContext> = {}) {
  const events: { minute: number; type: string }[] = [];
  const all: ReturnType<typeof judge>['events'][number][] = [];
  let current = state;
  observations.forEach((observation, minute) => {
    const result = judge(current, observation, ctxAt(minute, extra));
    current = result.state;
    for (const event of result.events) {
      events.push({ minute, type: event.type });
      all.push(event);
    }
  });
  return { events, all, state: current! };
}

describe('classifying the token endpoint answers (real-shaped fixtures)', () => {
  it('reads 200 with an access token as a success with its latency', () => {
    expect(answer('200', 312)).toEqual({ kind: 'ok', latencyMs: 312 });
  });

  it.each([
    ['503.temporarily_unavailable', 503, 'HTTP 503 temporarily_unavailable: The service is temporarily unavailable'],
    ['429.rate-limited', 429, 'rate limited (HTTP 429 too_many_requests)'],
  ] as const)('reads %s as failing (retried next time)', (name, httpStatus, cause) => {
    expect(answer(name)).toEqual({ kind: 'failing', cause, httpStatus });
  });

  it.each([
    ['403.invalid_grant.wrong-password', 'wrong-password', 403],
    ['403.unauthorized_client.grant-not-allowed', 'grant-not-allowed', 403],
    ['403.mfa_required', 'mfa-required', 403],
    ['401.access_denied.bad-client-secret', 'bad-client-credentials', 401],
    ['500.no-default-connection', 'no-default-connection', 500],
    ['429.too_many_attempts', 'user-blocked', 429],
  ] as const)('reads %s as misconfigured (%s)', (name, cause, httpStatus) => {
    expect(answer(name)).toMatchObject({ kind: 'misconfigured', cause, httpStatus });
  });

  it('keeps only the cleaned, bounded error code and description of the answer, never the MFA token', () => {
    const observation = answer('403.mfa_required');
    expect(observation).toEqual({
      kind: 'misconfigured',
      cause: 'mfa-required',
      detail: 'mfa_required: Multifactor authentication required',
      httpStatus: 403,
    });
    const hostile = classifyTokenAnswer(403, { error: 'invalid_grant', error_description: `<!channel>\u0000\u202e${'x'.repeat(500)}` }, 1);
    expect(hostile.kind === 'misconfigured' && hostile.detail.length).toBeLessThanOrEqual('invalid_grant: '.length + 200);
    expect(JSON.stringify(hostile)).not.toMatch(/[\u0000\u202e]/);
  });

  it('reads an answer without a token, a non-JSON 502 and other 4xx refusals', () => {
    expect(classifyTokenAnswer(200, { token_type: 'Bearer' }, 5)).toMatchObject({ kind: 'failing', httpStatus: 200 });
    expect(classifyTokenAnswer(502, undefined, 5)).toEqual({ kind: 'failing', cause: 'HTTP 502', httpStatus: 502 });
    expect(classifyTokenAnswer(400, { error: 'invalid_request', error_description: 'Unknown realm' }, 5)).toMatchObject({
      kind: 'misconfigured',
      cause: 'refused',
      detail: 'invalid_request: Unknown realm',
    });
  });

  it('reads a request without an answer as failing: the deadline or the network error code', () => {
    expect(transportFailure(Object.assign(new Error('x'), { name: 'TimeoutError' }), 5_000)).toEqual({ kind: 'failing', cause: 'no answer within 5000 ms' });
    expect(transportFailure(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 5_000)).toEqual({
      kind: 'failing',
      cause: 'network error (ECONNREFUSED)',
    });
  });
});

describe('judging probes one after the other', () => {
  it('keeps a first successful probe silent (the baseline) and records its latency', () => {
    const { events, state } = runAll([answer('200', 300)]);
    expect(events).toEqual([]);
    expect(state).toMatchObject({ failures: 0, slowStreak: 0, lastLatencyMs: 300, lastOkAt: '2026-11-20T10:00:00.000Z' });
  });

  it('announces failing once at the threshold, counting a failing first run, and recovered on the next success', () => {
    const { events, all } = runAll([answer('503.temporarily_unavailable'), answer('429.rate-limited'), answer('503.temporarily_unavailable'), answer('200', 400)]);
    expect(events).toEqual([
      { minute: 1, type: 'synthetic.failing' },
      { minute: 3, type: 'synthetic.recovered' },
    ]);
    const [failing, recovered] = all;
    expect(failing).toMatchObject({
      itemId: 'synthetic-login',
      severity: 'major',
      occurredAt: '2026-11-20T10:00:00.000Z',
      title: 'Login US: users cannot log in',
      synthetic: { outcome: 'failing', consecutive: 2, cause: 'rate limited (HTTP 429 too_many_requests)', httpStatus: 429 },
    });
    expect(recovered).toMatchObject({ severity: 'info', synthetic: { outcome: 'ok', latencyMs: 400, thresholdMs: 1_000 } });
    for (const event of all) expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
  });

  it('stays silent on a failure streak shorter than the threshold', () => {
    expect(runAll([answer('200'), answer('503.temporarily_unavailable'), answer('200')]).events).toEqual([]);
  });

  it('announces degraded after N slow probes in a row, and recovered once a probe is back below the threshold', () => {
    const slow = answer('200', 1_500);
    const { events, all } = runAll([answer('200', 200), slow, slow, answer('200', 900), slow, slow, slow, slow, answer('200', 800)]);
    expect(events).toEqual([
      { minute: 6, type: 'synthetic.degraded' },
      { minute: 8, type: 'synthetic.recovered' },
    ]);
    expect(all[0]).toMatchObject({
      severity: 'minor',
      occurredAt: '2026-11-20T10:04:00.000Z',
      synthetic: { outcome: 'slow', latencyMs: 1_500, thresholdMs: 1_000, consecutive: 3 },
    });
  });

  it('recovers from failing on a slow success, then counts the slow streak afresh', () => {
    const fail = answer('503.temporarily_unavailable');
    const slow = answer('200', 2_000);
    const { events } = runAll([fail, fail, slow, slow, slow]);
    expect(events).toEqual([
      { minute: 1, type: 'synthetic.failing' },
      { minute: 2, type: 'synthetic.recovered' },
      { minute: 4, type: 'synthetic.degraded' },
    ]);
  });

  it.each([
    ['403.invalid_grant.wrong-password', 'wrong username or password', /password field/],
    ['403.unauthorized_client.grant-not-allowed', 'the Password grant is not enabled for the application', /Grant Types/],
    ['403.mfa_required', 'the test user must pass MFA', /Exclude the test user from MFA/],
    ['401.access_denied.bad-client-secret', 'the client id or client secret is wrong', /clientSecret/],
    ['500.no-default-connection', 'the tenant has no default connection for this grant', /Default Directory/],
    ['429.too_many_attempts', 'the test user is blocked by brute-force protection', /unblock the user/],
  ] as const)('announces %s once as misconfigured, naming the cause and what to do, and pauses', (name, label, action) => {
    const result = judge(undefined, answer(name), ctxAt(0));
    expect(result.events).toHaveLength(1);
    const [event] = result.events;
    expect(event).toMatchObject({ type: 'synthetic.misconfigured', title: `Login US: synthetic login misconfigured (${label})`, status: 'paused' });
    expect(event!.action).toMatch(action);
    expect(event!.synthetic).toMatchObject({ outcome: 'misconfigured', httpStatus: ropgResponse(name).status });
    expect(event!.summary).toContain('The probe is paused');
    expect(parseWatcherEvent(JSON.stringify(event))).toEqual(event);
    expect(result.state.paused).toEqual({
      since: '2026-11-20T10:00:00.000Z',
      until: '2026-11-21T10:00:00.000Z',
      cause: expect.any(String),
      configHash: 'config-1',
      secretsHash: 'secrets-1',
    });
  });
});

describe('the pause of a misconfigured probe', () => {
  const paused = judge(undefined, answer('403.invalid_grant.wrong-password'), ctxAt(0)).state;

  it('stays paused while neither the config nor the secrets changed and the back-off has not passed', () => {
    expect(stillPaused(paused, new Date(T0 + 23 * 60 * MINUTE), 'config-1', 'secrets-1')).toMatch(
      /^paused since 2026-11-20T10:00:00.000Z \(wrong username or password\): no login until the config or its secrets change, or 2026-11-21T10:00:00.000Z$/,
    );
  });

  it('lifts when the non-secret config changes, when the secrets are rotated, or once the back-off has passed', () => {
    expect(stillPaused(paused, new Date(T0 + MINUTE), 'config-2', 'secrets-1')).toBeUndefined();
    expect(stillPaused(paused, new Date(T0 + MINUTE), 'config-1', 'secrets-2')).toBeUndefined();
    expect(stillPaused(paused, new Date(T0 + 24 * 60 * MINUTE), 'config-1', 'secrets-1')).toBeUndefined();
    expect(stillPaused(undefined, new Date(T0), 'config-1', 'secrets-1')).toBeUndefined();
  });

  it('stores hashes, never a secret value, in the pause', () => {
    expect(Object.keys(paused.paused!).sort()).toEqual(['cause', 'configHash', 'secretsHash', 'since', 'until']);
  });

  it('announces recovered when the login works after the pause lifted, and clears the pause', () => {
    const result = judge(paused, answer('200', 350), ctxAt(30, { secretsHash: 'secrets-2' }));
    expect(result.events.map((e) => e.type)).toEqual(['synthetic.recovered']);
    expect(result.events[0]!.summary).toContain('after being misconfigured since 2026-11-20T10:00:00.000Z');
    expect(result.state.paused).toBeUndefined();
    expect(result.state.announced).toBeUndefined();
  });

  it('pauses again silently when the same refusal comes back after the back-off, and announces a different cause', () => {
    const again = judge(paused, answer('403.invalid_grant.wrong-password'), ctxAt(24 * 60));
    expect(again.events).toEqual([]);
    expect(again.state.paused?.until).toBe('2026-11-22T10:00:00.000Z');
    const other = judge(again.state, answer('429.too_many_attempts'), ctxAt(48 * 60, { configHash: 'config-2' }));
    expect(other.events.map((e) => e.type)).toEqual(['synthetic.misconfigured']);
    expect(other.events[0]!.title).toContain('blocked by brute-force protection');
  });
});

describe('the stored state', () => {
  it('reads back what judge returned, and starts afresh from anything else', () => {
    const { state } = runAll([answer('503.temporarily_unavailable')]);
    expect(readSyntheticState(JSON.parse(JSON.stringify(state)) as Record<string, unknown>)).toEqual(state);
    expect(readSyntheticState({ v: 2, failures: 0, slowStreak: 0 })).toBeUndefined();
    expect(readSyntheticState({ failures: 'x' })).toBeUndefined();
    expect(readSyntheticState(undefined)).toBeUndefined();
  });

  it('stays small: a few hundred bytes after every kind of transition', () => {
    const { state } = runAll([answer('503.temporarily_unavailable'), answer('503.temporarily_unavailable'), answer('200', 5_000), answer('403.mfa_required')]);
    expect(JSON.stringify(state).length).toBeLessThan(600);
  });

  it('names discovery rather than logins when the probe has no credentials', () => {
    const fail: Observation = { kind: 'failing', cause: 'HTTP 503 Service Unavailable', httpStatus: 503 };
    const { all } = runAll([fail, fail], undefined, { mode: 'discovery' });
    expect(all[0]!.title).toBe('Login US: the tenant does not answer OpenID discovery');
    expect(all[0]!.summary).toBe('2 discovery probes in a row failed since 2026-11-20T10:00:00.000Z; last: HTTP 503 Service Unavailable.');
  });
});
