// A watcher event as a PagerDuty Events API v2 event (pure): one dedup_key per incident, trigger until the event that
// ends the item resolves, severities mapped, vendor text bounded and plain.
import { describe, expect, it } from 'vitest';
import { renderSubject } from '../../functions/core/event-text.js';
import { SEVERITIES } from '../../functions/core/model.js';
import { PAGERDUTY_SEVERITY, pagerDutyDedupKeyOf, toPagerDutyEvent } from '../../functions/channels/pagerduty/pagerduty-event.js';
import { realIncident } from '../support/real-auth0-incident.js';
import { sampleEvent } from '../support/sample-event.js';

describe('PagerDuty events of a real Auth0 incident', () => {
  const events = realIncident();

  it('triggers for the opening and each update and resolves at the end, all under one dedup_key', () => {
    const sent = events.map(toPagerDutyEvent);
    expect(events.map((event) => event.type)).toEqual(['incident.opened', 'incident.updated', 'incident.updated', 'incident.updated', 'incident.resolved']);
    expect(sent.map((event) => event.event_action)).toEqual(['trigger', 'trigger', 'trigger', 'trigger', 'resolve']);
    expect(new Set(sent.map((event) => event.dedup_key)).size).toBe(1);
    expect(sent[0]!.dedup_key).toMatch(/^aow:auth0-status-us-1:rx8wtk8svly4:[0-9a-f]{16}$/);
  });

  it('carries the email subject as summary, the vendor page as link, the type as class and the update in custom_details', () => {
    const opened = toPagerDutyEvent(events[0]!);
    if (opened.event_action !== 'trigger') throw new Error('expected a trigger');
    expect(opened.payload.summary).toBe(renderSubject(events[0]!));
    expect(opened.payload).toMatchObject({ source: 'auth0-status-us-1', class: 'incident.opened', timestamp: '2021-01-20T12:19:00.000Z', group: 'Auth0 US-1' });
    expect(opened.links).toEqual([{ href: 'https://status.auth0.com/incidents/rx8wtk8svly4', text: 'Auth0 page for this incident' }]);
    expect(opened.payload.custom_details).toMatchObject({ 'Latest update': 'Investigating, 2021-01-20 12:19 UTC', 'Watcher event': events[0]!.id });
    expect(opened.payload.custom_details['Update text']).toBe(events[0]!.update!.text);
  });
});

describe('PagerDuty event fields', () => {
  it('maps critical, major, minor and info to critical, error, warning and info', () => {
    const mapped = SEVERITIES.map((severity) => {
      const event = toPagerDutyEvent(sampleEvent({ type: 'incident.opened', severity }));
      return event.event_action === 'trigger' ? event.payload.severity : undefined;
    });
    expect(mapped).toEqual(['critical', 'error', 'warning', 'info']);
    expect(Object.keys(PAGERDUTY_SEVERITY)).toEqual([...SEVERITIES]);
  });

  it('resolves on every type that ends its item: maintenance completed, source recovered, check passed', () => {
    for (const type of ['maintenance.completed', 'source.recovered', 'tenant.check_passed', 'synthetic.recovered'] as const) {
      expect(toPagerDutyEvent(sampleEvent({ type })).event_action).toBe('resolve');
    }
    expect(toPagerDutyEvent(sampleEvent({ type: 'maintenance.started' })).event_action).toBe('trigger');
  });

  it('keeps one key per thread: the same item seen by two regional sources of one scope shares it, another item does not', () => {
    const us = sampleEvent({ source: 'auth0-status-us-1', scope: '@status.auth0.com', itemId: 'abc123def456' });
    const eu = sampleEvent({ source: 'auth0-status-eu-1', scope: '@status.auth0.com', itemId: 'abc123def456' });
    const other = sampleEvent({ source: 'auth0-status-us-1', scope: '@status.auth0.com', itemId: 'abc123def457' });
    expect(pagerDutyDedupKeyOf(us)).toBe(pagerDutyDedupKeyOf(eu));
    expect(pagerDutyDedupKeyOf(other)).not.toBe(pagerDutyDedupKeyOf(us));
  });

  it('bounds a hostile vendor event: key within 255 URL-safe characters, summary plain ASCII within 1024, details bounded', () => {
    const hostile = sampleEvent({
      type: 'incident.updated',
      itemId: `https://example.com/advisories/${'x'.repeat(600)}?q=<script>`,
      title: `Outage\u202e\u0000 <b>bold</b> ${'é'.repeat(3000)}`,
      vendor: 'Evil\nVendor',
      update: { label: 'Update\r\n', at: '2026-04-22T20:14:05Z', text: `line1\nline2 ${'y'.repeat(10_000)}` },
      url: 'javascript:alert(1)',
    });
    const event = toPagerDutyEvent(hostile);
    if (event.event_action !== 'trigger') throw new Error('expected a trigger');
    expect(event.dedup_key.length).toBeLessThanOrEqual(255);
    expect(event.dedup_key).toMatch(/^[A-Za-z0-9@._:-]+$/);
    expect(event.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(event.payload.summary).toMatch(/^[\x20-\x7e]+$/);
    expect(event.links).toEqual([]);
    expect(event.payload.group).toBe('Evil Vendor US-1');
    for (const value of Object.values(event.payload.custom_details)) {
      expect(value.length).toBeLessThanOrEqual(1_000);
      expect(value).not.toMatch(/[\u0000-\u001f\u202e]/);
    }
  });
});
