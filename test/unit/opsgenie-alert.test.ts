// A watcher event as Opsgenie Alert API requests (pure): one alias per incident, priorities mapped from severities,
// every field within the Alert API's limits, the region's API.
import { describe, expect, it } from 'vitest';
import { opsgenieApiUrlOf } from '../../functions/channels/opsgenie/config-schema.js';
import { OPSGENIE_LIMITS, noteMarkerOf, opsgenieAliasOf, toOpsgenieAlert, toOpsgenieNote } from '../../functions/channels/opsgenie/opsgenie-alert.js';
import { renderEmailText, renderSubject } from '../../functions/core/event-text.js';
import { SEVERITIES } from '../../functions/core/model.js';
import { realIncident } from '../support/real-auth0-incident.js';
import { sampleEvent } from '../support/sample-event.js';

describe('Opsgenie requests of a real Auth0 incident', () => {
  const events = realIncident();

  it('files the opening, each update and the resolution under one alias', () => {
    expect(new Set(events.map(opsgenieAliasOf)).size).toBe(1);
    expect(opsgenieAliasOf(events[0]!)).toMatch(/^aow:auth0-status-us-1:rx8wtk8svly4:[0-9a-f]{16}$/);
  });

  it('creates the alert with the email subject as message, the email text as description and the event as tags and details', () => {
    const alert = toOpsgenieAlert(events[0]!);
    expect(alert.message).toBe(renderSubject(events[0]!));
    expect(alert.description).toBe(renderEmailText(events[0]!));
    expect(alert).toMatchObject({ alias: opsgenieAliasOf(events[0]!), source: 'Auth0 Ops Watcher', entity: 'Auth0 US-1' });
    expect(alert.tags).toEqual(['auth0-ops-watcher', 'incident', `severity:${events[0]!.severity}`, 'Auth0', 'US-1']);
    expect(alert.details).toMatchObject({ Event: 'incident.opened (incident opened)', Link: 'https://status.auth0.com/incidents/rx8wtk8svly4' });
  });

  it('notes an update with its label, time, text, link and the event it came from', () => {
    const update = events[1]!;
    const { note } = toOpsgenieNote(update);
    expect(note.split('\n')).toEqual([
      renderSubject(update),
      `Identified (2021-01-20 12:57 UTC): ${update.update!.text}`,
      'https://status.auth0.com/incidents/rx8wtk8svly4',
      noteMarkerOf(update),
    ]);
  });
});

describe('Opsgenie fields', () => {
  it('maps critical, major, minor and info to P1, P2, P3 and P5', () => {
    expect(SEVERITIES.map((severity) => toOpsgenieAlert(sampleEvent({ type: 'incident.opened', severity })).priority)).toEqual(['P1', 'P2', 'P3', 'P5']);
  });

  it('calls the US or EU Alert API by region, or the apiBaseUrl set', () => {
    expect(opsgenieApiUrlOf({ region: 'us' })).toBe('https://api.opsgenie.com');
    expect(opsgenieApiUrlOf({ region: 'eu' })).toBe('https://api.eu.opsgenie.com');
    expect(opsgenieApiUrlOf({ region: 'eu', apiBaseUrl: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9');
  });

  it('keeps a hostile event within every limit: message, alias, description, tags, details, note', () => {
    const hostile = sampleEvent({
      itemId: `https://example.com/${'z'.repeat(900)}`,
      title: `Down ${'ü'.repeat(500)}`,
      vendor: `V,e,n,d,o,r ${'w'.repeat(100)}`,
      regions: Array.from({ length: 40 }, (_, i) => `US-${i}`),
      components: Array.from({ length: 200 }, (_, i) => `Component ${i} ${'c'.repeat(80)}`),
      update: { label: 'Update', at: '2026-04-22T20:14:05Z', text: 'u'.repeat(60_000) },
      summary: 's'.repeat(60_000),
    });
    const alert = toOpsgenieAlert(hostile);
    expect(alert.message.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.message);
    expect(alert.alias.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.alias);
    expect(alert.description.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.description);
    expect(alert.tags.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.tags);
    expect(alert.tags.every((tag) => tag.length <= OPSGENIE_LIMITS.tagChars && !tag.includes(','))).toBe(true);
    const detailChars = Object.entries(alert.details).reduce((sum, [key, value]) => sum + key.length + value.length, 0);
    expect(detailChars).toBeLessThanOrEqual(OPSGENIE_LIMITS.detailsChars);
    const { note } = toOpsgenieNote(hostile);
    expect(note.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.note);
    expect(note.endsWith(noteMarkerOf(hostile))).toBe(true);
  });
});
