// Real Auth0 incidents as the watcher announces them, for the channel tests: the January 2021 status history of
// status.auth0.com (test/fixtures/auth0-status/real-seq-*.atom, provenance in that folder's README) read by the
// auth0-status reader, diffed poll by poll as the poller would, and chained per thread.
import { readFileSync } from 'node:fs';
import { chainEvents, threadKeyOf } from '../../functions/core/event-chain.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { Auth0StatusSourceConfig } from '../../functions/sources/auth0-status/config-schema.js';
import { auth0StatusSource } from '../../functions/sources/auth0-status/plugin.js';
import { AUTH0_US_1_SOURCE, playAuth0Us1Polls } from './diff-context.js';

const SNAPSHOTS = [
  ['real-seq-01-2021-01-20T1230.atom', '2021-01-20T12:30:00Z'],
  ['real-seq-02-2021-01-20T1530.atom', '2021-01-20T15:30:00Z'],
  ['real-seq-03-2021-01-20T1830.atom', '2021-01-20T18:30:00Z'],
  ['real-seq-04-2021-01-27T0430.atom', '2021-01-27T04:30:00Z'],
] as const;

const config: Auth0StatusSourceConfig = { id: AUTH0_US_1_SOURCE.id, type: 'auth0-status', url: AUTH0_US_1_SOURCE.url, region: 'US-1' };

/** Every event of the four polls, in the order they were announced, each chained to the one before it in its thread. */
export function realAuth0IncidentEvents(): WatcherEvent[] {
  const outcomes = playAuth0Us1Polls(
    SNAPSHOTS.map(([name, now]) => {
      const body = readFileSync(new URL(`../fixtures/auth0-status/${name}`, import.meta.url), 'utf8');
      const result = auth0StatusSource.parse([{ url: config.url, finalUrl: config.url, contentType: 'application/atom+xml', body }], config);
      if (!result.ok) throw new Error(`${name} does not parse: ${result.reason}`);
      return { now, items: result.items };
    }),
  );
  const last = new Map<string, ReturnType<typeof chainEvents>['last']>();
  return outcomes.flatMap(({ events }) =>
    events.map((event) => {
      const chained = chainEvents(last.get(threadKeyOf(event)), [event]);
      last.set(threadKeyOf(event), chained.last);
      return chained.events[0]!;
    }),
  );
}

/** The events of one incident, in order: `rx8wtk8svly4` (CORS errors) was opened, updated three times and resolved. */
export function realIncident(itemId = 'rx8wtk8svly4'): WatcherEvent[] {
  return realAuth0IncidentEvents().filter((event) => event.itemId === itemId);
}
