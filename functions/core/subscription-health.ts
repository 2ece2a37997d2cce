// Subscription health: the email subscriptions the config expects on the watcher's topics, compared with what SNS
// lists, and how the digest reports them (pure: the listings come in, plain text goes out). Email subscriptions vanish
// silently: a mail scanner follows the unsubscribe link every SNS email carries, and a subscription nobody confirms
// is deleted by SNS.
import { filterPolicyFor, type FilterPolicy, type RouteRules } from './routing.js';
import { cleanLine } from './text/clean-line.js';
import { compareText, plural } from './text/words.js';
import { wrap } from './text/wrap.js';

/** The watcher's topics that email subscribes to: alerts to the event topic, digests to the digest topic. */
export type TopicRole = 'events' | 'digest';

const TOPIC_LABEL: Readonly<Record<TopicRole, string>> = { events: 'event topic', digest: 'digest topic' };

/** What SNS lists in place of the ARN of a subscription nobody has confirmed yet. */
export const PENDING_CONFIRMATION = 'PendingConfirmation';

/** One subscription as `ListSubscriptionsByTopic` reports it. */
export interface ListedSubscription {
  /** `email`, `email-json`, `lambda`, `sqs`, `https`, … */
  readonly protocol: string;
  /** The address, function ARN, queue ARN or URL. */
  readonly endpoint: string;
  /** The subscription's ARN, or {@link PENDING_CONFIRMATION}. */
  readonly subscriptionArn: string;
}

/** Lists a topic's subscriptions (every page). Implemented over SNS by functions/adapters/sns-subscriptions.ts. */
export interface SubscriptionLister {
  /** Throws {@link SubscriptionListError} when SNS refuses or cannot be reached (access denied, throttled, no topic). */
  listSubscriptions(topicArn: string): Promise<readonly ListedSubscription[]>;
}

