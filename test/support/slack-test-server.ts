// Test double of Slack for integration tests: the Web API methods the notifier calls and incoming webhooks, on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

/** One message as the server stored it; `text`, `blocks` and `metadata` reflect the latest update. */
export interface RecordedMessage {
  readonly channel: string;
  readonly ts: string;
  /** The root's ts, for a thread reply. */
  readonly threadTs?: string;
  /** A thread reply that is also shown in the channel (`reply_broadcast`). */
  readonly broadcast: boolean;
  readonly text: string;
  readonly blocks: ReadonlyArray<Record<string, unknown>>;
  readonly metadata?: { readonly event_type: string; readonly event_payload: Readonly<Record<string, unknown>> };
  /** How many `chat.update` calls changed it. */
  readonly updates: number;
  /** The formatting arguments of the post, as sent (undefined when not sent). */
  readonly unfurlLinks?: boolean;
  readonly unfurlMedia?: boolean;
  readonly parse?: string;
  readonly linkNames?: boolean;
}

/** One body an incoming webhook accepted, parsed from JSON. */
export type RecordedWebhookPost = Readonly<Record<string, unknown>>;

/** What the server answers instead of handling the next request of a method. */
export type SlackFault =
  /** HTTP 429 with `Retry-After`. */
  | { readonly kind: 'ratelimit'; readonly retryAfterSec: number }
  /** An HTTP error status, e.g. 500 or 503; `body` defaults to the status text. */
  | { readonly kind: 'http'; readonly status: number; readonly body?: string }
  /** A Slack error: HTTP 200 `{ok:false,error}` from the Web API; from a webhook, the status Slack uses for it. */
  | { readonly kind: 'slack'; readonly error: string }
  /** The connection is destroyed after the request is read, with no response. */
  | { readonly kind: 'drop' }
  /** The request is carried out (a message is posted), then the connection is destroyed before the answer. */
  | { readonly kind: 'drop-after-post' }
  /** The request is handled as usual, but answered only after `ms` milliseconds (a slow Slack). */
  | { readonly kind: 'slow'; readonly ms: number };

/** One request as it arrived: the Web API method or `webhook:<name>`, and when (epoch ms). */
export interface ReceivedSlackRequest {
  readonly method: string;
  readonly at: number;
}

export interface SlackTestServer {
  /** `http://127.0.0.1:<port>/api/`, for the client's `slackApiUrl`. */
  readonly apiBaseUrl: string;
  /** The bot token the Web API accepts; any other token gets `invalid_auth`. */
  readonly token: string;
  /** Registers an incoming webhook (idempotent) and returns its URL; unregistered names answer 404 `no_service`. */
  webhookUrl(name: string): string;
  /** Creates a channel the bot is a member of. `C0INCIDENTS` exists from the start. */
  addChannel(id: string): void;
  /** Every message posted (top-level and replies), oldest first, optionally of one channel. */
  messages(channel?: string): RecordedMessage[];
  /** The replies of one thread, oldest first (without the root). */
  replies(channel: string, threadTs: string): RecordedMessage[];
  /** The ts of the messages pinned in a channel (pins.add), in the order they were pinned. */
  pins(channel: string): string[];
  /** The bodies one webhook accepted, oldest first. */
  webhookPosts(name: string): RecordedWebhookPost[];
  /** How many requests arrived, optionally of one method (`chat.postMessage`, `webhook:<name>`), faults and rejections included. */
  calls(method?: string): number;
  /** Every request, oldest first, optionally of one method: to check that waits were honoured. */
  requests(method?: string): ReceivedSlackRequest[];
  /**
   * Deletes a message as a person would in the client: a later reply to it answers `thread_not_found`, an update of it
   * `message_not_found`, and conversations.replies on it `thread_not_found`, as Slack does. Its replies stay stored.
   */
  deleteMessage(channel: string, ts: string): void;
  /** Answers the next `n` requests of `method` (`webhook:<name>` for a webhook) with `fault`. */
  failNext(method: string, n: number, fault: SlackFault): void;
  /**
   * Answers every request of `method` whose parameters (a webhook: its payload) `match` with a Slack error, as Slack
   * refuses one particular message (`msg_too_long`, `invalid_blocks`), until the returned function is called.
   */
  refuseWhere(method: string, match: (params: Readonly<Record<string, unknown>>) => boolean, error: string): () => void;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Slack's documented message limits. */
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const MAX_SECTION_FIELD_TEXT = 2000;
const MAX_HEADER_TEXT = 150;
const MAX_MESSAGE_TEXT = 40_000;
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const DEFAULT_CHANNEL = 'C0INCIDENTS';

/** The HTTP status an incoming webhook answers each error with (Slack's changelog of 2016-05-17, plus later codes). */
const WEBHOOK_ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid_payload: 400,
  user_not_found: 400,
  no_text: 400,
  invalid_blocks: 400,
  too_many_attachments: 400,
  action_prohibited: 403,
  invalid_token: 403,
  channel_not_found: 404,
  no_service: 404,
  channel_is_archived: 410,
  rollup_error: 500,
};

