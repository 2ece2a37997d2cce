// The event log's table layout and its writes: the poller logs every event once, and digests take each event once.
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { WatcherEvent } from '../core/model.js';
import { conditionalWrite } from './dynamo-conditional-write.js';
import { queryAllPages } from './dynamo-query-pages.js';

/*
 * Keys (same table as the poller's state):
 *   pk = EVENTLOG#<yyyy-mm-dd of detectedAt>, sk = <detectedAt>#<eventId>         the event's entry
 *       `event` (JSON), `digestAt` (its place in the digests), `takenBy` (the digest period that took it), TTL 90 days
 *   pk = EVENTLOG#<yyyy-mm-dd of digestAt>, sk = <digestAt>#<eventId>#late         a late entry's pointer
 *       `event`, `digestAt`; written only where `digestAt` is not the detection time
 *   pk = EVENTLOG#CLOSED, sk = STATE                                                `closedAt`
 *       the end of the log a digest has taken; never moves backwards
 *
 * Digests take the log in order of `digestAt`, not of detection. An event's `digestAt` is its detection time, unless a
 * digest has already closed the log past that time when it is first logged (it was held up behind a failed publish, or
 * the clock stepped back); then it is the closed mark, so it falls into the next digest. A digest closes the log at
 * its period's end before it reads, and takes each entry with a conditional write, so an entry is in exactly one
 * digest: a poller that finds the log closed past an entry it has just written, which no digest has taken, moves the
 * entry past the mark with a write conditional on it still not being taken. Neither side relies on clocks agreeing.
 * Only GetItem, PutItem, UpdateItem (poller) and Query (digest) are used; the Slack notifier only reads (GetItem).
 */

/** Event-log records outlive the longest digest period many times over. */
const RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
const CLOSED_KEY = { pk: { S: 'EVENTLOG#CLOSED' }, sk: { S: 'STATE' } };
const LATE_SUFFIX = '#late';
/** Conditional writes a digest sends at once to take its events (a week of 500 sources can hold thousands). */
const TAKES_AT_ONCE = 16;
/** A poller moves an entry at most this often in one call; more means digests close the log faster than it can write. */
const MAX_MOVES = 5;

/** The event log is partitioned by the UTC day of an entry's time: detection for an entry, `digestAt` for a pointer. */
export const eventLogPk = (at: string) => `EVENTLOG#${at.slice(0, 10)}`;
const entrySk = (detectedAt: string, id: string) => `${detectedAt}#${id}`;
const pointerSk = (digestAt: string, id: string) => `${digestAt}#${id}${LATE_SUFFIX}`;
/** The key of an event's own entry: found by the event's id and detection time alone. */
export const eventLogEntryKey = (link: { readonly id: string; readonly detectedAt: string }) => ({
  pk: { S: eventLogPk(link.detectedAt) },
  sk: { S: entrySk(link.detectedAt, link.id) },
});
const expiresAt = (digestAt: string) => String(Math.floor(Date.parse(digestAt) / 1000) + RETENTION_DAYS * 86_400);
/** What an entry or a pointer holds besides its key: the event, its place in the digests, and its TTL. */
const placedEvent = (event: WatcherEvent, digestAt: string) => ({
  event: { S: JSON.stringify(event) },
  digestAt: { S: digestAt },
  expiresAt: { N: expiresAt(digestAt) },
});

export interface DynamoEventLogOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** Where an entry stands: its place in the digests and, once a digest took it, which. */
interface EntryState {
  readonly digestAt: string;
  readonly takenBy?: string;
}

/**
 * Logs an event once, at the place in the digests its first write gives it, and makes sure a digest will take it:
 * writing it again (a retried publish) changes nothing. Safe to call concurrently and after a crash at any point.
 */
