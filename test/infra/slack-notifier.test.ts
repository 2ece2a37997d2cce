// Infrastructure assertions for Slack delivery: per Slack output a queue subscribed through the route's filter policy, a
// notifier consuming it with bounded concurrency and no reserved concurrency, reading only its own secret, and the
// route's own dead-letter queue, which alarms the ops topic.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_INPUT } from '../../functions/config/config.js';
import type { ChannelNotifier as SlackNotifier } from '../../lib/channel-notifier.js';
import {
  actionsOf,
  identityStatements,
  logicalIdOf,
  opsAlarmActionOf,
  removeTempDirs,
  statementsFor,
  synthStack,
  tempDir,
} from './synth-watcher-stack.js';

afterAll(removeTempDirs);

const INCIDENTS = {
  type: 'slack',
  id: 'incidents',
  botToken: 'ssm:/auth0-watcher/slack-bot-token',
  channel: 'C0INCIDENTS',
  rules: { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] },
} as const;
const PLATFORM = {
  type: 'slack',
  id: 'platform',
  webhookUrl: 'ssm:/auth0-watcher/slack-webhook-platform',
  rules: { types: ['changelog.published', 'advisory.*'] },
} as const;

/** The default sources with `outputs`. */
function withOutputs(...outputs: unknown[]): unknown {
  return { ...DEFAULT_CONFIG_INPUT, outputs };
}

/** The default sources with the console output and the two Slack routes. */
const TWO_ROUTES = withOutputs({ type: 'console' }, INCIDENTS, PLATFORM);

interface LambdaFunction {
  Properties: {
    Description: string;
    Runtime: string;
    Architectures: string[];
    Role: { 'Fn::GetAtt': [string, 'Arn'] };
    Environment: { Variables: Record<string, unknown> };
    Code: { S3Key: string };
  };
}

function functionOf(template: Template, notifier: SlackNotifier): LambdaFunction {
  return template.findResources('AWS::Lambda::Function')[logicalIdOf(notifier.function.function)] as LambdaFunction;
}

function roleIdOf(template: Template, notifier: SlackNotifier): string {
  return functionOf(template, notifier).Properties.Role['Fn::GetAtt'][0];
}

function subscriptionOf(template: Template, notifier: SlackNotifier): { Properties: Record<string, unknown> } {
  return template.findResources('AWS::SNS::Subscription')[logicalIdOf(notifier.subscription)] as {
    Properties: Record<string, unknown>;
  };
}

