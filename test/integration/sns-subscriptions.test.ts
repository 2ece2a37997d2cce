// The subscription lister against the SNS test server: SNS's query protocol for Subscribe, ConfirmSubscription,
// Unsubscribe and ListSubscriptionsByTopic, with NextToken pages.
import {
  ConfirmSubscriptionCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSnsClient } from '../../functions/adapters/sns-publisher.js';
import { makeSnsSubscriptionLister } from '../../functions/adapters/sns-subscriptions.js';
import { PENDING_CONFIRMATION, SubscriptionListError } from '../../functions/core/subscription-health.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

describe('SNS subscription lister against the SNS test server', () => {
  let server: SnsTestServer;
  let client: SNSClient;
  let topicArn: string;

  const subscribeEmail = (endpoint: string, attributes?: Record<string, string>) =>
    client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: endpoint, Attributes: attributes }));
  const confirm = async (endpoint: string, authenticateOnUnsubscribe = false) => {
    const token = server.confirmationToken(topicArn, endpoint);
    if (!token) throw new Error(`no confirmation pending for ${endpoint}`);
    const out = await client.send(
      new ConfirmSubscriptionCommand({
        TopicArn: topicArn,
        Token: token,
        ...(authenticateOnUnsubscribe && { AuthenticateOnUnsubscribe: 'true' }),
      }),
    );
    return out.SubscriptionArn!;
  };

  beforeAll(async () => {
    // Two subscriptions a page, so that five take three pages.
    server = await startSnsTestServer({ subscriptionPageSize: 2 });
    client = makeSnsClient({ endpoint: server.endpoint });
    topicArn = server.createTopic('watcher-events');

    const pending = await subscribeEmail('pending@example.com');
    expect(pending.SubscriptionArn).toBe('pending confirmation');
    await subscribeEmail('confirmed@example.com', {
      FilterPolicy: JSON.stringify({ type: [{ prefix: 'incident.' }] }),
      FilterPolicyScope: 'MessageAttributes',
    });
    await confirm('confirmed@example.com', true);
    await subscribeEmail('gone@example.com');
    const gone = await confirm('gone@example.com');
    await client.send(new UnsubscribeCommand({ SubscriptionArn: gone }));
    await subscribeEmail('scanned@example.com');
    expect(server.followUnsubscribeLink(await confirm('scanned@example.com'))).toBe(true);
    await client.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:notifier' }),
    );
    await subscribeEmail('late@example.com');
    await confirm('late@example.com');
    await subscribeEmail('third@example.com');
  });

  afterAll(async () => {
    client.destroy();
    await server?.close();
  });

  it('lists every subscription across NextToken pages: confirmed ones by ARN, unconfirmed ones as PendingConfirmation, removed ones not at all', async () => {
    const listed = await makeSnsSubscriptionLister({ client }).listSubscriptions(topicArn);
    expect(server.requestCount('ListSubscriptionsByTopic')).toBe(3);
    expect(listed.map((s) => [s.protocol, s.endpoint, s.subscriptionArn === PENDING_CONFIRMATION ? 'pending' : 'confirmed'])).toEqual([
      ['email', 'pending@example.com', 'pending'],
      ['email', 'confirmed@example.com', 'confirmed'],
      ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:notifier', 'confirmed'],
      ['email', 'late@example.com', 'confirmed'],
      ['email', 'third@example.com', 'pending'],
    ]);
    expect(listed.find((s) => s.endpoint === 'confirmed@example.com')!.subscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:watcher-events:/);
  });

  it('keeps the filter policy given to Subscribe, and a subscription confirmed with authentication refuses the unsubscribe link', () => {
    const confirmed = server.subscriptions(topicArn).find((s) => s.endpoint === 'confirmed@example.com')!;
    expect(confirmed.attributes).toEqual({
      FilterPolicy: '{"type":[{"prefix":"incident."}]}',
      FilterPolicyScope: 'MessageAttributes',
    });
    expect(confirmed.authenticateOnUnsubscribe).toBe(true);
    expect(server.followUnsubscribeLink(confirmed.subscriptionArn)).toBe(false);
  });

  it('throws SubscriptionListError naming the topic and the SNS error when the topic does not exist', async () => {
    const missing = 'arn:aws:sns:us-east-1:000000000000:no-such-topic';
    const error = await makeSnsSubscriptionLister({ client }).listSubscriptions(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionListError);
    expect((error as SubscriptionListError).topicArn).toBe(missing);
    expect((error as SubscriptionListError).reason).toBe('NotFoundException: Topic does not exist');
  });

  it('throws SubscriptionListError with the reason when SNS denies access', async () => {
    server.failNext(1, { status: 403, code: 'AuthorizationError', message: 'not authorized to perform: SNS:ListSubscriptionsByTopic' });
    const error = await makeSnsSubscriptionLister({ client }).listSubscriptions(topicArn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionListError);
    expect((error as SubscriptionListError).reason).toBe('AuthorizationErrorException: not authorized to perform: SNS:ListSubscriptionsByTopic');
  });

  it('refuses to page on for ever: more pages than allowed is a SubscriptionListError', async () => {
    const error = await makeSnsSubscriptionLister({ client, maxPages: 2 }).listSubscriptions(topicArn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionListError);
    expect((error as SubscriptionListError).reason).toBe('more than 2 pages of subscriptions');
  });
});
