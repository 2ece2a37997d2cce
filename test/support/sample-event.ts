// A realistic schema-version-1 event for tests that need one; override what the test is about.
import type { WatcherEvent } from '../../functions/core/model.js';

export function sampleEvent(overrides: Partial<WatcherEvent> = {}): WatcherEvent {
  return {
    schemaVersion: 1,
    id: 'auth0-status-us-1:rb4z1181bd4z:incident.resolved:2026-04-22T20:14:05Z',
    type: 'incident.resolved',
    source: 'auth0-status-us-1',
    sourceType: 'auth0-status',
    vendor: 'Auth0',
    itemId: 'rb4z1181bd4z',
    title: 'Elevated Errors on Public Cloud',
    url: 'https://status.auth0.com/incidents/rb4z1181bd4z',
    severity: 'critical',
    occurredAt: '2026-04-22T20:14:05Z',
    detectedAt: '2026-04-22T20:16:40.512Z',
    summary: 'Auth0 resolved the incident "Elevated Errors on Public Cloud" affecting US-1.',
    status: 'resolved',
    regions: ['US-1'],
    update: {
      label: 'Resolved',
      at: '2026-04-22T20:14:05Z',
      text: 'This incident has been resolved. Authentication requests in US-1 are succeeding normally.',
    },
    ...overrides,
  };
}
