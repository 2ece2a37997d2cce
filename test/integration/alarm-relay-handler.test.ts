// The alarm relay Lambda as deployed: CloudWatch invokes it with an alarm, it publishes to the ops topic over the SNS
// wire protocol (the SNS test server here).
import { readFileSync } from 'node:fs';
import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAwsEnv } from '../support/local-aws-env.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const EVENT = JSON.parse(
  readFileSync(new URL('../fixtures/cloudwatch/alarm-lambda-action.json', import.meta.url), 'utf8'),
) as CloudWatchAlarmEvent;

describe('alarm relay Lambda handler', () => {
  let sns: SnsTestServer;
  let topicArn: string;
  let handler: (event: CloudWatchAlarmEvent) => Promise<{ messageId: string | undefined }>;

  beforeAll(async () => {
    sns = await startSnsTestServer();
    topicArn = sns.createTopic('watcher-ops');
    Object.assign(process.env, {
      OPS_TOPIC_ARN: topicArn,
      ...localAwsEnv({ sns: sns.endpoint }),
    });
    ({ handler } = await import('../../functions/ops/handler.js'));
  });

  afterAll(async () => {
    await sns?.close();
  });

  it('publishes the alarm to the ops topic once, as JSON for programs and text for email', async () => {
    const before = sns.published(topicArn).length;
    const { messageId } = await handler(EVENT);
    const published = sns.published(topicArn).slice(before);
    expect(published).toHaveLength(1);
    const [message] = published;
    expect(message!.messageId).toBe(messageId);
    expect(message!.messageStructure).toBe('json');
    expect(message!.subject).toBe(`ALARM: "${EVENT.alarmData.alarmName}" in eu-west-1`);
    const body = JSON.parse(message!.message) as { default: string; email: string };
    expect(JSON.parse(body.default)).toMatchObject({ AlarmName: EVENT.alarmData.alarmName, NewStateValue: 'ALARM' });
    expect(body.email).toContain(EVENT.alarmData.configuration.description);
  });

  it('rides out SNS errors with retries, publishing once', async () => {
    const before = sns.published(topicArn).length;
    sns.failNext(2, { status: 500, code: 'InternalError' });
    await handler(EVENT);
    expect(sns.published(topicArn).length - before).toBe(1);
  });

  it('fails the invocation when SNS keeps refusing, so Lambda retries it and then dead-letters it', async () => {
    const before = sns.published(topicArn).length;
    const requestsBefore = sns.requestCount('Publish');
    // The relay client's 3 attempts (functions/contract.ts), all refused.
    sns.failNext(3, { status: 500, code: 'InternalError', message: 'SNS is down' });
    await expect(handler(EVENT)).rejects.toThrow(/SNS is down/);
    expect(sns.requestCount('Publish') - requestsBefore).toBe(3);
    expect(sns.published(topicArn).length - before).toBe(0);
  });

  it('relays a recovery (OK after ALARM) and stays silent on the OK every alarm reaches after a deploy', async () => {
    const okAfter = (previous: string) =>
      ({
        ...EVENT,
        alarmData: {
          ...EVENT.alarmData,
          state: { ...EVENT.alarmData.state, value: 'OK' },
          previousState: { ...EVENT.alarmData.previousState!, value: previous },
        },
      }) as unknown as CloudWatchAlarmEvent;
    const before = sns.published(topicArn).length;
    await expect(handler(okAfter('INSUFFICIENT_DATA'))).resolves.toEqual({ messageId: undefined });
    expect(sns.published(topicArn).length - before).toBe(0);
    const { messageId } = await handler(okAfter('ALARM'));
    const published = sns.published(topicArn).slice(before);
    expect(published).toHaveLength(1);
    expect(published[0]!.messageId).toBe(messageId);
    expect(published[0]!.subject).toBe(`RECOVERED: "${EVENT.alarmData.alarmName}" in eu-west-1`);
  });
});

