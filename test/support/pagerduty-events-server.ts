// Test double of PagerDuty's Events API v2 on 127.0.0.1: `POST /v2/enqueue` checked as PagerDuty documents it
// (routing_key, event_action, dedup_key up to 255 characters, a trigger's payload with summary up to 1024 characters,
// source, a known severity, an ISO 8601 timestamp, links with an href), answering 202 `{status, message, dedup_key}`,
// 400 `{status: "invalid event", message, errors}`, or the fault a test asks for. It keeps one alert per dedup_key as
// PagerDuty does: a trigger opens it or adds to it while it is open, a resolve closes it.
import { createServer } from 'node:http';
import { listenOnLoopback, readRequestBody } from './loopback-server.js';

/** One event PagerDuty accepted, as sent (the routing key left out). */
export interface AcceptedPagerDutyEvent {
  readonly event_action: 'trigger' | 'acknowledge' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: Record<string, unknown>;
  readonly links?: Array<{ href: string; text?: string }>;
  readonly client?: string;
}

/** An alert as PagerDuty keeps it: its dedup_key, whether it is open, and every event that reached it. */
export interface PagerDutyAlert {
  readonly dedupKey: string;
  readonly status: 'triggered' | 'resolved';
  readonly events: readonly AcceptedPagerDutyEvent[];
}

export type PagerDutyFault =
  | { readonly kind: 'ratelimit'; readonly retryAfterSec: number }
  | { readonly kind: 'http'; readonly status: number; readonly body?: unknown };

export interface PagerDutyEventsServer {
  /** `http://127.0.0.1:<port>`, the route's `apiBaseUrl`. */
  readonly apiBaseUrl: string;
  /** The routing key of the one integration it knows (32 characters). */
  readonly routingKey: string;
  /** Every accepted event, oldest first. */
  accepted(): AcceptedPagerDutyEvent[];
  /** The alerts, in the order they were opened. */
  alerts(): PagerDutyAlert[];
  /** Requests received, faults and refusals included, with their arrival times (epoch ms). */
  requests(): Array<{ readonly at: number; readonly status: number }>;
  /** Answers the next `n` requests with `fault`. */
  failNext(n: number, fault: PagerDutyFault): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 512 * 1024;
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export async function startPagerDutyEventsServer(routingKey = 'R0UT1NGKEY0F32CHARACTERS00000001'): Promise<PagerDutyEventsServer> {
  const accepted: AcceptedPagerDutyEvent[] = [];
  const alerts = new Map<string, { dedupKey: string; status: 'triggered' | 'resolved'; events: AcceptedPagerDutyEvent[] }>();
  const received: Array<{ at: number; status: number }> = [];
  const faults: PagerDutyFault[] = [];

  const server = createServer((req, res) => {
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      received.push({ at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const invalid = (...errors: string[]) => answer(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v2/enqueue') return answer(404, { status: 'not found', message: 'Not Found' });
      const raw = await readRequestBody(req, MAX_BODY_BYTES, () => new Error('too large')).catch(() => undefined);
      if (raw === undefined) return answer(413, { status: 'invalid event', message: 'Request entity too large' });
      const fault = faults.shift();
      if (fault?.kind === 'ratelimit') return answer(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly' }, { 'retry-after': String(fault.retryAfterSec) });
      if (fault?.kind === 'http') return answer(fault.status, fault.body ?? { status: 'error', message: 'Internal Server Error' });
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return invalid('Content-Type must be application/json');
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] });
      }
      const problems = problemsOf(event, routingKey);
      if (problems.length > 0) return invalid(...problems);
      const { routing_key: _key, ...rest } = event;
      const sent = rest as unknown as AcceptedPagerDutyEvent;
      accepted.push(sent);
      const alert = alerts.get(sent.dedup_key);
      if (sent.event_action === 'trigger') {
        if (alert?.status === 'triggered') alert.events.push(sent);
        else alerts.set(sent.dedup_key, { dedupKey: sent.dedup_key, status: 'triggered', events: [...(alert?.events ?? []), sent] });
      } else if (alert && sent.event_action === 'resolve') {
        alert.status = 'resolved';
        alert.events.push(sent);
      }
      return answer(202, { status: 'success', message: 'Event processed', dedup_key: sent.dedup_key });
    })();
  });
  const listener = await listenOnLoopback(server);
  return {
    apiBaseUrl: `http://127.0.0.1:${listener.port}`,
    routingKey,
    accepted: () => [...accepted],
    alerts: () => [...alerts.values()].map((alert) => ({ ...alert, events: [...alert.events] })),
    requests: () => [...received],
    failNext(n, fault) {
      for (let i = 0; i < n; i += 1) faults.push(fault);
    },
    close: () => listener.close(),
  };
}

/** What PagerDuty would refuse in the event, in its words. */
function problemsOf(event: Record<string, unknown>, routingKey: string): string[] {
  const problems: string[] = [];
  const key = event['routing_key'];
  if (typeof key !== 'string' || key.length !== 32) problems.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (key !== routingKey) problems.push("'routing_key' is not the key of an integration");
  const action = event['event_action'];
  if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') problems.push("'event_action' is invalid");
  const dedupKey = event['dedup_key'];
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length === 0 || dedupKey.length > 255)) {
    problems.push("'dedup_key' must be a string of 1 to 255 characters");
  }
  if (action !== 'trigger') {
    if (dedupKey === undefined) problems.push("'dedup_key' is required for this event_action");
    return problems;
  }
  const payload = event['payload'] as Record<string, unknown> | undefined;
  if (typeof payload !== 'object' || payload === null) return [...problems, "'payload' is missing or not an object"];
  const summary = payload['summary'];
  if (typeof summary !== 'string' || summary.length === 0) problems.push("'payload.summary' is missing");
  else if (summary.length > 1024) problems.push("'payload.summary' is longer than 1024 characters");
  if (typeof payload['source'] !== 'string' || payload['source'] === '') problems.push("'payload.source' is missing");
  if (!SEVERITIES.includes(payload['severity'] as string)) problems.push("'payload.severity' must be one of critical, error, warning, info");
  const timestamp = payload['timestamp'];
  if (timestamp !== undefined && (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))) problems.push("'payload.timestamp' is not ISO 8601");
  const details = payload['custom_details'];
  if (details !== undefined && (typeof details !== 'object' || details === null)) problems.push("'payload.custom_details' must be an object");
  const links = event['links'];
  if (links !== undefined && (!Array.isArray(links) || links.some((link) => typeof link?.href !== 'string' || !/^https?:\/\//.test(link.href)))) {
    problems.push("'links' must be a list of objects with an href");
  }
  return problems;
}
