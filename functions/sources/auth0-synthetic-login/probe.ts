// One run of the synthetic login: unless paused, the password-realm grant against the tenant's token endpoint (the
// token is discarded unread), timed; without credentials, OpenID discovery and its JWKS on the tenant's own host,
// timed. The answer is judged (judge.ts) against the previous run's state.
import { ProbeError, FetchError } from '../../core/errors.js';
import { contentHash } from '../../core/event-factory.js';
import type { ProbeContext, ProbeRunResult, ProbeState } from '../source.js';
import { DEFAULT_PROBE_TIMEOUT_MS, logsIn, type Auth0SyntheticLoginSourceConfig } from './config-schema.js';
import { classifyTokenAnswer, judge, readSyntheticState, stillPaused, transportFailure, type Observation } from './judge.js';

/** The password-realm grant type (Auth0's extension of the password grant that names the connection). */
export const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';
/** The largest token-endpoint answer read, bytes: a token answer is a few KB; an error answer well under one. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * A hash of what the login depends on that is not secret: a change to any of it lets a paused probe try again. The
 * thresholds, name and cadence are left out: changing them does not fix a refused login.
 */
export function configHashOf(config: Auth0SyntheticLoginSourceConfig): string {
  const { url, clientId, clientSecret, username, password, realm, audience, scope } = config;
  return contentHash(JSON.stringify({ url, clientId, clientSecret, username, password, realm, audience, scope }));
}

/** A hash of the resolved secrets (never the values themselves), so a rotated secret lets a paused probe try again. */
export function secretsHashOf(config: Auth0SyntheticLoginSourceConfig, secrets: Readonly<Record<string, string>>): string {
  return contentHash(`${config.id}\u0000${secrets['clientSecret'] ?? ''}\u0000${secrets['password'] ?? ''}`);
}

export async function runSyntheticLogin(
  config: Auth0SyntheticLoginSourceConfig,
  stored: ProbeState | undefined,
  ctx: ProbeContext,
): Promise<ProbeRunResult> {
  const previous = readSyntheticState(stored);
  const login = logsIn(config);
  const configHash = configHashOf(config);
  const secretsHash = secretsHashOf(config, ctx.secrets);
  const paused = login ? stillPaused(previous, ctx.now, configHash, secretsHash) : undefined;
  if (paused !== undefined) return { state: previous as unknown as ProbeState, events: [], skipped: paused };

  const timeoutMs = config.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const observation = login ? await tokenRequest(config, ctx, timeoutMs) : await discovery(config, ctx, timeoutMs);
  const { state, events } = judge(previous, observation, {
    source: ctx.source,
    now: ctx.now,
    slowThresholdMs: config.slowThresholdMs,
    slowAfter: config.slowAfter,
    failingAfter: config.failingAfter,
    pauseHours: config.pauseHours,
    mode: login ? 'login' : 'discovery',
    configHash,
    secretsHash,
  });
  return {
    state: state as unknown as ProbeState,
    events,
    ...(observation.kind === 'ok' && { measurements: { latencyMs: observation.latencyMs } }),
  };
}

/** The password-realm grant, once, timed; the answer classified. Nothing of the answer but its error code is kept. */
async function tokenRequest(config: Auth0SyntheticLoginSourceConfig, ctx: ProbeContext, timeoutMs: number): Promise<Observation> {
  const url = `${new URL(config.url).origin}/oauth/token`;
  const form = new URLSearchParams({
    grant_type: PASSWORD_REALM_GRANT,
    realm: config.realm!,
    username: config.username!,
    password: ctx.secrets['password'] ?? '',
    client_id: config.clientId!,
    client_secret: ctx.secrets['clientSecret'] ?? '',
    scope: config.scope,
    ...(config.audience !== undefined && { audience: config.audience }),
  });
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  let status: number;
  let text: string | undefined;
  try {
    const response = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      redirect: 'error',
      signal,
    });
    status = response.status;
    text = await readCapped(response, MAX_ANSWER_BYTES);
  } catch (error) {
    return transportFailure(error, timeoutMs);
  }
  const latencyMs = Math.round(performance.now() - started);
  let body: unknown;
  try {
    body = text === undefined ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return classifyTokenAnswer(status, body, latencyMs);
}

/** The body as text, or undefined when it is larger than `maxBytes` (the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * OpenID discovery and the JWKS it names, timed together. No answer or an HTTP error is a failing probe; an answer that
 * is not a discovery document, a JWKS elsewhere than on the tenant's host, or a JWKS without keys fails the source
 * (ProbeError), because it is not the tenant's own answer.
 */
async function discovery(config: Auth0SyntheticLoginSourceConfig, ctx: ProbeContext, timeoutMs: number): Promise<Observation> {
  const origin = new URL(config.url);
  const discoveryUrl = `${origin.origin}/.well-known/openid-configuration`;
  const started = performance.now();
  const getJson = async (url: string): Promise<unknown> => {
    const outcome = await ctx.fetcher.fetch({ url, expect: 'json' }, { timeoutMs, maxBytes: MAX_ANSWER_BYTES });
    if (outcome.status !== 'ok') throw new ProbeError(url, 'answered 304 to a request without validators');
    try {
      return JSON.parse(outcome.documents[0]!.body) as unknown;
    } catch {
      throw new ProbeError(url, 'answer is not JSON');
    }
  };
  try {
    const document = await getJson(discoveryUrl);
    const jwksUri = (document as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string') throw new ProbeError(discoveryUrl, 'not an OpenID discovery document: no jwks_uri');
    let jwks: URL;
    try {
      jwks = new URL(jwksUri);
    } catch {
      throw new ProbeError(discoveryUrl, 'jwks_uri is not a URL');
    }
    if (jwks.host !== origin.host || jwks.protocol !== origin.protocol) {
      throw new ProbeError(discoveryUrl, `jwks_uri is not on the tenant's host ${origin.host}`);
    }
    const keys = ((await getJson(jwks.href)) as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) throw new ProbeError(jwks.href, 'the JWKS has no keys');
    return { kind: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (error instanceof FetchError) return { kind: 'failing', cause: error.reason, ...statusOf(error.reason) };
    throw error;
  }
}

/** The HTTP status a fetch failure names (`HTTP 503 Service Unavailable`), if any. */
function statusOf(reason: string): { httpStatus?: number } {
  const match = /^HTTP (\d{3})\b/.exec(reason);
  return match ? { httpStatus: Number(match[1]) } : {};
}
