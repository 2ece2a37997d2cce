// Security assertions over the whole app: no cdk-nag finding left unacknowledged and each acknowledgment explained,
// least-privilege grants, encryption and TLS for every topic, the table and the queue, and no secret value deployed.
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { WatcherStack } from '../../lib/watcher-stack.js';
import type { WatcherFunction } from '../../lib/watcher-function.js';
import {
  actionsOf,
  DENY_NON_TLS_PUBLISH,
  FAKE_SECRETS,
  FULL_CONFIG_INPUT,
  identityStatements,
  logicalIdOf,
  removeTempDirs,
  type Statement,
  synthStack,
} from './synth-watcher-stack.js';

afterAll(removeTempDirs);

interface Acknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every cdk-nag acknowledgment in the app, with the construct it sits on. */
function acknowledgmentsIn(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // CDK records an id without a plugin prefix under its annotations namespace; cdk-nag reads it without one.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  const { app, stack } = synthStack(FULL_CONFIG_INPUT);

  it('find nothing unacknowledged in the full config: two Slack outputs, email alerts, a digest and secret references', () => {
    // synthStack already synthesized the app with the checks bin/app.ts adds (a finding would have thrown); running the
    // pack again here shows what it reports, and the synthesis left no error or warning annotation either.
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it("acknowledge only the schedules' grants on their functions' qualifiers, each on its own resource, and no runtime", () => {
    const digestFunctionId = logicalIdOf(stack.digest!.function.function);
    const dispatcherId = logicalIdOf(stack.pollSchedule.dispatcher.function);
    expect(
      acknowledgmentsIn(app)
        .map(({ path, id }) => `${path}: ${id}`)
        .sort(),
    ).toEqual(
      [
        `Watcher/PollSchedule/EveryMinute/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::<${dispatcherId}.Arn>:*]`,
        `Watcher/EmailDigest/Schedule/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::<${digestFunctionId}.Arn>:*]`,
      ].sort(),
    );
  });

  it('give every acknowledgment a reason of at least one full sentence', () => {
    const acknowledgments = acknowledgmentsIn(app);
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgments) {
      const words = reason.trim().split(/\s+/);
      expect(words.length, `${path}: ${id}`).toBeGreaterThanOrEqual(10);
      expect(reason, `${path}: ${id}`).toMatch(/^[A-Z].*[.]$/s);
    }
  });
});

/** Services whose data-plane actions must name their resources. */
const CHECKED_SERVICES = ['dynamodb', 'sns', 'sqs', 'ssm', 'secretsmanager', 'kms', 'logs', 'lambda', 'cloudwatch'];

/**
 * Actions IAM cannot scope to a resource, so `Resource: "*"` is the only way to grant them. cloudwatch:PutMetricData
 * is the one a watcher could need; none is granted today, because the poll metrics are written to the log (EMF).
 */
const NO_RESOURCE_LEVEL_PERMISSIONS = new Set(['cloudwatch:PutMetricData']);

interface PolicyStatements {
  /** Where the statement comes from, for messages: `<logical id> (<resource type>)`. */
  readonly where: string;
  readonly type: string;
  readonly statements: Statement[];
}

/** Every statement of every policy in the template: identity policies, inline role policies and resource policies. */
function allPolicyStatements(template: Template): PolicyStatements[] {
  const resources = template.toJSON()['Resources'] as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  type Document = { Statement: Statement[] };
  return Object.entries(resources).flatMap(([id, { Type: type, Properties: properties = {} }]) => {
    const where = `${id} (${type})`;
    const documents: Document[] = [];
    if (properties['PolicyDocument']) documents.push(properties['PolicyDocument'] as Document);
    if (properties['KeyPolicy']) documents.push(properties['KeyPolicy'] as Document);
    for (const policy of (properties['Policies'] as { PolicyDocument: Document }[] | undefined) ?? []) {
      documents.push(policy.PolicyDocument);
    }
    return documents.map((document) => ({ where, type, statements: document.Statement }));
  });
}

/** What is wrong with one Allow statement, if anything: a wildcard action, or a data-plane action on every resource. */
function wildcardProblemsOf(statement: Statement): string[] {
  if (statement.Effect !== 'Allow') return [];
  const actions = actionsOf(statement).filter((action) => CHECKED_SERVICES.includes(action.split(':')[0]!));
  const resources = [statement.Resource].flat();
  return [
    ...actions.filter((action) => action.includes('*')).map((action) => `wildcard action ${action}`),
    ...(resources.includes('*')
      ? actions.filter((action) => !NO_RESOURCE_LEVEL_PERMISSIONS.has(action)).map((action) => `${action} on Resource "*"`)
      : []),
  ];
}

