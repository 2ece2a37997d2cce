// Test support: the delivery boundary's store (functions/channels/delivery-store.ts) in memory, with the same claim,
// heartbeat, release and completion rules as functions/adapters/dynamo-delivery-store.ts.
import type { DeliveryRecord, DeliveryStore } from '../../functions/channels/delivery-store.js';

/** A claim time earlier than any real one: a released claim is stale at once (as the DynamoDB store writes it). */
const RELEASED = '1970-01-01T00:00:00.000Z';

interface Stored extends DeliveryRecord {
  readonly firstAttemptAt?: string;
  readonly expiresAt?: number;
}

export interface MemoryDeliveryStore extends DeliveryStore {
  /** Every record, by `<destination> <eventId>`. */
  readonly records: Map<string, Stored>;
}

export function makeMemoryDeliveryStore(): MemoryDeliveryStore {
  const records = new Map<string, Stored>();
  const key = (destination: string, eventId: string) => `${destination} ${eventId}`;
  const held = (current: Stored | undefined, token: string) => current?.status === 'sending' && current.claimToken === token;
  return {
    records,
    async claimDelivery(destination, eventId, { now, token, deadBefore, staleBefore }) {
      const current = records.get(key(destination, eventId));
      if (current?.status === 'done') return { outcome: 'done' };
      if (current && current.claimedAt! >= staleBefore && (current.aliveAt === undefined || current.aliveAt >= deadBefore)) {
        return { outcome: 'busy', aliveAt: current.aliveAt ?? current.claimedAt! };
      }
      const firstAttemptAt = current ? (current.firstAttemptAt ?? current.claimedAt!) : now;
      records.set(key(destination, eventId), { status: 'sending', claimedAt: now, aliveAt: now, claimToken: token, firstAttemptAt });
      return current ? { outcome: 'reclaimed', since: firstAttemptAt } : { outcome: 'claimed' };
    },
    async renewDelivery(destination, eventId, token, now) {
      const current = records.get(key(destination, eventId));
      if (!held(current, token)) return false;
      records.set(key(destination, eventId), { ...current!, aliveAt: now });
      return true;
    },
    async completeDelivery(destination, eventId, receipt, expiresAt) {
      records.set(key(destination, eventId), { status: 'done', ...(receipt !== undefined && { ts: receipt }), expiresAt });
    },
    async releaseDelivery(destination, eventId, token) {
      const current = records.get(key(destination, eventId));
      if (held(current, token)) records.set(key(destination, eventId), { ...current!, claimedAt: RELEASED, aliveAt: RELEASED });
    },
    async getDelivery(destination, eventId) {
      const current = records.get(key(destination, eventId));
      if (!current) return undefined;
      const { status, claimedAt, aliveAt, claimToken, ts } = current;
      return { status, claimedAt, aliveAt, claimToken, ts };
    },
    async isDelivered(destination, eventId) {
      return records.get(key(destination, eventId))?.status === 'done';
    },
  };
}
