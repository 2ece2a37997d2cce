// Reads single events back from the event log (the EventLog port), by the link a later event names: the Slack
// notifier's ordering gate. The log's layout and writes are in dynamo-event-log-table.ts.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { EventLog } from '../core/event-chain.js';
import { parseWatcherEvent } from '../core/event-schema.js';
import { eventLogEntryKey, type DynamoEventLogOptions } from './dynamo-event-log-table.js';

/** Reads one logged event by the link a later event names: one GetItem, all the Slack notifier may do. */
export function makeDynamoEventLog({ client, tableName }: DynamoEventLogOptions): EventLog {
  return {
    async getLoggedEvent(link) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: eventLogEntryKey(link),
          // A stale read would take a predecessor logged moments ago for one that never was, and let its successor pass.
          ConsistentRead: true,
        }),
      );
      const json = Item?.['event']?.S;
      return json === undefined ? undefined : parseWatcherEvent(json);
    },
  };
}
