// The watcher's own health reads as the watcher's, not as a vendor's outage: the titles of source.failing and
// source.recovered (sources and outputs), the email subject, Slack and the digest; and routes that select vendors
// receive these events only when their types ask for them.
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import { renderEmailText, renderSubject } from '../../functions/core/event-text.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { recordOutputFailure, recordOutputSuccess, EMPTY_OUTPUT_HEALTH } from '../../functions/core/output-health.js';
import { filterPolicyFor, routeMatches, type RouteRules } from '../../functions/core/routing.js';
import { renderRoot, threadStateFrom } from '../../functions/core/slack-message.js';
import { recordFailure, recordSuccess } from '../../functions/core/source-health.js';
import { EMPTY_SOURCE_STATE, type SourceState } from '../../functions/core/tracked.js';
import { subscriptionFiltersFor } from '../../lib/subscription-filters.js';
import { sampleEvent } from '../support/sample-event.js';

/** The `github` preset as the config makes it: a Statuspage source named "GitHub status". */
const GITHUB = (() => {
  const source = parseConfig({ presets: ['github'] }, '/').sources[0]!;
  return { id: source.id, type: source.type, vendor: 'GitHub', url: source.url, name: source.name };
})();
const FAILURE = { url: 'https://www.githubstatus.com/api/v2/incidents.json', reason: 'HTTP 503 Service Unavailable' };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 12, minute));

function failingThenRecovered(): { failing: WatcherEvent; recovered: WatcherEvent } {
  let state: SourceState = EMPTY_SOURCE_STATE;
  const events: WatcherEvent[] = [];
  for (let minute = 0; minute < 3; minute += 1) {
    const step = recordFailure(state, GITHUB, FAILURE, at(minute), 3);
    state = step.state;
    events.push(...step.events);
  }
  events.push(...recordSuccess(state, GITHUB, at(10)).events);
  return { failing: events[0]!, recovered: events[1]! };
}

describe('watcher health wording', () => {
  it('titles a source the watcher cannot read, and reads again, as the watcher\'s', () => {
    const { failing, recovered } = failingThenRecovered();
    expect(GITHUB.name).toBe('GitHub status');
    expect([failing.type, failing.title]).toEqual(['source.failing', 'Watcher cannot read GitHub status (3 failures)']);
    expect([recovered.type, recovered.title]).toEqual(['source.recovered', 'Watcher reads GitHub status again']);
  });

  it('leads the email subject and body with those words, not with the vendor and "source failing"', () => {
    const { failing, recovered } = failingThenRecovered();
    expect(renderSubject(failing)).toBe('[MAJOR] Watcher cannot read GitHub status (3 failures)');
    expect(renderSubject(recovered)).toBe('[INFO] Watcher reads GitHub status again');
    expect(renderEmailText(failing).split('\n')[0]).toBe('Watcher cannot read GitHub status (3 failures)');
    expect(renderSubject(failing)).not.toContain('source failing');
  });

  it('says the same in Slack: header and notification text', () => {
    const { failing, recovered } = failingThenRecovered();
    const root = renderRoot(threadStateFrom(undefined, failing));
    expect((root.blocks[0] as { text: { text: string } }).text.text).toBe('⚠️ Watcher cannot read GitHub status (3 failures)');
    expect(root.text.split('\n')[0]).toBe('[MAJOR] Watcher cannot read GitHub status (3 failures)');
    const after = renderRoot(threadStateFrom(threadStateFrom(undefined, failing), recovered));
    expect((after.blocks[0] as { text: { text: string } }).text.text).toBe('✅ Watcher reads GitHub status again');
  });

  it('titles an output the watcher cannot deliver to, and delivers to again', () => {
    const failed = recordOutputFailure(EMPTY_OUTPUT_HEALTH, 'slack:incidents', { scope: 'route', reason: 'channel_not_found', waiting: 2 }, at(0), 3);
    expect(failed.events[0]!.title).toBe('Watcher cannot deliver to slack:incidents (1 failed run)');
    expect(recordOutputSuccess(failed.health, 'slack:incidents', at(5)).events[0]!.title).toBe('Watcher delivers to slack:incidents again');
  });

  it('leads a health event of an older title with "Watcher:"', () => {
    const old = sampleEvent({ type: 'source.failing', vendor: 'GitHub', title: 'github is failing', severity: 'major' });
    expect(renderSubject(old)).toBe('[MAJOR] Watcher: github is failing');
  });
});

describe('routes that select vendors and the watcher\'s health', () => {
  const { failing, recovered } = failingThenRecovered();
  const incident = sampleEvent({ vendor: 'GitHub', source: 'github', type: 'incident.opened' });
  const cases: Array<[string, RouteRules, boolean, boolean]> = [
    ['vendors alone: the vendor\'s news, not the watcher\'s health', { vendors: ['GitHub'] }, true, false],
    ['vendors and source.*', { vendors: ['GitHub'], types: ['incident.*', 'source.*'] }, true, true],
    ['vendors and incident.* only', { vendors: ['GitHub'], types: ['incident.*'] }, true, false],
    ['no vendors: everything', {}, true, true],
  ];

  it.each(cases)('%s', (_name, rules, takesIncident, takesHealth) => {
    expect(routeMatches(rules, incident)).toBe(takesIncident);
    expect(routeMatches(rules, failing)).toBe(takesHealth);
    expect(routeMatches(rules, recovered)).toBe(takesHealth);
  });

  it('takes only the health types a route names', () => {
    const rules: RouteRules = { vendors: ['GitHub'], types: ['source.failing'] };
    expect([routeMatches(rules, failing), routeMatches(rules, recovered)]).toEqual([true, false]);
  });

  it('says the same in the SNS filter policy and in the CDK subscription filter', () => {
    expect(filterPolicyFor({ vendors: ['GitHub'] })).toEqual({
      type: [{ 'anything-but': { prefix: 'source.' } }],
      vendor: ['GitHub'],
    });
    expect(filterPolicyFor({ vendors: ['GitHub'], types: ['source.*'] })).toEqual({ type: [{ prefix: 'source.' }], vendor: ['GitHub'] });
    const filters = subscriptionFiltersFor({ vendors: ['GitHub'] }, 'output "github" field "rules"')!;
    expect(filters['type']).toBeInstanceOf(sns.SubscriptionFilter);
    expect(filters['type']!.conditions).toEqual([{ 'anything-but': { prefix: 'source.' } }]);
  });
});