export function makeDynamoEventLogWriter({ client, tableName }: DynamoEventLogOptions): (event: WatcherEvent) => Promise<void> {
  async function readClosedAt(): Promise<string | undefined> {
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: CLOSED_KEY, ConsistentRead: true }));
    return Item?.['closedAt']?.S;
  }

  async function readEntry(event: WatcherEvent): Promise<EntryState | undefined> {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: eventLogEntryKey(event),
        ProjectionExpression: '#digestAt, #takenBy',
        ExpressionAttributeNames: { '#digestAt': 'digestAt', '#takenBy': 'takenBy' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return { digestAt: Item['digestAt']?.S ?? event.detectedAt, takenBy: Item['takenBy']?.S };
  }

  /** Written before an entry is placed late (or moved), so no entry ever sits at a late place without one. */
  async function putPointer(event: WatcherEvent, digestAt: string): Promise<void> {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: eventLogPk(digestAt) },
          sk: { S: pointerSk(digestAt, event.id) },
          ...placedEvent(event, digestAt),
        },
      }),
    );
  }

  /** Creates the entry; false when it exists already (logged before: its first place stands). */
  async function putNewEntry(event: WatcherEvent, digestAt: string): Promise<boolean> {
    return conditionalWrite(() =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...eventLogEntryKey(event), ...placedEvent(event, digestAt) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** Moves an entry no digest has taken from `from` to `to`; false when a digest took it or another writer moved it. */
  async function moveEntry(event: WatcherEvent, from: string, to: string): Promise<boolean> {
    const legacy = from === event.detectedAt ? ' OR attribute_not_exists(#digestAt)' : '';
    return conditionalWrite(() =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: eventLogEntryKey(event),
          UpdateExpression: 'SET #digestAt = :to, #expiresAt = :expiresAt',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(#takenBy) AND (#digestAt = :from${legacy})`,
          ExpressionAttributeNames: { '#digestAt': 'digestAt', '#expiresAt': 'expiresAt', '#takenBy': 'takenBy' },
          ExpressionAttributeValues: { ':from': { S: from }, ':to': { S: to }, ':expiresAt': { N: expiresAt(to) } },
        }),
      ),
    );
  }

  /** Writes the entry where the log is still open for it, or finds where an earlier write put it. */
  async function place(event: WatcherEvent): Promise<EntryState> {
    const closedAt = await readClosedAt();
    const digestAt = closedAt !== undefined && closedAt > event.detectedAt ? closedAt : event.detectedAt;
    if (digestAt !== event.detectedAt) {
      const existing = await readEntry(event);
      if (existing) return existing;
      await putPointer(event, digestAt);
    }
    if (await putNewEntry(event, digestAt)) return { digestAt };
    return requireEntry(event);
  }

  async function requireEntry(event: WatcherEvent): Promise<EntryState> {
    const entry = await readEntry(event);
    if (!entry) throw new Error(`event log entry of ${event.id} vanished while it was being written`);
    return entry;
  }

  return async function logEvent(event) {
    let entry = await place(event);
    for (let moves = 0; ; moves += 1) {
      if (entry.takenBy !== undefined) return;
      // Read after the entry was written: a digest that closes the log past the entry from now on reads it afterwards.
      const closedAt = await readClosedAt();
      if (closedAt === undefined || closedAt <= entry.digestAt) return;
      // A digest closed the log past the entry meanwhile and may have read before the entry was there: unless it
      // takes the entry first, move it to the next digest.
      if (moves === MAX_MOVES) throw new Error(`event log entry of ${event.id} was overtaken by digests ${MAX_MOVES} times`);
      await putPointer(event, closedAt);
      entry = (await moveEntry(event, entry.digestAt, closedAt)) ? { digestAt: closedAt } : await requireEntry(event);
    }
  };
}

/** A logged event as the log holds it. */
export interface LoggedEvent {
  readonly event: WatcherEvent;
  /** Its place in the digests. */
  readonly digestAt: string;
  /** The digest period that took it, once one did. */
  readonly takenBy?: string;
}

/**
 * Every event placed in [from, to) (by `digestAt`), each once, oldest place first; reads only. For tests and for
 * looking up which digest took an event.
 */
export async function readEventLog(
  { client, tableName }: DynamoEventLogOptions,
  from: string,
  to: string,
): Promise<LoggedEvent[]> {
  const entries = new Map<string, LoggedEvent>();
  const pointers: RawEntry[] = [];
  for (const raw of await queryPlaces(client, tableName, from, to)) {
    if (raw.sk.endsWith(LATE_SUFFIX)) {
      pointers.push(raw);
      continue;
    }
    const event = JSON.parse(raw.event) as WatcherEvent;
    entries.set(event.id, { event, digestAt: raw.digestAt ?? event.detectedAt, takenBy: raw.takenBy });
  }
  // An entry placed late is found through its pointer; a pointer whose entry went elsewhere is left over from a crash.
  for (const pointer of pointers) {
    const event = JSON.parse(pointer.event) as WatcherEvent;
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: eventLogEntryKey(event), ConsistentRead: true }));
    const entry = Item ? (unmarshall(Item) as RawEntry) : undefined;
    if (entry && pointer.digestAt !== undefined && entry.digestAt === pointer.digestAt) {
      entries.set(event.id, { event, digestAt: pointer.digestAt, takenBy: entry.takenBy });
    }
  }
  return [...entries.values()]
    .filter((e) => e.digestAt >= from && e.digestAt < to)
    .sort((a, b) => a.digestAt.localeCompare(b.digestAt) || a.event.id.localeCompare(b.event.id));
}

