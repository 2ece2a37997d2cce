// The DynamoDB implementation of the StateStore port: one table, conditional single-item writes, outbox in the item.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
  type AttributeValue,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { OutboxRef, PutOptions, StateStore, StoredRecord } from '../core/ports.js';
import type { OutboxEntry, SourceState, TrackedItem } from '../core/tracked.js';
import { conditionalWrite } from './dynamo-conditional-write.js';
import { makeDynamoEventLogWriter } from './dynamo-event-log-table.js';
import { queryAllPages } from './dynamo-query-pages.js';

/*
 * Table design (single table, keys `pk` / `sk`, both strings):
 *   pk = SOURCE#<sourceId>, sk = STATE          one per source: health, HTTP validators, body hash, lease
 *   pk = SOURCE#<sourceId>, sk = ITEM#<itemId>  one per item: fingerprint, update hashes, what was announced; the
 *                                               items of sources that share them are under SOURCE#<scope> (`@<host>`)
 *   pk = EVENTLOG#…                              the event log the digests take events from (see dynamo-event-log-table.ts)
 * Attributes of both: `data` (map: the state), `version` (number, optimistic lock), `outbox` (map: event id ->
 * { event: JSON string, seq, claimedAt? }). Item records also carry `expiresAt` (epoch seconds, the TTL attribute);
 * source records carry `leaseUntil` (ISO time) while a changed-body poll holds the source.
 */

const SOURCE_SK = 'STATE';
const itemSk = (itemId: string) => `ITEM#${itemId}`;
const sourcePk = (sourceId: string) => `SOURCE#${sourceId}`;

export interface DynamoStateStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export function makeDynamoStateStore({ client, tableName }: DynamoStateStoreOptions): StateStore {
  const keyOf = (ref: OutboxRef) => ({
    pk: { S: sourcePk(ref.sourceId) },
    sk: { S: ref.itemId === undefined ? SOURCE_SK : itemSk(ref.itemId) },
  });

  const conditionalUpdate = (input: UpdateItemCommandInput): Promise<boolean> =>
    conditionalWrite(() => client.send(new UpdateItemCommand(input)));

  async function put(
    ref: OutboxRef,
    data: object,
    options: PutOptions,
    extra: { expiresAt?: number; leaseUntil?: string },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#data': 'data', '#version': 'version' };
    const values: Record<string, AttributeValue> = {
      ':data': { M: marshall(data, { removeUndefinedValues: true }) },
      ':next': { N: String((options.expectedVersion ?? 0) + 1) },
    };
    const sets = ['#data = :data', '#version = :next'];
    const removes: string[] = [];
    const entries = options.outbox ?? [];
    if (options.expectedVersion === undefined || entries.length > 0) names['#outbox'] = 'outbox';
    if (options.expectedVersion === undefined) {
      values[':outbox'] = { M: Object.fromEntries(entries.map((e) => [e.event.id, outboxValue(e)])) };
      sets.push('#outbox = :outbox');
    } else {
      entries.forEach((entry, index) => {
        names[`#e${index}`] = entry.event.id;
        values[`:e${index}`] = outboxValue(entry);
        sets.push(`#outbox.#e${index} = :e${index}`);
      });
    }
    if (ref.itemId !== undefined) {
      if (extra.expiresAt !== undefined) {
        values[':expiresAt'] = { N: String(extra.expiresAt) };
        sets.push('expiresAt = :expiresAt');
      } else {
        removes.push('expiresAt');
      }
    } else if (extra.leaseUntil !== undefined) {
      values[':leaseUntil'] = { S: extra.leaseUntil };
      sets.push('leaseUntil = :leaseUntil');
    } else {
      removes.push('leaseUntil');
    }
    const conditions: string[] = [];
    if (options.expectedVersion === undefined) {
      conditions.push('attribute_not_exists(pk)');
    } else {
      values[':expected'] = { N: String(options.expectedVersion) };
      conditions.push('#version = :expected');
    }
    if (options.leaseFreeAt !== undefined) {
      values[':leaseFreeAt'] = { S: options.leaseFreeAt };
      conditions.push('(attribute_not_exists(leaseUntil) OR leaseUntil < :leaseFreeAt)');
    }
    return conditionalUpdate({
      TableName: tableName,
      Key: keyOf(ref),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  return {
    async getSource(sourceId) {
      const result = await client.send(
        new GetItemCommand({ TableName: tableName, Key: keyOf({ sourceId }), ConsistentRead: true }),
      );
      return result.Item ? toRecord<SourceState>(result.Item) : undefined;
    },

    putSource(sourceId, state, options) {
      const { leaseUntil, ...data } = state;
      return put({ sourceId }, data, options, { leaseUntil });
    },

    async listItems(sourceId) {
      const items = await queryAllPages(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: sourcePk(sourceId) }, ':prefix': { S: 'ITEM#' } },
        ConsistentRead: true,
      });
      return items.map((raw) => toRecord<TrackedItem>(raw));
    },

    putItem(sourceId, item, options) {
      return put({ sourceId, itemId: item.itemId }, item, options, { expiresAt: item.expiresAt });
    },

    claimOutbox(ref, eventId, claimedAt, staleBefore) {
      return conditionalUpdate({
        TableName: tableName,
        Key: keyOf(ref),
        UpdateExpression: 'SET #outbox.#e.claimedAt = :now',
        ConditionExpression:
          'attribute_exists(#outbox.#e) AND (attribute_not_exists(#outbox.#e.claimedAt) OR #outbox.#e.claimedAt < :stale)',
        ExpressionAttributeNames: { '#outbox': 'outbox', '#e': eventId },
        ExpressionAttributeValues: { ':now': { S: claimedAt }, ':stale': { S: staleBefore } },
      });
    },

    async releaseOutbox(ref, eventId) {
      await conditionalUpdate({
        TableName: tableName,
        Key: keyOf(ref),
        UpdateExpression: 'REMOVE #outbox.#e.claimedAt',
        ConditionExpression: 'attribute_exists(#outbox.#e)',
        ExpressionAttributeNames: { '#outbox': 'outbox', '#e': eventId },
      });
    },

    logEvent: makeDynamoEventLogWriter({ client, tableName }),

    async ackOutbox(ref, eventId) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(ref),
          UpdateExpression: 'REMOVE #outbox.#e',
          ExpressionAttributeNames: { '#outbox': 'outbox', '#e': eventId },
        }),
      );
    },
  };
}

function outboxValue(entry: OutboxEntry): AttributeValue {
  return {
    M: {
      event: { S: JSON.stringify(entry.event) },
      seq: { N: String(entry.seq) },
      ...(entry.claimedAt ? { claimedAt: { S: entry.claimedAt } } : {}),
    },
  };
}

function toRecord<T>(raw: Record<string, AttributeValue>): StoredRecord<T> {
  const plain = unmarshall(raw) as {
    data: T;
    version: number;
    leaseUntil?: string;
    outbox?: Record<string, { event: string; seq: number; claimedAt?: string }>;
  };
  const outbox = Object.values(plain.outbox ?? {}).map((entry) => ({
    event: JSON.parse(entry.event),
    seq: entry.seq,
    claimedAt: entry.claimedAt,
  }));
  const value = plain.leaseUntil ? { ...plain.data, leaseUntil: plain.leaseUntil } : plain.data;
  return { value, outbox, version: plain.version };
}

/** Creates the table when it does not exist (local stores and tests; on AWS the stack owns it). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become active`);
}
