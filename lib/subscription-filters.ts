// Routing rules as CDK SNS subscription filters: the AWS form of `filterPolicyFor`, shared by every subscriber to the
// event topic (Slack notifiers, email alerts), so the same rules admit the same events whoever receives them.
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConfigError } from '../functions/config/config.js';
import { filterPolicyFor, type FilterPolicy, type RouteRules } from '../functions/core/routing.js';

/** The filters of one subscription, by message attribute; what `SubscriptionProps.filterPolicy` takes. */
export type SubscriptionFilters = Readonly<Record<string, sns.SubscriptionFilter>>;

/**
 * The SNS subscription filters equivalent to `rules`; undefined when the rules admit every event.
 * Throws `ConfigError` naming `field` when the rules go beyond SNS's filter-policy limits (5 keys, 150 combinations)
 * or use a condition this translation does not know.
 *
 * @param field the rules in the config, for error messages, e.g. `output "incidents" field "rules"` or `email.alerts[0].rules`
 */
export function subscriptionFiltersFor(rules: RouteRules, field: string): SubscriptionFilters | undefined {
  let policy: FilterPolicy | undefined;
  try {
    policy = filterPolicyFor(rules);
  } catch (error) {
    throw new ConfigError(`${field}: ${(error as Error).message}`, { cause: error });
  }
  if (!policy) return undefined;
  return Object.fromEntries(
    Object.entries(policy).map(([attribute, values]) => [
      attribute,
      // Each CDK factory makes one kind of condition, and one attribute takes one SubscriptionFilter. `region` needs
      // values OR absence (["US-1", {"exists": false}]), so the factories' conditions are concatenated through the
      // public SubscriptionFilter constructor, in the policy's order; no CfnSubscription escape hatch is needed.
      new sns.SubscriptionFilter(values.flatMap((value) => filterOf(value, field).conditions)),
    ]),
  );
}

/** The CDK filter for one value of a filter policy built by `filterPolicyFor`. */
function filterOf(value: FilterPolicy[string][number], field: string): sns.SubscriptionFilter {
  if (typeof value === 'string') return sns.SubscriptionFilter.stringFilter({ allowlist: [value] });
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value['prefix'] === 'string') {
    return sns.SubscriptionFilter.stringFilter({ matchPrefixes: [value['prefix']] });
  }
  if (keys.length === 1 && value['exists'] === false) return sns.SubscriptionFilter.notExistsFilter();
  // `{"anything-but": {"prefix": "source."}}`: SNS supports it, CDK's string conditions do not name it.
  const anythingBut = value['anything-but'];
  if (keys.length === 1 && typeof anythingBut === 'object' && anythingBut !== null) {
    const inner = anythingBut as Record<string, unknown>;
    if (Object.keys(inner).length === 1 && typeof inner['prefix'] === 'string') {
      return new sns.SubscriptionFilter([{ 'anything-but': { prefix: inner['prefix'] } }]);
    }
  }
  // A new kind of condition in routing.ts must be translated here, not passed through unchecked.
  throw new ConfigError(`${field}: no SNS subscription filter for condition ${JSON.stringify(value)}`);
}

/**
 * Sets `FilterPolicyScope: MessageAttributes` on a filtered subscription, where CloudFormation would otherwise leave
 * it unset. Unset, a later stack update that adds or removes the subscription's filter policy fails (aws-cdk#24804,
 * cloudformation-coverage-roadmap#1840); set, the policy is evaluated on the message attributes, as it always was.
 * A subscription without a filter policy is left as it is. Returns the subscription.
 */
export function scopeFilterToMessageAttributes<T extends sns.Subscription>(subscription: T): T {
  const cfn = subscription.node.defaultChild as sns.CfnSubscription;
  if (cfn.filterPolicy !== undefined) cfn.filterPolicyScope = 'MessageAttributes';
  return subscription;
}
