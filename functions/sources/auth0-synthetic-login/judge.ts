// The synthetic login's judgement, pure: what the token endpoint's answer means (ok, failing, misconfigured), and how
// one probe's observation moves the probe's state and which events it announces (failing after a streak, degraded
// after slow probes in a row, misconfigured once and paused, recovered on the next success).
import { makeEvent, type EventSourceInfo } from '../../core/event-factory.js';
import type { SyntheticEventFacts, WatcherEvent } from '../../core/model.js';
import { cleanLine } from '../../core/text/clean-line.js';

/** The one thread of a probe's events. */
export const SYNTHETIC_ITEM_ID = 'synthetic-login';

/** Why a login is refused in a way that retrying will not fix. */
export type MisconfiguredCause =
  | 'wrong-password'
  | 'grant-not-allowed'
  | 'mfa-required'
  | 'bad-client-credentials'
  | 'no-default-connection'
  | 'user-blocked'
  | 'refused';

/** What one probe saw. `latencyMs` is the wall time of the login (or of discovery and its JWKS). */
export type Observation =
  | { readonly kind: 'ok'; readonly latencyMs: number }
  | { readonly kind: 'failing'; readonly cause: string; readonly httpStatus?: number }
  | {
      readonly kind: 'misconfigured';
      readonly cause: MisconfiguredCause;
      /** The endpoint's own words, cleaned and bounded. */
      readonly detail: string;
      readonly httpStatus: number;
    };

/** Longest vendor error code and description kept (cleaned), characters. */
const MAX_CODE_CHARS = 64;
const MAX_DESCRIPTION_CHARS = 200;

const MISCONFIGURED: { readonly [C in MisconfiguredCause]: { readonly label: string; readonly action: string } } = {
  'wrong-password': {
    label: 'wrong username or password',
    action:
      "Check the test user's username and the secret the password field references; fix the secret (the probe tries again as soon as it changes). Repeated wrong passwords would block the user.",
  },
  'grant-not-allowed': {
    label: 'the Password grant is not enabled for the application',
    action:
      "Enable the Password grant (Application → Advanced Settings → Grant Types) for the probe's application, and enable the realm's connection for it.",
  },
  'mfa-required': {
    label: 'the test user must pass MFA',
    action: 'Exclude the test user from MFA (or use a realm without MFA): the probe cannot answer an MFA challenge.',
  },
  'bad-client-credentials': {
    label: 'the client id or client secret is wrong',
    action: "Check the client id and rotate the secret the clientSecret field references to the application's current secret.",
  },
  'no-default-connection': {
    label: 'the tenant has no default connection for this grant',
    action: "Check the realm names a database connection enabled for the application, or set the tenant's Default Directory.",
  },
  'user-blocked': {
    label: 'the test user is blocked by brute-force protection',
    action:
      'Fix the password first, then unblock the user (Dashboard → User Management → Users, or the Management API user-blocks endpoint).',
  },
  refused: {
    label: 'the token endpoint refused the request',
    action: "Check the probe's url, client, realm, audience and scope against the tenant.",
  },
};

/** The label and what to do about a misconfiguration. */
export function misconfiguredFacts(cause: MisconfiguredCause): { readonly label: string; readonly action: string } {
  return MISCONFIGURED[cause];
}

/**
 * What the token endpoint's answer means. 2xx with an access token: ok (the token itself is not looked at again).
 * 5xx, 429 `too_many_requests` and 2xx without a token: failing, retried next time. Every other refusal is a
 * misconfiguration that retrying cannot fix (and that repeated would trip brute-force protection): 403 `invalid_grant`,
 * 403 `unauthorized_client`, 401/403 `mfa_required`, 401 `access_denied`/`invalid_client`, 500 `server_error` about the
 * default connection, 429 `too_many_attempts`, and any other 4xx.
 */
