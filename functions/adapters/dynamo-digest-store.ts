// Digest state in the watcher's table: a watermark per digest, and the events each digest takes from the event log.
// Implements the digest use case's port (functions/digest/digest-store.ts).
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DigestStore, DigestWatermark } from '../digest/digest-store.js';
import { conditionalWrite } from './dynamo-conditional-write.js';
import { closeEventLog, takeEventLog } from './dynamo-event-log-table.js';

/*
 * Keys (same table as the poller):
 *   pk = DIGEST#<daily|weekly>, sk = STATE   the watermark: lastTo, pending period, lease, version
 *   pk = EVENTLOG#…                          the event log: written by the poller, taken by digests (see dynamo-event-log-table.ts)
 */

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
      return conditionalWrite(() =>
        client.send(
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
        ),
      );
    },

    async closePeriod(name, { from, to }) {
      await closeEventLog({ client, tableName }, to);
      return takeEventLog({ client, tableName }, { from, to, takenBy: `${name}:${from}/${to}` });
    },
  };
}
