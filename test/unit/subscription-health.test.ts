// Subscription health: which configured email subscriptions SNS has confirmed, pending or not at all.
import { describe, expect, it } from 'vitest';
import { filterPolicyFor } from '../../functions/core/routing.js';
import {
  assessSubscriptions,
  expectedEmailSubscriptions,
  shellQuote,
  subscriptionProblems,
  type ListedSubscription,
} from '../../functions/core/subscription-health.js';

const EVENTS = 'arn:aws:sns:eu-west-1:123456789012:events';
const DIGESTS = 'arn:aws:sns:eu-west-1:123456789012:digests';
const rules = { types: ['advisory.*'], minSeverity: 'major' } as const;
const expected = expectedEmailSubscriptions({
  alerts: [{ addresses: ['Security@Example.com'], rules }],
  digest: { addresses: ['ops@example.com'] },
});
const listed = (protocol: string, endpoint: string, subscriptionArn = `${EVENTS}:${endpoint}`): ListedSubscription => ({
  protocol,
  endpoint,
  subscriptionArn,
});

describe('expectedEmailSubscriptions', () => {
  it('expects every alert address on the event topic with its rules\' filter policy, and every digest address on the digest topic unfiltered', () => {
    expect(expected).toEqual([
      { topic: 'events', address: 'Security@Example.com', field: 'email.alerts[0]', filterPolicy: filterPolicyFor(rules) },
      { topic: 'digest', address: 'ops@example.com', field: 'email.digest' },
    ]);
  });
});

describe('assessSubscriptions', () => {
  it('matches addresses whatever their case', () => {
    const health = assessSubscriptions(expected, [
      { topic: 'events', topicArn: EVENTS, outcome: 'listed', subscriptions: [listed('email', 'security@example.COM')] },
    ]);
    expect(health.expected.map((s) => [s.address, s.status, s.topicArn])).toEqual([['Security@Example.com', 'confirmed', EVENTS]]);
    expect(health.unexpected).toEqual([]);
  });

  it('counts an address subscribed over email-json as missing, since the stack subscribes over email, and lists the other one', () => {
    const health = assessSubscriptions(expected, [
      { topic: 'events', topicArn: EVENTS, outcome: 'listed', subscriptions: [listed('email-json', 'security@example.com')] },
    ]);
    expect(health.expected.map((s) => s.status)).toEqual(['missing']);
    expect(health.unexpected).toEqual([
      { topic: 'events', topicArn: EVENTS, protocol: 'email-json', endpoint: 'security@example.com', pending: false },
    ]);
  });

  it('counts other protocols per topic without judging them', () => {
    const health = assessSubscriptions(expected, [
      {
        topic: 'events',
        topicArn: EVENTS,
        outcome: 'listed',
        subscriptions: [listed('lambda', 'fn-a'), listed('sqs', 'queue'), listed('lambda', 'fn-b'), listed('email', 'security@example.com')],
      },
    ]);
    expect(health.others).toEqual([
      { topic: 'events', protocol: 'lambda', count: 2 },
      { topic: 'events', protocol: 'sqs', count: 1 },
    ]);
  });

  it('leaves out the expected subscriptions of a topic it was not given, and reports one that could not be listed', () => {
    const onlyEvents = assessSubscriptions(expected, [
      { topic: 'events', topicArn: EVENTS, outcome: 'listed', subscriptions: [listed('email', 'security@example.com', 'PendingConfirmation')] },
    ]);
    expect(onlyEvents.expected.map((s) => [s.topic, s.status])).toEqual([['events', 'pending']]);
    const failed = assessSubscriptions(expected, [
      { topic: 'digest', topicArn: DIGESTS, outcome: 'failed', reason: 'ThrottledException: Rate exceeded' },
    ]);
    expect(failed.expected).toEqual([]);
    expect(failed.unchecked).toEqual([{ topic: 'digest', topicArn: DIGESTS, reason: 'ThrottledException: Rate exceeded', expected: 1 }]);
    expect(subscriptionProblems(failed)).toEqual({ pending: 0, missing: 0, unchecked: 1 });
  });
});

describe('shellQuote', () => {
  it('leaves plain words bare and single-quotes anything else, a quote inside included', () => {
    expect(shellQuote('ops@example.com')).toBe('ops@example.com');
    expect(shellQuote(EVENTS)).toBe(EVENTS);
    expect(shellQuote('{"a":"b c"}')).toBe(`'{"a":"b c"}'`);
    expect(shellQuote("o'brien@example.com")).toBe(`'o'\\''brien@example.com'`);
    expect(shellQuote('$(rm -rf ~)')).toBe(`'$(rm -rf ~)'`);
  });
});
