// Digest state in the watcher's table: a watermark per digest and reads of the event log.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { WatcherEvent } from '../core/model.js';
import { eventLogPk } from './dynamo-state-store.js';

/*
 * Keys (same table as the poller):
 *   pk = DIGEST#<daily|weekly>, sk = STATE   the watermark: lastTo, pending period, lease, version
 *   pk = EVENTLOG#<yyyy-mm-dd>, sk = <detectedAt>#<eventId>   written by the poller (see dynamo-state-store.ts)
 */

export interface DigestWatermark {
  /** End of the last digest sent: the next one starts here. */
  readonly lastTo?: string;
  readonly lastSentAt?: string;
  /** The period a run has started on; a retry after a crash reuses it, so the digest comes out the same. */
  readonly pending?: { readonly from: string; readonly to: string };
  /** A run holds the digest until this time; an overlapping run backs off. */
  readonly leaseUntil?: string;
}

export interface DigestStore {
  getWatermark(name: string): Promise<{ readonly value: DigestWatermark; readonly version: number } | undefined>;
  /** Conditional on the version read (undefined: must not exist yet) and, with `leaseFreeAt`, on no live lease. */
  putWatermark(
    name: string,
    value: DigestWatermark,
    options: { readonly expectedVersion: number | undefined; readonly leaseFreeAt?: string },
  ): Promise<boolean>;
  /** Every logged event detected in [from, to), once each, oldest first. */
  eventsBetween(from: string, to: string): Promise<WatcherEvent[]>;
}

const DAY_MS = 86_400_000;

export function makeDynamoDigestStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): DigestStore {
  const key = (name: string) => marshall({ pk: `DIGEST#${name}`, sk: 'STATE' });
  return {
    async getWatermark(name) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key(name), ConsistentRead: true }));
      if (!Item) return undefined;
      const { version, value } = unmarshall(Item) as { version: number; value: string };
      return { value: JSON.parse(value) as DigestWatermark, version };
    },

    async putWatermark(name, value, { expectedVersion, leaseFreeAt }) {
      const conditions = [expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected'];
      const values: Record<string, unknown> = {};
      if (expectedVersion !== undefined) values[':expected'] = expectedVersion;
      if (leaseFreeAt !== undefined) {
        conditions.push('(attribute_not_exists(leaseUntil) OR leaseUntil < :leaseFreeAt)');
        values[':leaseFreeAt'] = leaseFreeAt;
      }
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...key(name),
              ...marshall(
                { version: (expectedVersion ?? 0) + 1, value: JSON.stringify(value), leaseUntil: value.leaseUntil },
                { removeUndefinedValues: true },
              ),
            },
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeValues: Object.keys(values).length ? marshall(values) : undefined,
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async eventsBetween(from, to) {
      const seen = new Map<string, WatcherEvent>();
      for (let day = Date.parse(from.slice(0, 10)); day <= Date.parse(to); day += DAY_MS) {
        let startKey: Record<string, AttributeValue> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              // `#` sorts before digits and letters, so `<to>#` ends the range just before events detected at `to`.
              ExpressionAttributeValues: marshall({ ':pk': eventLogPk(new Date(day).toISOString()), ':from': `${from}#`, ':to': `${to}#` }),
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          );
          for (const raw of page.Items ?? []) {
            const event = JSON.parse(unmarshall(raw)['event'] as string) as WatcherEvent;
            if (event.detectedAt >= from && event.detectedAt < to) seen.set(event.id, event);
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }
      return [...seen.values()].sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id));
    },
  };
}