/** A Web API refusal: Slack answers HTTP 200 with `ok: false`. */
class SlackApiRefusal extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

type Params = Readonly<Record<string, unknown>>;

interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  broadcast: boolean;
  text: string;
  blocks: Record<string, unknown>[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  updates: number;
  unfurlLinks?: boolean;
  unfurlMedia?: boolean;
  parse?: string;
  linkNames?: boolean;
}

/** Starts the server on an ephemeral loopback port. */
export async function startSlackTestServer(): Promise<SlackTestServer> {
  const token = `xoxb-test-${randomBytes(12).toString('hex')}`;
  const channels = new Set<string>([DEFAULT_CHANNEL]);
  const webhooks = new Map<string, RecordedWebhookPost[]>();
  const stored: StoredMessage[] = [];
  const pinned: { channel: string; ts: string }[] = [];
  const received: ReceivedSlackRequest[] = [];
  const faults = new Map<string, SlackFault[]>();
  const refusals: { method: string; match: (params: Params) => boolean; error: string }[] = [];
  const refusalFor = (method: string, params: Params) => refusals.find((r) => r.method === method && r.match(params))?.error;
  let lastTsMicros = 0;

  /** Slack's ts is epoch seconds with six digits after the point; here it follows the clock and never repeats. */
  const nextTs = (): string => {
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 1);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const webhookName = path.startsWith('/services/') ? decodeURIComponent(path.slice('/services/'.length)) : undefined;
    const apiMethod = path.startsWith('/api/') ? path.slice('/api/'.length) : undefined;
    const method = webhookName !== undefined ? `webhook:${webhookName}` : (apiMethod ?? path);
    received.push({ method, at: Date.now() });

    const body = await readBody(req);
    const fault = faults.get(method)?.shift();
    if (fault?.kind === 'drop-after-post') {
      // Carry the request out as usual, but lose the answer: the client cannot know it succeeded.
      if (webhookName !== undefined) {
        const posts = webhooks.get(webhookName);
        if (posts) posts.push(JSON.parse(body) as RecordedWebhookPost);
      } else if (apiMethod !== undefined) {
        callMethod(apiMethod, parseParams(req, body));
      }
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    else if (fault) return injectFault(req, res, fault, webhookName !== undefined);

    if (webhookName !== undefined) return handleWebhook(req, res, webhookName, body);
    if (apiMethod === undefined) return sendText(res, 404, 'not found');
    try {
      const params = parseParams(req, body);
      const auth = req.headers.authorization;
      const given = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : params.token;
      if (given === undefined || given === '') throw new SlackApiRefusal('not_authed');
      if (given !== token) throw new SlackApiRefusal('invalid_auth');
      const refused = refusalFor(method, params);
      if (refused !== undefined) throw new SlackApiRefusal(refused);
      sendJson(res, 200, { ok: true, ...callMethod(apiMethod, params) });
    } catch (error) {
      if (!(error instanceof SlackApiRefusal)) throw error;
      sendJson(res, 200, { ok: false, error: error.error });
    }
  };

  const callMethod = (name: string, params: Params): Record<string, unknown> => {
    switch (name) {
      case 'chat.postMessage':
        return postMessage(params);
      case 'chat.update':
        return update(params);
      case 'conversations.history':
        return history(params);
      case 'conversations.replies':
        return threadReplies(params);
      case 'pins.add':
        return pin(params);
      case 'auth.test':
        return { url: 'https://test.slack.com/', team: 'Test', user: 'watcher', team_id: 'T0TEST', user_id: 'U0WATCHER', bot_id: 'B0WATCHER' };
      default:
        throw new SlackApiRefusal('unknown_method');
    }
  };

  const postMessage = (params: Params): Record<string, unknown> => {
    const channel = knownChannel(params);
    const { text, blocks } = messageContent(params, true);
    const threadTs = optionalString(params, 'thread_ts');
    if (threadTs !== undefined && !stored.some((m) => m.channel === channel && m.ts === threadTs && m.threadTs === undefined)) {
      throw new SlackApiRefusal('thread_not_found');
    }
    const metadata = parseMetadata(params.metadata);
    const unfurlLinks = optionalBoolean(params, 'unfurl_links');
    const unfurlMedia = optionalBoolean(params, 'unfurl_media');
    const linkNames = optionalBoolean(params, 'link_names');
    const parse = optionalString(params, 'parse');
    const message: StoredMessage = {
      channel,
      ts: nextTs(),
      broadcast: threadTs !== undefined && optionalBoolean(params, 'reply_broadcast') === true,
      text: text ?? '',
      blocks: blocks ?? [],
      updates: 0,
      ...(threadTs !== undefined && { threadTs }),
      ...(metadata !== undefined && { metadata }),
      ...(unfurlLinks !== undefined && { unfurlLinks }),
      ...(unfurlMedia !== undefined && { unfurlMedia }),
      ...(linkNames !== undefined && { linkNames }),
      ...(parse !== undefined && { parse }),
    };
    stored.push(message);
    return { channel, ts: message.ts, message: view(message, true) };
  };

  const update = (params: Params): Record<string, unknown> => {
    const channel = knownChannel(params);
    const ts = optionalString(params, 'ts');
    const message = stored.find((m) => m.channel === channel && m.ts === ts);
    if (!message) throw new SlackApiRefusal('message_not_found');
    const { text, blocks } = messageContent(params, false);
    // As Slack documents it: text replaces the old text; blocks left out are kept, an empty array removes them.
    if (text !== undefined) message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    // Metadata left out is kept; an empty object removes it.
    if (isEmptyObject(params.metadata)) delete message.metadata;
    else {
      const metadata = parseMetadata(params.metadata);
      if (metadata !== undefined) message.metadata = metadata;
    }
    message.updates += 1;
    return { channel, ts: message.ts, text: message.text, message: view(message, false) };
  };

  /** pins.add as Slack documents it: `channel` and the message's `timestamp`; pinning one twice answers `already_pinned`. */
  const pin = (params: Params): Record<string, unknown> => {
    const channel = knownChannel(params);
    const ts = optionalString(params, 'timestamp');
    if (ts === undefined) throw new SlackApiRefusal('no_item_specified');
    if (!stored.some((m) => m.channel === channel && m.ts === ts)) throw new SlackApiRefusal('message_not_found');
    if (pinned.some((p) => p.channel === channel && p.ts === ts)) throw new SlackApiRefusal('already_pinned');
    pinned.push({ channel, ts });
    return {};
  };

  const history = (params: Params): Record<string, unknown> => {
    const channel = knownChannel(params);
    const inChannel = stored
      .filter((m) => m.channel === channel && (m.threadTs === undefined || m.broadcast))
      .filter(timeWindow(params))
      .reverse();
    return page(inChannel, params, optionalBoolean(params, 'include_all_metadata') === true);
  };

  const threadReplies = (params: Params): Record<string, unknown> => {
    const channel = knownChannel(params);
    const ts = optionalString(params, 'ts');
    if (ts === undefined) throw new SlackApiRefusal('invalid_arguments');
    const message = stored.find((m) => m.channel === channel && m.ts === ts);
    if (!message) throw new SlackApiRefusal('thread_not_found');
    const rootTs = message.threadTs ?? message.ts;
    const root = stored.find((m) => m.channel === channel && m.ts === rootTs);
    const inThread = stored.filter((m) => m.channel === channel && m.threadTs === rootTs).filter(timeWindow(params));
    // Slack puts the thread's root first, whatever the time window.
    return page(root ? [root, ...inThread] : inThread, params, optionalBoolean(params, 'include_all_metadata') === true);
  };

  /** Cursor pagination as Slack does it: an opaque `next_cursor` in `response_metadata`, `has_more`. */
  const page = (all: StoredMessage[], params: Params, withMetadata: boolean): Record<string, unknown> => {
    const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 999);
    const cursor = optionalString(params, 'cursor');
    const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
    if (!Number.isInteger(start) || start < 0) throw new SlackApiRefusal('invalid_cursor');
    const slice = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return {
      messages: slice.map((m) => view(m, withMetadata)),
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
    };
  };

  const knownChannel = (params: Params): string => {
    const channel = optionalString(params, 'channel');
    if (channel === undefined || !channels.has(channel)) throw new SlackApiRefusal('channel_not_found');
    return channel;
  };

  const handleWebhook = (req: IncomingMessage, res: ServerResponse, name: string, body: string): void => {
    const posts = webhooks.get(name);
    if (!posts) return webhookError(res, 'no_service');
    if (req.method !== 'POST') return sendText(res, 405, 'invalid_method');
    let payload: unknown;
    try {
      const type = req.headers['content-type'] ?? '';
      payload = JSON.parse(type.startsWith('application/x-www-form-urlencoded') ? (new URLSearchParams(body).get('payload') ?? '') : body);
    } catch {
      return webhookError(res, 'invalid_payload');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return webhookError(res, 'invalid_payload');
    const refused = refusalFor(`webhook:${name}`, payload as Params);
    if (refused !== undefined) return webhookError(res, refused);
    try {
      messageContent(payload as Params, true);
    } catch (error) {
      if (!(error instanceof SlackApiRefusal)) throw error;
      return webhookError(res, error.error);
    }
    posts.push(payload as RecordedWebhookPost);
    sendText(res, 200, 'ok');
  };

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'fatal_error', detail: String(error) });
    });
  });
  const { port, close } = await listenOnLoopback(server);
  const origin = `http://127.0.0.1:${port}`;

  return {
    apiBaseUrl: `${origin}/api/`,
    token,
    webhookUrl(name) {
      if (!webhooks.has(name)) webhooks.set(name, []);
      return `${origin}/services/${name.split('/').map(encodeURIComponent).join('/')}`;
    },
    addChannel(id) {
      channels.add(id);
    },
    deleteMessage(channel, ts) {
      const index = stored.findIndex((m) => m.channel === channel && m.ts === ts);
      if (index < 0) throw new Error(`no message ${ts} in ${channel}`);
      stored.splice(index, 1);
      // A deleted message is no longer pinned.
      const pin = pinned.findIndex((p) => p.channel === channel && p.ts === ts);
      if (pin >= 0) pinned.splice(pin, 1);
    },
    messages: (channel) => stored.filter((m) => channel === undefined || m.channel === channel).map(snapshot),
    replies: (channel, threadTs) => stored.filter((m) => m.channel === channel && m.threadTs === threadTs).map(snapshot),
    pins: (channel) => pinned.filter((p) => p.channel === channel).map((p) => p.ts),
    webhookPosts: (name) => [...(webhooks.get(name) ?? [])],
    calls: (method) => received.filter((r) => method === undefined || r.method === method).length,
    requests: (method) => received.filter((r) => method === undefined || r.method === method),
    failNext(method, n, fault) {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < n; i += 1) queue.push(fault);
      faults.set(method, queue);
    },
    refuseWhere(method, match, error) {
      const refusal = { method, match, error };
      refusals.push(refusal);
      return () => void refusals.splice(refusals.indexOf(refusal), 1);
    },
    close,
  };
}

