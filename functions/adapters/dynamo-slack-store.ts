// Slack delivery state in the watcher's table: one delivery record per event and channel, one thread root per item.
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ThreadState } from '../core/slack-message.js';
import { conditionalWrite } from './dynamo-conditional-write.js';

/*
 * Keys (same table as the poller, see dynamo-state-store.ts):
 *   pk = SLACK#<channel>, sk = DELIVERY#<eventId>   status (sending | done), claimedAt, aliveAt (the holder's last
 *                                                   heartbeat), claimToken, firstAttemptAt; ts of the message, expiresAt
 *   pk = SLACK#<channel>, sk = THREAD#<threadKey>  rootTs, rootEventId (the event the root was posted for), state
 *                                                   (what the root message shows), rootStale (the root may show less
 *                                                   than `state`), version, expiresAt; while a root is being posted:
 *                                                   claimedAt, claimEventId, claimToken (the claimant's delivery)
 *   pk = SLACK#<channel>, sk = STALE_ROOTS         threads: the string set of thread keys whose root may be stale
 * <channel> is the channel ID in bot mode and webhook:<route id> in webhook mode. Only GetItem, PutItem and UpdateItem
 * are used (the notifier's grant): no queries, no deletes.
 */

/** A claim time earlier than any real one: a released claim is stale at once. */
const RELEASED = '1970-01-01T00:00:00.000Z';
const STALE_ROOTS_SK = 'STALE_ROOTS';

export interface DeliveryClaimRequest {
  readonly now: string;
  /** Names this attempt: its heartbeats, its release and the thread-root claims it makes carry it. */
  readonly token: string;
  /** A holder with no sign of life (claim or heartbeat) since before this has died; its claim may be taken over. */
  readonly deadBefore: string;
  /** A claim taken before this may be taken over however alive its holder looks. */
  readonly staleBefore: string;
}

export type DeliveryClaim =
  /** Nobody delivered this event to this channel yet: go ahead. */
  | { readonly outcome: 'claimed' }
  /** An earlier attempt claimed it at `since` and died or gave up: it may have posted; look before posting again. */
  | { readonly outcome: 'reclaimed'; readonly since: string }
  /** Already delivered. */
  | { readonly outcome: 'done' }
  /** Another attempt is delivering it right now; its last sign of life was at `aliveAt`. */
  | { readonly outcome: 'busy'; readonly aliveAt: string };

/** A delivery record as stored. */
export interface DeliveryRecord {
  readonly status: 'sending' | 'done';
  readonly claimedAt?: string;
  /** The holder's last heartbeat (its claim time until the first); absent on claims of versions without heartbeats. */
  readonly aliveAt?: string;
  readonly claimToken?: string;
  readonly ts?: string;
}

export interface StoredThread {
  readonly rootTs?: string;
  /** The event the root message was posted for (its metadata carries this id). */
  readonly rootEventId?: string;
  readonly state?: ThreadState;
  /** The root may not show `state`: its last update failed. */
  readonly rootStale?: boolean;
  /** While an attempt posts the root: when it claimed that right, for which event, and its delivery claim's token. */
  readonly claimedAt?: string;
  readonly claimEventId?: string;
  readonly claimToken?: string;
  readonly version: number;
}

export interface ThreadRootClaim {
  readonly now: string;
  readonly eventId: string;
  /** The token of the claimant's delivery claim: its heartbeats say whether it is alive. */
  readonly token: string;
  /** A root claim older than this is taken over whoever holds it. */
  readonly staleBefore: string;
  /** The token of a root claim whose holder died: that claim may be taken over. */
  readonly takeOver?: string;
}

