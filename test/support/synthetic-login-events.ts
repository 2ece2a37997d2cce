// Test support: the synthetic login's events for a run of token-endpoint answers, one a minute, judged by the probe's
// own judge on the real-shaped answers (test/fixtures/auth0-tenant/synthetic/): failing after 2 failures in a row, slow
// above 2 s three times in a row.
import type { WatcherEvent } from '../../functions/core/model.js';
import { classifyTokenAnswer, judge, type SyntheticState } from '../../functions/sources/auth0-synthetic-login/judge.js';
import { ropgResponse, type RopgAnswer } from './fake-token-endpoint.js';

export function syntheticLoginEvents(answers: readonly RopgAnswer[]): WatcherEvent[] {
  const source = { id: 'login-us', type: 'auth0-synthetic-login', vendor: 'Auth0', url: 'https://acme.us.auth0.com' };
  let state: SyntheticState | undefined;
  return answers.flatMap((name, minute) => {
    const { status, body } = ropgResponse(name);
    const judged = judge(state, classifyTokenAnswer(status, body, 300), {
      source,
      now: new Date(Date.parse('2026-11-20T10:00:00Z') + minute * 60_000),
      slowThresholdMs: 2_000,
      slowAfter: 3,
      failingAfter: 2,
      pauseHours: 24,
      mode: 'login',
      configHash: 'c',
      secretsHash: 's',
    });
    state = judged.state;
    return judged.events;
  });
}
