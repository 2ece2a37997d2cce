// The Slack notifier's optional ordering settings from the environment: absent by default, whole milliseconds when set.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/config/config-base.js';
import { loadSlackLambdaConfig } from '../../functions/channels/slack/slack-notifier.js';

const ROUTE = JSON.stringify({
  type: 'slack',
  id: 'incidents',
  botToken: 'ssm:/auth0-watcher/slack-bot-token',
  channel: 'C0INCIDENTS',
  apiBaseUrl: 'https://slack.com/api/',
  rules: { types: ['incident.*'] },
});

describe('the Slack notifier’s ordering settings', () => {
  it('leaves the defaults in place when the stack sets none', () => {
    expect(loadSlackLambdaConfig({ ROUTE, TABLE_NAME: 't' }).ordering).toBeUndefined();
  });

  it('reads PREDECESSOR_WAIT_MS and ORDER_WAIT_MS as whole milliseconds', () => {
    expect(loadSlackLambdaConfig({ ROUTE, TABLE_NAME: 't', PREDECESSOR_WAIT_MS: '2000' }).ordering).toEqual({ predecessorWaitMs: 2000 });
    expect(loadSlackLambdaConfig({ ROUTE, TABLE_NAME: 't', PREDECESSOR_WAIT_MS: '0', ORDER_WAIT_MS: '900000' }).ordering).toEqual({
      predecessorWaitMs: 0,
      orderWaitMs: 900_000,
    });
  });

  it('fails the cold start naming the variable when a value is not a whole number', () => {
    for (const value of ['10s', '-1', '1.5', 'NaN']) {
      expect(() => loadSlackLambdaConfig({ ROUTE, TABLE_NAME: 't', ORDER_WAIT_MS: value })).toThrow(ConfigError);
      expect(() => loadSlackLambdaConfig({ ROUTE, TABLE_NAME: 't', ORDER_WAIT_MS: value })).toThrow(
        'environment variable ORDER_WAIT_MS must be a whole number of milliseconds',
      );
    }
  });
});
