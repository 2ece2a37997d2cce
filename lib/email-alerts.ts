// Real-time email on AWS: every address of an `email.alerts` entry subscribes to the event topic over the email protocol,
// through the filter policy of the entry's rules. The poll function publishes with MessageStructure json, and SNS sends
// an email subscriber the message's `email` body, so no function stands between the topic and the mailbox.
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { ConfigError, type WatcherConfig } from '../functions/config/config.js';
import { scopeFilterToMessageAttributes, subscriptionFiltersFor, type SubscriptionFilters } from './subscription-filters.js';

/** An `email.alerts` entry as deployed: its place in the config, its addresses and its checked filter policy. */
export interface EmailAlertRoute {
  /** Where the entry sits in the config, e.g. `email.alerts[0]`, for messages. */
  readonly field: string;
  /** The addresses, each of which gets its own subscription. */
  readonly addresses: readonly string[];
  /** The SNS subscription filters equivalent to the entry's rules; undefined when it takes every event. */
  readonly filterPolicy?: SubscriptionFilters;
}

/**
 * The `email.alerts` entries of a config, resolved for AWS. Throws `ConfigError` naming the entry (`email.alerts[<i>]`)
 * for rules beyond SNS's filter-policy limits, or for an address listed twice: SNS keeps one subscription per topic and
 * address, so one address cannot carry two filter policies. Stacks call this before building anything.
 */
export function emailAlertRoutesOf(config: WatcherConfig): EmailAlertRoute[] {
  const firstSeenIn = new Map<string, string>();
  return config.email.alerts.map((alert, index) => {
    const field = `email.alerts[${index}]`;
    for (const address of alert.addresses) {
      // Mailbox names are case-insensitive in practice; two spellings of one address would be two subscriptions.
      const key = address.toLowerCase();
      const earlier = firstSeenIn.get(key);
      if (earlier !== undefined) {
        throw new ConfigError(
          `${field}.addresses: "${address}" is already listed in ${earlier}; an address subscribes to the event topic ` +
            'once, so list it in one entry whose rules cover everything it should receive',
        );
      }
      firstSeenIn.set(key, field);
    }
    return { field, addresses: alert.addresses, filterPolicy: subscriptionFiltersFor(alert.rules, `${field}.rules`) };
  });
}

/**
 * Subscribes each address of each route to `topic` over the email protocol, with the route's filter policy; returns the
 * subscriptions in config order. The subscriptions are named by address, so reordering entries or moving an address to
 * another entry only updates a filter policy instead of replacing the subscription (and asking for confirmation again).
 *
 * Each address must confirm its subscription from the mail SNS sends it on the first deploy; until then it receives
 * nothing, and the subscription shows as "PendingConfirmation".
 */
export function subscribeEmailAlerts(topic: sns.ITopic, routes: readonly EmailAlertRoute[]): sns.Subscription[] {
  return routes.flatMap((route) =>
    route.addresses.map((address) =>
      scopeFilterToMessageAttributes(
        topic.addSubscription(
          new subscriptions.EmailSubscription(address, {
            filterPolicy: route.filterPolicy ? { ...route.filterPolicy } : undefined,
          }),
        ),
      ),
    ),
  );
}
