// The delivery records of every channel in the watcher's table: one per event and destination, claimed before posting
// and completed after (the port: functions/channels/delivery-store.ts).
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DeliveryStore } from '../channels/delivery-store.js';
import { conditionalWrite } from './dynamo-conditional-write.js';

/*
 * Keys (same table as the poller, see dynamo-state-store.ts):
 *   pk = <key prefix>#<destination>, sk = DELIVERY#<eventId>   status (sending | done), claimedAt, aliveAt (the holder's
 *                                                             last heartbeat), claimToken, firstAttemptAt; ts (what the
 *                                                             channel answered the post with), expiresAt
 * The key prefix is the channel plug-in's (`SLACK`), the destination its `destinationKey` (`SLACK#C0123`,
 * `SLACK#webhook:<route id>`): the keys Slack's records have always had. A channel may keep state of its own under the
 * same partition with other sort keys (Slack's THREAD# and STALE_ROOTS). Only GetItem, PutItem and UpdateItem are used
 * (the notifiers' grant): no queries, no deletes.
 */

/** A claim time earlier than any real one: a released claim is stale at once. */
const RELEASED = '1970-01-01T00:00:00.000Z';

/** Partition prefixes of the watcher's other records; a channel naming one would read and write them. */
const RESERVED_PREFIXES: ReadonlySet<string> = new Set(['SOURCE', 'EVENTLOG', 'DIGEST', 'OUTPUTS', 'OUTPUT']);

export interface DynamoDeliveryStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The channel's partition prefix (upper-case letters, digits and `_`), e.g. `SLACK`. */
  readonly keyPrefix: string;
}

interface RawDelivery {
  readonly status: 'sending' | 'done';
  readonly claimedAt: string;
  readonly firstAttemptAt?: string;
  readonly aliveAt?: string;
  readonly claimToken?: string;
  readonly ts?: string;
}

/** The partition of a destination's delivery records: `<keyPrefix>#<destination>`. Throws for an unusable prefix. */
export function deliveryPartition(keyPrefix: string, destination: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(keyPrefix) || RESERVED_PREFIXES.has(keyPrefix)) {
    throw new Error(`"${keyPrefix}" cannot prefix delivery records: use upper-case letters, digits and _, and none of ${[...RESERVED_PREFIXES].join(', ')}`);
  }
  return `${keyPrefix}#${destination}`;
}

export function makeDynamoDeliveryStore({ client, tableName, keyPrefix }: DynamoDeliveryStoreOptions): DeliveryStore {
  deliveryPartition(keyPrefix, '');
  const key = (destination: string, sk: string) => marshall({ pk: `${keyPrefix}#${destination}`, sk });

  return {
    async claimDelivery(destination, eventId, { now, token, deadBefore, staleBefore }) {
      const Key = key(destination, `DELIVERY#${eventId}`);
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
      const current = Item ? (unmarshall(Item) as RawDelivery) : undefined;
      if (current?.status === 'done') return { outcome: 'done' };
      // A holder is alive while it heartbeats; a claim without heartbeats (an older version's) only goes stale.
      if (current && current.claimedAt >= staleBefore && (current.aliveAt === undefined || current.aliveAt >= deadBefore)) {
        return { outcome: 'busy', aliveAt: current.aliveAt ?? current.claimedAt };
      }
      const firstAttemptAt = current ? (current.firstAttemptAt ?? current.claimedAt) : now;
      const values: Record<string, unknown> = { ':sending': 'sending', ':previous': current?.claimedAt };
      let condition = 'attribute_not_exists(pk)';
      if (current) {
        // Only the attempt that saw this exact claim, with no heartbeat since, may replace it.
        condition = '#status = :sending AND claimedAt = :previous';
        condition += current.aliveAt === undefined ? ' AND attribute_not_exists(aliveAt)' : ' AND aliveAt = :alive';
        condition += current.claimToken === undefined ? ' AND attribute_not_exists(claimToken)' : ' AND claimToken = :token';
        if (current.aliveAt !== undefined) values[':alive'] = current.aliveAt;
        if (current.claimToken !== undefined) values[':token'] = current.claimToken;
      }
      const claimed = await conditionalWrite(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...Key, ...marshall({ status: 'sending', claimedAt: now, aliveAt: now, claimToken: token, firstAttemptAt }) },
            ConditionExpression: condition,
            ExpressionAttributeNames: current ? { '#status': 'status' } : undefined,
            ExpressionAttributeValues: current ? marshall(values) : undefined,
          }),
        ),
      );
      if (!claimed) return { outcome: 'busy', aliveAt: now };
      return current ? { outcome: 'reclaimed', since: firstAttemptAt } : { outcome: 'claimed' };
    },

    renewDelivery(destination, eventId, token, now) {
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(destination, `DELIVERY#${eventId}`),
            UpdateExpression: 'SET aliveAt = :now',
            ConditionExpression: '#status = :sending AND claimToken = :token',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({ ':sending': 'sending', ':token': token, ':now': now }),
          }),
        ),
      );
    },

    async completeDelivery(destination, eventId, receipt, expiresAt) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          // The receipt keeps the attribute name Slack's records have always had.
          Item: { ...key(destination, `DELIVERY#${eventId}`), ...marshall({ status: 'done', ts: receipt, expiresAt }, { removeUndefinedValues: true }) },
        }),
      );
    },

    async releaseDelivery(destination, eventId, token) {
      // The claim is made stale at once: the next attempt may go ahead, looking first for what this one posted.
      await conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(destination, `DELIVERY#${eventId}`),
            UpdateExpression: 'SET claimedAt = :released, aliveAt = :released',
            ConditionExpression: '#status = :sending AND claimToken = :token',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({ ':sending': 'sending', ':released': RELEASED, ':token': token }),
          }),
        ),
      );
    },

    async getDelivery(destination, eventId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(destination, `DELIVERY#${eventId}`), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const raw = unmarshall(Item) as RawDelivery;
      return { status: raw.status, claimedAt: raw.claimedAt, aliveAt: raw.aliveAt, claimToken: raw.claimToken, ts: raw.ts };
    },

    isDelivered(destination, eventId) {
      return isDoneItem(client, tableName, key(destination, `DELIVERY#${eventId}`));
    },
  };
}

/**
 * Whether an event's delivery is recorded as done, read by the records' whole partition key (`SLACK#C0123`), whatever
 * the channel: for the post-deploy check, which looks at every route's records. A strongly consistent GetItem.
 */
export function makeDynamoDeliveryRecords({ client, tableName }: { client: DynamoDBClient; tableName: string }) {
  return {
    isDelivered(partition: string, eventId: string): Promise<boolean> {
      return isDoneItem(client, tableName, marshall({ pk: partition, sk: `DELIVERY#${eventId}` }));
    },
  };
}

/** Whether the delivery record at `Key` is complete: a strongly consistent read of its status alone. */
async function isDoneItem(client: DynamoDBClient, tableName: string, Key: Record<string, AttributeValue>): Promise<boolean> {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key,
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return Item?.['status']?.S === 'done';
}
