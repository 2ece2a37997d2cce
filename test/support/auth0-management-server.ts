// Test double of an Auth0 tenant's Management API for integration tests, on 127.0.0.1: the token endpoint (client
// credentials), `GET /api/v2/logs` with its checkpoint semantics (logs after `from` in log_id order, `take` ≤ 100,
// `Link rel="next"`, `x-ratelimit-*`), its page mode (`sort=date:-1&per_page=1` for the newest log), injectable 429s,
// 5xx, 401s and 403s, and real-shaped logs built from test/fixtures/auth0-tenant/log-events.samples.json. For the tenant
// checks: `GET /api/v2/emails/provider` (404 `inexistent_email_provider` while none is set, as a tenant on the built-in
// test provider answers), `GET /api/v2/log-streams` and `GET /api/v2/tenants/settings`, each requiring its own scope
// (a token without it gets the insufficient-scope 403) and honouring `fields` with `include_fields=true`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TenantLog } from '../../functions/stream/ports.js';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';
import { compareLogIds } from '../../functions/stream/log-ids.js';

const FIXTURES = new URL('../fixtures/auth0-tenant/', import.meta.url);

/** A fixture's `response.body` (the shared `{request, response}` layout). */
export function fixtureBody(name: string): unknown {
  const fixture = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as { response: { body: unknown } };
  return fixture.response.body;
}

/** The sample events of one log type, as the Management API returns them (real first, then reconstructed). */
export function sampleLogs(type: string): TenantLog[] {
  const file = JSON.parse(readFileSync(new URL('log-events.samples.json', FIXTURES), 'utf8')) as {
    samples: Record<string, { provenance: string; event: TenantLog }[]>;
  };
  const samples = file.samples[type];
  if (!samples) throw new Error(`no sample logs of type ${type}`);
  return samples.map((sample) => sample.event);
}

/** A log id in Auth0's format: "900", the UTC time to the second, then `seq` in 39 digits (sorts by time, then seq). */
export function logIdAt(at: Date, seq: number): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `900${stamp}${String(seq).padStart(39, '0')}`;
}

/** `template` as a new log at `at`: its own log id (and the API's legacy `_id`) and date, everything else kept. */
export function tenantLog(template: TenantLog, at: Date, seq: number): TenantLog {
  const id = logIdAt(at, seq);
  return { ...template, _id: id, log_id: id, date: at.toISOString() };
}

/** What the server answers instead of handling the next request of an endpoint. */
export type Auth0Fault =
  /** Any status, with a JSON body (default: the status in the Management API's error envelope) and headers. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** HTTP 429 with the real rate-limit body, `x-ratelimit-*` and, unless undefined, `Retry-After`. */
  | { readonly kind: 'ratelimit'; readonly retryAfterSec?: number; readonly resetInSec?: number }
  /** The connection is destroyed without an answer. */
  | { readonly kind: 'drop' };

export type Auth0Endpoint = 'token' | 'logs' | 'email-provider' | 'log-streams' | 'tenant-settings';

/** The checks' endpoints: path and the scope each requires. */
const CHECK_ENDPOINTS = {
  'email-provider': { path: '/api/v2/emails/provider', scope: 'read:email_provider' },
  'log-streams': { path: '/api/v2/log-streams', scope: 'read:log_streams' },
  'tenant-settings': { path: '/api/v2/tenants/settings', scope: 'read:tenant_settings' },
} as const;
type CheckEndpoint = keyof typeof CHECK_ENDPOINTS;

export interface ReceivedAuth0Request {
  readonly endpoint: Auth0Endpoint | 'other';
  /** Path and query as sent. */
  readonly url: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  /** The `Link` header answered, if any. */
  readonly link?: string;
  /** For the token endpoint: the form's client id and audience (never the secret). */
  readonly clientId?: string;
  readonly audience?: string;
  readonly userAgent?: string;
  /** Epoch ms by the server's clock. */
  readonly at: number;
}

export interface Auth0ManagementServerOptions {
  /** @default a random client id */
  readonly clientId?: string;
  /** @default a random secret */
  readonly clientSecret?: string;
  /** `expires_in` of the tokens issued. @default 86400 */
  readonly tokenLifetimeSec?: number;
  /** The scopes the application is granted on the Management API. @default ['read:logs'] */
  readonly scopes?: readonly string[];
  /** Requests allowed per window on `/api/v2/logs` (its `x-ratelimit-*`). @default 1000 per 1 s */
  readonly rateLimit?: { readonly limit: number; readonly windowSec: number };
  /** Whether a request over the limit gets `Retry-After` (Auth0 may leave it out). @default true */
  readonly retryAfterWhenLimited?: boolean;
  /** Epoch ms: tests share a fake clock with the reader. @default Date.now */
  readonly now?: () => number;
}

