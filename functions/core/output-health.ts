// Per-output delivery health (local mode): counts failed delivery runs and derives the watcher-health events, purely.
// An output's health events reuse `source.failing` / `source.recovered` with `sourceType: 'output'`, `source` and
// `itemId` the output id, so every consumer, rule and digest that handles a failing source handles a failing output.
import type { DeliveryScope } from './errors.js';
import { makeEvent, shorten, type EventSourceInfo } from './event-factory.js';
import type { EventLink, WatcherEvent } from './model.js';
import { cannotDeliverTitle, deliversAgainTitle, parkedTitle } from './watcher-health-text.js';

/** The `sourceType` of an output's health events. */
export const OUTPUT_SOURCE_TYPE = 'output';
/** The `vendor` of an output's health events: the watcher itself is what failed. */
export const OUTPUT_VENDOR = 'auth0-ops-watcher';

export interface OutputHealth {
  /** Consecutive runs in which the output could not deliver its queue (an event it refused does not count). */
  readonly consecutiveFailedRuns: number;
  readonly failingSince?: string;
  /** A `source.failing` went out for this streak. */
  readonly failingAnnounced?: boolean;
  readonly lastError?: { readonly at: string; readonly scope: DeliveryScope; readonly reason: string };
  readonly lastSuccessAt?: string;
  /** The output's last health event: the next one's `previous` (its health events form one thread). */
  readonly lastEvent?: EventLink;
}

export const EMPTY_OUTPUT_HEALTH: OutputHealth = { consecutiveFailedRuns: 0 };

export interface OutputHealthTransition {
  readonly health: OutputHealth;
  readonly events: readonly WatcherEvent[];
}

/** A failure that stopped the output's queue for this run. */
export interface OutputFailure {
  readonly scope: Exclude<DeliveryScope, 'event'>;
  readonly reason: string;
  /** Events left waiting in its queue. */
  readonly waiting: number;
}

/** An event the output refused so many times that it is parked (kept, not retried). */
export interface ParkedDelivery {
  readonly event: WatcherEvent;
  readonly refusals: number;
  readonly reason: string;
}

/** The event source an output's health events name. `url` is empty: an output has no feed, and its target may be a secret. */
export function outputEventSource(outputId: string): EventSourceInfo {
  return { id: outputId, type: OUTPUT_SOURCE_TYPE, vendor: OUTPUT_VENDOR, url: '' };
}

/**
 * A run in which the output failed: bumps the counter; one `source.failing` per streak, at `threshold` consecutive
 * failed runs, or at once for a route-level failure, which retrying does not heal.
 */
export function recordOutputFailure(
  health: OutputHealth,
  outputId: string,
  failure: OutputFailure,
  now: Date,
  threshold: number,
): OutputHealthTransition {
  const nowIso = now.toISOString();
  const consecutiveFailedRuns = health.consecutiveFailedRuns + 1;
  const failingSince = health.failingSince ?? nowIso;
  const next: OutputHealth = {
    ...health,
    consecutiveFailedRuns,
    failingSince,
    lastError: { at: nowIso, scope: failure.scope, reason: failure.reason },
  };
  if (health.failingAnnounced || (failure.scope !== 'route' && consecutiveFailedRuns < threshold)) return { health: next, events: [] };
  const runs = `${consecutiveFailedRuns} consecutive run${consecutiveFailedRuns === 1 ? '' : 's'}`;
  const advice =
    failure.scope === 'route'
      ? 'Retrying will not heal this: fix the output (its token, channel, permissions or path).'
      : 'It is retried on every run.';
  const event = makeEvent(outputEventSource(outputId), 'source.failing', `failing:${failingSince}`, now, {
    itemId: outputId,
    title: cannotDeliverTitle(outputId, consecutiveFailedRuns),
    url: '',
    severity: 'major',
    occurredAt: failingSince,
    summary:
      `Delivery to ${outputId} failed in ${runs} since ${failingSince}: ${shorten(failure.reason, 500)}. ${advice} ` +
      `${waitingText(failure.waiting)} in its queue and go out in order once it works; the other outputs are not held up.`,
    status: 'failing',
  });
  return { health: { ...next, failingAnnounced: true }, events: [event] };
}

/** A run in which the output delivered its queue (or had nothing to deliver): after an announced streak, one `source.recovered`. */
export function recordOutputSuccess(health: OutputHealth, outputId: string, now: Date): OutputHealthTransition {
  const nowIso = now.toISOString();
  const next: OutputHealth = {
    ...health,
    consecutiveFailedRuns: 0,
    failingSince: undefined,
    failingAnnounced: undefined,
    lastSuccessAt: nowIso,
  };
  if (!health.failingAnnounced || !health.failingSince) return { health: next, events: [] };
  const event = makeEvent(outputEventSource(outputId), 'source.recovered', `recovered:${health.failingSince}`, now, {
    itemId: outputId,
    title: deliversAgainTitle(outputId),
    url: '',
    severity: 'info',
    occurredAt: nowIso,
    summary: `Delivery to ${outputId} works again after ${health.consecutiveFailedRuns} failed runs since ${health.failingSince}; the events it held have been delivered in order.`,
    status: 'recovered',
  });
  return { health: next, events: [event] };
}

/** One `source.failing` for an event the output refused until it was parked; it has no recovery of its own. */
export function parkedDeliveryEvent(outputId: string, parked: ParkedDelivery, now: Date): WatcherEvent {
  const { event } = parked;
  return makeEvent(outputEventSource(outputId), 'source.failing', `parked:${event.id}`, now, {
    itemId: outputId,
    title: parkedTitle(outputId, shorten(event.title, 200)),
    url: '',
    severity: 'major',
    occurredAt: now.toISOString(),
    summary:
      `${outputId} refused event ${event.id} (${event.type} from ${event.source}) in ${parked.refusals} runs: ` +
      `${shorten(parked.reason, 500)}. It is parked in the output's queue and not retried; the output's other events go on.`,
    status: 'failing',
  });
}

function waitingText(waiting: number): string {
  return waiting === 1 ? '1 event waits' : `${waiting} events wait`;
}