export function classifyTokenAnswer(status: number, body: unknown, latencyMs: number): Observation {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const code = typeof record['error'] === 'string' ? cleanLine(record['error'], MAX_CODE_CHARS) : '';
  const description = typeof record['error_description'] === 'string' ? cleanLine(record['error_description'], MAX_DESCRIPTION_CHARS) : '';
  const detail = [code, description].filter(Boolean).join(': ') || `HTTP ${status}`;
  if (status >= 200 && status <= 299) {
    return typeof record['access_token'] === 'string' || typeof record['id_token'] === 'string'
      ? { kind: 'ok', latencyMs }
      : { kind: 'failing', cause: `HTTP ${status} without a token`, httpStatus: status };
  }
  const misconfigured = (cause: MisconfiguredCause): Observation => ({ kind: 'misconfigured', cause, detail, httpStatus: status });
  if (code === 'mfa_required') return misconfigured('mfa-required');
  if (status === 429) {
    return code === 'too_many_attempts'
      ? misconfigured('user-blocked')
      : { kind: 'failing', cause: `rate limited (HTTP 429${code ? ` ${code}` : ''})`, httpStatus: status };
  }
  if (status >= 500) {
    return code === 'server_error' && /default connection/i.test(description)
      ? misconfigured('no-default-connection')
      : { kind: 'failing', cause: `HTTP ${status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`, httpStatus: status };
  }
  if (code === 'invalid_grant') return misconfigured('wrong-password');
  if (code === 'unauthorized_client') return misconfigured('grant-not-allowed');
  if (status === 401 || code === 'invalid_client') return misconfigured('bad-client-credentials');
  if (status >= 400) return misconfigured('refused');
  // 1xx/3xx never reach here as answers (redirects are refused by the request); count anything else as failing.
  return { kind: 'failing', cause: `unexpected HTTP ${status}`, httpStatus: status };
}

/** A request that got no answer: the deadline passed, or the network failed. */
export function transportFailure(error: unknown, timeoutMs: number): Observation {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'failing', cause: `no answer within ${timeoutMs} ms` };
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cleanLine(cause.code, MAX_CODE_CHARS) : '';
  return { kind: 'failing', cause: code ? `network error (${code})` : 'network error' };
}

/** When a misconfigured probe stopped, why, and what would let it try again. */
export interface PauseState {
  readonly since: string;
  readonly until: string;
  readonly cause: MisconfiguredCause;
  /** Hashes of the non-secret config and of the secrets (never the values) the refusal was seen with. */
  readonly configHash: string;
  readonly secretsHash: string;
}

/** What the probe remembers between runs (stored as the probe state: plain JSON, a few hundred bytes). */
export interface SyntheticState {
  readonly v: 1;
  /** Failed probes in a row, and since when. */
  readonly failures: number;
  readonly failingSince?: string;
  /** Slow probes in a row, and since when. */
  readonly slowStreak: number;
  readonly slowSince?: string;
  /** What the thread has announced and not yet recovered from: each with the start of its streak. */
  readonly announced?: {
    readonly failing?: string;
    readonly degraded?: string;
    readonly misconfigured?: { readonly since: string; readonly cause: MisconfiguredCause };
  };
  readonly paused?: PauseState;
  readonly lastOkAt?: string;
  readonly lastLatencyMs?: number;
}

export const INITIAL_STATE: SyntheticState = { v: 1, failures: 0, slowStreak: 0 };

/** The stored state read back; anything not of this shape (another version, a hand edit) starts afresh. */
export function readSyntheticState(stored: { readonly [key: string]: unknown } | undefined): SyntheticState | undefined {
  if (!stored) return undefined;
  const s = stored as Partial<SyntheticState>;
  if (s.v !== 1 || typeof s.failures !== 'number' || typeof s.slowStreak !== 'number') return undefined;
  return s as SyntheticState;
}

/** What `judge` needs besides the state and the observation. */
export interface JudgeContext {
  readonly source: EventSourceInfo;
  readonly now: Date;
  readonly slowThresholdMs: number;
  readonly slowAfter: number;
  readonly failingAfter: number;
  readonly pauseHours: number;
  /** `login`: the password-realm grant; `discovery`: OpenID discovery and its JWKS (no credentials configured). */
  readonly mode: 'login' | 'discovery';
  readonly configHash: string;
  readonly secretsHash: string;
}

/**
 * Whether a paused probe should stay paused: yes until its config or secrets change or the back-off passes. Returns the
 * reason it stays paused (for the run's `skipped`), or undefined when it may probe.
 */