function injectFault(req: IncomingMessage, res: ServerResponse, fault: SlackFault, webhook: boolean): void {
  switch (fault.kind) {
    case 'drop':
    case 'drop-after-post':
      req.socket.destroy();
      return;
    case 'slow':
      return;
    case 'ratelimit':
      if (webhook) {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(fault.retryAfterSec) }).end('rate_limited');
      } else {
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(fault.retryAfterSec) })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      }
      return;
    case 'http':
      sendText(res, fault.status, fault.body ?? `HTTP ${fault.status}`);
      return;
    case 'slack':
      if (webhook) webhookError(res, fault.error);
      else sendJson(res, 200, { ok: false, error: fault.error });
      return;
  }
}

/**
 * Validates text and blocks as Slack does: `no_text` when both are missing (for a new message), `invalid_blocks`
 * beyond 50 blocks or over a block's text limits, `msg_too_long` beyond 40,000 characters of text.
 */
function messageContent(params: Params, required: boolean): { text?: string; blocks?: Record<string, unknown>[] } {
  const text = optionalString(params, 'text');
  const blocks = parseBlocks(params.blocks);
  if (required && (text === undefined || text === '') && (blocks === undefined || blocks.length === 0)) {
    throw new SlackApiRefusal('no_text');
  }
  if (text !== undefined && text.length > MAX_MESSAGE_TEXT) throw new SlackApiRefusal('msg_too_long');
  return { ...(text !== undefined && { text }), ...(blocks !== undefined && { blocks }) };
}

