// Routing rules: the local matcher and the SNS filter policy must admit exactly the same events.
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, SEVERITIES, type WatcherEvent } from '../../functions/core/model.js';
import { filterPolicyFor, routeMatches, type FilterPolicy, type RouteRules } from '../../functions/core/routing.js';
import { sampleEvent } from '../support/sample-event.js';

/**
 * SNS's attribute filter-policy semantics, for the operators the policies use: every key must match; a key's
 * values are alternatives (exact string, `{prefix}`, `{exists:false}`, `{"anything-but": {prefix}}`); a String.Array
 * attribute matches when any element matches; a missing attribute matches only `{exists:false}`.
 */
function snsAdmits(policy: FilterPolicy | undefined, attributes: Record<string, string | string[]>): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(([key, alternatives]) => {
    const value = attributes[key];
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    return alternatives.some((alternative) => {
      if (typeof alternative === 'string') return values.includes(alternative);
      if ('prefix' in alternative) return values.some((v) => v.startsWith(alternative['prefix'] as string));
      if ('exists' in alternative) return alternative['exists'] === (value !== undefined);
      const anythingBut = alternative['anything-but'] as Record<string, unknown> | undefined;
      if (typeof anythingBut?.['prefix'] === 'string') return values.some((v) => !v.startsWith(anythingBut['prefix'] as string));
      throw new Error(`operator not modelled: ${JSON.stringify(alternative)}`);
    });
  });
}

/** The message attributes the SNS publisher sets (see functions/adapters/sns-publisher.ts). */
function attributesOf(event: WatcherEvent): Record<string, string | string[]> {
  return {
    type: event.type,
    source: event.source,
    severity: event.severity,
    vendor: event.vendor,
    ...(event.regions?.length ? { region: [...event.regions] } : {}),
  };
}

const EVENTS: WatcherEvent[] = EVENT_TYPES.flatMap((type) =>
  SEVERITIES.flatMap((severity) =>
    [undefined, ['US-1'], ['EU-1'], ['US-1', 'US-5']].flatMap((regions) =>
      ['auth0-status-us-1', 'auth0-changelog'].map((source) =>
        sampleEvent({ type, severity, source, regions, id: `${type}-${severity}-${regions}-${source}` }),
      ),
    ),
  ),
);

const RULES: Array<[string, RouteRules]> = [
  ['no rules', {}],
  ['critical incidents in US-1', { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] }],
  ['change-log and advisories', { types: ['changelog.published', 'advisory.*'] }],
  ['one source, major and up', { sources: ['auth0-status-us-1'], minSeverity: 'major' }],
  ['regions only', { regions: ['EU-1', 'US-5'] }],
  ['vendors and minimum info', { vendors: ['Auth0'], minSeverity: 'info' }],
  ['vendors and the watcher\'s health', { vendors: ['Auth0'], types: ['incident.*', 'source.*'] }],
];

describe('routing rules', () => {
  it.each(RULES)('admit the same events locally and as an SNS filter policy: %s', (_name, rules) => {
    const policy = filterPolicyFor(rules);
    const disagreements = EVENTS.filter((event) => routeMatches(rules, event) !== snsAdmits(policy, attributesOf(event)));
    expect(disagreements.map((e) => e.id)).toEqual([]);
  });

  it('routes critical US-1 incidents, lets region-less events through and keeps EU-1 out', () => {
    const rules: RouteRules = { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] };
    expect(routeMatches(rules, sampleEvent({ type: 'incident.opened', severity: 'critical', regions: ['US-1'] }))).toBe(true);
    expect(routeMatches(rules, sampleEvent({ type: 'incident.opened', severity: 'major', regions: ['US-1'] }))).toBe(false);
    expect(routeMatches(rules, sampleEvent({ type: 'incident.opened', severity: 'critical', regions: ['EU-1'] }))).toBe(false);
    expect(routeMatches(rules, sampleEvent({ type: 'incident.opened', severity: 'critical', regions: undefined }))).toBe(true);
    expect(routeMatches(rules, sampleEvent({ type: 'changelog.published', severity: 'critical' }))).toBe(false);
  });

  it('builds the filter policy SNS expects', () => {
    expect(filterPolicyFor({ types: ['incident.*'], minSeverity: 'major', regions: ['US-1'] })).toEqual({
      type: [{ prefix: 'incident.' }],
      severity: ['critical', 'major'],
      region: ['US-1', { exists: false }],
    });
    expect(filterPolicyFor({})).toBeUndefined();
    expect(filterPolicyFor({ minSeverity: 'info' })).toBeUndefined();
  });

  it('refuses rules that exceed the 150 combinations SNS allows', () => {
    const rules: RouteRules = {
      sources: Array.from({ length: 10 }, (_, i) => `source-${i}`),
      types: ['incident.opened', 'incident.updated', 'incident.resolved', 'incident.rca_published'],
      regions: ['US-1', 'US-3', 'US-4', 'US-5'],
    };
    expect(() => filterPolicyFor(rules)).toThrow(/200 filter-policy combinations; SNS allows 150/);
  });
});