export function stillPaused(state: SyntheticState | undefined, now: Date, configHash: string, secretsHash: string): string | undefined {
  const paused = state?.paused;
  if (!paused) return undefined;
  if (paused.configHash !== configHash || paused.secretsHash !== secretsHash) return undefined;
  if (now.getTime() >= Date.parse(paused.until)) return undefined;
  return `paused since ${paused.since} (${MISCONFIGURED[paused.cause].label}): no login until the config or its secrets change, or ${paused.until}`;
}

export interface Judgement {
  readonly state: SyntheticState;
  readonly events: readonly WatcherEvent[];
}

/** One probe's observation against the state the previous run left (undefined on the first run). */
export function judge(previous: SyntheticState | undefined, observation: Observation, ctx: JudgeContext): Judgement {
  const state: SyntheticState = { ...(previous ?? INITIAL_STATE), paused: undefined };
  const nowIso = ctx.now.toISOString();
  const announced = state.announced ?? {};
  if (observation.kind === 'ok') {
    const slow = observation.latencyMs > ctx.slowThresholdMs;
    const base: SyntheticState = {
      ...state,
      failures: 0,
      failingSince: undefined,
      lastOkAt: nowIso,
      lastLatencyMs: observation.latencyMs,
      slowStreak: slow ? state.slowStreak + 1 : 0,
      slowSince: slow ? (state.slowSince ?? nowIso) : undefined,
    };
    // Any success ends an announced failure or misconfiguration; a fast one also ends an announced slowness.
    const ends = announced.failing !== undefined || announced.misconfigured !== undefined || (!slow && announced.degraded !== undefined);
    const events: WatcherEvent[] = [];
    let next: SyntheticState = base;
    if (ends) {
      events.push(recoveredEvent(announced, observation.latencyMs, ctx));
      next = { ...next, announced: undefined };
    }
    if (slow && next.slowStreak >= ctx.slowAfter && next.announced?.degraded === undefined) {
      const since = next.slowSince ?? nowIso;
      events.push(degradedEvent(since, next.slowStreak, observation.latencyMs, ctx));
      next = { ...next, announced: { ...next.announced, degraded: since } };
    }
    return { state: tidy(next), events };
  }
  if (observation.kind === 'failing') {
    const failures = state.failures + 1;
    const failingSince = state.failingSince ?? nowIso;
    let next: SyntheticState = { ...state, failures, failingSince, slowStreak: 0, slowSince: undefined };
    const events: WatcherEvent[] = [];
    if (failures >= ctx.failingAfter && announced.failing === undefined) {
      events.push(failingEvent(failingSince, failures, observation, ctx));
      next = { ...next, announced: { ...announced, failing: failingSince } };
    }
    return { state: tidy(next), events };
  }
  const until = new Date(ctx.now.getTime() + ctx.pauseHours * 3_600_000).toISOString();
  let next: SyntheticState = {
    ...state,
    failures: 0,
    failingSince: undefined,
    slowStreak: 0,
    slowSince: undefined,
    paused: { since: nowIso, until, cause: observation.cause, configHash: ctx.configHash, secretsHash: ctx.secretsHash },
  };
  const events: WatcherEvent[] = [];
  // Once per cause: the same refusal seen again after the back-off pauses the probe again silently.
  if (announced.misconfigured?.cause !== observation.cause) {
    events.push(misconfiguredEvent(observation, until, ctx));
    next = { ...next, announced: { ...announced, misconfigured: { since: nowIso, cause: observation.cause } } };
  }
  return { state: tidy(next), events };
}

function nameOf(ctx: JudgeContext): string {
  return ctx.source.name ?? ctx.source.id;
}

function what(ctx: JudgeContext): string {
  return ctx.mode === 'login' ? 'login probes' : 'discovery probes';
}

