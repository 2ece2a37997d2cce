// The event log against real local DynamoDB: every event logged once and taken by exactly one digest, whatever a
// poller's crash or a race between a poller and a digest did. Races are staged deterministically at the store calls.
import { GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeDynamoEventLog } from '../../functions/adapters/dynamo-event-log.js';
import { closeEventLog, makeDynamoEventLogWriter, readEventLog, takeEventLog } from '../../functions/adapters/dynamo-event-log-table.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { DYNAMO_BACKENDS } from '../support/dynamo-backends.js';
import { useLocalDynamo } from '../support/local-dynamo.js';
import { sampleEvent } from '../support/sample-event.js';
import { Crash } from '../support/simulated-crash.js';

const TABLE = 'watcher-event-log-test';
const T0 = Date.parse('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** A client that runs `before` ahead of every command it sends. */
function hooked(client: DynamoDBClient, before: (command: unknown) => Promise<void>): DynamoDBClient {
  const send = async (command: Parameters<DynamoDBClient['send']>[0]) => {
    await before(command);
    return client.send(command);
  };
  return { send } as unknown as DynamoDBClient;
}
const isClosedRead = (c: unknown) => c instanceof GetItemCommand && c.input.Key?.['pk']?.S === 'EVENTLOG#CLOSED';
const isEntryCreate = (c: unknown) => c instanceof PutItemCommand && c.input.ConditionExpression === 'attribute_not_exists(pk)';
const isTake = (c: unknown) => c instanceof PutItemCommand && c.input.Item?.['takenBy'] !== undefined;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

for (const backend of DYNAMO_BACKENDS) {
  describe.skipIf(!backend.available)(`event log on ${backend.name}`, () => {
    const local = useLocalDynamo(backend, TABLE);

    async function setup() {
      const { tableName, ready } = local.newTable();
      await ready;
      const log = { client: local.client, tableName };
      /** One digest run over [from, to): closes the log at `to`, then takes. */
      const digest = async (from: number, to: number, client = local.client) => {
        await closeEventLog({ client, tableName }, at(to));
        return (await takeEventLog({ client, tableName }, { from: at(from), to: at(to), takenBy: `daily:${at(from)}/${at(to)}` })).map((e) => e.id);
      };
      const writer = (client = local.client) => makeDynamoEventLogWriter({ client, tableName });
      const lookup = (event: WatcherEvent) => makeDynamoEventLog(log).getLoggedEvent({ id: event.id, detectedAt: event.detectedAt });
      const rows = async (pk: string) => {
        const query = { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } };
        return (await local.client.send(new QueryCommand(query))).Items ?? [];
      };
      return { log, tableName, digest, writer, lookup, rows };
    }

    it('logs an event once: logging it again, before or after a digest took it, adds nothing', async () => {
      const t = await setup();
      const event = sampleEvent({ id: 'evt-1', detectedAt: at(0) });
      await t.writer()(event);
      await t.writer()(event);
      expect(await t.digest(-1, 1)).toEqual(['evt-1']);
      await t.writer()(event); // a publish retried after the digest: the entry stays taken, no pointer appears
      expect(await t.rows(`EVENTLOG#${at(0).slice(0, 10)}`)).toHaveLength(1);
      expect(await t.digest(1, 2)).toEqual([]);
      expect(await t.lookup(event)).toEqual(event);
    });

    it('places an event first logged after a digest took its detection time at the closed mark, found by its id and detection time', async () => {
      const t = await setup();
      await t.digest(-1, 1);
      const event = sampleEvent({ id: 'evt-late', detectedAt: at(0) });
      await t.writer()(event);
      expect((await readEventLog(t.log, at(-1), at(2))).map((e) => [e.event.id, e.digestAt])).toEqual([['evt-late', at(1)]]);
      expect(await t.digest(1, 2)).toEqual(['evt-late']);
      expect(await t.lookup(event)).toEqual(event);
    });

    it('keeps a pointer left by a poller that died before writing the entry out of every digest, then takes the entry once', async () => {
      const t = await setup();
      await t.digest(-1, 1);
      const event = sampleEvent({ id: 'evt-crash', detectedAt: at(0) });
      const dying = t.writer(hooked(local.client, async (c) => {
        if (isEntryCreate(c)) throw new Crash('died after the pointer, before the entry');
      }));
      await expect(dying(event)).rejects.toBeInstanceOf(Crash);
      expect(await t.digest(1, 2)).toEqual([]); // not logged yet: the event is still in the poller's outbox
      expect(await t.lookup(event)).toBeUndefined();
      await t.writer()(event); // the next poll publishes it, logging it first
      expect(await t.digest(2, 3)).toEqual(['evt-crash']);
      expect(await t.digest(3, 4)).toEqual([]);
    });

    it('takes an event once when a pointer left by a crashed write lies in the same period as its real place', async () => {
      const t = await setup();
      await t.digest(-1, 1);
      const event = sampleEvent({ id: 'evt-twice', detectedAt: at(0) });
      const dying = t.writer(hooked(local.client, async (c) => {
        if (isEntryCreate(c)) throw new Crash('died after the pointer, before the entry');
      }));
      await expect(dying(event)).rejects.toBeInstanceOf(Crash);
      await closeEventLog(t.log, at(2)); // a digest run that closed the log and died before taking anything
      await t.writer()(event);
      expect(await t.rows(`EVENTLOG#${at(1).slice(0, 10)}`)).toHaveLength(3); // the entry and two pointers
      expect(await t.digest(1, 3)).toEqual(['evt-twice']);
      expect(await t.digest(3, 4)).toEqual([]);
    });

    it('moves an entry written just after a digest read past it to the next digest', async () => {
      const t = await setup();
      const event = sampleEvent({ id: 'evt-race', detectedAt: at(0) });
      let first: string[] = [];
      // The poller read the log as open, then a whole digest run over the event's detection time happened before its write.
      const slow = t.writer(hooked(local.client, async (c) => {
        if (isEntryCreate(c) && first.length === 0) first = ['ran', ...(await t.digest(-1, 1))];
      }));
      await slow(event);
      expect(first).toEqual(['ran']);
      expect(await t.digest(1, 2)).toEqual(['evt-race']);
      expect(await t.lookup(event)).toEqual(event);
    });

    it.each([
      ['the poller moves it first', false, [[], ['evt-cas']]],
      ['the digest takes it first', true, [['evt-cas'], []]],
    ] as const)('puts an entry a digest and a poller race for in exactly one digest when %s', async (_name, digestFirst, expected) => {
      const t = await setup();
      const event = sampleEvent({ id: 'evt-cas', detectedAt: at(0) });
      const reachedTake = deferred();
      const letTake = deferred();
      const digestClient = hooked(local.client, async (c) => {
        if (!isTake(c) || digestFirst) return;
        reachedTake.resolve();
        await letTake.promise;
      });
      let digestRun: Promise<string[]> | undefined;
      let closedReads = 0;
      const poller = t.writer(hooked(local.client, async (c) => {
        // The poller's second read of the mark is its check after writing: the digest has read the entry by then.
        if (!isClosedRead(c) || ++closedReads !== 2) return;
        digestRun = t.digest(-1, 1, digestClient);
        await (digestFirst ? digestRun : reachedTake.promise);
      }));
      await poller(event);
      letTake.resolve();
      const firstDigest = await digestRun!;
      expect([firstDigest, await t.digest(1, 2)]).toEqual(expected);
      expect(await t.lookup(event)).toEqual(event);
    });

    it('takes entries logged before late placement existed (no digestAt) by their detection time', async () => {
      const t = await setup();
      const event = sampleEvent({ id: 'evt-legacy', detectedAt: at(0) });
      await local.client.send(
        new PutItemCommand({
          TableName: t.tableName,
          Item: {
            pk: { S: `EVENTLOG#${event.detectedAt.slice(0, 10)}` },
            sk: { S: `${event.detectedAt}#${event.id}` },
            event: { S: JSON.stringify(event) },
            expiresAt: { N: String(Math.floor(T0 / 1000) + 90 * 86_400) },
          },
        }),
      );
      await t.writer()(event);
      expect(await t.digest(-1, 1)).toEqual(['evt-legacy']);
      expect(await t.digest(-1, 1)).toEqual(['evt-legacy']); // the same period again: the same events
      expect(await t.digest(1, 2)).toEqual([]);
    });
  });
}
