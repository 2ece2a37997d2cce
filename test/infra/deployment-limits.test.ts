// What AWS accepts, for the largest deployment the stack is built for (500 sources, three Slack routes, email alerts
// and a digest) in both monitoring levels, and the synth-time check that stops a config breaking a limit in one line.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEPLOYMENT, DEFAULT_DEPLOYMENT_SOURCES, deploymentWithSources, GROWTH_ROWS } from '../../bench/deployments.js';
import { checkDeploymentLimits, DEPLOYMENT_LIMITS, DeploymentLimitError } from '../../lib/deployment-limits.js';
import type { WatcherStack } from '../../lib/watcher-stack.js';
import { LARGE_CONFIG_INPUT, LARGE_CONFIG_SOURCES } from './large-config.js';
import { logicalIdOf, removeTempDirs, ROOT, synthStack, tempDir } from './synth-watcher-stack.js';

afterAll(removeTempDirs);

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The main stack's template and each nested stack's, by name. */
function templatesOf(stack: WatcherStack): [string, Resources][] {
  return [stack, ...stack.sourceAlarmStacks].map((s) => [s.node.path, Template.fromStack(s).toJSON()['Resources'] as Resources]);
}

/** Bytes of a function's environment as Lambda counts them, a value CloudFormation fills in counted at 256 (an ARN's most). */
function environmentBytes(properties: Record<string, unknown>): number {
  const variables = (properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return Object.entries(variables).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : 256),
    0,
  );
}

describe.each(['standard', 'detailed'] as const)('the 500-source config with %s monitoring', (monitoring) => {
  const { stack } = synthStack(LARGE_CONFIG_INPUT, { props: { monitoring } });
  const templates = templatesOf(stack);
  const all = templates.flatMap(([, resources]) => Object.entries(resources));
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type);

  it('polls all 500 sources', () => {
    const plan = stack.pollSchedule.dispatcher.bundleDefine['process.env.WATCHER_POLL_PLAN']!;
    expect((JSON.parse(JSON.parse(plan) as string) as { sources: unknown[] }).sources).toHaveLength(LARGE_CONFIG_SOURCES);
  });

  it('holds fewer than 500 resources in every stack, nested stacks included', () => {
    for (const [name, resources] of templates) {
      // CDK adds AWS::CDK::Metadata to a stack when it is deployed by the CLI.
      expect(Object.keys(resources).length + 1, name).toBeLessThan(DEPLOYMENT_LIMITS.resourcesPerStack);
    }
    expect(stack.sourceAlarmStacks).toHaveLength(monitoring === 'detailed' ? 3 : 0);
  });

  it('puts at most 30 statements in any Lambda resource policy', () => {
    const byFunction = new Map<string, number>();
    for (const [, permission] of ofType('AWS::Lambda::Permission')) {
      const key = JSON.stringify(permission.Properties!['FunctionName']);
      byFunction.set(key, (byFunction.get(key) ?? 0) + 1);
    }
    expect([...byFunction.values()].every((count) => count <= DEPLOYMENT_LIMITS.lambdaPolicyStatements)).toBe(true);
    // The relay's one permission covers every alarm.
    expect([...byFunction.values()]).toEqual([1]);
  });

  it('keeps every function environment under 4 KB', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(1 + 1 + 3 + 1 + 1);
    for (const [id, fn] of functions) {
      expect({ id, under: environmentBytes(fn.Properties!) < DEPLOYMENT_LIMITS.lambdaEnvironmentBytes }).toEqual({ id, under: true });
    }
  });

  it('runs every function on nodejs24.x with no reserved concurrency', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties!['Runtime']).toBe('nodejs24.x');
      expect(fn.Properties!['ReservedConcurrentExecutions']).toBeUndefined();
    }
  });

  it('scopes every filtered subscription to message attributes', () => {
    const filtered = ofType('AWS::SNS::Subscription').filter(([, s]) => s.Properties!['FilterPolicy'] !== undefined);
    // The three Slack routes and the three alert addresses.
    expect(filtered).toHaveLength(6);
    for (const [, subscription] of filtered) expect(subscription.Properties!['FilterPolicyScope']).toBe('MessageAttributes');
  });

  it('reports recovery on every alarm: each has OK actions like its alarm actions', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBe(monitoring === 'detailed' ? 1 + 500 + 6 * 2 + 2 + 3 * 2 : 1 + 2 + 3 * 2);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties!['OKActions']).toEqual(alarm.Properties!['AlarmActions']);
      expect(alarm.Properties!['AlarmActions']).toHaveLength(1);
    }
  });

  it('gives each Slack route its queue, its dead-letter queue and their alarms', () => {
    const [main] = templates;
    for (const notifier of stack.notifiers) {
      const queue = main![1][logicalIdOf(notifier.queue)]!;
      expect(queue.Properties!['RedrivePolicy']).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(notifier.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 15,
      });
      const watching = ofType('AWS::CloudWatch::Alarm').filter(([, alarm]) =>
        JSON.stringify(alarm.Properties!['Dimensions'] ?? []).includes(`"${logicalIdOf(notifier.deadLetterQueue)}"`),
      );
      expect(watching.map(([, alarm]) => alarm.Properties!['MetricName']).sort()).toEqual([
        'ApproximateAgeOfOldestMessage',
        'ApproximateNumberOfMessagesVisible',
      ]);
    }
    expect(stack.notifiers).toHaveLength(3);
  });
});