export interface Auth0ManagementServer {
  /** `http://127.0.0.1:<port>`: the tenant URL. */
  readonly url: string;
  /** `<url>/api/v2/`. */
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Adds logs (kept in log_id order; a repeated log id is an error). */
  append(...logs: TenantLog[]): void;
  /** Every log held, in log_id order. */
  logs(): readonly TenantLog[];
  /** The scopes of the tokens issued from now on. */
  grantScopes(scopes: readonly string[]): void;
  /** Every token issued so far is refused from now on, as an expired one is (401). */
  expireTokens(): void;
  /** Answers the next `n` requests of `endpoint` with `fault`. */
  failNext(endpoint: Auth0Endpoint, n: number, fault: Auth0Fault): void;
  /** Every request, oldest first, optionally of one endpoint. */
  requests(endpoint?: Auth0Endpoint): ReceivedAuth0Request[];
  /** How many tokens the token endpoint issued. */
  tokensIssued(): number;
  /** The email provider `GET /api/v2/emails/provider` returns; undefined: none (404 `inexistent_email_provider`). */
  setEmailProvider(provider: Readonly<Record<string, unknown>> | undefined): void;
  /** The log streams `GET /api/v2/log-streams` returns. @default none */
  setLogStreams(streams: readonly unknown[]): void;
  /** The body of `GET /api/v2/tenants/settings`. @default the real tenant-settings fixture's */
  setTenantSettings(settings: Readonly<Record<string, unknown>>): void;
  close(): Promise<void>;
}

const MAX_TAKE = 100;
const DEFAULT_TAKE = 50;