/** A topic's subscriptions could not be listed; `reason` says why (the SNS error code and message). */
export class SubscriptionListError extends Error {
  override readonly name = 'SubscriptionListError';
  constructor(
    readonly topicArn: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot list the subscriptions of ${topicArn}: ${reason}`, options);
  }
}

/** An email subscription the config asks for. */
export interface ExpectedSubscription {
  readonly topic: TopicRole;
  readonly address: string;
  /** Where the config lists it: `email.alerts[0]`, `email.digest`. */
  readonly field: string;
  /** The filter policy its subscription carries (an alert entry's rules); undefined: it takes every message. */
  readonly filterPolicy?: FilterPolicy;
}

/** The `email` part of a config as far as subscriptions go. */
export interface EmailSubscriptionConfig {
  readonly alerts: readonly { readonly addresses: readonly string[]; readonly rules?: RouteRules }[];
  readonly digest?: { readonly addresses: readonly string[] };
}

/**
 * The email subscriptions a config makes on AWS (lib/email-alerts.ts, lib/email-digest.ts): every address of every
 * `email.alerts` entry on the event topic with the filter policy of its rules, every digest address on the digest topic.
 */
export function expectedEmailSubscriptions(email: EmailSubscriptionConfig): ExpectedSubscription[] {
  return [
    ...email.alerts.flatMap((alert, index) => {
      const filterPolicy = filterPolicyFor(alert.rules ?? {});
      return alert.addresses.map(
        (address): ExpectedSubscription => ({
          topic: 'events',
          address,
          field: `email.alerts[${index}]`,
          ...(filterPolicy && { filterPolicy }),
        }),
      );
    }),
    ...(email.digest?.addresses ?? []).map(
      (address): ExpectedSubscription => ({ topic: 'digest', address, field: 'email.digest' }),
    ),
  ];
}

/** What listing one topic's subscriptions gave. */
export type TopicListing =
  | {
      readonly topic: TopicRole;
      readonly topicArn: string;
      readonly outcome: 'listed';
      readonly subscriptions: readonly ListedSubscription[];
    }
  | { readonly topic: TopicRole; readonly topicArn: string; readonly outcome: 'failed'; readonly reason: string };

export type SubscriptionStatus = 'confirmed' | 'pending' | 'missing';

export interface SubscriptionState extends ExpectedSubscription {
  readonly topicArn: string;
  readonly status: SubscriptionStatus;
}

export interface UnexpectedSubscription {
  readonly topic: TopicRole;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly pending: boolean;
}

export interface SubscriptionHealth {
  /** Each expected subscription on a topic that was listed, in config order, with its state. */
  readonly expected: readonly SubscriptionState[];
  /** Email subscriptions on the listed topics that the config does not ask for. */
  readonly unexpected: readonly UnexpectedSubscription[];
  /** Subscribers over other protocols (the Slack notifiers' Lambda functions, queues, URLs), per topic and protocol. */
  readonly others: readonly { readonly topic: TopicRole; readonly protocol: string; readonly count: number }[];
  /** Topics whose subscriptions could not be listed: why, and how many expected addresses are therefore unknown. */
  readonly unchecked: readonly {
    readonly topic: TopicRole;
    readonly topicArn: string;
    readonly reason: string;
    readonly expected: number;
  }[];
}

const EMAIL_PROTOCOLS: ReadonlySet<string> = new Set(['email', 'email-json']);

/**
 * Compares the expected subscriptions with the listings. Addresses compare case-insensitively; an expected address
 * counts as subscribed only over the `email` protocol (the one the stack uses). Expected subscriptions of a topic
 * that has no listing are left out.
 */
export function assessSubscriptions(
  expected: readonly ExpectedSubscription[],
  listings: readonly TopicListing[],
): SubscriptionHealth {
  const states: SubscriptionState[] = [];
  const unexpected: UnexpectedSubscription[] = [];
  const others: { topic: TopicRole; protocol: string; count: number }[] = [];
  const unchecked: SubscriptionHealth['unchecked'][number][] = [];
  for (const listing of listings) {
    const wanted = expected.filter((subscription) => subscription.topic === listing.topic);
    if (listing.outcome === 'failed') {
      unchecked.push({ topic: listing.topic, topicArn: listing.topicArn, reason: listing.reason, expected: wanted.length });
      continue;
    }
    const emails = listing.subscriptions.filter((s) => EMAIL_PROTOCOLS.has(s.protocol));
    for (const subscription of wanted) {
      const key = subscription.address.toLowerCase();
      const found = emails.filter((s) => s.protocol === 'email' && s.endpoint.toLowerCase() === key);
      const status: SubscriptionStatus = found.some((s) => s.subscriptionArn !== PENDING_CONFIRMATION)
        ? 'confirmed'
        : found.length > 0
          ? 'pending'
          : 'missing';
      states.push({ ...subscription, topicArn: listing.topicArn, status });
    }
    const wantedKeys = new Set(wanted.map((subscription) => subscription.address.toLowerCase()));
    for (const s of emails) {
      if (s.protocol === 'email' && wantedKeys.has(s.endpoint.toLowerCase())) continue;
      unexpected.push({
        topic: listing.topic,
        topicArn: listing.topicArn,
        protocol: s.protocol,
        endpoint: s.endpoint,
        pending: s.subscriptionArn === PENDING_CONFIRMATION,
      });
    }
    const counts = new Map<string, number>();
    for (const s of listing.subscriptions.filter((s) => !EMAIL_PROTOCOLS.has(s.protocol))) {
      counts.set(s.protocol, (counts.get(s.protocol) ?? 0) + 1);
    }
    for (const [protocol, count] of [...counts].sort(([a], [b]) => compareText(a, b))) {
      others.push({ topic: listing.topic, protocol, count });
    }
  }
  unexpected.sort((a, b) => compareText(a.topic, b.topic) || compareText(a.endpoint.toLowerCase(), b.endpoint.toLowerCase()));
  return { expected: states, unexpected, others, unchecked };
}

/** What needs someone's attention: subscriptions not receiving, and topics that could not be checked. */
export function subscriptionProblems(health: SubscriptionHealth): {
  readonly pending: number;
  readonly missing: number;
  readonly unchecked: number;
} {
  return {
    pending: health.expected.filter((s) => s.status === 'pending').length,
    missing: health.expected.filter((s) => s.status === 'missing').length,
    unchecked: health.unchecked.length,
  };
}

/**
 * One sentence for the top of the digest when subscriptions need attention ("Email subscriptions: 1 address no longer
 * subscribed, 1 not confirmed; see WATCHER HEALTH."); undefined when all is well.
 */
export function subscriptionSummary(health: SubscriptionHealth): string | undefined {
  const { pending, missing } = subscriptionProblems(health);
  const states: string[] = [];
  if (missing > 0) states.push(`${plural(missing, 'address', 'addresses')} no longer subscribed`);
  if (pending > 0) states.push(`${missing > 0 ? pending : plural(pending, 'address', 'addresses')} not confirmed`);
  const parts = states.length > 0 ? [states.join(', ')] : [];
  const unchecked = health.unchecked.map((u) => `the ${TOPIC_LABEL[u.topic]}`);
  if (unchecked.length > 0) parts.push(`the subscriptions of ${unchecked.join(' and ')} could not be checked`);
  return parts.length === 0 ? undefined : `Email subscriptions: ${parts.join('; ')}; see WATCHER HEALTH.`;
}

/** The subject's words for subscription problems, most urgent first: "1 subscription missing", "2 unconfirmed". */
export function subscriptionSubjectParts(health: SubscriptionHealth): string[] {
  const { pending, missing, unchecked } = subscriptionProblems(health);
  const parts: string[] = [];
  if (missing > 0) parts.push(`${plural(missing, 'subscription')} missing`);
  if (pending > 0) parts.push(missing > 0 ? `${pending} unconfirmed` : `${plural(pending, 'subscription')} unconfirmed`);
  if (unchecked > 0) parts.push('subscriptions unchecked');
  return parts;
}

const ADDRESS_CHARS = 254;
const REASON_CHARS = 300;

/**
 * The subscription part of the digest's WATCHER HEALTH section: the tally, each address pending confirmation with
 * the command that confirms it so that unsubscribing needs authentication, each missing address with the command
 * that subscribes it again (with its filter policy), subscriptions the config does not list, and topics that could
 * not be checked. Commands are never wrapped: each argument on its own line, continued with a backslash.
 */
export function renderSubscriptionHealth(health: SubscriptionHealth): string[] {
  const states = health.expected;
  const byStatus = (status: SubscriptionStatus) => states.filter((s) => s.status === status);
  const confirmed = byStatus('confirmed');
  const pending = byStatus('pending');
  const missing = byStatus('missing');
  const lines: string[] = [];

  const checkedTopics = new Set(states.map((s) => s.topic));
  const perTopic = (['events', 'digest'] as const)
    .filter((topic) => checkedTopics.has(topic))
    .map((topic) => `${states.filter((s) => s.topic === topic).length} on the ${TOPIC_LABEL[topic]}`);
  const tally =
    states.length === 0
      ? 'none configured on the topics checked'
      : pending.length + missing.length === 0
        ? `${states.length === 1 ? 'the 1' : `all ${states.length}`} confirmed (${perTopic.join(', ')})`
        : [
            `${confirmed.length} of ${states.length} confirmed`,
            ...(pending.length > 0 ? [`${pending.length} pending confirmation`] : []),
            ...(missing.length > 0 ? [`${missing.length} missing`] : []),
          ].join(', ');
  const unexpectedNote = health.unexpected.length > 0 ? `; ${health.unexpected.length} not in the config` : '';
  lines.push(...wrap(`Email subscriptions: ${tally}${unexpectedNote}.`, '', '  '));

  for (const unchecked of health.unchecked) {
    const reason = cleanLine(unchecked.reason, REASON_CHARS) || 'no reason given';
    const unknown = unchecked.expected > 0 ? ` (${plural(unchecked.expected, 'configured address', 'configured addresses')} not checked)` : '';
    lines.push(
      ...wrap(`Could not check the subscriptions of the ${TOPIC_LABEL[unchecked.topic]}${unknown}: ${reason}`, '  ! ', '    '),
    );
  }

  if (pending.length > 0) {
    lines.push(
      ...wrap(
        `Pending confirmation (${pending.length}): an address receives nothing until it confirms, and SNS deletes a ` +
          'subscription nobody confirms within 48 hours. Open the "AWS Notification - Subscription Confirmation" ' +
          'mail and follow its link; or better, so that unsubscribing needs AWS credentials and a mail scanner ' +
          'following the unsubscribe link cannot remove it, set TOKEN to the value after "Token=" in that link and ' +
          'run the command shown.',
        '  ',
      ),
    );
    for (const state of pending) lines.push(...entryLine('!', state), ...confirmCommand(state.topicArn, '      '));
  }

  if (missing.length > 0) {
    lines.push(
      ...wrap(
        `Missing (${missing.length}): no longer subscribed, so it receives nothing: unsubscribed (a mail scanner ` +
          'following the unsubscribe link of any SNS mail does this) or never confirmed and expired. Subscribe it ' +
          'again with the command shown, then confirm it as described for pending subscriptions.',
        '  ',
      ),
    );
    for (const state of missing) lines.push(...entryLine('!', state), ...subscribeCommand(state, '      '));
  }

  if (health.unexpected.length > 0) {
    lines.push(`  Not in the config, for information (${health.unexpected.length}):`);
    for (const s of health.unexpected) {
      const what = [TOPIC_LABEL[s.topic], ...(s.protocol === 'email' ? [] : [cleanLine(s.protocol, 20)]), s.pending ? 'pending confirmation' : 'confirmed'];
      lines.push(...wrap(`${cleanLine(s.endpoint, ADDRESS_CHARS) || '(no endpoint)'} (${what.join(', ')})`, '  - ', '    '));
    }
  }

  if (health.others.length > 0) {
    const others = health.others.map((o) => `${o.count} ${cleanLine(o.protocol, 20)} on the ${TOPIC_LABEL[o.topic]}`);
    lines.push(...wrap(`Other subscribers, not checked here (the Slack notifiers among them): ${others.join(', ')}.`, '  '));
  }
  return lines;
}

function entryLine(mark: string, state: SubscriptionState): string[] {
  const address = cleanLine(state.address, ADDRESS_CHARS) || '(no address)';
  return wrap(`${address} (${state.field}, ${TOPIC_LABEL[state.topic]})`, `  ${mark} `, '    ');
}

/**
 * `aws sns confirm-subscription` with `--authenticate-on-unsubscribe true`, one argument per line; the token is left
 * to the shell variable TOKEN (the value after `Token=` in the confirmation link).
 */
export function confirmCommand(topicArn: string, indent = ''): string[] {
  return shellCommand(
    ['aws sns confirm-subscription', `--topic-arn ${shellQuote(topicArn)}`, '--token "$TOKEN"', '--authenticate-on-unsubscribe true'],
    indent,
  );
}

/**
 * `aws sns subscribe` for an email address, one argument per line, with `--attributes` carrying the subscription's
 * filter policy (and `FilterPolicyScope: MessageAttributes`) when it has one.
 */
export function subscribeCommand(
  subscription: { readonly topicArn: string; readonly address: string; readonly filterPolicy?: FilterPolicy },
  indent = '',
): string[] {
  const args = [
    'aws sns subscribe',
    `--topic-arn ${shellQuote(subscription.topicArn)}`,
    '--protocol email',
    `--notification-endpoint ${shellQuote(cleanLine(subscription.address))}`,
  ];
  if (subscription.filterPolicy) {
    const attributes = { FilterPolicy: JSON.stringify(subscription.filterPolicy), FilterPolicyScope: 'MessageAttributes' };
    args.push(`--attributes ${shellQuote(JSON.stringify(attributes))}`);
  }
  return shellCommand(args, indent);
}

function shellCommand(args: readonly string[], indent: string): string[] {
  return args.map((arg, index) => `${indent}${index === 0 ? '' : '  '}${arg}${index < args.length - 1 ? ' \\' : ''}`);
}

/** A word the shell takes literally: bare when it is plain, else in single quotes (a quote inside as '\''). */
export function shellQuote(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
