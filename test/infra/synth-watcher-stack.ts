// Shared by the infrastructure tests: synthesizes a WatcherStack from a raw config and reads its template.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { expect } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../functions/config/config.js';
import { addCdkNagChecks } from '../../lib/cdk-nag-checks.js';
import { WatcherStack, type WatcherStackProps } from '../../lib/watcher-stack.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The feature flags `cdk synth` applies, so the tests see the template a deploy would. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

/**
 * Everything the stack can deploy at once: the default sources with the advisories token in Secrets Manager, a bot and
 * a webhook Slack route (their secrets in SSM), an email alert and a weekly digest.
 */
export const FULL_CONFIG_INPUT = {
  ...DEFAULT_CONFIG_INPUT,
  sources: DEFAULT_CONFIG_INPUT.sources.map((source) =>
    source.type === 'github-advisories' ? { ...source, token: 'secretsmanager:auth0-watcher/github-token' } : source,
  ),
  outputs: [
    { type: 'console' },
    {
      type: 'slack',
      id: 'incidents',
      botToken: 'ssm:/auth0-watcher/slack-bot-token',
      channel: 'C0INCIDENTS',
      rules: { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] },
    },
    {
      type: 'slack',
      id: 'platform',
      webhookUrl: 'ssm:/auth0-watcher/slack-webhook-platform',
      rules: { types: ['changelog.published', 'advisory.*'] },
    },
  ],
  email: {
    alerts: [{ addresses: ['oncall@example.com'], rules: { types: ['incident.*'], minSeverity: 'major' } }],
    digest: { addresses: ['ops@example.com'], frequency: 'weekly', time: '08:30', timeZone: 'Europe/Berlin' },
  },
};

/**
 * Secret values as a careless build could find them in its environment (set them with `vi.stubEnv`). The config only
 * ever references secrets, so none of these may appear in a template, an output or a bundle.
 */
export const FAKE_SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-test-secret-value-123',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/SECRETSECRET',
  GITHUB_TOKEN: 'ghp_testSecretValue000000000000000000000',
} as const;

const tempDirs: string[] = [];
/** A fresh temporary directory, removed by `removeTempDirs`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
/** Removes every directory `tempDir` made; call it from `afterAll`. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface SynthOptions {
  /** Run esbuild for the functions' assets. @default false, which keeps most tests fast */
  readonly bundle?: boolean;
  /** The cloud assembly directory. @default a fresh temporary directory */
  readonly outdir?: string;
  /** Stack props beyond the config. @default none */
  readonly props?: Omit<WatcherStackProps, 'config'>;
}

/**
 * Builds the stack from a raw config, with the cdk-nag checks bin/app.ts adds, and reads its template. Reading the
 * template synthesizes the app, so a cdk-nag finding neither fixed nor acknowledged fails every test that builds a stack.
 */
export function synthStack(input: unknown = DEFAULT_CONFIG_INPUT, options: SynthOptions = {}) {
  const app = new App({
    outdir: options.outdir ?? tempDir('watcher-synth-'),
    context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new WatcherStack(app, 'Watcher', { ...options.props, config: parseConfig(input, ROOT) });
  addCdkNagChecks(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The logical id of the one resource of `type`; fails when there is not exactly one. */
export function onlyLogicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

interface IamPolicy {
  Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
}

/** Every statement of every identity policy in the template, or of those attached to `roleId` only. */
export function identityStatements(template: Template, roleId?: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((policy) => policy as IamPolicy)
    .filter((policy) => roleId === undefined || policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

export function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

/** The identity statements naming an action of `service`, in the whole template or for `roleId` only. */
export function statementsFor(template: Template, service: string, roleId?: string): Statement[] {
  return identityStatements(template, roleId).filter((s) => actionsOf(s).some((action) => action.startsWith(`${service}:`)));
}

/** What every alarm's action is: the alarm relay function, which publishes to the ops topic. */
export function opsAlarmActionOf(stack: WatcherStack): unknown {
  return { 'Fn::GetAtt': [logicalIdOf(stack.alarms.relay.function), 'Arn'] };
}

/** The topic-policy statement that refuses publishing over connections without TLS (`enforceSSL`). */
export const DENY_NON_TLS_PUBLISH = Match.objectLike({
  Effect: 'Deny',
  Action: 'sns:Publish',
  Principal: '*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});