describe('SlackNotifier functions', () => {
  const { stack, template } = synthStack(TWO_ROUTES);
  const [incidents, platform] = stack.notifiers;

  it('builds one notifier per Slack output, in config order, on Node.js 24 and arm64, and ignores the local-only outputs', () => {
    expect(stack.notifiers).toHaveLength(2);
    // The two notifiers, the poll function, the poll dispatcher and the alarm relay.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    for (const notifier of [incidents!, platform!]) {
      const fn = functionOf(template, notifier);
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
    expect(functionOf(template, incidents!).Properties.Description).toBe(
      'Posts watcher events to Slack output "incidents" (bot, channel C0INCIDENTS)',
    );
    expect(functionOf(template, platform!).Properties.Description).toBe(
      'Posts watcher events to Slack output "platform" (incoming webhook)',
    );
  });

  it('passes each notifier its route config as ROUTE, with secret references and never a secret value', () => {
    const tableId = logicalIdOf(stack.state.table);
    for (const [notifier, output] of [
      [incidents!, INCIDENTS],
      [platform!, PLATFORM],
    ] as const) {
      const variables = functionOf(template, notifier).Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'ROUTE', 'TABLE_NAME']);
      expect(variables['TABLE_NAME']).toEqual({ Ref: tableId });
      expect(variables['POWERTOOLS_SERVICE_NAME']).toBe('auth0-ops-watcher-slack');
      expect(JSON.parse(variables['ROUTE'] as string)).toEqual({ ...output, apiBaseUrl: 'https://slack.com/api/' });
    }
  });

  it('fills in slack-<index> as the route id of a Slack output without one', () => {
    const { id: _id, ...unnamed } = PLATFORM;
    const { stack: custom, template: customTemplate } = synthStack(withOutputs({ type: 'console' }, unnamed));
    expect(custom.notifiers).toHaveLength(1);
    const fn = functionOf(customTemplate, custom.notifiers[0]!);
    expect(JSON.parse(fn.Properties.Environment.Variables['ROUTE'] as string)).toMatchObject({ id: 'slack-1' });
    expect(fn.Properties.Description).toContain('"slack-1"');
  });

  it('consumes its own queue in batches of up to 10, two batches at a time at most, reporting the messages it did not deliver', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    for (const notifier of [incidents!, platform!]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(notifier.function.function) },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(notifier.queue), 'Arn'] },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.absent(),
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const consumes = statementsFor(template, 'sqs', roleIdOf(template, notifier));
      expect(consumes).toHaveLength(1);
      expect(actionsOf(consumes[0]!).sort()).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ]);
      expect(consumes[0]!.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(notifier.queue), 'Arn'] });
    }
  });

  it('reserves no concurrency for any function, and sets no asynchronous retries or dead-letter target on a queue consumer', () => {
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      expect({ id, reserved: (fn as { Properties: Record<string, unknown> }).Properties['ReservedConcurrentExecutions'] }).toEqual({
        id,
        reserved: undefined,
      });
    }
    for (const notifier of [incidents!, platform!]) {
      const functionId = logicalIdOf(notifier.function.function);
      expect(functionOf(template, notifier).Properties).not.toHaveProperty('DeadLetterConfig');
      expect(
        Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).filter(
          (config) => JSON.stringify(config).includes(`"${functionId}"`),
        ),
      ).toEqual([]);
    }
  });

  it('grants each notifier the GetItem, PutItem and UpdateItem its Slack store sends, on the table only', () => {
    const tableId = logicalIdOf(stack.state.table);
    for (const notifier of [incidents!, platform!]) {
      const statements = statementsFor(template, 'dynamodb', roleIdOf(template, notifier));
      expect(statements).toHaveLength(1);
      expect(actionsOf(statements[0]!).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
      expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    }
  });
});

describe('SlackNotifier secrets', () => {
  const { stack, template } = synthStack(TWO_ROUTES);
  const [incidents, platform] = stack.notifiers;

  it.each([
    ['incidents', 0, /:parameter\/auth0-watcher\/slack-bot-token"/],
    ['platform', 1, /:parameter\/auth0-watcher\/slack-webhook-platform"/],
  ])('grants the %s notifier ssm:GetParameter on exactly its own parameter', (_id, index, parameterArn) => {
    const statements = statementsFor(template, 'ssm', roleIdOf(template, stack.notifiers[index]!));
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(parameterArn);
  });

  it("gives no function another route's secret", () => {
    const incidentsPolicy = JSON.stringify(identityStatements(template, roleIdOf(template, incidents!)));
    const platformPolicy = JSON.stringify(identityStatements(template, roleIdOf(template, platform!)));
    expect(incidentsPolicy).not.toContain('slack-webhook-platform');
    expect(platformPolicy).not.toContain('slack-bot-token');
    const pollRoleId = (template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.poll.function)] as LambdaFunction)
      .Properties.Role['Fn::GetAtt'][0];
    expect(statementsFor(template, 'ssm', pollRoleId)).toEqual([]);
    expect(statementsFor(template, 'secretsmanager')).toEqual([]);
  });

  it('grants secretsmanager:GetSecretValue on the secret a secretsmanager: webhook names', () => {
    const custom = synthStack(withOutputs({ ...PLATFORM, webhookUrl: 'secretsmanager:auth0-watcher/slack-webhook' }));
    const roleId = roleIdOf(custom.template, custom.stack.notifiers[0]!);
    const statements = statementsFor(custom.template, 'secretsmanager', roleId);
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/:secret:auth0-watcher\/slack-webhook-\?\?\?\?\?\?"/);
    expect(statementsFor(custom.template, 'ssm', roleId)).toEqual([]);
  });

  it.each([
    ['botToken', { ...INCIDENTS, botToken: 'env:SLACK_BOT_TOKEN' }, 'output "incidents" field "botToken": "env:SLACK_BOT_TOKEN"'],
    ['webhookUrl', { ...PLATFORM, webhookUrl: 'env:SLACK_WEBHOOK' }, 'output "platform" field "webhookUrl": "env:SLACK_WEBHOOK"'],
  ])('refuses an env: %s with a ConfigError naming the output and the field', (_field, output, prefix) => {
    const build = () => synthStack(withOutputs(output));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(`${prefix} cannot be resolved on AWS`);
  });
});

