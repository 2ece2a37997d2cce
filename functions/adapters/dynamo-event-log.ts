// Reads single events back from the event log the poller writes (the EventLog port), by the link an event names.
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventLog } from '../core/event-chain.js';
import { parseWatcherEvent } from '../core/event-schema.js';
import { eventLogPk } from './dynamo-state-store.js';

/*
 * Keys (written by `logEvent`, see dynamo-state-store.ts):
 *   pk = EVENTLOG#<yyyy-mm-dd of detectedAt>, sk = <detectedAt>#<eventId>, `event`: the event as JSON (TTL 90 days)
 * One GetItem per lookup: the Slack notifier may read, not query, the table.
 */

export function makeDynamoEventLog({ client, tableName }: { client: DynamoDBClient; tableName: string }): EventLog {
  return {
    async getLoggedEvent(link) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: eventLogPk(link.detectedAt) }, sk: { S: `${link.detectedAt}#${link.id}` } },
          // A stale read would take a predecessor logged moments ago for one that never was, and let its successor pass.
          ConsistentRead: true,
        }),
      );
      const json = Item?.['event']?.S;
      return json === undefined ? undefined : parseWatcherEvent(json);
    },
  };
}
