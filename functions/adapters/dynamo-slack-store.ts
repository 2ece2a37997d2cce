// Slack delivery state in the watcher's table: one delivery record per event and channel, one thread root per item.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ThreadState } from '../core/slack-message.js';

/*
 * Keys (same table as the poller, see dynamo-state-store.ts):
 *   pk = SLACK#<channel>, sk = DELIVERY#<eventId>   status (sending | done), claimedAt, ts of the message, expiresAt
 *   pk = SLACK#<channel>, sk = THREAD#<threadKey>  rootTs, state (what the root message shows), claimedAt, version, expiresAt
 * <channel> is the channel ID in bot mode and webhook:<route id> in webhook mode.
 */

/** A claim time earlier than any real one: a released claim is stale at once. */
const RELEASED = '1970-01-01T00:00:00.000Z';

export type DeliveryClaim =
  /** Nobody delivered this event to this channel yet: go ahead. */
  | { readonly outcome: 'claimed' }
  /** An earlier attempt claimed it at `since` and never finished: it may have posted; look before posting again. */
  | { readonly outcome: 'reclaimed'; readonly since: string }
  /** Already delivered. */
  | { readonly outcome: 'done' }
  /** Another attempt is delivering it right now. */
  | { readonly outcome: 'busy' };

export interface StoredThread {
  readonly rootTs?: string;
  readonly state?: ThreadState;
  readonly claimedAt?: string;
  readonly version: number;
}

export interface SlackStateStore {
  claimDelivery(channel: string, eventId: string, now: string, staleBefore: string): Promise<DeliveryClaim>;
  completeDelivery(channel: string, eventId: string, ts: string | undefined, expiresAt: number): Promise<void>;
  /** Gives a claim back after a failed attempt, so the next attempt need not wait for it to go stale. */
  releaseDelivery(channel: string, eventId: string): Promise<void>;
  /** Whether the event was delivered to the channel (its delivery record is complete); a strongly consistent read. */
  isDelivered(channel: string, eventId: string): Promise<boolean>;
  getThread(channel: string, threadKey: string): Promise<StoredThread | undefined>;
  /** Claims the right to post an item's root message; false when another attempt holds a fresh claim or a root exists. */
  claimThreadRoot(channel: string, threadKey: string, now: string, staleBefore: string): Promise<boolean>;
  /** Saves the root and its state; conditional on the version read, false when another attempt saved first. */
  saveThread(
    channel: string,
    threadKey: string,
    thread: { readonly rootTs: string; readonly state: ThreadState; readonly expiresAt: number },
    expectedVersion: number,
  ): Promise<boolean>;
}

export function makeDynamoSlackStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): SlackStateStore {
  const key = (channel: string, sk: string) => marshall({ pk: `SLACK#${channel}`, sk });

  async function conditional(run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async claimDelivery(channel, eventId, now, staleBefore) {
      const Key = key(channel, `DELIVERY#${eventId}`);
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
      const current = Item
        ? (unmarshall(Item) as { status: string; claimedAt: string; firstAttemptAt?: string })
        : undefined;
      if (current?.status === 'done') return { outcome: 'done' };
      if (current && current.claimedAt >= staleBefore) return { outcome: 'busy' };
      const firstAttemptAt = current ? (current.firstAttemptAt ?? current.claimedAt) : now;
      const claimed = await conditional(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...Key, ...marshall({ status: 'sending', claimedAt: now, firstAttemptAt }) },
            // Only the attempt that saw this exact claim may replace it.
            ConditionExpression: current ? '#status = :sending AND claimedAt = :previous' : 'attribute_not_exists(pk)',
            ExpressionAttributeNames: current ? { '#status': 'status' } : undefined,
            ExpressionAttributeValues: current ? marshall({ ':sending': 'sending', ':previous': current.claimedAt }) : undefined,
          }),
        ),
      );
      if (!claimed) return { outcome: 'busy' };
      return current ? { outcome: 'reclaimed', since: firstAttemptAt } : { outcome: 'claimed' };
    },

    async completeDelivery(channel, eventId, ts, expiresAt) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...key(channel, `DELIVERY#${eventId}`), ...marshall({ status: 'done', ts, expiresAt }, { removeUndefinedValues: true }) },
        }),
      );
    },

    async releaseDelivery(channel, eventId) {
      // The claim is made stale at once: the next attempt may go ahead, looking first for what this one posted.
      await conditional(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(channel, `DELIVERY#${eventId}`),
            UpdateExpression: 'SET claimedAt = :released',
            ConditionExpression: '#status = :sending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({ ':sending': 'sending', ':released': RELEASED }),
          }),
        ),
      );
    },

    async isDelivered(channel, eventId) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: key(channel, `DELIVERY#${eventId}`),
          ConsistentRead: true,
          ProjectionExpression: '#status',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
      return Item?.['status']?.S === 'done';
    },

    async getThread(channel, threadKey) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(channel, `THREAD#${threadKey}`), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const raw = unmarshall(Item) as { rootTs?: string; state?: string; claimedAt?: string; version?: number };
      return {
        rootTs: raw.rootTs,
        state: raw.state ? (JSON.parse(raw.state) as ThreadState) : undefined,
        claimedAt: raw.claimedAt,
        version: raw.version ?? 0,
      };
    },

    claimThreadRoot(channel, threadKey, now, staleBefore) {
      return conditional(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(channel, `THREAD#${threadKey}`),
            UpdateExpression: 'SET claimedAt = :now, version = if_not_exists(version, :zero)',
            ConditionExpression: 'attribute_not_exists(rootTs) AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
            ExpressionAttributeValues: marshall({ ':now': now, ':stale': staleBefore, ':zero': 0 }),
          }),
        ),
      );
    },

    saveThread(channel, threadKey, thread, expectedVersion) {
      return conditional(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(channel, `THREAD#${threadKey}`),
            UpdateExpression: 'SET rootTs = :rootTs, #state = :state, version = :next, expiresAt = :expiresAt REMOVE claimedAt',
            ConditionExpression: 'attribute_not_exists(version) OR version = :expected',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: marshall({
              ':rootTs': thread.rootTs,
              ':state': JSON.stringify(thread.state),
              ':next': expectedVersion + 1,
              ':expected': expectedVersion,
              ':expiresAt': thread.expiresAt,
            }),
          }),
        ),
      );
    },
  };
}