/** Closes the log at `to`: from now on an event logged for the first time is placed at `to` or later. */
export async function closeEventLog({ client, tableName }: DynamoEventLogOptions, to: string): Promise<void> {
  // A write whose condition fails finds the log closed at or past `to` already: the mark never moves backwards.
  await conditionalWrite(() =>
    client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...CLOSED_KEY, closedAt: { S: to } },
        ConditionExpression: 'attribute_not_exists(pk) OR closedAt < :to',
        ExpressionAttributeValues: { ':to': { S: to } },
      }),
    ),
  );
}

/**
 * Takes, for the digest period `takenBy`, every event placed in [from, to) that no other period took; returns them
 * oldest first. Taking again with the same `takenBy` (a retried run) returns the same events. Close the log at `to`
 * first ({@link closeEventLog}), so that no event is placed in the period after it was read.
 */
export async function takeEventLog(
  { client, tableName }: DynamoEventLogOptions,
  { from, to, takenBy }: { readonly from: string; readonly to: string; readonly takenBy: string },
): Promise<WatcherEvent[]> {
  const candidates = new Map<string, { event: WatcherEvent; digestAt: string }>();
  for (const raw of await queryPlaces(client, tableName, from, to)) {
    const event = JSON.parse(raw.event) as WatcherEvent;
    const digestAt = raw.digestAt ?? event.detectedAt;
    // By place too: a pointer a crashed write left behind must not stand in for the entry's real place.
    if (digestAt >= from && digestAt < to) candidates.set(`${event.id}@${digestAt}`, { event, digestAt });
  }
  const take = async ({ event, digestAt }: { event: WatcherEvent; digestAt: string }): Promise<WatcherEvent | undefined> => {
    // The entry itself is rewritten: it must still be at this place (not moved on by a poller) and not taken by another period.
    const legacy = digestAt === event.detectedAt ? ' OR attribute_not_exists(#digestAt)' : '';
    const took = await conditionalWrite(() =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...eventLogEntryKey(event), ...placedEvent(event, digestAt), takenBy: { S: takenBy } },
          ConditionExpression:
            `attribute_exists(pk) AND (#digestAt = :digestAt${legacy})` +
            ' AND (attribute_not_exists(#takenBy) OR #takenBy = :takenBy)',
          ExpressionAttributeNames: { '#digestAt': 'digestAt', '#takenBy': 'takenBy' },
          ExpressionAttributeValues: { ':digestAt': { S: digestAt }, ':takenBy': { S: takenBy } },
        }),
      ),
    );
    return took ? event : undefined;
  };
  // At most one place of an event is its entry's, so at most one take of it succeeds.
  const taken = new Map<string, WatcherEvent>();
  const all = [...candidates.values()];
  for (let start = 0; start < all.length; start += TAKES_AT_ONCE) {
    for (const event of await Promise.all(all.slice(start, start + TAKES_AT_ONCE).map(take))) if (event) taken.set(event.id, event);
  }
  return [...taken.values()].sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id));
}

interface RawEntry {
  readonly sk: string;
  readonly event: string;
  readonly digestAt?: string;
  readonly takenBy?: string;
}

/** Entries and pointers whose sort key falls in [from, to), day partition by day. */
async function queryPlaces(client: DynamoDBClient, tableName: string, from: string, to: string): Promise<RawEntry[]> {
  const found: RawEntry[] = [];
  for (let day = Date.parse(from.slice(0, 10)); day <= Date.parse(to); day += DAY_MS) {
    const items = await queryAllPages(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // `#` sorts before digits and letters, so `<to>#` ends the range just before entries placed at `to`.
      ExpressionAttributeValues: marshall({ ':pk': eventLogPk(new Date(day).toISOString()), ':from': `${from}#`, ':to': `${to}#` }),
      ConsistentRead: true,
    });
    for (const raw of items) found.push(unmarshall(raw) as RawEntry);
  }
  return found;
}
