// Per-source health: counts consecutive failures and derives source.failing / source.recovered, purely.
import { makeEvent, type EventSourceInfo } from './event-factory.js';
import type { WatcherEvent } from './model.js';
import type { SourceState } from './tracked.js';
import { cannotReadTitle, readsAgainTitle } from './watcher-health-text.js';

export interface HealthTransition {
  readonly state: SourceState;
  readonly events: readonly WatcherEvent[];
}

/** A failed poll: bumps the counter; at the threshold, one `source.failing` for this failure streak. */
export function recordFailure(
  state: SourceState,
  source: EventSourceInfo,
  failure: { readonly url: string; readonly reason: string },
  now: Date,
  threshold: number,
): HealthTransition {
  const nowIso = now.toISOString();
  const consecutiveFailures = state.consecutiveFailures + 1;
  const failingSince = state.failingSince ?? nowIso;
  const next: SourceState = {
    ...state,
    consecutiveFailures,
    failingSince,
    lastError: { at: nowIso, url: failure.url, reason: failure.reason },
  };
  if (consecutiveFailures < threshold || state.failingAnnounced) return { state: next, events: [] };
  const event = makeEvent(source, 'source.failing', `failing:${failingSince}`, now, {
    itemId: source.id,
    title: cannotReadTitle(source.name ?? source.id, consecutiveFailures),
    url: source.url,
    severity: 'major',
    occurredAt: failingSince,
    summary: `${consecutiveFailures} consecutive polls failed since ${failingSince}; last error: ${failure.reason} (${failure.url})`,
    status: 'failing',
  });
  return { state: { ...next, failingAnnounced: true }, events: [event] };
}

/** A successful poll: resets the counter; after an announced failure streak, one `source.recovered`. */
export function recordSuccess(state: SourceState, source: EventSourceInfo, now: Date): HealthTransition {
  const nowIso = now.toISOString();
  const next: SourceState = {
    ...state,
    consecutiveFailures: 0,
    failingSince: undefined,
    failingAnnounced: undefined,
    lastSuccessAt: nowIso,
  };
  if (!state.failingAnnounced || !state.failingSince) return { state: next, events: [] };
  const event = makeEvent(source, 'source.recovered', `recovered:${state.failingSince}`, now, {
    itemId: source.id,
    title: readsAgainTitle(source.name ?? source.id),
    url: source.url,
    severity: 'info',
    occurredAt: nowIso,
    summary: `Polling succeeds again after ${state.consecutiveFailures} failed polls since ${state.failingSince}.`,
    status: 'recovered',
  });
  return { state: next, events: [event] };
}
