// Local mode's per-output queues and output health in the watcher's table (the embedded store).
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { WatcherEvent } from '../core/model.js';
import type { OutputHealth } from '../core/output-health.js';
import type { OutputQueueStore, OutputRecord, QueueEntry } from '../delivery/output-queue.js';
import { conditionalWrite } from './dynamo-conditional-write.js';
import { queryAllPages } from './dynamo-query-pages.js';

/*
 * Keys (same table as the poller, see dynamo-state-store.ts):
 *   pk = OUTPUTS,            sk = SEQUENCE             next: the counter that orders queue entries, across outputs and runs
 *   pk = OUTPUTS,            sk = OUTPUT#<outputId>    health, lastConfiguredAt, pending (health events not yet enqueued)
 *   pk = OUTPUT#<outputId>,  sk = EVENT#<eventId>      a queue entry: seq, event (JSON), enqueuedAt, attempts, claimedAt,
 *                                                      refusals, lastError, parkedAt
 * Entries are keyed by event id, so enqueueing is idempotent; their order is `seq`.
 */
const REGISTRY_PK = 'OUTPUTS';

interface StoredEntry {
  seq: number;
  event: string;
  enqueuedAt: string;
  attempts?: number;
  claimedAt?: string;
  refusals?: number;
  lastError?: string;
  parkedAt?: string;
}

interface StoredOutput {
  health?: string;
  lastConfiguredAt?: string;
  pending?: string;
}

export function makeDynamoOutputQueue({ client, tableName }: { client: DynamoDBClient; tableName: string }): OutputQueueStore {
  const queuePk = (outputId: string) => `OUTPUT#${outputId}`;
  const entryKey = (outputId: string, eventId: string) => marshall({ pk: queuePk(outputId), sk: `EVENT#${eventId}` });
  const outputKey = (outputId: string) => marshall({ pk: REGISTRY_PK, sk: `OUTPUT#${outputId}` });

  const queryAll = (pk: string, prefix: string): Promise<Record<string, AttributeValue>[]> =>
    queryAllPages(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': pk, ':prefix': prefix }),
      ConsistentRead: true,
    });

  const toEntry = (item: Record<string, AttributeValue>): QueueEntry => {
    const raw = unmarshall(item) as StoredEntry;
    return {
      event: JSON.parse(raw.event) as WatcherEvent,
      seq: raw.seq,
      enqueuedAt: raw.enqueuedAt,
      attempts: raw.attempts ?? 0,
      refusals: raw.refusals ?? 0,
      ...(raw.lastError !== undefined && { lastError: raw.lastError }),
      ...(raw.parkedAt !== undefined && { parkedAt: raw.parkedAt }),
    };
  };

  const toOutput = (item: Record<string, AttributeValue>): OutputRecord => {
    const raw = unmarshall(item) as StoredOutput;
    return {
      health: raw.health ? (JSON.parse(raw.health) as OutputHealth) : { consecutiveFailedRuns: 0 },
      ...(raw.lastConfiguredAt !== undefined && { lastConfiguredAt: raw.lastConfiguredAt }),
      pending: raw.pending ? (JSON.parse(raw.pending) as WatcherEvent[]) : [],
    };
  };

  return {
    async nextSequence() {
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: marshall({ pk: REGISTRY_PK, sk: 'SEQUENCE' }),
          UpdateExpression: 'ADD #next :one',
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: marshall({ ':one': 1 }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.['next']?.N ?? '0');
    },

    enqueue(outputId, event, seq, at) {
      return conditionalWrite(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...entryKey(outputId, event.id), ...marshall({ seq, event: JSON.stringify(event), enqueuedAt: at, attempts: 0, refusals: 0 }) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async list(outputId) {
      const entries = (await queryAll(queuePk(outputId), 'EVENT#')).map(toEntry);
      return entries.sort((a, b) => a.seq - b.seq || a.event.id.localeCompare(b.event.id));
    },

    claim(outputId, eventId, at, staleBefore) {
      return conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: entryKey(outputId, eventId),
            UpdateExpression: 'SET claimedAt = :now ADD attempts :one',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)',
            ExpressionAttributeValues: marshall({ ':now': at, ':stale': staleBefore, ':one': 1 }),
          }),
        ),
      );
    },

    async release(outputId, eventId, reason) {
      await conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: entryKey(outputId, eventId),
            UpdateExpression: 'SET lastError = :reason REMOVE claimedAt',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: marshall({ ':reason': reason }),
          }),
        ),
      );
    },

    async refuse(outputId, eventId, { refusals, reason, parkedAt }) {
      await conditionalWrite(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: entryKey(outputId, eventId),
            UpdateExpression: `SET refusals = :refusals, lastError = :reason${parkedAt ? ', parkedAt = :parkedAt' : ''} REMOVE claimedAt`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: marshall({ ':refusals': refusals, ':reason': reason, ...(parkedAt && { ':parkedAt': parkedAt }) }),
          }),
        ),
      );
    },

    async remove(outputId, eventId) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: entryKey(outputId, eventId) }));
    },

    async getOutput(outputId) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: outputKey(outputId), ConsistentRead: true }));
      return Item ? toOutput(Item) : undefined;
    },

    async putOutput(outputId, record) {
      const stored: StoredOutput = {
        health: JSON.stringify(record.health),
        pending: JSON.stringify(record.pending),
        ...(record.lastConfiguredAt !== undefined && { lastConfiguredAt: record.lastConfiguredAt }),
      };
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...outputKey(outputId), ...marshall(stored) } }));
    },

    async listOutputs() {
      return (await queryAll(REGISTRY_PK, 'OUTPUT#')).map((item) => ({
        outputId: (unmarshall(item) as { sk: string }).sk.slice('OUTPUT#'.length),
        record: toOutput(item),
      }));
    },

    async dropOutput(outputId) {
      const entries = await queryAll(queuePk(outputId), 'EVENT#');
      for (const item of entries) {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: item['pk']!, sk: item['sk']! } }));
      }
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: outputKey(outputId) }));
      return entries.length;
    },
  };
}
