// Slack's own state in the watcher's table, beside its delivery records (functions/adapters/dynamo-delivery-store.ts):
// one thread root per item and channel, and the roots waiting for a refresh. An adapter of the Slack plug-in, kept in
// its folder so that a channel is one folder.
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { conditionalWrite } from '../../adapters/dynamo-conditional-write.js';
import { makeDynamoDeliveryStore } from '../../adapters/dynamo-delivery-store.js';
import type { ThreadState } from '../../core/slack-message.js';
import type { DeliveryStore } from '../delivery-store.js';
import type { SlackThreadStore, StoredThread } from './slack-ports.js';

/*
 * Keys (the partition of the channel's delivery records, DELIVERY#<eventId>, is the same):
 *   pk = SLACK#<channel>, sk = THREAD#<threadKey>  rootTs, rootEventId (the event the root was posted for), state
 *                                                   (what the root message shows), rootStale (the root may show less
 *                                                   than `state`), version, expiresAt; while a root is being posted:
 *                                                   claimedAt, claimEventId, claimToken (the claimant's delivery)
 *   pk = SLACK#<channel>, sk = STALE_ROOTS         threads: the string set of thread keys whose root may be stale
 * <channel> is the channel ID (bot mode). Only GetItem and UpdateItem are used: no queries, no deletes.
 */

/** The partition prefix of Slack's records: delivery records and threads alike (the plug-in's `keyPrefix`). */
export const SLACK_KEY_PREFIX = 'SLACK';
const STALE_ROOTS_SK = 'STALE_ROOTS';

interface RawThread {
  readonly rootTs?: string;
  readonly rootEventId?: string;
  readonly state?: string;
  readonly rootStale?: boolean;
  readonly claimedAt?: string;
  readonly claimEventId?: string;
  readonly claimToken?: string;
  readonly version?: number;
}

export function makeDynamoSlackThreadStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): SlackThreadStore {
  const key = (channel: string, sk: string) => marshall({ pk: `${SLACK_KEY_PREFIX}#${channel}`, sk });
  const threadKeyOf = (channel: string, threadKey: string) => key(channel, `THREAD#${threadKey}`);

  async function getThread(channel: string, threadKey: string): Promise<StoredThread | undefined> {
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: threadKeyOf(channel, threadKey), ConsistentRead: true }));
    if (!Item) return undefined;
    const raw = unmarshall(Item) as RawThread;
    return {
      rootTs: raw.rootTs,
      rootEventId: raw.rootEventId,
      state: raw.state ? (JSON.parse(raw.state) as ThreadState) : undefined,
      rootStale: raw.rootStale === true || undefined,
      claimedAt: raw.claimedAt,
      claimEventId: raw.claimEventId,
      claimToken: raw.claimToken,
      version: raw.version ?? 0,
    };
  }

  const changeStaleList = (channel: string, operation: 'ADD' | 'DELETE', threadKey: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key(channel, STALE_ROOTS_SK),
        UpdateExpression: `${operation} threads :key`,
        ExpressionAttributeValues: { ':key': { SS: [threadKey] } },
      }),
    );

  return {
    getThread,

    claimThreadRoot(channel, threadKey, { now, eventId, token, staleBefore, takeOver }) {
      const values: Record<string, unknown> = { ':now': now, ':event': eventId, ':token': token, ':stale': staleBefore, ':zero': 0 };
      if (takeOver !== undefined) values[':dead'] = takeOver;
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: threadKeyOf(channel, threadKey),
            UpdateExpression: 'SET claimedAt = :now, claimEventId = :event, claimToken = :token, version = if_not_exists(version, :zero)',
            ConditionExpression:
              'attribute_not_exists(rootTs) AND (attribute_not_exists(claimedAt) OR claimedAt < :stale OR claimEventId = :event' +
              (takeOver !== undefined ? ' OR claimToken = :dead)' : ')'),
            ExpressionAttributeValues: marshall(values),
          }),
        ),
      );
    },

    saveThread(channel, threadKey, thread, expectedVersion) {
      const set = ['rootTs = :rootTs', '#state = :state', 'version = :next', 'expiresAt = :expiresAt'];
      const remove = ['claimedAt', 'claimEventId', 'claimToken'];
      const values: Record<string, unknown> = {
        ':rootTs': thread.rootTs,
        ':state': JSON.stringify(thread.state),
        ':next': expectedVersion + 1,
        ':expected': expectedVersion,
        ':expiresAt': thread.expiresAt,
      };
      if (thread.rootEventId !== undefined) {
        set.push('rootEventId = :rootEventId');
        values[':rootEventId'] = thread.rootEventId;
      }
      if (thread.rootShowsState) remove.push('rootStale');
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: threadKeyOf(channel, threadKey),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            ConditionExpression: 'attribute_not_exists(version) OR version = :expected',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: marshall(values),
          }),
        ),
      );
    },

    forgetRoot(channel, threadKey, { expectedVersion, rootTs, claim }) {
      const values: Record<string, unknown> = { ':next': expectedVersion + 1, ':expected': expectedVersion, ':rootTs': rootTs };
      let update = 'SET version = :next';
      if (claim) {
        update += ', claimedAt = :now, claimEventId = :event, claimToken = :token';
        Object.assign(values, { ':now': claim.now, ':event': claim.eventId, ':token': claim.token });
      }
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: threadKeyOf(channel, threadKey),
            UpdateExpression: `${update} REMOVE rootTs, rootEventId, rootStale`,
            ConditionExpression: 'version = :expected AND rootTs = :rootTs',
            ExpressionAttributeValues: marshall(values),
          }),
        ),
      );
    },

    async markRootStale(channel, threadKey, version) {
      const marked = await conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: threadKeyOf(channel, threadKey),
            UpdateExpression: 'SET rootStale = :true',
            ConditionExpression: 'version = :version AND attribute_exists(rootTs)',
            ExpressionAttributeValues: marshall({ ':true': true, ':version': version }),
          }),
        ),
      );
      if (marked) await changeStaleList(channel, 'ADD', threadKey);
      return marked;
    },

    clearRootStale(channel, threadKey, version) {
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: threadKeyOf(channel, threadKey),
            UpdateExpression: 'REMOVE rootStale',
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: marshall({ ':version': version }),
          }),
        ),
      );
    },

    async staleRoots(channel) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(channel, STALE_ROOTS_SK), ConsistentRead: true }),
      );
      return [...(Item?.['threads']?.SS ?? [])].sort();
    },

    async dropStaleRoot(channel, threadKey) {
      await changeStaleList(channel, 'DELETE', threadKey);
      // Marked stale again between the caller's look and this removal: keep it listed.
      if ((await getThread(channel, threadKey))?.rootStale) await changeStaleList(channel, 'ADD', threadKey);
    },
  };
}


/** Everything the Slack plug-in keeps: its delivery records and its threads, both keyed by the channel key. */
export type SlackStateStore = DeliveryStore & SlackThreadStore;

/** Slack's delivery records (`SLACK#<channel>` / `DELIVERY#<eventId>`) and threads in one object. */
export function makeDynamoSlackStore(table: { client: DynamoDBClient; tableName: string }): SlackStateStore {
  return { ...makeDynamoDeliveryStore({ ...table, keyPrefix: SLACK_KEY_PREFIX }), ...makeDynamoSlackThreadStore(table) };
}