describe('SlackNotifier subscriptions', () => {
  const { stack, template } = synthStack(TWO_ROUTES);
  const [incidents, platform] = stack.notifiers;
  const eventTopicId = logicalIdOf(stack.state.topic);

  it("subscribes each route's queue, and nothing else, to the event topic over the sqs protocol with raw message delivery", () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const notifier of [incidents!, platform!]) {
      const queueId = logicalIdOf(notifier.queue);
      expect(subscriptionOf(template, notifier).Properties).toMatchObject({
        Protocol: 'sqs',
        TopicArn: { Ref: eventTopicId },
        Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
        // The message is the event's JSON, as the poll function published it (the `default` of its json structure).
        RawMessageDelivery: true,
      });
      // Only the event topic may send to the queue.
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: eventTopicId } } },
            }),
          ]),
        },
      });
    }
    // No function is invoked by SNS any more.
    expect(
      Object.values(template.findResources('AWS::Lambda::Permission')).filter((p) =>
        JSON.stringify(p).includes('sns.amazonaws.com'),
      ),
    ).toEqual([]);
  });

  it('evaluates each route filter policy on the message attributes, stated so that later policy changes can be deployed', () => {
    for (const notifier of [incidents!, platform!]) {
      expect(subscriptionOf(template, notifier).Properties['FilterPolicyScope']).toBe('MessageAttributes');
    }
  });

  it('filters the bot route on type prefix, severity, and its region or no region at all', () => {
    expect(subscriptionOf(template, incidents!).Properties['FilterPolicy']).toEqual({
      type: [{ prefix: 'incident.' }],
      severity: ['critical'],
      region: ['US-1', { exists: false }],
    });
  });

  it('filters the webhook route on an exact type or a type prefix', () => {
    expect(subscriptionOf(template, platform!).Properties['FilterPolicy']).toEqual({
      type: ['changelog.published', { prefix: 'advisory.' }],
    });
  });

  it('subscribes a route without rules to every event, with no filter policy and so no scope', () => {
    const { rules: _rules, ...everything } = PLATFORM;
    const custom = synthStack(withOutputs(everything));
    const properties = subscriptionOf(custom.template, custom.stack.notifiers[0]!).Properties;
    expect(properties['FilterPolicy']).toBeUndefined();
    expect(properties['FilterPolicyScope']).toBeUndefined();
  });

  it('refuses rules beyond the SNS filter-policy limits with a ConfigError naming the output', () => {
    const busy = {
      ...PLATFORM,
      id: 'busy',
      rules: {
        sources: ['a', 'b', 'c', 'd', 'e'],
        types: ['incident.*', 'maintenance.*', 'changelog.published', 'advisory.*', 'source.*'],
        regions: ['US-1', 'US-3', 'EU-1', 'AU-1'],
        vendors: ['Auth0', 'Okta'],
      },
    };
    const build = () => synthStack(withOutputs(PLATFORM, busy));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^output "busy" field "rules": routing rules make 250 filter-policy combinations/);
  });

  it('refuses two Slack outputs with the same id', () => {
    const build = () => synthStack(withOutputs(PLATFORM, { ...INCIDENTS, id: 'platform' }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('outputs[1]: duplicate Slack output id "platform"');
  });
});

