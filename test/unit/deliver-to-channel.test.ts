// The delivery boundary of every channel (claim → post → complete) over an in-memory store and a fake channel: each
// event reaches a destination once, refusals give the claim back, dead attempts are taken over after a look, live ones
// never.
import { describe, expect, it } from 'vitest';
import type { ChannelConnection, PostAttempt } from '../../functions/channels/channel.js';
import { DEFAULT_CHANNEL_DELIVERY_SETTINGS, makeChannelDelivery, type ChannelDeliverySettings } from '../../functions/channels/deliver-to-channel.js';
import { ChannelError } from '../../functions/core/errors.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import type { RouteRules } from '../../functions/core/routing.js';
import { makeMemoryDeliveryStore } from '../support/memory-delivery-store.js';
import { numberedUpdateEvent as event } from '../support/numbered-update-event.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-10-06T10:00:00Z');

class FakeChannelError extends ChannelError {
  override readonly name = 'FakeChannelError';
}

/** A channel that records what it posts, and fails, stalls or finds earlier posts as a test tells it. */
function fakeChannel() {
  const posts: Array<{ eventId: string; reclaimedSince?: string }> = [];
  const state = {
    failWith: undefined as Error | undefined,
    /** Runs while posting, before the post lands (another attempt at work meanwhile). */
    during: undefined as ((attempt: PostAttempt) => Promise<void>) | undefined,
    /** What `findPosted` answers; undefined: the channel cannot be asked. */
    earlier: undefined as Map<string, string> | undefined,
    afterDeliveries: 0,
  };
  const connection: ChannelConnection = {
    destination: 'room-1',
    async post(e, attempt) {
      await state.during?.(attempt);
      const failure = state.failWith;
      state.failWith = undefined;
      if (failure) throw failure;
      attempt.assertHeld();
      posts.push({ eventId: e.id, ...(attempt.reclaimedSince && { reclaimedSince: attempt.reclaimedSince }) });
      return { receipt: `msg-${posts.length}`, recovered: false };
    },
    get findPosted() {
      const earlier = state.earlier;
      return earlier && (async (e: WatcherEvent) => earlier.get(e.id));
    },
    async afterDelivery() {
      state.afterDeliveries += 1;
    },
    error: (code, message) => new FakeChannelError(code, false, message),
  };
  return { connection, posts, state };
}

function harness(options: { rules?: RouteRules; settings?: Partial<ChannelDeliverySettings> } = {}) {
  const store = makeMemoryDeliveryStore();
  const channel = fakeChannel();
  let now = T0;
  const deliver = makeChannelDelivery({
    connection: channel.connection,
    rules: options.rules ?? {},
    store,
    clock: { now: () => new Date(now) },
    logger: silent,
    settings: options.settings,
  });
  return { store, channel, deliver, advance: (ms: number) => (now += ms), record: (e: WatcherEvent) => store.records.get(`room-1 ${e.id}`) };
}