/** The role of a function, by logical id. */
function roleIdOf(template: Template, fn: WatcherFunction): string {
  const resource = template.findResources('AWS::Lambda::Function')[logicalIdOf(fn.function)] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] } };
  };
  return resource.Properties.Role['Fn::GetAtt'][0];
}

/** A policy value with the logical ids of known resources replaced by their names, for readable expectations. */
function render(value: unknown, names: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => render(item, names)).join(' and ');
  const object = value as Record<string, unknown>;
  if (typeof object['Ref'] === 'string') return names[object['Ref']] ?? `\${${object['Ref']}}`;
  if (object['Fn::GetAtt']) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    return `${names[id] ?? id}.${attribute}`;
  }
  if (object['Fn::Join']) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part, names)).join(separator);
  }
  return JSON.stringify(value);
}

/** The grants of a role, one line per statement: `<actions> on <resources>`. */
function grantsOf(template: Template, roleId: string, names: Readonly<Record<string, string>>): string[] {
  return identityStatements(template, roleId)
    .map((statement) => `${actionsOf(statement).sort().join(', ')} on ${render(statement.Resource, names)}`)
    .sort();
}

/** Readable names of the stack's resources, by logical id. */
function resourceNames(stack: WatcherStack): Record<string, string> {
  const functions: [string, WatcherFunction][] = [
    ['poll', stack.poll],
    ['poll dispatcher', stack.pollSchedule.dispatcher],
    ...stack.notifiers.map((notifier): [string, WatcherFunction] => [`${notifier.route.output.id} notifier`, notifier.function]),
    ...(stack.digest ? [['digest', stack.digest.function] as [string, WatcherFunction]] : []),
    ['alarm relay', stack.alarms.relay],
  ];
  return {
    [logicalIdOf(stack.state.table)]: 'table',
    [logicalIdOf(stack.state.topic)]: 'event topic',
    [logicalIdOf(stack.state.opsTopic)]: 'ops topic',
    ...(stack.state.digestTopic && { [logicalIdOf(stack.state.digestTopic)]: 'digest topic' }),
    [logicalIdOf(stack.deadLetterQueue)]: 'dead-letter queue',
    ...Object.fromEntries(stack.notifiers.map((notifier) => [logicalIdOf(notifier.queue), `${notifier.route.output.id} queue`])),
    ...Object.fromEntries(
      functions.flatMap(([name, fn]) => [
        [logicalIdOf(fn.function), `${name} function`],
        [logicalIdOf(fn.logGroup), `${name} log group`],
      ]),
    ),
  };
}

const ARN_PREFIX = 'arn:${AWS::Partition}';
const REGION_ACCOUNT = '${AWS::Region}:${AWS::AccountId}';