function parseBlocks(value: unknown): Record<string, unknown>[] | undefined {
  if (value === undefined || value === '') return undefined;
  let blocks: unknown = value;
  if (typeof value === 'string') {
    try {
      blocks = JSON.parse(value);
    } catch {
      throw new SlackApiRefusal('invalid_blocks_format');
    }
  }
  if (!Array.isArray(blocks)) throw new SlackApiRefusal('invalid_blocks_format');
  if (blocks.length > MAX_BLOCKS) throw new SlackApiRefusal('invalid_blocks');
  for (const block of blocks) {
    if (typeof block !== 'object' || block === null || typeof (block as Params).type !== 'string') {
      throw new SlackApiRefusal('invalid_blocks');
    }
    validateBlock(block as Params);
  }
  return blocks as Record<string, unknown>[];
}

function validateBlock(block: Params): void {
  const textOf = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null && typeof (value as Params).text === 'string' ? ((value as Params).text as string) : undefined;
  if (block.type === 'section') {
    const text = textOf(block.text);
    const fields = Array.isArray(block.fields) ? (block.fields as unknown[]) : undefined;
    if (text === undefined && fields === undefined) throw new SlackApiRefusal('invalid_blocks');
    if (text !== undefined && (text.length === 0 || text.length > MAX_SECTION_TEXT)) throw new SlackApiRefusal('invalid_blocks');
    if (fields && (fields.length > 10 || fields.some((f) => (textOf(f) ?? '').length > MAX_SECTION_FIELD_TEXT))) {
      throw new SlackApiRefusal('invalid_blocks');
    }
  }
  if (block.type === 'header') {
    const text = textOf(block.text);
    const plain = typeof block.text === 'object' && block.text !== null && (block.text as Params).type === 'plain_text';
    if (!plain || text === undefined || text.length === 0 || text.length > MAX_HEADER_TEXT) throw new SlackApiRefusal('invalid_blocks');
  }
  if (block.type === 'context') {
    const elements = block.elements;
    if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) throw new SlackApiRefusal('invalid_blocks');
  }
}

