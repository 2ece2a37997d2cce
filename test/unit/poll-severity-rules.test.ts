// The poller applies the config's `severityRules` to the items it reads (raising and lowering their severity), keeps an
// incident's remembered severity from falling, and leaves its own health events alone; with in-memory fakes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../functions/config/config.js';
import { FetchError } from '../../functions/core/errors.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Fetcher, Logger } from '../../functions/core/ports.js';
import { routeMatches } from '../../functions/core/routing.js';
import type { SeverityRule } from '../../functions/core/severity-rules.js';
import { makePollSource } from '../../functions/poll/poll-source.js';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const CONFIG: SourceConfig = { id: 'status-us-1', type: 'auth0-status', url: 'https://status.example/feed?domain=a.auth0.com', region: 'US-1' };
/** In seq-02: "Elevated Errors in US-1", its text "elevated error rates for User Authentication" (critical by default). */
const LOGINS = 'n3wincid3nt1';
/** In seq-01 and seq-02: delays in tenant logs in US-5 (major by default). */
const TENANT_LOGS = 's6nmyrpsnbmj';

function setup() {
  const memory = inMemoryStateStore();
  let body = fixture('seq-01-baseline.atom');
  let failing = false;
  let now = Date.parse('2026-10-06T10:00:00Z');
  const published: WatcherEvent[] = [];
  const fetcher: Fetcher = {
    async fetch(request) {
      if (failing) throw new FetchError(request.url, 'HTTP 503 Service Unavailable');
      return { status: 'ok', documents: [{ url: request.url, finalUrl: request.url, contentType: 'application/atom+xml', body }], bytes: body.length };
    },
  };
  const poller = (severityRules?: readonly SeverityRule[]) =>
    makePollSource({
      store: memory.store,
      fetcher,
      publisher: { publish: async (event) => void published.push(event) },
      secrets: { resolve: async () => '' },
      clock: { now: () => new Date(now) },
      logger: quiet,
      settings: severityRules ? { severityRules } : {},
    });
  return {
    published,
    serve: (name: string) => (body = fixture(name)),
    fail: (on: boolean) => (failing = on),
    poll: async (rules?: readonly SeverityRule[]) => {
      now += 30 * 60_000;
      return poller(rules)(CONFIG);
    },
  };
}

const severities = (events: readonly WatcherEvent[]) => Object.fromEntries(events.map((e) => [`${e.itemId} ${e.type}`, e.severity]));

describe('the poller applies severityRules', () => {
  it('rates the items by the default rule without rules, so the README\'s critical US-1 route takes the login errors', async () => {
    const t = setup();
    await t.poll();
    t.serve('seq-02-update.atom');
    await t.poll();
    expect(severities(t.published)).toEqual({
      [`${TENANT_LOGS} incident.opened`]: 'major',
      [`${TENANT_LOGS} incident.updated`]: 'major',
      [`${LOGINS} incident.opened`]: 'critical',
    });
    // The README's Slack example: { "types": ["incident.*"], "minSeverity": "critical", "regions": ["US-1"] }.
    const route = { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] } as const;
    expect(t.published.filter((e) => routeMatches(route, e)).map((e) => e.itemId)).toEqual([LOGINS]);
  });

  it('lowers and raises severities with the first matching rule', async () => {
    const t = setup();
    const rules: SeverityRule[] = [
      { sources: ['status-us-1'], pattern: 'elevated error rates for user authentication', severity: 'minor' },
      { regions: ['US-5'], pattern: 'tenant logs', severity: 'critical' },
      { vendors: ['Auth0'], severity: 'info' },
    ];
    await t.poll(rules);
    t.serve('seq-02-update.atom');
    await t.poll(rules);
    expect(severities(t.published)).toEqual({
      [`${TENANT_LOGS} incident.opened`]: 'critical',
      [`${TENANT_LOGS} incident.updated`]: 'critical',
      [`${LOGINS} incident.opened`]: 'minor',
    });
  });

  it('never lowers the severity an incident already had', async () => {
    const t = setup();
    t.serve('seq-02-update.atom');
    await t.poll();
    t.serve('seq-03-resolved.atom');
    await t.poll([{ pattern: 'tenant logs', severity: 'info' }]);
    const resolved = t.published.find((e) => e.itemId === TENANT_LOGS && e.type === 'incident.resolved');
    expect(resolved?.severity).toBe('major');
  });

  it('leaves the watcher’s own health events alone', async () => {
    const t = setup();
    const rules: SeverityRule[] = [{ sources: ['status-us-1'], severity: 'info' }];
    await t.poll(rules);
    t.fail(true);
    for (let i = 0; i < 3; i += 1) await t.poll(rules);
    t.fail(false);
    await t.poll(rules);
    const health = t.published.filter((e) => e.type.startsWith('source.'));
    expect(health.map((e) => [e.type, e.severity])).toEqual([
      ['source.failing', 'major'],
      ['source.recovered', 'info'],
    ]);
    expect(t.published.filter((e) => e.type.startsWith('incident.')).map((e) => e.severity)).toEqual(['info']);
  });
});
