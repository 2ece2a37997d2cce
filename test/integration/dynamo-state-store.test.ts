// The DynamoDB state store against real local DynamoDB servers: conditional writes, outbox, lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import type { StateStore } from '../../functions/core/ports.js';
import type { TrackedItem } from '../../functions/core/tracked.js';
import { sampleEvent } from '../support/sample-event.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';

const TABLE = 'watcher-store-test';

const event = (id: string, occurredAt = '2026-10-06T10:12:00.000Z') => sampleEvent({ id, occurredAt });

function item(itemId: string, fingerprint: string): TrackedItem {
  return {
    itemId,
    kind: 'incident',
    title: 'Elevated Errors',
    url: `https://status.auth0.com/incidents/${itemId}`,
    severity: 'major',
    fingerprint,
    updates: [{ key: 'investigating|2026-10-06T09:41:00.000Z', hash: 'abc' }],
    status: 'investigating',
    firstSeenAt: '2026-10-06T09:42:00.000Z',
    changedAt: '2026-10-06T09:42:00.000Z',
    expiresAt: 1_900_000_000,
  };
}

for (const backend of DYNAMO_BACKENDS) {
  describe.skipIf(!backend.available)(`DynamoDB state store on ${backend.name}`, () => {
    let dynamo: RunningDynamo;
    let store: StateStore;
    let n = 0;
    const source = () => `source-${++n}`;

    beforeAll(async () => {
      dynamo = await backend.start(TABLE);
      store = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    }, 90_000);
    afterAll(async () => dynamo?.stop());

    it('creates a source record once and refuses a second create', async () => {
      const id = source();
      expect(await store.putSource(id, { consecutiveFailures: 0 }, { expectedVersion: undefined })).toBe(true);
      expect(await store.putSource(id, { consecutiveFailures: 5 }, { expectedVersion: undefined })).toBe(false);
      const record = await store.getSource(id);
      expect(record).toMatchObject({ version: 1, value: { consecutiveFailures: 0 }, outbox: [] });
    });

    it('rejects a write based on a stale version, so two runs cannot both apply a change', async () => {
      const id = source();
      await store.putSource(id, { consecutiveFailures: 0 }, { expectedVersion: undefined });
      expect(await store.putSource(id, { consecutiveFailures: 1 }, { expectedVersion: 1 })).toBe(true);
      expect(await store.putSource(id, { consecutiveFailures: 7 }, { expectedVersion: 1 })).toBe(false);
      expect((await store.getSource(id))?.value.consecutiveFailures).toBe(1);
    });

    it('keeps the lease until it expires and refuses a second holder', async () => {
      const id = source();
      const leased = { consecutiveFailures: 0, leaseUntil: '2026-10-06T10:02:00.000Z' };
      expect(await store.putSource(id, leased, { expectedVersion: undefined, leaseFreeAt: '2026-10-06T10:00:00.000Z' })).toBe(true);
      // Another run that read version 1 tries to take the source while the lease holds.
      expect(
        await store.putSource(id, { consecutiveFailures: 1 }, { expectedVersion: 1, leaseFreeAt: '2026-10-06T10:01:00.000Z' }),
      ).toBe(false);
      // After expiry the same write succeeds, and a write without lease clears leaseUntil.
      expect(
        await store.putSource(id, { consecutiveFailures: 1 }, { expectedVersion: 1, leaseFreeAt: '2026-10-06T10:03:00.000Z' }),
      ).toBe(true);
      const record = await store.getSource(id);
      expect(record?.value.leaseUntil).toBeUndefined();
      expect(record?.version).toBe(2);
    });

    it('stores events in the outbox with the state write, and keeps earlier entries on later writes', async () => {
      const id = source();
      const first = { event: event('e1'), seq: 0, claimedAt: '2026-10-06T10:13:00.000Z' };
      await store.putItem(id, item('s6nmyrpsnbmj', 'fp1'), { expectedVersion: undefined, outbox: [first] });
      const second = { event: event('e2', '2026-10-06T10:20:00.000Z'), seq: 1 };
      expect(await store.putItem(id, item('s6nmyrpsnbmj', 'fp2'), { expectedVersion: 1, outbox: [second] })).toBe(true);
      const [record] = await store.listItems(id);
      expect(record?.value.fingerprint).toBe('fp2');
      expect(record?.outbox.map((e) => e.event.id).sort()).toEqual(['e1', 'e2']);
      expect(record?.outbox.find((e) => e.event.id === 'e1')?.event).toEqual(event('e1'));
    });

    it('lets only one run claim an outbox entry until the claim goes stale, then removes it on ack', async () => {
      const id = source();
      const ref = { sourceId: id, itemId: 'abc123def456' };
      await store.putItem(id, item('abc123def456', 'fp'), {
        expectedVersion: undefined,
        outbox: [{ event: event('e9'), seq: 0 }],
      });
      expect(await store.claimOutbox(ref, 'e9', '2026-10-06T10:00:00.000Z', '2026-10-06T09:58:00.000Z')).toBe(true);
      expect(await store.claimOutbox(ref, 'e9', '2026-10-06T10:01:00.000Z', '2026-10-06T09:59:00.000Z')).toBe(false);
      // Two minutes later the first claim is stale and another run may take over.
      expect(await store.claimOutbox(ref, 'e9', '2026-10-06T10:03:00.000Z', '2026-10-06T10:01:00.000Z')).toBe(true);
      await store.releaseOutbox(ref, 'e9');
      expect(await store.claimOutbox(ref, 'e9', '2026-10-06T10:03:30.000Z', '2026-10-06T10:01:30.000Z')).toBe(true);
      await store.ackOutbox(ref, 'e9');
      expect((await store.listItems(id))[0]?.outbox).toEqual([]);
      expect(await store.claimOutbox(ref, 'e9', '2026-10-06T10:09:00.000Z', '2026-10-06T10:08:00.000Z')).toBe(false);
    });

    it('lists every item of a source and none of another source', async () => {
      const id = source();
      const other = source();
      for (let i = 0; i < 30; i += 1) {
        await store.putItem(id, item(`item${String(i).padStart(8, '0')}`, `fp${i}`), { expectedVersion: undefined });
      }
      await store.putItem(other, item('foreign', 'x'), { expectedVersion: undefined });
      await store.putSource(id, { consecutiveFailures: 0 }, { expectedVersion: undefined });
      const items = await store.listItems(id);
      expect(items).toHaveLength(30);
      expect(items.every((r) => r.value.itemId.startsWith('item'))).toBe(true);
    });
  });
}