export interface SlackStateStore {
  claimDelivery(channel: string, eventId: string, request: DeliveryClaimRequest): Promise<DeliveryClaim>;
  /** A heartbeat of the holder of a claim; false when the claim is no longer this holder's (taken over or done). */
  renewDelivery(channel: string, eventId: string, token: string, now: string): Promise<boolean>;
  completeDelivery(channel: string, eventId: string, ts: string | undefined, expiresAt: number): Promise<void>;
  /** Gives a claim back after a failed attempt, so the next attempt need not wait; only the holder's own claim. */
  releaseDelivery(channel: string, eventId: string, token: string): Promise<void>;
  /** The delivery record of an event, strongly consistent; undefined when there is none. */
  getDelivery(channel: string, eventId: string): Promise<DeliveryRecord | undefined>;
  /** Whether the event was delivered to the channel (its delivery record is complete); a strongly consistent read. */
  isDelivered(channel: string, eventId: string): Promise<boolean>;
  getThread(channel: string, threadKey: string): Promise<StoredThread | undefined>;
  /**
   * Claims the right to post an item's root message; false when a root exists or another attempt holds a claim that
   * is neither stale, nor this event's own (an earlier attempt of the same event), nor the dead one named in `takeOver`.
   */
  claimThreadRoot(channel: string, threadKey: string, claim: ThreadRootClaim): Promise<boolean>;
  /**
   * Saves the root and its state, ending any root claim; conditional on the version read, false when another attempt
   * saved first. `rootEventId` is kept as it was when not given; `rootShowsState` (a root just posted or adopted with
   * this state) clears `rootStale`.
   */
  saveThread(
    channel: string,
    threadKey: string,
    thread: {
      readonly rootTs: string;
      readonly state: ThreadState;
      readonly expiresAt: number;
      readonly rootEventId?: string;
      readonly rootShowsState?: boolean;
    },
    expectedVersion: number,
  ): Promise<boolean>;
  /**
   * Forgets a root that is gone from the channel (deleted by a person), keeping the thread's state; with `claim`, the
   * caller holds the right to post the fresh root. Conditional on the version read and that root; false otherwise.
   */
  forgetRoot(
    channel: string,
    threadKey: string,
    forget: { readonly expectedVersion: number; readonly rootTs: string; readonly claim?: Omit<ThreadRootClaim, 'staleBefore' | 'takeOver'> },
  ): Promise<boolean>;
  /** Records that the root may not show the state of `version` and lists the thread for a refresh; false when the thread moved on. */
  markRootStale(channel: string, threadKey: string, version: number): Promise<boolean>;
  /** Records that the root shows the state of `version`; false when the thread moved on since. */
  clearRootStale(channel: string, threadKey: string, version: number): Promise<boolean>;
  /** The threads listed for a root refresh (some may have been refreshed since: their `rootStale` says). */
  staleRoots(channel: string): Promise<string[]>;
  /** Takes a thread off the refresh list, unless it was marked stale again meanwhile. */
  dropStaleRoot(channel: string, threadKey: string): Promise<void>;
}

interface RawDelivery {
  readonly status: 'sending' | 'done';
  readonly claimedAt: string;
  readonly firstAttemptAt?: string;
  readonly aliveAt?: string;
  readonly claimToken?: string;
  readonly ts?: string;
}

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

export function makeDynamoSlackStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): SlackStateStore {
  const key = (channel: string, sk: string) => marshall({ pk: `SLACK#${channel}`, sk });
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
    async claimDelivery(channel, eventId, { now, token, deadBefore, staleBefore }) {
      const Key = key(channel, `DELIVERY#${eventId}`);
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

    renewDelivery(channel, eventId, token, now) {
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(channel, `DELIVERY#${eventId}`),
            UpdateExpression: 'SET aliveAt = :now',
            ConditionExpression: '#status = :sending AND claimToken = :token',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({ ':sending': 'sending', ':token': token, ':now': now }),
          }),
        ),
      );
    },

    async completeDelivery(channel, eventId, ts, expiresAt) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...key(channel, `DELIVERY#${eventId}`), ...marshall({ status: 'done', ts, expiresAt }, { removeUndefinedValues: true }) },
        }),
      );
    },

    async releaseDelivery(channel, eventId, token) {
      // The claim is made stale at once: the next attempt may go ahead, looking first for what this one posted.
      await conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(channel, `DELIVERY#${eventId}`),
            UpdateExpression: 'SET claimedAt = :released, aliveAt = :released',
            ConditionExpression: '#status = :sending AND claimToken = :token',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: marshall({ ':sending': 'sending', ':released': RELEASED, ':token': token }),
          }),
        ),
      );
    },

    async getDelivery(channel, eventId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(channel, `DELIVERY#${eventId}`), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const raw = unmarshall(Item) as RawDelivery;
      return { status: raw.status, claimedAt: raw.claimedAt, aliveAt: raw.aliveAt, claimToken: raw.claimToken, ts: raw.ts };
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