async function errorOf(promise: Promise<unknown>): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('the channel delivery boundary', () => {
  it('posts an event once and records the channel’s receipt; a repeat is a duplicate that posts nothing', async () => {
    const h = harness();
    expect(await h.deliver(event(1))).toBe('posted');
    expect(await h.deliver(event(1))).toBe('duplicate');
    expect(h.channel.posts.map((p) => p.eventId)).toEqual([event(1).id]);
    expect(h.record(event(1))).toMatchObject({ status: 'done', ts: 'msg-1' });
    expect(h.record(event(1))?.expiresAt).toBe(T0 / 1000 + DEFAULT_CHANNEL_DELIVERY_SETTINGS.deliveryRetentionDays * 86_400);
    expect(h.channel.state.afterDeliveries).toBe(2);
  });

  it('leaves out an event the route’s rules do not take, claiming nothing', async () => {
    const h = harness({ rules: { types: ['advisory.*'] } });
    expect(await h.deliver(event(1))).toBe('filtered');
    expect(h.store.records.size).toBe(0);
    expect(h.channel.posts).toEqual([]);
  });

  it('refuses, with the channel’s own error, an event another live attempt is delivering, and posts nothing', async () => {
    const h = harness();
    await h.store.claimDelivery('room-1', event(1).id, {
      now: new Date(T0 - 10_000).toISOString(),
      token: 'other',
      deadBefore: '0',
      staleBefore: '0',
    });
    const error = await errorOf(h.deliver(event(1)));
    expect(error).toBeInstanceOf(FakeChannelError);
    expect(error).toMatchObject({ code: 'delivery_in_progress', permanent: false });
    expect(h.channel.posts).toEqual([]);
  });

  it('gives the claim back when the channel refuses, so the next attempt goes ahead at once and is told to look first', async () => {
    const h = harness();
    h.channel.state.failWith = new FakeChannelError('http_503', false, 'HTTP 503 after retries');
    expect((await errorOf(h.deliver(event(1)))).code).toBe('http_503');
    expect(h.record(event(1))?.status).toBe('sending');

    expect(await h.deliver(event(1))).toBe('posted');
    expect(h.channel.posts).toEqual([{ eventId: event(1).id, reclaimedSince: new Date(T0).toISOString() }]);
  });

  it('keeps the claim of an attempt that dies, and takes it over only once it has been silent for the grace period', async () => {
    const h = harness();
    const crash = new Error('the process died');
    h.channel.state.failWith = crash;
    await expect(h.deliver(event(1))).rejects.toBe(crash);

    h.advance(DEFAULT_CHANNEL_DELIVERY_SETTINGS.claimGraceMs - 1_000);
    expect((await errorOf(h.deliver(event(1)))).code).toBe('delivery_in_progress');
    h.advance(2_000);
    expect(await h.deliver(event(1))).toBe('posted');
    expect(h.channel.posts).toEqual([{ eventId: event(1).id, reclaimedSince: new Date(T0).toISOString() }]);
  });

  it('asks a channel that can look whether a dead attempt posted, and records its post instead of posting again', async () => {
    const h = harness();
    h.channel.state.failWith = new Error('died after posting');
    await expect(h.deliver(event(1))).rejects.toThrow('died after posting');
    h.channel.state.earlier = new Map([[event(1).id, 'msg-from-the-dead']]);
    h.advance(DEFAULT_CHANNEL_DELIVERY_SETTINGS.claimGraceMs + 1_000);

    expect(await h.deliver(event(1))).toBe('recovered');
    expect(h.channel.posts).toEqual([]);
    expect(h.record(event(1))).toMatchObject({ status: 'done', ts: 'msg-from-the-dead' });
  });

  it('renews the claim while a slow post works, so that no other attempt takes it for dead', async () => {
    const h = harness({ settings: { heartbeatMs: 10 } });
    h.channel.state.during = async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      h.advance(DEFAULT_CHANNEL_DELIVERY_SETTINGS.claimGraceMs * 2); // the post took long: without heartbeats it would look dead
      await new Promise((resolve) => setTimeout(resolve, 40));
    };
    const slow = h.deliver(event(1));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await errorOf(h.deliver(event(1)))).code).toBe('delivery_in_progress');
    expect(await slow).toBe('posted');
    expect(h.channel.posts).toHaveLength(1);
  });

  it('stops before posting, with the channel’s own error, when another attempt took its claim over', async () => {
    const h = harness({ settings: { heartbeatMs: 10 } });
    h.channel.state.during = async () => {
      // Another attempt took the claim over meanwhile (this one looked dead to it), and the next heartbeat notices.
      await h.store.claimDelivery('room-1', event(1).id, { now: new Date(T0).toISOString(), token: 'taker', deadBefore: '9', staleBefore: '9' });
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const error = await errorOf(h.deliver(event(1)));
    expect(error).toBeInstanceOf(FakeChannelError);
    expect(error.code).toBe('delivery_taken_over');
    expect(h.channel.posts).toEqual([]);
    expect(h.record(event(1))?.claimToken).toBe('taker');
  });
});
