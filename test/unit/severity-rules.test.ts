// The config's `severityRules`: which rule matches an item, the first that does sets its severity (raise or lower), for
// every kind of item, and an incident's remembered severity still only rises.
import { describe, expect, it } from 'vitest';
import { diffItems } from '../../functions/core/diff-items.js';
import { itemSeverity } from '../../functions/core/diff-severity.js';
import type { ChangelogItem, Severity } from '../../functions/core/model.js';
import { ruledSeverity, ruleMatches, type SeverityFacts, type SeverityRule } from '../../functions/core/severity-rules.js';
import { auth0Us1Context, incidentBuilder, itemUpdate, jsonwebtokenAdvisory } from '../support/diff-context.js';

const NOW = '2026-10-06T10:40:00Z';
const facts: SeverityFacts = {
  source: 'auth0-status-us-1',
  vendor: 'Auth0',
  regions: ['US-1'],
  components: ['User Authentication'],
  text: 'Elevated errors in US-1\nWe are investigating elevated error rates for User Authentication.',
};

describe('ruleMatches', () => {
  it('matches when every condition given holds', () => {
    expect(ruleMatches({ sources: ['auth0-status-us-1'], vendors: ['Auth0'], regions: ['US-1'], severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ sources: ['auth0-status-us-1'], vendors: ['GitHub'], severity: 'info' }, facts)).toBe(false);
  });

  it('matches a list when any of its values matches', () => {
    expect(ruleMatches({ sources: ['other', 'auth0-status-us-1'], severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ regions: ['EU-1', 'US-1'], severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ regions: ['EU-1'], severity: 'info' }, facts)).toBe(false);
  });

  it('compares regions and components regardless of case, sources and vendors exactly', () => {
    expect(ruleMatches({ components: ['user authentication'], severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ regions: ['us-1'], severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ vendors: ['auth0'], severity: 'info' }, facts)).toBe(false);
  });

  it('searches the pattern, case-insensitively, in the title and the text', () => {
    expect(ruleMatches({ pattern: 'ELEVATED ERRORS IN', severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ pattern: 'error rates for user auth', severity: 'info' }, facts)).toBe(true);
    expect(ruleMatches({ pattern: '^We are investigating', severity: 'info' }, facts)).toBe(false);
    expect(ruleMatches({ pattern: 'Management API', severity: 'info' }, facts)).toBe(false);
  });

  it('matches nothing for an item naming no region or component when the rule asks for one', () => {
    expect(ruleMatches({ regions: ['US-1'], severity: 'info' }, { ...facts, regions: [] })).toBe(false);
    expect(ruleMatches({ components: ['MFA'], severity: 'info' }, { ...facts, components: [] })).toBe(false);
  });

  it('matches nothing with a rule that names no condition', () => {
    expect(ruleMatches({ severity: 'info' }, facts)).toBe(false);
  });
});

describe('ruledSeverity', () => {
  it('takes the first matching rule, raising or lowering, and the computed severity when none matches', () => {
    const rules: SeverityRule[] = [
      { vendors: ['GitHub'], severity: 'info' },
      { pattern: 'user authentication', severity: 'minor' },
      { regions: ['US-1'], severity: 'critical' },
    ];
    expect(ruledSeverity(rules, facts, 'critical')).toBe('minor');
    expect(ruledSeverity(rules.slice(2), facts, 'major')).toBe('critical');
    expect(ruledSeverity(rules.slice(0, 1), facts, 'major')).toBe('major');
    expect(ruledSeverity(undefined, facts, 'major')).toBe('major');
  });
});

describe('severity rules in the diff', () => {
  const incident = incidentBuilder({ itemId: 'n3wincid3nt1', title: 'Elevated Errors in US-1' });
  const logins = incident([itemUpdate('Investigating', '2026-10-06T10:35:00Z', 'We are investigating elevated error rates for User Authentication in US-1 Production.')]);
  const withRules = (rules: SeverityRule[], baseline = false) => ({ ...auth0Us1Context(NOW, baseline), severityRules: rules });
  const severityAfter = (rules: SeverityRule[]) => diffItems(withRules(rules, true), new Map(), [logins])[0]!.events[0]!.severity;

  it('rates an incident by the default rule without rules, and by the first matching rule with them', () => {
    expect(severityAfter([])).toBe('critical');
    expect(severityAfter([{ sources: ['auth0-status-us-1'], pattern: 'user authentication', severity: 'major' }])).toBe('major');
    // The regions an incident is listed in count: this one names none and is listed in the source's US-1.
    expect(severityAfter([{ regions: ['EU-1'], severity: 'minor' }, { regions: ['US-1'], severity: 'info' }])).toBe('info');
    expect(severityAfter([{ components: ['MFA'], severity: 'minor' }])).toBe('critical');
  });

  it('matches the components an incident names', () => {
    const named = { ...logins, components: ['User Authentication'] };
    const change = diffItems(withRules([{ components: ['user authentication'], severity: 'minor' }], true), new Map(), [named]);
    expect(change[0]!.events[0]!.severity).toBe('minor');
  });

  it('keeps the higher severity remembered for an incident: a rule lowers it only before it was rated higher', () => {
    const [first] = diffItems(withRules([], true), new Map(), [logins]);
    const later = incident([itemUpdate('Identified', '2026-10-06T10:50:00Z', 'The cause is known.'), ...logins.updates]);
    const [second] = diffItems(withRules([{ pattern: 'user authentication', severity: 'minor' }]), new Map([[first!.next.itemId, first!.next]]), [later]);
    expect(first!.next.severity).toBe('critical');
    expect(second!.events.map((e) => e.severity)).toEqual(['critical']);
  });

  it('applies to maintenance, change-log entries and advisories alike', () => {
    const ctx = withRules([
      { pattern: 'database maintenance', severity: 'major' },
      { sources: ['auth0-status-us-1'], pattern: 'Actions', severity: 'critical' },
      { vendors: ['Auth0'], pattern: 'jsonwebtoken', severity: 'critical' },
    ]);
    const maintenance = { ...incident([itemUpdate('Scheduled', '2026-10-06T10:00:00Z', 'Database maintenance in US-1 on Oct 9.')]), kind: 'maintenance' as const };
    const entry: ChangelogItem = {
      kind: 'changelog',
      itemId: 'https://auth0.com/changelog#actions',
      title: 'Actions: new event',
      url: 'https://auth0.com/changelog',
      changeType: 'added',
      changeTypeFrom: 'feed',
      text: 'A new trigger.',
    };
    const severities: Severity[] = [maintenance, entry, jsonwebtokenAdvisory()].map((item) => itemSeverity(ctx, item));
    expect(severities).toEqual(['major', 'critical', 'critical']);
    // Without rules: maintenance info, an addition info, a medium advisory minor.
    expect([maintenance, entry, jsonwebtokenAdvisory()].map((item) => itemSeverity(withRules([]), item))).toEqual(['info', 'info', 'minor']);
  });

  it('lets a rule lower a change-log entry or an advisory on every poll (they are rated afresh)', () => {
    const ctx = withRules([{ pattern: 'jsonwebtoken', severity: 'info' }]);
    const advisory = jsonwebtokenAdvisory({ vendorSeverity: 'critical' });
    const [change] = diffItems(ctx, new Map(), [advisory]);
    expect(change!.events[0]!.severity).toBe('info');
  });
});