export async function startAuth0ManagementServer(options: Auth0ManagementServerOptions = {}): Promise<Auth0ManagementServer> {
  const clientId = options.clientId ?? `m2m${randomBytes(12).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const now = options.now ?? Date.now;
  const rateLimit = options.rateLimit ?? { limit: 1000, windowSec: 1 };
  const tokenLifetimeSec = options.tokenLifetimeSec ?? 86_400;
  let scopes = [...(options.scopes ?? ['read:logs'])];
  const stored: TenantLog[] = [];
  const issued = new Map<string, { scopes: readonly string[]; expiresAt: number }>();
  const received: ReceivedAuth0Request[] = [];
  const faults: Record<Auth0Endpoint, Auth0Fault[]> = { token: [], logs: [], 'email-provider': [], 'log-streams': [], 'tenant-settings': [] };
  let emailProvider: Readonly<Record<string, unknown>> | undefined;
  let logStreams: readonly unknown[] = [];
  let tenantSettings = fixtureBody('tenant/tenant-settings.200.real.json') as Readonly<Record<string, unknown>>;
  const window = { start: 0, count: 0 };
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
    return status;
  };

  /** The fixed window's headers after counting this request; `over` when it is past the limit. */
  const countRequest = (): { headers: Record<string, string>; over: boolean; resetAt: number } => {
    const windowMs = rateLimit.windowSec * 1000;
    const start = Math.floor(now() / windowMs) * windowMs;
    if (start !== window.start) Object.assign(window, { start, count: 0 });
    window.count += 1;
    const resetAt = Math.ceil((start + windowMs) / 1000);
    const remaining = Math.max(0, rateLimit.limit - window.count);
    const headers = {
      'x-ratelimit-limit': String(rateLimit.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(resetAt),
    };
    return { headers, over: window.count > rateLimit.limit, resetAt };
  };

  const rateLimited = (res: ServerResponse, headers: Record<string, string>, retryAfterSec: number | undefined): number =>
    send(res, 429, fixtureBody('get-logs.429.json'), {
      ...headers,
      ...(retryAfterSec !== undefined && { 'retry-after': String(retryAfterSec) }),
    });

  const injectFault = (res: ServerResponse, req: IncomingMessage, fault: Auth0Fault): number => {
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return 0;
    }
    if (fault.kind === 'ratelimit') {
      const resetAt = Math.ceil(now() / 1000) + (fault.resetInSec ?? fault.retryAfterSec ?? 1);
      const headers = { 'x-ratelimit-limit': String(rateLimit.limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) };
      return rateLimited(res, headers, fault.retryAfterSec);
    }
    const body = fault.body ?? { statusCode: fault.status, error: 'Error', message: `injected ${fault.status}` };
    return send(res, fault.status, body, { ...fault.headers });
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, record: (fields: Partial<ReceivedAuth0Request>) => void) => {
    const raw = (await readRequestBody(req, 64 * 1024, () => new Error('token request too large'))).toString('utf8');
    const form: Record<string, string> = (req.headers['content-type'] ?? '').startsWith('application/json')
      ? (JSON.parse(raw) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(raw));
    record({ clientId: form.client_id, audience: form.audience });
    const fault = faults.token.shift();
    if (fault) return record({ status: injectFault(res, req, fault) });
    if (form.grant_type !== 'client_credentials') {
      return record({ status: send(res, 403, { error: 'unauthorized_client', error_description: 'Grant type not allowed for the client.' }) });
    }
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return record({ status: send(res, 401, fixtureBody('oauth-token.401.access_denied.json')) });
    }
    if (form.audience !== `${base}/api/v2/` || scopes.length === 0) {
      const body = fixtureBody('oauth-token.403.no-client-grant.json') as { error_description: string };
      const description = body.error_description.replace('https://acme-prod.us.auth0.com/api/v2/', form.audience ?? '');
      return record({ status: send(res, 403, { ...body, error_description: description }) });
    }
    const token = randomBytes(24).toString('base64url');
    issued.set(token, { scopes: [...scopes], expiresAt: now() + tokenLifetimeSec * 1000 });
    record({ status: send(res, 200, { access_token: token, scope: scopes.join(' '), expires_in: tokenLifetimeSec, token_type: 'Bearer' }) });
  };

  const handleLogs = (req: IncomingMessage, res: ServerResponse, url: URL, record: (fields: Partial<ReceivedAuth0Request>) => void) => {
    const limit = countRequest();
    const fault = faults.logs.shift();
    if (fault) return record({ status: injectFault(res, req, fault) });
    const auth = req.headers.authorization ?? '';
    const grant = auth.startsWith('Bearer ') ? issued.get(auth.slice('Bearer '.length)) : undefined;
    if (!grant || grant.expiresAt <= now()) {
      return record({ status: send(res, 401, fixtureBody('get-logs.401-expired-token.json'), limit.headers) });
    }
    if (!grant.scopes.includes('read:logs')) {
      return record({ status: send(res, 403, fixtureBody('get-logs.403-insufficient-scope.json'), limit.headers) });
    }
    if (limit.over) {
      const retryAfter = options.retryAfterWhenLimited === false ? undefined : Math.max(1, limit.resetAt - Math.floor(now() / 1000));
      return record({ status: rateLimited(res, limit.headers, retryAfter) });
    }
    const query = url.searchParams;
    const from = query.get('from');
    if (from !== null) {
      const take = Number(query.get('take') ?? DEFAULT_TAKE);
      if (!Number.isInteger(take) || take < 1 || take > MAX_TAKE) {
        const message = `Query validation error: 'Invalid value ${query.get('take')} for query parameter take'`;
        return record({ status: send(res, 400, { statusCode: 400, error: 'Bad Request', message, errorCode: 'invalid_query_string' }) });
      }
      const page = stored.filter((log) => compareLogIds(log.log_id, from) > 0).slice(0, take);
      // An empty page's next link is the URL just used (Auth0's documented behaviour): the caller is caught up.
      const next = page.at(-1)?.log_id ?? from;
      const link = `<${base}/api/v2/logs?from=${next}&take=${take}>; rel="next"`;
      return record({ status: send(res, 200, page, { ...limit.headers, link }), link });
    }
    const perPage = Math.min(MAX_TAKE, Number(query.get('per_page') ?? DEFAULT_TAKE));
    const pageNumber = Number(query.get('page') ?? 0);
    const newestFirst = query.get('sort') === 'date:-1';
    const ordered = [...stored].sort((a, b) => (newestFirst ? -1 : 1) * (Date.parse(a.date) - Date.parse(b.date) || compareLogIds(a.log_id, b.log_id)));
    record({ status: send(res, 200, ordered.slice(pageNumber * perPage, (pageNumber + 1) * perPage), limit.headers) });
  };

  /** The fields asked for by `fields=a,b&include_fields=true`, as the Management API selects them. */
  const selectFields = (body: Readonly<Record<string, unknown>>, query: URLSearchParams): Readonly<Record<string, unknown>> => {
    const fields = query.get('fields');
    if (fields === null || query.get('include_fields') === 'false') return body;
    const wanted = new Set(fields.split(','));
    return Object.fromEntries(Object.entries(body).filter(([key]) => wanted.has(key)));
  };

  const handleCheck = (
    endpoint: CheckEndpoint,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    record: (fields: Partial<ReceivedAuth0Request>) => void,
  ) => {
    const limit = countRequest();
    const fault = faults[endpoint].shift();
    if (fault) return record({ status: injectFault(res, req, fault) });
    const auth = req.headers.authorization ?? '';
    const grant = auth.startsWith('Bearer ') ? issued.get(auth.slice('Bearer '.length)) : undefined;
    if (!grant || grant.expiresAt <= now()) {
      return record({ status: send(res, 401, fixtureBody('get-logs.401-expired-token.json'), limit.headers) });
    }
    const { scope } = CHECK_ENDPOINTS[endpoint];
    if (!grant.scopes.includes(scope)) {
      const body = fixtureBody('get-email-provider.403-insufficient-scope.json') as { message: string };
      const message = body.message.replace('read:email_provider', scope);
      return record({ status: send(res, 403, { ...body, message }, limit.headers) });
    }
    if (limit.over) {
      const retryAfter = options.retryAfterWhenLimited === false ? undefined : Math.max(1, limit.resetAt - Math.floor(now() / 1000));
      return record({ status: rateLimited(res, limit.headers, retryAfter) });
    }
    if (endpoint === 'email-provider') {
      if (emailProvider === undefined) {
        return record({ status: send(res, 404, fixtureBody('email-provider/get-provider.404.builtin-test-provider.real.json'), limit.headers) });
      }
      return record({ status: send(res, 200, selectFields(emailProvider, url.searchParams), limit.headers) });
    }
    if (endpoint === 'log-streams') return record({ status: send(res, 200, logStreams, limit.headers) });
    record({ status: send(res, 200, selectFields(tenantSettings, url.searchParams), limit.headers) });
  };

  const checkEndpointOf = (method: string | undefined, pathname: string): CheckEndpoint | undefined =>
    method === 'GET' ? (Object.keys(CHECK_ENDPOINTS) as CheckEndpoint[]).find((name) => CHECK_ENDPOINTS[name].path === pathname) : undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const check = checkEndpointOf(req.method, url.pathname);
    const endpoint: ReceivedAuth0Request['endpoint'] =
      req.method === 'POST' && url.pathname === '/oauth/token'
        ? 'token'
        : req.method === 'GET' && url.pathname === '/api/v2/logs'
          ? 'logs'
          : (check ?? 'other');
    const entry: { -readonly [K in keyof ReceivedAuth0Request]: ReceivedAuth0Request[K] } = {
      endpoint,
      url: req.url ?? '/',
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: now(),
      ...(req.headers['user-agent'] !== undefined && { userAgent: req.headers['user-agent'] }),
    };
    received.push(entry);
    const record = (fields: Partial<ReceivedAuth0Request>) => Object.assign(entry, fields);
    const handled =
      endpoint === 'token'
        ? handleToken(req, res, record)
        : endpoint === 'logs'
          ? Promise.resolve(handleLogs(req, res, url, record))
          : check !== undefined
            ? Promise.resolve(handleCheck(check, req, res, url, record))
            : Promise.resolve(record({ status: send(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }) }));
    handled.catch((error: unknown) => {
      if (!res.headersSent) record({ status: send(res, 500, { statusCode: 500, error: 'Internal Server Error', message: String(error) }) });
    });
  });
  const listener = await listenOnLoopback(server);
  base = `http://127.0.0.1:${listener.port}`;

  return {
    url: base,
    audience: `${base}/api/v2/`,
    clientId,
    clientSecret,
    append(...logs) {
      for (const log of logs) {
        if (stored.some((held) => held.log_id === log.log_id)) throw new Error(`log ${log.log_id} is already held`);
        stored.push(log);
      }
      stored.sort((a, b) => compareLogIds(a.log_id, b.log_id));
    },
    logs: () => [...stored],
    grantScopes(next) {
      scopes = [...next];
    },
    expireTokens() {
      for (const grant of issued.values()) grant.expiresAt = 0;
    },
    failNext(endpoint, n, fault) {
      for (let i = 0; i < n; i++) faults[endpoint].push(fault);
    },
    requests: (endpoint) => received.filter((request) => endpoint === undefined || request.endpoint === endpoint),
    tokensIssued: () => issued.size,
    setEmailProvider(provider) {
      emailProvider = provider;
    },
    setLogStreams(streams) {
      logStreams = [...streams];
    },
    setTenantSettings(settings) {
      tenantSettings = settings;
    },
    close: () => listener.close(),
  };
}
