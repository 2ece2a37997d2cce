// Test support: a run of events in order, as the event factory makes them: the n-th update of one incident.
import { makeEvent } from '../../functions/core/event-factory.js';
import type { WatcherEvent } from '../../functions/core/model.js';

const SOURCE = { id: 'status-us-1', type: 'auth0-status', vendor: 'Auth0', url: 'https://status.auth0.com/feed' };

/** Update `n` of the incident `inc1`, posted and detected at 10:`n` UTC on 2026-10-06; each `n` has its own event id. */
export function numberedUpdateEvent(n: number): WatcherEvent {
  return makeEvent(SOURCE, 'incident.updated', `update:${n}`, new Date(Date.UTC(2026, 9, 6, 10, n)), {
    itemId: 'inc1',
    title: `Update ${n}`,
    url: 'https://status.auth0.com/incidents/inc1',
    severity: 'major',
    occurredAt: new Date(Date.UTC(2026, 9, 6, 10, n)).toISOString(),
    summary: `update ${n}`,
  });
}
