// Infrastructure assertions: the synthesized stack holds the resources, schedules and least-privilege grants the watcher relies on.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_INPUT } from '../../functions/config/config.js';
import {
  actionsOf,
  DENY_NON_TLS_PUBLISH,
  FAKE_SECRETS,
  FULL_CONFIG_INPUT,
  logicalIdOf,
  onlyLogicalId,
  ROOT,
  removeTempDirs,
  statementsFor,
  synthStack,
  tempDir,
} from './synth-watcher-stack.js';

afterAll(removeTempDirs);

/** The default config with the advisories source's `token` set to `token`. */
function withAdvisoriesToken(token: string): unknown {
  return {
    ...DEFAULT_CONFIG_INPUT,
    sources: DEFAULT_CONFIG_INPUT.sources.map((source) =>
      source.type === 'github-advisories' ? { ...source, token } : source,
    ),
  };
}

describe('WatcherStack state', () => {
  const { stack, template } = synthStack();
  const eventTopicId = logicalIdOf(stack.state.topic);
  const opsTopicId = logicalIdOf(stack.state.opsTopic);

  it('keeps state in a pay-per-request table keyed pk/sk with PITR, AWS-managed encryption and TTL on expiresAt, retained on update and delete but not left behind by a failed first deploy', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      // Retain, except when the create of the table itself is rolled back: then it is new, empty and deleted.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayEquals([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key id is the AWS-managed key.
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent(), SSEType: Match.absent() },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it('encrypts the event topic with the AWS-managed alias/aws/sns key and gives it a display name', () => {
    const topic = template.findResources('AWS::SNS::Topic')[eventTopicId] as {
      Properties: { KmsMasterKeyId: unknown; DisplayName: string };
    };
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toMatch(/:alias\/aws\/sns"/);
    expect(topic.Properties.DisplayName).toBe('Auth0 ops watcher');
  });

  it.each([
    ['event', () => eventTopicId],
    ['ops', () => opsTopicId],
  ])('denies publishing to the %s topic over non-TLS connections', (_name, topicId) => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          DENY_NON_TLS_PUBLISH,
        ]),
      },
    });
  });

  it('has exactly two topics: events and ops', () => {
    expect(Object.keys(template.findResources('AWS::SNS::Topic')).sort()).toEqual([eventTopicId, opsTopicId].sort());
  });

  it('encrypts the ops topic with the AWS-managed key too, and creates no customer managed key', () => {
    const topic = template.findResources('AWS::SNS::Topic')[opsTopicId] as {
      Properties: { KmsMasterKeyId: unknown; DisplayName: string };
    };
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toMatch(/:alias\/aws\/sns"/);
    expect(topic.Properties.DisplayName).toBe('Auth0 ops watcher alarms');
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('lets no service principal publish to any topic: alarms reach the ops topic through the relay function', () => {
    for (const topicId of [eventTopicId, opsTopicId]) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny' })] },
      });
    }
  });

  it('outputs the table name, the topic ARN and the ops topic ARN and nothing else', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['OpsTopicArn', 'TableName', 'TopicArn']);
    expect(outputs['TableName']?.['Value']).toEqual({ Ref: onlyLogicalId(template, 'AWS::DynamoDB::Table') });
    expect(outputs['TopicArn']?.['Value']).toEqual({ Ref: eventTopicId });
    expect(outputs['OpsTopicArn']?.['Value']).toEqual({ Ref: opsTopicId });
  });

  it('builds no notifier when the config has no Slack output; the dead-letter queue is there for the other functions', () => {
    // The poll function, the poll dispatcher and the alarm relay.
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    expect(stack.notifiers).toEqual([]);
  });
});

