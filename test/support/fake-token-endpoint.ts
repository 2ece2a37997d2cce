// Test double of an Auth0 tenant's Authentication API for the synthetic login, on 127.0.0.1: `POST /oauth/token`
// answering with the real-shaped answers of test/fixtures/auth0-tenant/synthetic/ropg.*.json (status, headers, body as
// recorded), optionally late or never; and OpenID discovery with its JWKS. It counts every request and keeps each token
// request's form, so a test can say how many login attempts a paused probe made (none) and what it sent.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody, trackedSleep } from './loopback-server.js';

const SYNTHETIC = new URL('../fixtures/auth0-tenant/synthetic/', import.meta.url);

/** The ropg answers, by the middle of their file name (`ropg.<name>.json`). */
export const ROPG_ANSWERS = [
  '200',
  '401.access_denied.bad-client-secret',
  '403.invalid_grant.wrong-password',
  '403.mfa_required',
  '403.unauthorized_client.grant-not-allowed',
  '429.rate-limited',
  '429.too_many_attempts',
  '500.no-default-connection',
  '503.temporarily_unavailable',
] as const;
export type RopgAnswer = (typeof ROPG_ANSWERS)[number];

export interface RecordedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** A ropg fixture's recorded response. */
export function ropgResponse(name: RopgAnswer): RecordedResponse {
  return (JSON.parse(readFileSync(new URL(`ropg.${name}.json`, SYNTHETIC), 'utf8')) as { response: RecordedResponse }).response;
}

/** The documented password-realm request (`ropg.request.password-realm.json`): its form fields. */
export function passwordRealmRequestForm(): Readonly<Record<string, string>> {
  return (JSON.parse(readFileSync(new URL('ropg.request.password-realm.json', SYNTHETIC), 'utf8')) as {
    request: { form: Record<string, string> };
  }).request.form;
}

/** What the token endpoint does with the next request: a recorded answer (after `delayMs`), or nothing at all. */
export type TokenBehaviour = { readonly answer: RopgAnswer; readonly delayMs?: number } | { readonly hang: true };

export interface FakeTokenEndpoint {
  /** `http://127.0.0.1:<port>`: the tenant's "domain". */
  readonly url: string;
  /** Token requests received, oldest first: the form fields as sent, and the content type. */
  readonly tokenRequests: readonly { readonly form: Readonly<Record<string, string>>; readonly contentType: string }[];
  /** Requests received by path (`/oauth/token`, `/.well-known/openid-configuration`, `/.well-known/jwks.json`). */
  count(path: string): number;
  /** What every following token request gets, until changed. @default { answer: '200' } */
  answerWith(behaviour: TokenBehaviour): void;
  /** What discovery answers (default: a document naming this server's JWKS, and one key). */
  discoveryWith(answer: { readonly status?: number; readonly jwksUri?: string; readonly delayMs?: number }): void;
  close(): Promise<void>;
}

export async function startFakeTokenEndpoint(): Promise<FakeTokenEndpoint> {
  const counts = new Map<string, number>();
  const tokenRequests: { form: Record<string, string>; contentType: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let behaviour: TokenBehaviour = { answer: '200' };
  let discovery: { status?: number; jwksUri?: string; delayMs?: number } = {};
  let url = '';

  const send = (res: ServerResponse, answer: RecordedResponse) => {
    res.writeHead(answer.status, { ...answer.headers, 'content-type': answer.headers['content-type'] ?? 'application/json' });
    res.end(JSON.stringify(answer.body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/oauth/token' && req.method === 'POST') {
      const body = await readRequestBody(req, 64 * 1024, () => new Error('token request too large'));
      tokenRequests.push({
        form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
        contentType: req.headers['content-type'] ?? '',
      });
      const now = behaviour;
      if ('hang' in now) return; // never answers: the probe's deadline must end it
      if (now.delayMs) await trackedSleep(now.delayMs, timers);
      send(res, ropgResponse(now.answer));
      return;
    }
    if (path === '/.well-known/openid-configuration') {
      if (discovery.delayMs) await trackedSleep(discovery.delayMs, timers);
      if (discovery.status && discovery.status !== 200) {
        send(res, { status: discovery.status, headers: {}, body: { error: 'temporarily_unavailable' } });
        return;
      }
      send(res, {
        status: 200,
        headers: {},
        body: { issuer: `${url}/`, token_endpoint: `${url}/oauth/token`, jwks_uri: discovery.jwksUri ?? `${url}/.well-known/jwks.json` },
      });
      return;
    }
    if (path === '/.well-known/jwks.json') {
      send(res, { status: 200, headers: {}, body: { keys: [{ kty: 'RSA', use: 'sig', kid: 'test-key-1', n: 'sXch', e: 'AQAB', alg: 'RS256' }] } });
      return;
    }
    send(res, { status: 404, headers: {}, body: { error: 'not_found' } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const listener = await listenOnLoopback(server);
  url = `http://127.0.0.1:${listener.port}`;
  return {
    url,
    tokenRequests,
    count: (path) => counts.get(path) ?? 0,
    answerWith(next) {
      behaviour = next;
    },
    discoveryWith(answer) {
      discovery = answer;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await listener.close();
    },
  };
}
