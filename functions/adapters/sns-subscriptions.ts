// Subscription lister adapter: a topic's subscriptions as SNS lists them, every page, for subscription health (the
// digest) and the post-deploy check.
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SubscriptionListError, type ListedSubscription, type SubscriptionLister } from '../core/subscription-health.js';

export interface SnsSubscriptionListerOptions {
  /** A client built once per container, e.g. with `makeSnsClient` (functions/adapters/sns-publisher.ts). */
  readonly client: SNSClient;
  /**
   * The most pages read for one topic (SNS returns up to 100 subscriptions a page); more is reported as a failure
   * rather than read forever.
   * @default 50
   */
  readonly maxPages?: number;
}

/**
 * A {@link SubscriptionLister} over `ListSubscriptionsByTopic`, following `NextToken` until the last page. A pending
 * subscription keeps `PendingConfirmation` as its ARN; an unsubscribed or expired one is not listed at all. Every
 * failure (access denied, throttling after the client's retries, an unknown topic) is thrown as
 * {@link SubscriptionListError} naming the topic and the SNS error.
 */
export function makeSnsSubscriptionLister({ client, maxPages = 50 }: SnsSubscriptionListerOptions): SubscriptionLister {
  return {
    async listSubscriptions(topicArn) {
      const listed: ListedSubscription[] = [];
      const seenTokens = new Set<string>();
      let nextToken: string | undefined;
      for (let page = 0; page < maxPages; page += 1) {
        let output;
        try {
          output = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
        } catch (error) {
          throw new SubscriptionListError(topicArn, describeError(error), { cause: error });
        }
        for (const subscription of output.Subscriptions ?? []) {
          listed.push({
            protocol: subscription.Protocol ?? '',
            endpoint: subscription.Endpoint ?? '',
            subscriptionArn: subscription.SubscriptionArn ?? '',
          });
        }
        nextToken = output.NextToken || undefined;
        if (nextToken === undefined) return listed;
        // A token seen before would loop for ever; SNS never does this, a broken proxy might.
        if (seenTokens.has(nextToken)) throw new SubscriptionListError(topicArn, 'SNS returned the same NextToken twice');
        seenTokens.add(nextToken);
      }
      throw new SubscriptionListError(topicArn, `more than ${maxPages} pages of subscriptions`);
    },
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