describe('WatcherStack poll function and schedules', () => {
  const { stack, template } = synthStack();
  const pollId = logicalIdOf(stack.poll.function);

  it('runs one poll function on Node.js 24, arm64, 256 MB and a 60 s timeout, logging to a one-month log group deleted with the stack', () => {
    // The poll function, the poll dispatcher and the alarm relay.
    template.resourceCountIs('AWS::Lambda::Function', 3);
    const logGroupId = logicalIdOf(stack.poll.logGroup);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'auth0-ops-watcher',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('passes the config to the function only through the bundle, never as an environment variable', () => {
    const fn = template.findResources('AWS::Lambda::Function')[pollId] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([
      'NODE_OPTIONS',
      'POLL_METRICS_BY_SOURCE',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_NAME',
      'TOPIC_ARN',
    ]);
  });

  it('does not retry a failed asynchronous invocation', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: pollId },
      MaximumRetryAttempts: 0,
    });
  });

  /** The poll plan compiled into the dispatcher's bundle. */
  function planOf(built: ReturnType<typeof synthStack>['stack']): { id: string; everyMinutes: number }[] {
    const define = built.pollSchedule.dispatcher.bundleDefine['process.env.WATCHER_POLL_PLAN']!;
    return (JSON.parse(JSON.parse(define) as string) as { sources: { id: string; everyMinutes: number }[] }).sources;
  }

  it('polls every source through one every-minute Scheduler schedule and the dispatcher: no rule and no invoke permission per source', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    const dispatcherId = logicalIdOf(stack.pollSchedule.dispatcher.function);
    // The digest is not configured here, so this is the one schedule.
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [dispatcherId, 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      }),
    });
    // The poll function's resource policy is empty: the dispatcher's role holds the one invoke grant, on its ARN only.
    expect(
      Object.values(template.findResources('AWS::Lambda::Permission')).filter(
        (p) => JSON.stringify((p as { Properties: { FunctionName: unknown } }).Properties.FunctionName).includes(pollId),
      ),
    ).toEqual([]);
    const dispatcherRole = (template.findResources('AWS::Lambda::Function')[dispatcherId] as {
      Properties: { Role: { 'Fn::GetAtt': [string, string] } };
    }).Properties.Role['Fn::GetAtt'][0];
    expect(statementsFor(template, 'lambda', dispatcherRole)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [pollId, 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POLL_FUNCTION_NAME: { 'Fn::GetAtt': [pollId, 'Arn'] } }) },
    });
  });

  it('plans every source at its type default cadence, in config order: status every minute, change log 15, advisories 60', () => {
    expect(planOf(stack)).toEqual([
      { id: 'auth0-status-us-1', everyMinutes: 1 },
      { id: 'auth0-changelog', everyMinutes: 15 },
      { id: 'auth0-advisories', everyMinutes: 60 },
    ]);
  });

  it("plans third-party presets every 5 minutes, with a dead-man's switch each when detailed", () => {
    const withPresets = synthStack(
      { ...DEFAULT_CONFIG_INPUT, presets: ['github', 'google-workspace', 'facebook-login'] },
      { props: { monitoring: 'detailed' } },
    );
    const plan = planOf(withPresets.stack);
    expect(plan).toHaveLength(DEFAULT_CONFIG_INPUT.sources.length + 3);
    const sourceAlarms = Template.fromStack(withPresets.stack.sourceAlarmStacks[0]!);
    for (const sourceId of ['github', 'google-workspace', 'facebook-login']) {
      expect(plan).toContainEqual({ id: sourceId, everyMinutes: 5 });
      sourceAlarms.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'SuccessfulPolls',
        Dimensions: [{ Name: 'Source', Value: sourceId }],
        TreatMissingData: 'breaching',
      });
    }
  });

  it("uses a source's everyMinutes over its type default", () => {
    const input = {
      ...DEFAULT_CONFIG_INPUT,
      sources: [{ id: 'changelog-fast', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml', everyMinutes: 5 }],
    };
    expect(planOf(synthStack(input).stack)).toEqual([{ id: 'changelog-fast', everyMinutes: 5 }]);
  });
});

describe('WatcherStack grants', () => {
  const { stack, template } = synthStack();

  it('sets TABLE_NAME and grants exactly the GetItem, PutItem, UpdateItem and Query its state store sends, on the table only', () => {
    const tableId = onlyLogicalId(template, 'AWS::DynamoDB::Table');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: tableId } }) },
    });
    const statements = statementsFor(template, 'dynamodb');
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Allow');
    expect(actionsOf(statements[0]!).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
  });

  it('sets TOPIC_ARN and grants sns:Publish on the topic only', () => {
    const topicId = logicalIdOf(stack.state.topic);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_ARN: { Ref: topicId } }) },
    });
    const statements = statementsFor(template, 'sns', logicalIdOf(stack.poll.role));
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['sns:Publish']);
    expect(statements[0]!.Resource).toEqual({ Ref: topicId });
  });

  it('grants no secret access when no source references a secret', () => {
    expect(statementsFor(template, 'ssm')).toEqual([]);
    expect(statementsFor(template, 'secretsmanager')).toEqual([]);
    expect(statementsFor(template, 'kms')).toEqual([]);
  });

  it('grants ssm:GetParameter on exactly the parameter an ssm: token names', () => {
    const custom = synthStack(withAdvisoriesToken('ssm:/auth0-watcher/github-token')).template;
    const statements = statementsFor(custom, 'ssm');
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/:parameter\/auth0-watcher\/github-token"/);
    expect(statementsFor(custom, 'secretsmanager')).toEqual([]);
  });

  it('grants secretsmanager:GetSecretValue on the secret a secretsmanager: token names, whatever its random suffix', () => {
    const custom = synthStack(withAdvisoriesToken('secretsmanager:auth0-watcher/github-token')).template;
    const statements = statementsFor(custom, 'secretsmanager');
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/:secret:auth0-watcher\/github-token-\?\?\?\?\?\?"/);
    expect(statementsFor(custom, 'ssm')).toEqual([]);
  });

  it('refuses an env: token with a ConfigError naming the source and the field', () => {
    const build = () => synthStack(withAdvisoriesToken('env:GITHUB_TOKEN'));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/source "auth0-advisories" field "token": "env:GITHUB_TOKEN" cannot be resolved on AWS/);
  });
});

