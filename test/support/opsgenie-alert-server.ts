// Test double of Opsgenie's Alert API on 127.0.0.1: create (`POST /v2/alerts`), add note and close
// (`POST /v2/alerts/{alias}/notes|close?identifierType=alias`), each checked as Opsgenie documents it (the
// `Authorization: GenieKey <key>` header, a message of 1 to 130 characters, alias up to 512, description up to 15,000,
// priority P1 to P5, at most 20 tags of up to 50 characters, details up to 8,000 characters, a note up to 25,000),
// answering 202 `{result, took, requestId}`, 401 for a wrong key, 422 with the fields' errors, or the fault a test asks
// for. As Opsgenie, it processes requests after answering: a create with the alias of an open alert only raises its
// count; a note or close on an alias with no alert is accepted and then fails (`failedRequests`).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

export interface OpsgenieTestAlert {
  readonly alias: string;
  readonly status: 'open' | 'closed';
  /** How many creates it took (1, plus each one folded into it while it was open). */
  readonly count: number;
  /** The first create's body. */
  readonly created: Record<string, unknown>;
  readonly notes: readonly string[];
  /** The close's note, once closed. */
  readonly closeNote?: string;
}

export type OpsgenieFault =
  | { readonly kind: 'ratelimit'; readonly retryAfterSec: number }
  | { readonly kind: 'http'; readonly status: number; readonly body?: unknown };

export interface OpsgenieAlertServer {
  readonly apiBaseUrl: string;
  /** The one API key it accepts. */
  readonly apiKey: string;
  /** Alerts, oldest first (a closed alias created again is a new alert). */
  alerts(): OpsgenieTestAlert[];
  /** Accepted requests as `<action> <alias>` (`create`, `note`, `close`), oldest first. */
  actions(): string[];
  /** Accepted requests whose processing failed (a note or close on an alias with no alert). */
  failedRequests(): string[];
  /** Every request received, with its status and arrival time (epoch ms). */
  requests(): Array<{ readonly at: number; readonly status: number }>;
  failNext(n: number, fault: OpsgenieFault): void;
  close(): Promise<void>;
}

const LIMITS = { message: 130, alias: 512, description: 15_000, tags: 20, tag: 50, details: 8_000, note: 25_000, source: 100, entity: 512 };