function syntheticEvent(
  ctx: JudgeContext,
  type: 'synthetic.failing' | 'synthetic.degraded' | 'synthetic.misconfigured' | 'synthetic.recovered',
  changeKey: string,
  body: {
    readonly title: string;
    readonly summary: string;
    readonly severity: WatcherEvent['severity'];
    readonly occurredAt: string;
    readonly status: string;
    readonly synthetic: SyntheticEventFacts;
    readonly action?: string;
  },
): WatcherEvent {
  return makeEvent(ctx.source, type, changeKey, ctx.now, {
    itemId: SYNTHETIC_ITEM_ID,
    url: ctx.source.url,
    regions: ctx.source.region ? [ctx.source.region] : undefined,
    ...body,
  });
}

function failingEvent(since: string, failures: number, observation: Observation & { kind: 'failing' }, ctx: JudgeContext): WatcherEvent {
  return syntheticEvent(ctx, 'synthetic.failing', `failing:${since}`, {
    title: ctx.mode === 'login' ? `${nameOf(ctx)}: users cannot log in` : `${nameOf(ctx)}: the tenant does not answer OpenID discovery`,
    summary: `${failures} ${what(ctx)} in a row failed since ${since}; last: ${observation.cause}.`,
    severity: 'major',
    occurredAt: since,
    status: 'failing',
    synthetic: { outcome: 'failing', consecutive: failures, cause: observation.cause, httpStatus: observation.httpStatus },
  });
}

function degradedEvent(since: string, streak: number, latencyMs: number, ctx: JudgeContext): WatcherEvent {
  return syntheticEvent(ctx, 'synthetic.degraded', `degraded:${since}`, {
    title: ctx.mode === 'login' ? `${nameOf(ctx)}: logins are slow` : `${nameOf(ctx)}: OpenID discovery is slow`,
    summary: `${streak} ${what(ctx)} in a row took longer than ${ctx.slowThresholdMs} ms since ${since} (latest ${latencyMs} ms).`,
    severity: 'minor',
    occurredAt: since,
    status: 'slow',
    synthetic: { outcome: 'slow', latencyMs, thresholdMs: ctx.slowThresholdMs, consecutive: streak },
  });
}

function misconfiguredEvent(observation: Observation & { kind: 'misconfigured' }, until: string, ctx: JudgeContext): WatcherEvent {
  const { label, action } = MISCONFIGURED[observation.cause];
  const nowIso = ctx.now.toISOString();
  return syntheticEvent(ctx, 'synthetic.misconfigured', `misconfigured:${nowIso}:${observation.cause}`, {
    title: `${nameOf(ctx)}: synthetic login misconfigured (${label})`,
    summary:
      `The token endpoint refused the test login with HTTP ${observation.httpStatus} (${observation.detail}). ` +
      `The probe is paused: no login attempt until its config or secrets change, or until ${until}.`,
    severity: 'major',
    occurredAt: nowIso,
    status: 'paused',
    action,
    synthetic: { outcome: 'misconfigured', cause: `${label} (${observation.detail})`, httpStatus: observation.httpStatus },
  });
}

function recoveredEvent(announced: NonNullable<SyntheticState['announced']>, latencyMs: number, ctx: JudgeContext): WatcherEvent {
  const since = [announced.failing, announced.degraded, announced.misconfigured?.since].filter((s): s is string => s !== undefined).sort()[0]!;
  const after = [
    announced.failing !== undefined && 'failing',
    announced.degraded !== undefined && 'slow',
    announced.misconfigured !== undefined && 'misconfigured',
  ].filter(Boolean);
  return syntheticEvent(ctx, 'synthetic.recovered', `recovered:${since}`, {
    title: ctx.mode === 'login' ? `${nameOf(ctx)}: logins work again` : `${nameOf(ctx)}: OpenID discovery answers again`,
    summary: `A probe succeeded in ${latencyMs} ms (threshold ${ctx.slowThresholdMs} ms) after being ${after.join(' and ')} since ${since}.`,
    severity: 'info',
    occurredAt: ctx.now.toISOString(),
    status: 'recovered',
    synthetic: { outcome: 'ok', latencyMs, thresholdMs: ctx.slowThresholdMs },
  });
}

/** The state without its undefined keys, so the stored JSON stays small and stable. */
function tidy(state: SyntheticState): SyntheticState {
  return JSON.parse(JSON.stringify(state)) as SyntheticState;
}
