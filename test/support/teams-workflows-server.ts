// Test double of a Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is received") on
// 127.0.0.1. Each workflow has a URL of the real shape, `/workflows/<id>/triggers/manual/paths/invoke?api-version=…&sp=…
// &sv=1.0&sig=<signature>`; a request with another signature or to an unknown workflow is refused as Azure Logic Apps
// refuses it (401, 404, with an `{"error":{"code","message"}}` body; codes as Logic Apps documents them, wording
// illustrative). A valid request must carry the envelope Teams takes for an Adaptive Card (a `message` with one
// attachment of content type application/vnd.microsoft.card.adaptive, `contentUrl` null, an `AdaptiveCard` of version
// 1.0 to 1.5 with a non-empty body) within Teams' 28 KB message limit; it is answered 202 Accepted with no body, as
// Workflows answers, and recorded.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

/** Teams' limit on a message, card and envelope together. */
export const TEAMS_MESSAGE_LIMIT_BYTES = 28 * 1024;

/** One card a workflow accepted. */
export interface PostedCard {
  readonly workflow: string;
  readonly at: number;
  readonly bytes: number;
  /** The Adaptive Card (`attachments[0].content`). */
  readonly card: Readonly<Record<string, unknown>>;
}

/** What the server answers instead of handling the next request. */
export type TeamsFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSec?: number; readonly body?: string }
  /** The card is accepted and recorded, then the connection is cut before the answer. */
  | { readonly kind: 'drop-after-post' };

export interface TeamsWorkflowsServer {
  readonly origin: string;
  /** Creates a workflow (idempotent) and returns its full URL, signature included: the route's secret. */
  workflowUrl(name: string): string;
  /** The URL of `name` with a signature that is not its own. */
  forgedUrl(name: string): string;
  /** Cards accepted, oldest first, optionally of one workflow. */
  cards(workflow?: string): PostedCard[];
  /** Every request: its workflow (or `?`), status answered and when. */
  readonly requests: ReadonlyArray<{ readonly workflow: string; readonly status: number; readonly at: number; readonly reason?: string }>;
  /** Answers the next requests with these, in order, before handling any normally. */
  failNext(...faults: TeamsFault[]): void;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/workflows\/([a-z0-9]+)\/triggers\/manual\/paths\/invoke$/;

export async function startTeamsWorkflowsServer(): Promise<TeamsWorkflowsServer> {
  const signatures = new Map<string, string>();
  const posted: PostedCard[] = [];
  const requests: Array<{ workflow: string; status: number; at: number; reason?: string }> = [];
  const faults: TeamsFault[] = [];

  const answer = (res: ServerResponse, workflow: string, status: number, code?: string, message?: string) => {
    requests.push({ workflow, status, at: Date.now(), ...(code && { reason: code }) });
    if (code === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code, message } }));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const workflow = INVOKE_PATH.exec(url.pathname)?.[1] ?? '?';
    const body = await readRequestBody(req, 1024 * 1024, () => new Error('body over 1 MB'));
    const fault = faults.shift();
    if (fault?.kind === 'status') {
      requests.push({ workflow, status: fault.status, at: Date.now(), reason: 'fault' });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSec !== undefined) headers['retry-after'] = String(fault.retryAfterSec);
      res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'try again' } }));
      return;
    }
    if (req.method !== 'POST') return answer(res, workflow, 405, 'MethodNotAllowed', 'The trigger accepts POST only.');
    const expected = signatures.get(workflow);
    if (expected === undefined) return answer(res, workflow, 404, 'WorkflowNotFound', `The workflow '${workflow}' could not be found.`);
    if (url.searchParams.get('sig') !== expected || url.searchParams.get('sp') !== '/triggers/manual/run') {
      return answer(res, workflow, 401, 'DirectApiAuthorizationRequired', 'The request must be authenticated with a valid signature.');
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return answer(res, workflow, 415, 'UnsupportedMediaType', 'The request content type must be application/json.');
    }
    if (body.length > TEAMS_MESSAGE_LIMIT_BYTES) return answer(res, workflow, 413, 'MessageTooLarge', `${body.length} bytes is over the limit.`);
    const problem = envelopeProblem(body);
    if (typeof problem === 'string') return answer(res, workflow, 400, 'InvalidRequestContent', problem);
    posted.push({ workflow, at: Date.now(), bytes: body.length, card: problem.card });
    if (fault?.kind === 'drop-after-post') {
      requests.push({ workflow, status: 0, at: Date.now(), reason: 'dropped' });
      res.socket?.destroy();
      return;
    }
    answer(res, workflow, 202);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  const listener = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${listener.port}`;
  const urlOf = (name: string, sig: string) =>
    `${origin}/workflows/${name}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;

  return {
    origin,
    workflowUrl(name) {
      if (!/^[a-z0-9]+$/.test(name)) throw new Error('workflow names are lower-case letters and digits');
      if (!signatures.has(name)) signatures.set(name, randomBytes(32).toString('base64url'));
      return urlOf(name, signatures.get(name)!);
    },
    forgedUrl(name) {
      return urlOf(name, randomBytes(32).toString('base64url'));
    },
    cards: (workflow) => posted.filter((card) => workflow === undefined || card.workflow === workflow),
    requests,
    failNext: (...next) => void faults.push(...next),
    close: () => listener.close(),
  };
}

/** What is wrong with the envelope, or the card it carries. */
function envelopeProblem(body: Buffer): string | { card: Record<string, unknown> } {
  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return 'The request body is not valid JSON.';
  }
  const record = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!record(message) || message['type'] !== 'message') return 'The body must be a message ("type": "message").';
  const attachments = message['attachments'];
  if (!Array.isArray(attachments) || attachments.length !== 1 || !record(attachments[0])) return 'The message must carry one attachment.';
  const attachment = attachments[0];
  if (attachment['contentType'] !== 'application/vnd.microsoft.card.adaptive') return 'The attachment must be an Adaptive Card.';
  if (!('contentUrl' in attachment) || attachment['contentUrl'] !== null) return 'An Adaptive Card attachment has a null contentUrl.';
  const card = attachment['content'];
  if (!record(card) || card['type'] !== 'AdaptiveCard') return 'The attachment content must be an AdaptiveCard.';
  if (typeof card['version'] !== 'string' || !/^1\.[0-5]$/.test(card['version'])) return 'The card version must be 1.0 to 1.5.';
  if (!Array.isArray(card['body']) || card['body'].length === 0) return 'The card body must not be empty.';
  return { card };
}