export async function startOpsgenieAlertServer(apiKey = 'eb243592-faa2-4ba2-a551-1afdf565c889'): Promise<OpsgenieAlertServer> {
  const alerts: Array<{ alias: string; status: 'open' | 'closed'; count: number; created: Record<string, unknown>; notes: string[]; closeNote?: string }> = [];
  const actions: string[] = [];
  const failed: string[] = [];
  const received: Array<{ at: number; status: number }> = [];
  const faults: OpsgenieFault[] = [];
  const latest = (alias: string) => alerts.findLast((alert) => alert.alias === alias);

  const server = createServer((req, res) => {
    const took = 0.01;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      received.push({ at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    void (async () => {
      const raw = await readRequestBody(req, 1024 * 1024, () => new Error('too large')).catch(() => undefined);
      if (raw === undefined) return answer(413, { message: 'Request entity too large', took, requestId: randomUUID() });
      const fault = faults.shift();
      if (fault?.kind === 'ratelimit') return answer(429, { message: 'Too many requests', took, requestId: randomUUID() }, { 'retry-after': String(fault.retryAfterSec) });
      if (fault?.kind === 'http') return answer(fault.status, fault.body ?? { message: 'Internal Server Error', took, requestId: randomUUID() });
      if (req.headers.authorization !== `GenieKey ${apiKey}`) return answer(401, { message: 'Could not authenticate', took, requestId: randomUUID() });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = /^\/v2\/alerts(?:\/([^/]+)\/(notes|close))?$/.exec(url.pathname);
      if (req.method !== 'POST' || !route) return answer(404, { message: 'Not found', took, requestId: randomUUID() });
      if (route[1] !== undefined && url.searchParams.get('identifierType') !== 'alias') {
        return answer(422, { message: 'Request is not processable', errors: { identifierType: 'must be alias here' }, took, requestId: randomUUID() });
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return answer(400, { message: 'Could not parse the request body', took, requestId: randomUUID() });
      }
      const alias = route[1] === undefined ? (body['alias'] as string) : decodeURIComponent(route[1]);
      const action = route[2] === undefined ? 'create' : route[2] === 'notes' ? 'note' : 'close';
      const errors = action === 'create' ? createErrors(body) : noteErrors(body, action === 'note');
      if (Object.keys(errors).length > 0) {
        return answer(422, { message: 'Request body is not processable. Please check the errors.', errors, took, requestId: randomUUID() });
      }
      actions.push(`${action} ${alias}`);
      // Processing, after the answer as far as the client can tell.
      const alert = latest(alias);
      if (action === 'create') {
        if (alert?.status === 'open') alert.count += 1;
        else alerts.push({ alias, status: 'open', count: 1, created: body, notes: [] });
      } else if (!alert) failed.push(`${action} ${alias}: Alert does not exist`);
      else if (action === 'note') alert.notes.push(body['note'] as string);
      else if (alert.status === 'open') Object.assign(alert, { status: 'closed', closeNote: body['note'] });
      return answer(202, { result: 'Request will be processed', took, requestId: randomUUID() });
    })();
  });
  const listener = await listenOnLoopback(server);
  return {
    apiBaseUrl: `http://127.0.0.1:${listener.port}`,
    apiKey,
    alerts: () => alerts.map((alert) => ({ ...alert, notes: [...alert.notes] })),
    actions: () => [...actions],
    failedRequests: () => [...failed],
    requests: () => [...received],
    failNext(n, fault) {
      for (let i = 0; i < n; i += 1) faults.push(fault);
    },
    close: () => listener.close(),
  };
}

function createErrors(body: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  const text = (field: string, max: number, required = false) => {
    const value = body[field];
    if (value === undefined) {
      if (required) errors[field] = `${field} can not be empty.`;
    } else if (typeof value !== 'string' || (required && value.trim() === '')) errors[field] = `${field} can not be empty.`;
    else if (value.length > max) errors[field] = `${field} can not be longer than ${max} characters.`;
  };
  text('message', LIMITS.message, true);
  text('alias', LIMITS.alias);
  text('description', LIMITS.description);
  text('source', LIMITS.source);
  text('entity', LIMITS.entity);
  if (body['priority'] !== undefined && !['P1', 'P2', 'P3', 'P4', 'P5'].includes(body['priority'] as string)) errors['priority'] = 'should be one of [P1, P2, P3, P4, P5]';
  const tags = body['tags'];
  if (tags !== undefined && (!Array.isArray(tags) || tags.length > LIMITS.tags || tags.some((tag) => typeof tag !== 'string' || tag.length > LIMITS.tag))) {
    errors['tags'] = `at most ${LIMITS.tags} tags of at most ${LIMITS.tag} characters`;
  }
  const details = body['details'];
  if (details !== undefined) {
    const entries = typeof details === 'object' && details !== null ? Object.entries(details) : undefined;
    if (!entries || entries.some(([, value]) => typeof value !== 'string')) errors['details'] = 'must map keys to text';
    else if (entries.reduce((sum, [key, value]) => sum + key.length + (value as string).length, 0) > LIMITS.details) {
      errors['details'] = `can not be longer than ${LIMITS.details} characters`;
    }
  }
  return errors;
}

function noteErrors(body: Record<string, unknown>, required: boolean): Record<string, string> {
  const note = body['note'];
  if (note === undefined) return required ? { note: 'note can not be empty.' } : {};
  if (typeof note !== 'string' || note.trim() === '') return { note: 'note can not be empty.' };
  return note.length > LIMITS.note ? { note: `note can not be longer than ${LIMITS.note} characters.` } : {};
}