function parseMetadata(value: unknown): StoredMessage['metadata'] {
  if (value === undefined || value === '') return undefined;
  let metadata: unknown = value;
  if (typeof value === 'string') {
    try {
      metadata = JSON.parse(value);
    } catch {
      throw new SlackApiRefusal('invalid_metadata_format');
    }
  }
  const m = metadata as Params | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.event_type !== 'string' ||
    typeof m.event_payload !== 'object' ||
    m.event_payload === null ||
    Array.isArray(m.event_payload)
  ) {
    throw new SlackApiRefusal('invalid_metadata_format');
  }
  return { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
}

function isEmptyObject(value: unknown): boolean {
  try {
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length === 0;
  } catch {
    return false;
  }
}

/** `oldest`/`latest` bounds, exclusive unless `inclusive` is true, as in conversations.history. */
function timeWindow(params: Params): (m: StoredMessage) => boolean {
  const inclusive = optionalBoolean(params, 'inclusive') === true;
  const oldest = optionalString(params, 'oldest');
  const latest = optionalString(params, 'latest');
  const low = oldest === undefined ? -Infinity : tsMicros(oldest);
  const high = latest === undefined ? Infinity : tsMicros(latest);
  return (m) => {
    const t = tsMicros(m.ts);
    return inclusive ? t >= low && t <= high : t > low && t < high;
  };
}

function tsMicros(ts: string): number {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return Number(seconds) * 1e6 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** A message as the Web API returns it. */
function view(m: StoredMessage, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message',
    user: 'U0WATCHER',
    bot_id: 'B0WATCHER',
    text: m.text,
    ts: m.ts,
    ...(m.blocks.length > 0 && { blocks: m.blocks }),
    ...(m.threadTs !== undefined && { thread_ts: m.threadTs }),
    ...(m.broadcast && { subtype: 'thread_broadcast' }),
    ...(m.updates > 0 && { edited: { user: 'U0WATCHER', ts: m.ts } }),
    ...(withMetadata && m.metadata !== undefined && { metadata: m.metadata }),
  };
}

function snapshot(m: StoredMessage): RecordedMessage {
  return structuredClone(m);
}

/** Form-encoded (values as strings; blocks and metadata as JSON strings) or JSON bodies, plus the query string. */
function parseParams(req: IncomingMessage, body: string): Params {
  const params: Record<string, unknown> = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new SlackApiRefusal('invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SlackApiRefusal('json_not_object');
    // Slack takes the token of a JSON request only from the Authorization header.
    const { token: _ignored, ...rest } = parsed as Record<string, unknown>;
    return { ...params, ...rest };
  }
  if (type === 'application/x-www-form-urlencoded' || type === '' || type === undefined) {
    return { ...params, ...Object.fromEntries(new URLSearchParams(body)) };
  }
  throw new SlackApiRefusal('invalid_form_data');
}

function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

/** Slack reads `true`, `1` (and JSON true) as true. */
function optionalBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  return value === true || value === 1 || value === 'true' || value === '1';
}

function webhookError(res: ServerResponse, code: string): void {
  sendText(res, WEBHOOK_ERROR_STATUS[code] ?? 400, code);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/html' }).end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRequestBody(req, MAX_REQUEST_BYTES, () => new Error('request body too large'))).toString('utf8');
}