describe("SlackNotifier route queues, their dead-letter queues and alarms", () => {
  const { stack, template } = synthStack(TWO_ROUTES);
  const alarmAction = opsAlarmActionOf(stack);

  it("gives each route a queue of its own and a dead-letter queue of its own, besides the functions' shared one", () => {
    template.resourceCountIs('AWS::SQS::Queue', 1 + 2 * 2);
    const queues = stack.notifiers.flatMap((n) => [logicalIdOf(n.queue), logicalIdOf(n.deadLetterQueue)]);
    expect(new Set([...queues, logicalIdOf(stack.deadLetterQueue)]).size).toBe(5);
  });

  it('hides a message for twice the notifier timeout, keeps it four days, and moves it to the dead-letter queue after 15 receives', () => {
    for (const notifier of stack.notifiers) {
      const fn = functionOf(template, notifier) as LambdaFunction & { Properties: { Timeout: number } };
      expect(fn.Properties.Timeout).toBe(60);
      template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: 2 * 60,
        MessageRetentionPeriod: 4 * 24 * 60 * 60,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(notifier.deadLetterQueue), 'Arn'] }, maxReceiveCount: 15 },
      });
    }
  });

  it('keeps dead letters for 14 days, encrypted with SQS-managed keys', () => {
    for (const notifier of stack.notifiers) {
      expect(template.findResources('AWS::SQS::Queue')[logicalIdOf(notifier.deadLetterQueue)]).toMatchObject({
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 60 * 60 },
      });
    }
  });

  it('denies every access to every queue over non-TLS connections', () => {
    for (const queue of stack.notifiers.flatMap((n) => [n.queue, n.deadLetterQueue])) {
      const queueId = logicalIdOf(queue);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it("alarms the ops topic as soon as a route's message is in its dead-letter queue, and when it recovers", () => {
    for (const notifier of stack.notifiers) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(notifier.deadLetterQueue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: `A Slack route "${notifier.route.output.id}" event failed and waits in the dead-letter queue`,
        AlarmActions: [alarmAction],
        OKActions: [alarmAction],
      });
    }
  });

  it("alarms the ops topic when a route's dead letter has waited more than an hour", () => {
    for (const notifier of stack.notifiers) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(notifier.deadLetterQueue), 'QueueName'] } }],
        Threshold: 3600,
        AlarmActions: [alarmAction],
        OKActions: [alarmAction],
      });
    }
  });

  it("has exactly two alarms per dead-letter queue: each route's and the functions' shared one", () => {
    const sqsAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/SQS' } }));
    expect(sqsAlarms).toHaveLength(2 * 3);
  });
});

describe('SlackNotifier bundling', () => {
  it('bundles the notifier from functions/channels/slack/handler.ts with the local esbuild', () => {
    const outdir = tempDir('watcher-notifier-assembly-');
    const { app, stack, template } = synthStack(withOutputs(PLATFORM), { bundle: true, outdir });
    app.synth();
    const fn = functionOf(template, stack.notifiers[0]!);
    const bundlePath = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(bundlePath)).toBe(true);
    expect(readFileSync(bundlePath, 'utf8')).toMatch(/\bhandler\b/);
  }, 120_000);
});

describe('route queue timing against the notifier', () => {
  it("keeps the queue's timing consistent with the notifier's: redelivery after a dead claim, a deferral inside the order wait", async () => {
    const { DEFAULT_ROUTE_QUEUE_SETTINGS } = await import('../../functions/channels/consume-route-queue.js');
    const { DEFAULT_SLACK_DELIVERY_SETTINGS } = await import('../../functions/channels/slack/slack-delivery.js');
    const { NOTIFIER_TIMEOUT, ROUTE_QUEUE_MAX_RECEIVE_COUNT, ROUTE_QUEUE_VISIBILITY_TIMEOUT } = await import('../../lib/channel-notifier.js');
    const visibilityMs = ROUTE_QUEUE_VISIBILITY_TIMEOUT.toMilliseconds();
    // A redelivered message finds a dead attempt's claim already past its silence limit, so it is taken over, not refused.
    expect(visibilityMs).toBeGreaterThan(DEFAULT_SLACK_DELIVERY_SETTINGS.claimGraceMs);
    // A batch is never handed to another invocation while the first may still be running.
    expect(visibilityMs).toBeGreaterThan(NOTIFIER_TIMEOUT.toMilliseconds());
    // The order wait ends well before the message's receives run out: at least half of them stay for real attempts.
    expect(DEFAULT_ROUTE_QUEUE_SETTINGS.orderWaitMs / visibilityMs).toBeLessThanOrEqual(ROUTE_QUEUE_MAX_RECEIVE_COUNT / 2);
    // A crash costs no more than locally: the poller's lease (2 minutes) and a minute's cadence.
    expect(visibilityMs).toBeLessThanOrEqual(3 * 60_000);
  });
});
