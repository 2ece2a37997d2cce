// Infrastructure assertions for Slack delivery: one notifier per Slack output, subscribed through the route's filter
// policy, reading only its own secret, failing once into a shared dead-letter queue that alarms the ops topic.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_INPUT } from '../../functions/config/config.js';
import type { SlackNotifier } from '../../lib/slack-notifier.js';
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

  it('builds one notifier per Slack output, in config order, on Node.js 22 and arm64, and ignores the local-only outputs', () => {
    expect(stack.notifiers).toHaveLength(2);
    // The two notifiers, the poll function and the alarm relay.
    template.resourceCountIs('AWS::Lambda::Function', 4);
    for (const notifier of [incidents!, platform!]) {
      const fn = functionOf(template, notifier);
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
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

  it('does not retry a failed invocation, and sends it to the dead-letter queue instead', () => {
    const queueId = logicalIdOf(stack.deadLetterQueue);
    for (const notifier of [incidents!, platform!]) {
      const functionId = logicalIdOf(notifier.function.function);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId },
        MaximumRetryAttempts: 0,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: functionOf(template, notifier).Properties.Description,
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      });
      const sends = statementsFor(template, 'sqs', roleIdOf(template, notifier));
      expect(sends).toHaveLength(1);
      expect(actionsOf(sends[0]!)).toEqual(['sqs:SendMessage']);
      expect(sends[0]!.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    }
  });

  it('runs each notifier one invocation at a time (reserved concurrency 1)', () => {
    for (const notifier of [incidents!, platform!]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: functionOf(template, notifier).Properties.Description,
        ReservedConcurrentExecutions: 1,
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Polls'),
      ReservedConcurrentExecutions: Match.absent(),
    });
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

  it('subscribes each notifier, and nothing else, to the event topic over the lambda protocol', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const notifier of [incidents!, platform!]) {
      const functionId = logicalIdOf(notifier.function.function);
      expect(subscriptionOf(template, notifier).Properties).toMatchObject({
        Protocol: 'lambda',
        TopicArn: { Ref: eventTopicId },
        Endpoint: { 'Fn::GetAtt': [functionId, 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'sns.amazonaws.com',
        SourceArn: { Ref: eventTopicId },
      });
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

  it('subscribes a route without rules to every event', () => {
    const { rules: _rules, ...everything } = PLATFORM;
    const custom = synthStack(withOutputs(everything));
    expect(subscriptionOf(custom.template, custom.stack.notifiers[0]!).Properties['FilterPolicy']).toBeUndefined();
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

describe('SlackNotifier dead-letter queue (shared by every function) and its alarms', () => {
  const { stack, template } = synthStack(TWO_ROUTES);
  const queueId = logicalIdOf(stack.deadLetterQueue);
  const alarmAction = opsAlarmActionOf(stack);

  it('keeps failed events for 14 days in one queue encrypted with SQS-managed keys', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
      KmsMasterKeyId: Match.absent(),
    });
  });

  it('denies every access to the queue over non-TLS connections', () => {
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
  });

  it('alarms the ops topic as soon as a failed event is in the queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [alarmAction],
    });
  });

  it('alarms the ops topic when a failed event has waited more than an hour', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 3600,
      TreatMissingData: 'notBreaching',
      AlarmActions: [alarmAction],
    });
  });

  it('has exactly these two alarms on the queue', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/SQS' } }))).toHaveLength(2);
  });
});

describe('SlackNotifier bundling', () => {
  it('bundles the notifier from functions/slack/handler.ts with the local esbuild', () => {
    const outdir = tempDir('watcher-notifier-assembly-');
    const { app, stack, template } = synthStack(withOutputs(PLATFORM), { bundle: true, outdir });
    app.synth();
    const fn = functionOf(template, stack.notifiers[0]!);
    const bundlePath = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(bundlePath)).toBe(true);
    expect(readFileSync(bundlePath, 'utf8')).toMatch(/\bhandler\b/);
  }, 120_000);
});
