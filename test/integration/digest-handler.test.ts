// The digest Lambda as deployed: config compiled in, a real local DynamoDB, the event and digest topics on the SNS test
// server with their email subscriptions.
import { ConfirmSubscriptionCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import { makeSnsClient } from '../../functions/adapters/sns-publisher.js';
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
  let eventTopicArn: string;
  let handler: () => Promise<string>;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    sns = await startSnsTestServer();
    topicArn = sns.createTopic('watcher-digest');
    eventTopicArn = sns.createTopic('watcher-events');
    // What a deployment looks like some days later: one alert address confirmed, the other unsubscribed (a mail
    // scanner followed the unsubscribe link), one digest address confirmed and one still pending confirmation.
    const client = makeSnsClient({ endpoint: sns.endpoint });
    const subscribe = async (topic: string, address: string, confirm: boolean) => {
      await client.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: address }));
      if (!confirm) return undefined;
      const token = sns.confirmationToken(topic, address)!;
      return (await client.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: token }))).SubscriptionArn!;
    };
    await subscribe(eventTopicArn, 'oncall@example.com', true);
    sns.followUnsubscribeLink((await subscribe(eventTopicArn, 'sre@example.com', true))!);
    await subscribe(topicArn, 'ops@example.com', true);
    await subscribe(topicArn, 'lead@example.com', false);
    client.destroy();
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      DIGEST_TOPIC_ARN: topicArn,
      EVENT_TOPIC_ARN: eventTopicArn,
      // As the stack compiles it in: validated, defaults filled in.
      WATCHER_CONFIG: compiledDigestConfig(
        parseConfig(
          {
            sources: [{ id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' }],
            email: {
              alerts: [{ addresses: ['oncall@example.com', 'sre@example.com'], rules: { types: ['incident.*'], minSeverity: 'major' } }],
              digest: { addresses: ['ops@example.com', 'lead@example.com'], timeZone: 'Europe/Berlin' },
            },
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

  it('reports in the published digest the address pending confirmation and the address gone, with the commands that fix them', () => {
    const digest = sns.published(topicArn)[0]!;
    expect(digest.subject).toContain('1 subscription missing, 1 unconfirmed');
    const prose = digest.message.replace(/\s+/g, ' ');
    expect(prose).toContain('Email subscriptions: 1 address no longer subscribed, 1 not confirmed; see WATCHER HEALTH.');
    expect(prose).toContain('Email subscriptions: 2 of 4 confirmed, 1 pending confirmation, 1 missing.');
    expect(digest.message).toContain(
      [
        '  ! lead@example.com (email.digest, digest topic)',
        '      aws sns confirm-subscription \\',
        `        --topic-arn ${topicArn} \\`,
        '        --token "$TOKEN" \\',
        '        --authenticate-on-unsubscribe true',
      ].join('\n'),
    );
    expect(digest.message).toContain(
      [
        '  ! sre@example.com (email.alerts[0], event topic)',
        '      aws sns subscribe \\',
        `        --topic-arn ${eventTopicArn} \\`,
        '        --protocol email \\',
        '        --notification-endpoint sre@example.com \\',
        `        --attributes '{"FilterPolicy":"{\\"type\\":[{\\"prefix\\":\\"incident.\\"}],\\"severity\\":[\\"critical\\",\\"major\\"]}","FilterPolicyScope":"MessageAttributes"}'`,
      ].join('\n'),
    );
    expect(digest.message).not.toMatch(/oncall@example\.com|ops@example\.com/);
  });
});
