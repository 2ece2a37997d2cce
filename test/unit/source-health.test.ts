// Source health: consecutive failures, one source.failing per streak, one source.recovered after it.
import { describe, expect, it } from 'vitest';
import { recordFailure, recordSuccess } from '../../functions/core/source-health.js';
import { EMPTY_SOURCE_STATE, type SourceState } from '../../functions/core/tracked.js';

const SOURCE = { id: 'auth0-changelog', type: 'auth0-changelog', vendor: 'Auth0', url: 'https://auth0.com/changelog/rss.xml' };
const FAILURE = { url: 'https://auth0.com/changelog/rss.xml', reason: 'HTTP 503 Service Unavailable' };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 12, minute));

describe('source health', () => {
  it('emits source.failing once, at the threshold, naming the URL and the reason', () => {
    let state: SourceState = EMPTY_SOURCE_STATE;
    const events = [];
    for (let minute = 0; minute < 5; minute += 1) {
      const t = recordFailure(state, SOURCE, FAILURE, at(minute), 3);
      state = t.state;
      events.push(...t.events.map((e) => ({ minute, e })));
    }
    expect(events.map(({ minute }) => minute)).toEqual([2]);
    expect(events[0]!.e).toMatchObject({
      type: 'source.failing',
      itemId: 'auth0-changelog',
      url: 'https://auth0.com/changelog/rss.xml',
      severity: 'major',
      occurredAt: at(0).toISOString(),
    });
    expect(events[0]!.e.summary).toContain('HTTP 503 Service Unavailable');
    expect(state).toMatchObject({ consecutiveFailures: 5, failingAnnounced: true, lastError: { reason: FAILURE.reason } });
  });

  it('emits source.recovered on the first success after an announced streak, and nothing after a short one', () => {
    let state: SourceState = EMPTY_SOURCE_STATE;
    state = recordFailure(state, SOURCE, FAILURE, at(0), 3).state;
    const quiet = recordSuccess(state, SOURCE, at(1));
    expect(quiet.events).toEqual([]);
    expect(quiet.state.consecutiveFailures).toBe(0);

    for (let minute = 2; minute < 5; minute += 1) state = recordFailure(state, SOURCE, FAILURE, at(minute), 3).state;
    const back = recordSuccess(state, SOURCE, at(6));
    expect(back.events.map((e) => [e.type, e.itemId, e.severity])).toEqual([['source.recovered', 'auth0-changelog', 'info']]);
    expect(back.state).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: at(6).toISOString() });
    expect(back.state.failingAnnounced).toBeUndefined();
  });

  it('gives failing and recovered events of one streak stable, distinct ids', () => {
    let state: SourceState = EMPTY_SOURCE_STATE;
    const failing = [];
    for (let minute = 0; minute < 3; minute += 1) {
      const t = recordFailure(state, SOURCE, FAILURE, at(minute), 3);
      state = t.state;
      failing.push(...t.events);
    }
    const again = recordFailure(recordFailure(EMPTY_SOURCE_STATE, SOURCE, FAILURE, at(0), 3).state, SOURCE, FAILURE, at(1), 2);
    expect(again.events[0]!.id).toBe(failing[0]!.id);
    expect(recordSuccess(state, SOURCE, at(9)).events[0]!.id).not.toBe(failing[0]!.id);
  });
});
