// The digest Lambda as deployed: config compiled in, a real local DynamoDB, the digest topic on the SNS test server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { parseConfig } from '../../functions/config/config.js';
import { compiledDigestConfig } from '../../lib/watcher-stack.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { sampleEvent } from '../support/sample-event.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const TABLE = 'watcher-digest-handler';

describe('digest Lambda handler', () => {
  let dynamo: RunningDynamo;
  let sns: SnsTestServer;
  let topicArn: string;
  let handler: () => Promise<string>;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    sns = await startSnsTestServer();
    topicArn = sns.createTopic('watcher-digest');
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      DIGEST_TOPIC_ARN: topicArn,
      // As the stack compiles it in: validated, defaults filled in.
      WATCHER_CONFIG: compiledDigestConfig(
        parseConfig(
          {
            sources: [{ id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' }],
            email: { digest: { timeZone: 'Europe/Berlin' } },
          },
          '/',
        ),
      ),
      ...localAwsEnv({ dynamodb: dynamo.endpoint, sns: sns.endpoint }),
    });
    ({ handler } = await import('../../functions/digest/handler.js'));
  }, 60_000);

  afterAll(async () => {
    await sns?.close();
    await dynamo?.stop();
  });

  it('sends the digest of the last day to the digest topic as plain text, then covers only what is new', async () => {
    const store = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    await store.logEvent(sampleEvent({ id: 'evt-1', detectedAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }));
    expect(await handler()).toBe('sent');
    const [digest, ...rest] = sns.published(topicArn);
    expect(rest).toEqual([]);
    expect(digest!.subject).toMatch(/^\[Auth0 digest\] /);
    expect(digest!.messageStructure).toBeUndefined();
    expect(digest!.message).toContain('RESOLVED IN THIS PERIOD (1)');
    expect(digest!.message).toContain('WATCHER HEALTH');
    expect(await handler()).toBe('nothing-due');
  });
});
