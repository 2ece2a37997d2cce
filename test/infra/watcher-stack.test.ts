// Infrastructure assertions: the synthesized stack holds the resources, schedules and least-privilege grants the watcher relies on.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_INPUT, parseConfig } from '../../functions/config/config.js';
import { WatcherStack } from '../../lib/watcher-stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The feature flags `cdk synth` applies, so the tests see the template a deploy would. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Builds the stack from a raw config; skips esbuild unless `bundle` is set, which keeps most tests fast. */
function synthStack(input: unknown = DEFAULT_CONFIG_INPUT, options: { bundle?: boolean; outdir?: string } = {}) {
  const app = new App({
    outdir: options.outdir ?? tempDir('watcher-synth-'),
    context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new WatcherStack(app, 'Watcher', { config: parseConfig(input, ROOT) });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The default config with the advisories source's `token` set to `token`. */
function withAdvisoriesToken(token: string): unknown {
  return {
    ...DEFAULT_CONFIG_INPUT,
    sources: DEFAULT_CONFIG_INPUT.sources.map((source) =>
      source.type === 'github-advisories' ? { ...source, token } : source,
    ),
  };
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every identity policy in the template. */
function identityStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

function statementsFor(template: Template, service: string): Statement[] {
  return identityStatements(template).filter((s) => actionsOf(s).some((action) => action.startsWith(`${service}:`)));
}

function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('WatcherStack state', () => {
  const { template } = synthStack();

  it('keeps state in a retained pay-per-request table keyed pk/sk with PITR, AWS-managed encryption and TTL on expiresAt', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
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
    const topics = Object.values(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const properties = (topics[0] as { Properties: { KmsMasterKeyId: unknown; DisplayName: string } }).Properties;
    expect(JSON.stringify(properties.KmsMasterKeyId)).toMatch(/:alias\/aws\/sns"/);
    expect(properties.DisplayName).toBe('Auth0 ops watcher');
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('denies publishing to the topic over non-TLS connections', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalIdOf(template, 'AWS::SNS::Topic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('outputs the table name and the topic ARN and nothing else', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['TableName', 'TopicArn']);
    expect(outputs['TableName']?.['Value']).toEqual({ Ref: logicalIdOf(template, 'AWS::DynamoDB::Table') });
    expect(outputs['TopicArn']?.['Value']).toEqual({ Ref: logicalIdOf(template, 'AWS::SNS::Topic') });
  });
});

describe('WatcherStack poll function and schedules', () => {
  const { template } = synthStack();

  it('runs one poll function on Node.js 22, arm64, 256 MB and a 60 s timeout, logging to a one-month log group deleted with the stack', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const logGroupId = logicalIdOf(template, 'AWS::Logs::LogGroup');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
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
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    expect(Object.keys(fn.Properties.Environment.Variables).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_NAME',
      'TOPIC_ARN',
    ]);
  });

  it('does not retry a failed asynchronous invocation', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(template, 'AWS::Lambda::Function') },
      MaximumRetryAttempts: 0,
    });
  });

  it('creates exactly one schedule per source', () => {
    template.resourceCountIs('AWS::Events::Rule', DEFAULT_CONFIG_INPUT.sources.length);
  });

  it.each([
    ['auth0-status-us-1', 'rate(1 minute)'],
    ['auth0-changelog', 'rate(15 minutes)'],
    ['auth0-advisories', 'rate(1 hour)'],
  ])('polls %s at its type default %s, with {"sourceId"} as input and no EventBridge retries', (sourceId, rate) => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: rate,
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::Lambda::Function'), 'Arn'] },
          Input: JSON.stringify({ sourceId }),
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
  });

  it("uses a source's everyMinutes over its type default", () => {
    const input = {
      ...DEFAULT_CONFIG_INPUT,
      sources: [{ id: 'changelog-fast', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml', everyMinutes: 5 }],
    };
    const custom = synthStack(input).template;
    custom.resourceCountIs('AWS::Events::Rule', 1);
    custom.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Input: '{"sourceId":"changelog-fast"}' })],
    });
  });
});

describe('WatcherStack grants', () => {
  const { template } = synthStack();

  it('sets TABLE_NAME and grants exactly GetItem, PutItem, UpdateItem, Query and DeleteItem on the table only', () => {
    const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: tableId } }) },
    });
    const statements = statementsFor(template, 'dynamodb');
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Allow');
    expect(actionsOf(statements[0]!).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
  });

  it('sets TOPIC_ARN and grants sns:Publish on the topic only', () => {
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_ARN: { Ref: topicId } }) },
    });
    const statements = statementsFor(template, 'sns');
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
  it('bundles the poll function with the local esbuild into the cloud assembly, with the validated sources compiled in', () => {
    const outdir = tempDir('watcher-assembly-');
    const { app, template } = synthStack(DEFAULT_CONFIG_INPUT, { bundle: true, outdir });
    app.synth();
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: { S3Key: string } } };
    // The asset's S3 key is `<hash>.zip`; the cloud assembly keeps its unzipped contents in `asset.<hash>/`.
    const assetDir = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    const bundlePath = join(assetDir, 'index.mjs');
    expect(existsSync(bundlePath)).toBe(true);
    expect(existsSync(`${bundlePath}.map`)).toBe(true);
    expect(statSync(bundlePath).size).toBeGreaterThan(0);
    const bundle = readFileSync(bundlePath, 'utf8');
    for (const source of DEFAULT_CONFIG_INPUT.sources) expect(bundle).toContain(source.id);
    expect(bundle).toContain('failureThreshold');
    expect(bundle).not.toContain('process.env.WATCHER_CONFIG');
  }, 120_000);
});

describe('cdk synth', () => {
  it('synthesizes the app offline with `npx cdk synth --quiet` and no AWS credentials', async () => {
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
    const result = await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '-o', outdir], {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code ?? 1, stderr: error.stderr ?? '' }),
    );
    // stderr is compared only on failure, so a failing synth shows why.
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(join(outdir, 'Auth0OpsWatcher.template.json'))).toBe(true);
  }, 180_000);
});