describe('WatcherStack bundling', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('bundles the poll function with the local esbuild into the cloud assembly, with the validated sources compiled in and no secret value', () => {
    // Secret values where a careless build would find them, in the environment of the synth and of esbuild.
    for (const [name, value] of Object.entries(FAKE_SECRETS)) vi.stubEnv(name, value);
    const outdir = tempDir('watcher-assembly-');
    // Only the poll function and the alarm relay: bundling is the slow part of a synth.
    const input = withAdvisoriesToken('secretsmanager:auth0-watcher/github-token');
    const { app, stack, template } = synthStack(input, { bundle: true, outdir });
    app.synth();
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack.poll.function)] as {
      Properties: { Code: { S3Key: string } };
    };
    const { S3Key } = fn.Properties.Code;
    // The asset's S3 key is `<hash>.zip`; the cloud assembly keeps its unzipped contents in `asset.<hash>/`.
    const assetDir = join(outdir, `asset.${S3Key.replace(/\.zip$/, '')}`);
    const bundlePath = join(assetDir, 'index.mjs');
    expect(existsSync(bundlePath)).toBe(true);
    expect(existsSync(`${bundlePath}.map`)).toBe(true);
    expect(statSync(bundlePath).size).toBeGreaterThan(0);
    const bundle = readFileSync(bundlePath, 'utf8');
    for (const source of DEFAULT_CONFIG_INPUT.sources) expect(bundle).toContain(source.id);
    expect(bundle).toContain('failureThreshold');
    expect(bundle).not.toContain('process.env.WATCHER_CONFIG');
    // The reference is compiled in; the value is fetched at run time.
    expect(bundle).toContain('secretsmanager:auth0-watcher/github-token');
    const assembly = [bundle, readFileSync(`${bundlePath}.map`, 'utf8'), JSON.stringify(template.toJSON())].join('\n');
    for (const value of Object.values(FAKE_SECRETS)) expect(assembly).not.toContain(value);
  }, 120_000);
});

describe('cdk synth', () => {
  // One run of the CLI on the largest shape of the app (cdk-nag runs inside it): detailed monitoring (a dead-man's switch
  // per source in a nested stack, errors and throttles of each of five functions besides the relay, and each Slack
  // route's dead-letter queue). The default config's app is synthesized in process by the tests above.
  it.each([
    [
      'a config file with two Slack outputs, email alerts and a digest, and -c monitoring=detailed',
      FULL_CONFIG_INPUT,
      ['-c', 'monitoring=detailed'],
      6,
      // All sources' switch, 5 functions × 2, the shared dead-letter queue's 2, and 2 per Slack route.
      1 + 5 * 2 + 2 + 2 * 2,
    ],
  ])(
    'synthesizes the app offline from %s with `npx cdk synth --quiet`, no AWS credentials, no deprecation warning and no cdk-nag finding',
    async (_name, config, context, functions, alarms) => {
      const outdir = tempDir('watcher-cdk-out-');
      const env: NodeJS.ProcessEnv = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_')),
      );
      Object.assign(env, {
        AWS_REGION: 'us-east-1',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        // No credentials from anywhere: no files, no instance metadata.
        AWS_CONFIG_FILE: join(outdir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      const args = ['cdk', 'synth', '--quiet', '-o', join(outdir, 'cdk.out')];
      if (config) {
        const configFile = join(outdir, 'watcher.config.json');
        writeFileSync(configFile, JSON.stringify(config));
        args.push('-c', `config=${configFile}`);
      }
      args.push(...context);
      const result = await promisify(execFile)('npx', args, { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 }).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code ?? 1, stderr: error.stderr ?? '' }),
      );
      // stderr is compared whole only on failure, so a failing synth shows why.
      expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stderr).not.toMatch(/deprecat|\[Warning at/i);
      const templatePath = join(outdir, 'cdk.out', 'Auth0OpsWatcher.template.json');
      expect(existsSync(templatePath)).toBe(true);
      const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
        Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: { rules_to_suppress: { id: string }[] } } }>;
      };
      const lambdas = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(lambdas).toHaveLength(functions);
      expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(alarms);
      const report = JSON.parse(readFileSync(join(outdir, 'cdk.out', 'validation-report.json'), 'utf8')) as {
        pluginReports: unknown[];
      };
      expect(report.pluginReports).toEqual([]);
      // bin/app.ts ran the AwsSolutions checks, which copy each acknowledgment into the template: none on a function
      // (the runtime is the newest, so AwsSolutions-L1 has nothing to say), one on each schedule role's policy.
      for (const fn of lambdas) expect(fn.Metadata?.cdk_nag).toBeUndefined();
      const acknowledged = Object.values(template.Resources).flatMap(
        (r) => r.Metadata?.cdk_nag?.rules_to_suppress.map((rule) => `${r.Type} ${rule.id.replace(/\[.*$/, '')}`) ?? [],
      );
      expect(acknowledged.sort()).toEqual(Array<string>(2).fill('AWS::IAM::Policy AwsSolutions-IAM5'));
    },
    180_000,
  );
});