describe('least privilege', () => {
  const { stack, template } = synthStack(FULL_CONFIG_INPUT);
  const names = resourceNames(stack);
  const [incidents, platform] = stack.notifiers;

  it('grants the poll function its own log group, the item operations of its state store, the event topic, its one secret and the dead-letter queue', () => {
    expect(grantsOf(template, roleIdOf(template, stack.poll), names)).toEqual([
      'dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query, dynamodb:UpdateItem on table.Arn',
      'logs:CreateLogStream, logs:PutLogEvents on poll log group.Arn',
      `secretsmanager:GetSecretValue on ${ARN_PREFIX}:secretsmanager:${REGION_ACCOUNT}:secret:auth0-watcher/github-token-??????`,
      'sns:Publish on event topic',
      'sqs:SendMessage on dead-letter queue.Arn',
    ]);
  });

  it.each([
    ['incidents', () => incidents!, 'slack-bot-token'],
    ['platform', () => platform!, 'slack-webhook-platform'],
  ])("grants the %s notifier its own log group, the Slack store's item operations, its own parameter and the consuming of its own queue", (name, notifier, parameter) => {
    expect(grantsOf(template, roleIdOf(template, notifier().function), names)).toEqual([
      'dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem on table.Arn',
      `logs:CreateLogStream, logs:PutLogEvents on ${name} notifier log group.Arn`,
      `sqs:ChangeMessageVisibility, sqs:DeleteMessage, sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:ReceiveMessage on ${name} queue.Arn`,
      `ssm:GetParameter on ${ARN_PREFIX}:ssm:${REGION_ACCOUNT}:parameter/auth0-watcher/${parameter}`,
    ]);
  });

  it('grants the poll dispatcher its own log group, the invoking of the poll function (not its versions) and the dead-letter queue', () => {
    expect(grantsOf(template, roleIdOf(template, stack.pollSchedule.dispatcher), names)).toEqual([
      'lambda:InvokeFunction on poll function.Arn',
      'logs:CreateLogStream, logs:PutLogEvents on poll dispatcher log group.Arn',
      'sqs:SendMessage on dead-letter queue.Arn',
    ]);
  });

  it('grants the digest function its own log group, the reads and watermark puts of its stores, the digest topic, the listing of both email topics and the dead-letter queue', () => {
    expect(grantsOf(template, roleIdOf(template, stack.digest!.function), names)).toEqual([
      'dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query on table.Arn',
      'logs:CreateLogStream, logs:PutLogEvents on digest log group.Arn',
      'sns:ListSubscriptionsByTopic on digest topic and event topic',
      'sns:Publish on digest topic',
      'sqs:SendMessage on dead-letter queue.Arn',
    ]);
  });

  it('grants the alarm relay its own log group, the ops topic and the dead-letter queue', () => {
    expect(grantsOf(template, roleIdOf(template, stack.alarms.relay), names)).toEqual([
      'logs:CreateLogStream, logs:PutLogEvents on alarm relay log group.Arn',
      'sns:Publish on ops topic',
      'sqs:SendMessage on dead-letter queue.Arn',
    ]);
  });

  it("has no role beyond the six functions' and the two schedules', and attaches no AWS managed policy to any", () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(8);
    for (const role of Object.values(roles)) {
      expect((role as { Properties: Record<string, unknown> }).Properties['ManagedPolicyArns']).toBeUndefined();
    }
  });

  it.each([
    ['the full config', FULL_CONFIG_INPUT],
    ['the default config', undefined],
  ])('allows no wildcard action and no data-plane action on Resource "*" in any policy, from %s', (_name, input) => {
    const { template: checked } = input ? { template } : synthStack();
    const problems = allPolicyStatements(checked)
      .flatMap(({ where, statements }) => statements.flatMap((statement) => wildcardProblemsOf(statement).map((p) => `${where}: ${p}`)));
    expect(problems).toEqual([]);
  });
});

describe('encryption and TLS', () => {
  const { stack, template } = synthStack(FULL_CONFIG_INPUT);

  it.each([
    ['event', () => stack.state.topic],
    ['digest', () => stack.state.digestTopic!],
    ['ops', () => stack.state.opsTopic],
  ])('encrypts the %s topic with a KMS key and denies publishing to it over non-TLS connections', (_name, topic) => {
    const topicId = logicalIdOf(topic());
    const resource = template.findResources('AWS::SNS::Topic')[topicId] as { Properties: { KmsMasterKeyId?: unknown } };
    expect(resource.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          DENY_NON_TLS_PUBLISH,
        ]),
      },
    });
  });

  it('encrypts the table and keeps point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('encrypts every queue (dead-letter queues and Slack route queues) and denies every access to it over non-TLS connections', () => {
    const queues = Object.entries(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(1 + 2 * stack.notifiers.length);
    for (const [queueId, queue] of queues) {
      expect((queue as { Properties: Record<string, unknown> }).Properties['SqsManagedSseEnabled']).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('secrets', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('never puts a secret value into the template or its outputs, only references, even with the values in the environment', () => {
    for (const [name, value] of Object.entries(FAKE_SECRETS)) vi.stubEnv(name, value);
    const { template } = synthStack(FULL_CONFIG_INPUT);
    const json = JSON.stringify(template.toJSON());
    for (const value of Object.values(FAKE_SECRETS)) {
      expect(json).not.toContain(value);
      expect(JSON.stringify(template.findOutputs('*'))).not.toContain(value);
    }
    // What the functions do get: where to fetch each secret.
    expect(json).toContain('ssm:/auth0-watcher/slack-bot-token');
    expect(json).toContain('ssm:/auth0-watcher/slack-webhook-platform');
  });
});
