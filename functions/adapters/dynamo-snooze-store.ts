// Snoozes in the watcher's table (the port: functions/delivery/snooze-store.ts). The notifiers read them with GetItem
// alone (their grant); the CLI writes and lists them.
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ALL_ROUTES, type Snooze } from '../core/snooze.js';
import type { SnoozeStore } from '../delivery/snooze-store.js';
import { queryAllPages } from './dynamo-query-pages.js';

/*
 * Keys (same table as the poller, see dynamo-state-store.ts):
 *   pk = SNOOZES, sk = ROUTE#<route id or *>#<thread>   thread, source, itemId, route, until, createdAt, expiresAt
 * `expiresAt` (the table's TTL attribute, epoch seconds) is a day after `until`; readers compare `until` themselves,
 * since TTL deletes lazily.
 */
const PK = 'SNOOZES';
const DAY_S = 86_400;

export function makeDynamoSnoozeStore({ client, tableName }: { client: DynamoDBClient; tableName: string }): SnoozeStore {
  const key = (route: string, thread: string) => marshall({ pk: PK, sk: `ROUTE#${route}#${thread}` });
  const toSnooze = (item: Record<string, unknown>): Snooze => {
    const { thread, source, itemId, route, until, createdAt } = item as unknown as Snooze;
    return { thread, source, itemId, route, until, createdAt };
  };
  const live = (snooze: Snooze | undefined, now: Date) => (snooze && Date.parse(snooze.until) > now.getTime() ? snooze : undefined);

  async function get(route: string, thread: string): Promise<Snooze | undefined> {
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key(route, thread), ConsistentRead: true }));
    return Item ? toSnooze(unmarshall(Item)) : undefined;
  }

  return {
    async activeSnooze(thread, routeId, now) {
      const found = [live(await get(routeId, thread), now), live(await get(ALL_ROUTES, thread), now)].filter((s): s is Snooze => s !== undefined);
      return found.sort((a, b) => Date.parse(b.until) - Date.parse(a.until))[0];
    },

    async putSnooze(snooze) {
      const expiresAt = Math.floor(Date.parse(snooze.until) / 1000) + DAY_S;
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...key(snooze.route, snooze.thread), ...marshall({ ...snooze, expiresAt }) } }));
    },

    async listSnoozes(now) {
      const items = await queryAllPages(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': PK }),
        ConsistentRead: true,
      });
      return items
        .map((item) => toSnooze(unmarshall(item)))
        .filter((snooze) => live(snooze, now))
        .sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
    },
  };
}
