// Routing rules of an output (a Slack channel, an email list): which events it receives. One meaning, two forms:
// a matcher for local mode, and the equivalent SNS subscription filter policy for AWS.
import { EVENT_TYPES, SEVERITIES, type EventType, type Severity, type WatcherEvent } from './model.js';
import type { QuietHours } from './quiet-hours.js';

export interface RouteRules {
  /** Source ids; all when absent. */
  readonly sources?: readonly string[];
  /** Event types, or a family such as `incident.*`; all when absent. */
  readonly types?: readonly string[];
  /** The least severity that passes; all when absent. */
  readonly minSeverity?: Severity;
  /**
   * Regions; when set, events naming regions pass only if one of them is listed. Events that name no region
   * (change log, advisories, source health) are not about a region and pass.
   */
  readonly regions?: readonly string[];
  /**
   * Vendors ("Auth0", a third-party provider); all when absent. Rules that select vendors are about those vendors'
   * news: the watcher's own health (`source.*`: a source it cannot read, an output it cannot deliver to) passes them
   * only when `types` asks for it (`source.failing`, `source.*`).
   */
  readonly vendors?: readonly string[];
  /**
   * A channel route's quiet hours (core/quiet-hours.ts): when the route holds events below a severity. Not a filter:
   * `routeMatches` and the filter policy ignore it; the route's delivery holds what it admits.
   */
  readonly quietHours?: QuietHours;
}

/** The family of the watcher's own health events, which vendor rules leave out unless `types` names it. */
const WATCHER_HEALTH_PREFIX = 'source.';

/** An event type or a family wildcard: `incident.opened`, `incident.*`. */
export function isEventTypePattern(pattern: string): boolean {
  if (pattern.endsWith('.*')) return EVENT_TYPES.some((type) => type.startsWith(pattern.slice(0, -1)));
  return (EVENT_TYPES as readonly string[]).includes(pattern);
}

/** The severities at or above `min`. */
export function severitiesFrom(min: Severity): Severity[] {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(min) + 1);
}

function typeMatches(pattern: string, type: EventType): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/** Whether an event passes the rules (local mode; on AWS the filter policy decides the same). */
export function routeMatches(rules: RouteRules, event: WatcherEvent): boolean {
  if (rules.sources && !rules.sources.includes(event.source)) return false;
  if (rules.types && !rules.types.some((pattern) => typeMatches(pattern, event.type))) return false;
  // Without `types`, rules that select vendors take those vendors' news, not the watcher's health.
  if (rules.vendors && !rules.types && event.type.startsWith(WATCHER_HEALTH_PREFIX)) return false;
  if (rules.minSeverity && !severitiesFrom(rules.minSeverity).includes(event.severity)) return false;
  if (rules.vendors && !rules.vendors.includes(event.vendor)) return false;
  if (rules.regions && event.regions && event.regions.length > 0) {
    if (!event.regions.some((region) => rules.regions!.includes(region))) return false;
  }
  return true;
}

export type FilterPolicy = Record<string, Array<string | Record<string, unknown>>>;

/** SNS limits a filter policy to 5 keys and 150 combinations of values. */
export const FILTER_POLICY_MAX_COMBINATIONS = 150;

/**
 * The SNS subscription filter policy (on message attributes `source`, `type`, `severity`, `region`, `vendor`) that
 * admits exactly the events `routeMatches` admits; undefined when the rules admit everything.
 * Throws when the policy would exceed SNS's 150 combinations.
 */
export function filterPolicyFor(rules: RouteRules): FilterPolicy | undefined {
  const policy: FilterPolicy = {};
  if (rules.sources) policy['source'] = [...rules.sources];
  if (rules.types) {
    policy['type'] = rules.types.map((pattern) => (pattern.endsWith('.*') ? { prefix: pattern.slice(0, -1) } : pattern));
  } else if (rules.vendors) {
    policy['type'] = [{ 'anything-but': { prefix: WATCHER_HEALTH_PREFIX } }];
  }
  if (rules.minSeverity && rules.minSeverity !== 'info') policy['severity'] = severitiesFrom(rules.minSeverity);
  if (rules.vendors) policy['vendor'] = [...rules.vendors];
  // `region` is a String.Array attribute, present only on events that name regions.
  if (rules.regions) policy['region'] = [...rules.regions, { exists: false }];
  const combinations = Object.values(policy).reduce((product, values) => product * values.length, 1);
  if (combinations > FILTER_POLICY_MAX_COMBINATIONS) {
    throw new Error(
      `routing rules make ${combinations} filter-policy combinations; SNS allows ${FILTER_POLICY_MAX_COMBINATIONS}: use type families (incident.*) or fewer values`,
    );
  }
  return Object.keys(policy).length > 0 ? policy : undefined;
}