describe('the synth-time limit check', () => {
  const manyAddresses = {
    ...LARGE_CONFIG_INPUT,
    email: {
      alerts: [{ addresses: Array.from({ length: 450 }, (_, i) => `person${i}@example.com`), rules: { minSeverity: 'critical' } }],
    },
  };

  it('stops a config whose email addresses would overflow the stack, naming the stack, the limit and where they come from', () => {
    const build = () => synthStack(manyAddresses);
    expect(build).toThrow(DeploymentLimitError);
    expect(build).toThrow(
      /^stack Watcher would hold 5\d\d resources, over CloudFormation's 500 a stack; most are 453 AWS::SNS::Subscription \(one per email address in email\.alerts and email\.digest, one per Slack route\)/,
    );
  });

  it("stops a Slack route whose rules would overflow its notifier's 4 KB environment, naming the function and the variable", () => {
    const vendors = Array.from({ length: 100 }, (_, i) => `A vendor with a rather long display name, no. ${i}`);
    const input = {
      ...LARGE_CONFIG_INPUT,
      outputs: [{ type: 'slack', id: 'wordy', webhookUrl: 'ssm:/auth0-watcher/hook', rules: { vendors } }],
    };
    const build = () => synthStack(input);
    expect(build).toThrow(DeploymentLimitError);
    expect(build).toThrow(
      /^function Watcher\/SlackNotifier-wordy\/Notifier\/Function would have \d+ bytes of environment variables, over Lambda's 4096; ROUTE takes \d+/,
    );
  });

  it('stops a function with more invoke permissions than the resource policy takes', () => {
    const stack = new Stack(new App(), 'Permissions');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    for (let i = 0; i < 30; i += 1) fn.addPermission(`P${i}`, { principal: new iam.ServicePrincipal('events.amazonaws.com') });
    expect(() => checkDeploymentLimits(stack)).not.toThrow();
    fn.addPermission('P30', { principal: new iam.ServicePrincipal('events.amazonaws.com') });
    expect(() => checkDeploymentLimits(stack)).toThrow(
      /^function Permissions\/Fn would have 31 statements in its resource policy, over the 30 this stack allows/,
    );
  });

  it('makes the CDK app exit 2 with that one line on stderr, before anything is bundled', async () => {
    const dir = tempDir('watcher-limits-');
    const configFile = join(dir, 'watcher.json');
    writeFileSync(configFile, JSON.stringify(manyAddresses));
    const result = await promisify(execFile)('npx', ['tsx', 'bin/app.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ config: configFile }), CDK_OUTDIR: join(dir, 'out') },
    }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual([expect.stringMatching(/^stack Auth0OpsWatcher would hold 5\d\d resources, over/), '']);
  }, 60_000);
});

describe("docs/cost.md's deployments", () => {
  it.each(GROWTH_ROWS.map((n) => [n]))(
    'deploys the %i-source row of the cost table: it synthesizes within every limit, with detailed monitoring too',
    (sources) => {
      for (const monitoring of ['standard', 'detailed'] as const) {
        // The limit check runs as the stack is built and throws on any limit broken.
        const { stack } = synthStack(deploymentWithSources(sources), { props: { monitoring } });
        const plan = stack.pollSchedule.dispatcher.bundleDefine['process.env.WATCHER_POLL_PLAN']!;
        expect((JSON.parse(JSON.parse(plan) as string) as { sources: unknown[] }).sources).toHaveLength(sources);
      }
    },
  );

  it('prices as the default deployment exactly the config in examples/default-deployment.json: 14 sources', () => {
    expect(DEFAULT_DEPLOYMENT_SOURCES).toBe(14);
    expect(deploymentWithSources(DEFAULT_DEPLOYMENT_SOURCES)).toEqual({ ...DEFAULT_DEPLOYMENT, sources: DEFAULT_DEPLOYMENT.sources });
  });
});
