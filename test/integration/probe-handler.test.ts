// The probe Lambda handler as deployed: config from WATCHER_CONFIG (the probe sources only), a real local DynamoDB, the
// SNS test server and the loopback fake token endpoint: a login is measured and silent on its first run, a wrong
// password is announced once on the topic and pauses the probe (no further token requests), and ids of other functions'
// sources are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { compiledProbeConfig } from '../../lib/probe-function.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from '../support/fake-token-endpoint.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const TABLE = 'watcher-probe-handler-test';

type Handler = (event: { sourceId: string }) => Promise<{
  outcome: string;
  reason?: string;
  published: number;
  skipped?: string;
  measurements?: Record<string, number>;
}>;

describe('probe Lambda handler', () => {
  let dynamo: RunningDynamo;
  let sns: SnsTestServer;
  let tenant: FakeTokenEndpoint;
  let topicArn: string;
  let handler: Handler;
  let seen = 0;
  const newEvents = (): WatcherEvent[] => {
    const all = sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    sns = await startSnsTestServer();
    tenant = await startFakeTokenEndpoint();
    topicArn = sns.createTopic('watcher-events');
    const config = parseConfig(
      {
        sources: [
          {
            id: 'login-us',
            type: 'auth0-synthetic-login',
            url: tenant.url,
            clientId: 'synthetic-client',
            clientSecret: 'env:PROBE_HANDLER_CLIENT_SECRET',
            username: 'synthetic-monitor@acme.example',
            password: 'env:PROBE_HANDLER_PASSWORD',
            realm: 'synthetic-monitoring',
          },
          { id: 'changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' },
        ],
      },
      '/',
    );
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      TOPIC_ARN: topicArn,
      WATCHER_CONFIG: compiledProbeConfig(config),
      PROBE_HANDLER_CLIENT_SECRET: 'client-secret-value',
      PROBE_HANDLER_PASSWORD: 'password-value',
      ...localAwsEnv({ dynamodb: dynamo.endpoint, sns: sns.endpoint }, 'CRITICAL'),
      POLL_METRICS_BY_SOURCE: 'false',
    });
    ({ handler } = (await import('../../functions/probe/handler.js')) as unknown as { handler: Handler });
  }, 60_000);

  afterAll(async () => {
    await tenant?.close();
    await sns?.close();
    await dynamo?.stop();
  });

  it('logs in, measures the latency and publishes nothing on its first (baseline) run', async () => {
    const result = await handler({ sourceId: 'login-us' });
    expect(result).toMatchObject({ outcome: 'unchanged', published: 0 });
    expect(result.measurements?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(tenant.count('/oauth/token')).toBe(1);
    expect(newEvents()).toEqual([]);
  });

  it('publishes one synthetic.misconfigured for a wrong password, then makes no further login attempt', async () => {
    tenant.answerWith({ answer: '403.invalid_grant.wrong-password' });
    expect(await handler({ sourceId: 'login-us' })).toMatchObject({ outcome: 'changed', published: 1 });
    const [event] = newEvents();
    expect(event).toMatchObject({ type: 'synthetic.misconfigured', source: 'login-us', synthetic: { outcome: 'misconfigured', httpStatus: 403 } });
    expect(JSON.stringify(event)).not.toContain('password-value');
    const paused = await handler({ sourceId: 'login-us' });
    expect(paused).toMatchObject({ outcome: 'unchanged', published: 0 });
    expect(paused.skipped).toMatch(/^paused since/);
    expect(tenant.count('/oauth/token')).toBe(2);
    expect(newEvents()).toEqual([]);
  });

  it('throws for a source id it was not built with: feeds are the poll function\'s', async () => {
    await expect(handler({ sourceId: 'changelog' })).rejects.toThrow('unknown source id "changelog"');
    await expect(handler({ sourceId: 'nope' })).rejects.toThrow('unknown source id "nope"');
  });
});
