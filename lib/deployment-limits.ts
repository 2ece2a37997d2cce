// What AWS accepts, checked when the app is synthesized: a config that would break a CloudFormation or Lambda limit
// stops `cdk synth` with one line naming the limit and what in the config breaks it, instead of failing a deploy halfway.
import { CfnResource, type IResolvable, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ConfigError } from '../functions/config/config-base.js';

export const DEPLOYMENT_LIMITS = {
  /** CloudFormation's resources per stack (a nested stack is a stack of its own). */
  resourcesPerStack: 500,
  /** Lambda: the total size of a function's environment variables, names included. */
  lambdaEnvironmentBytes: 4096,
  /**
   * The watcher's own ceiling on the statements of a function's resource policy. Lambda caps the policy at 20 KB, about
   * 47 statements of the size CDK writes; at 30 there is room left for statements added outside this stack.
   */
  lambdaPolicyStatements: 30,
} as const;

/**
 * The length assumed for a value not known at synth (a table name, an ARN): longer than any CloudFormation gives these
 * resources, so a config that passes here passes on AWS.
 */
const UNRESOLVED_VALUE_BYTES = 256;
/** CDK adds one resource of its own to each stack at synth: AWS::CDK::Metadata. */
const CDK_METADATA_RESOURCES = 1;

/** Where resources of a type come from in the config, for the message of a stack that holds too many. */
const CONFIG_ORIGIN: Readonly<Record<string, string>> = {
  'AWS::CloudWatch::Alarm': 'alarms: per source and per function with monitoring=detailed, two per Slack route',
  'AWS::SNS::Subscription': 'one per email address in email.alerts and email.digest, one per Slack route',
  'AWS::SQS::Queue': 'two per Slack route',
  'AWS::SQS::QueuePolicy': 'two per Slack route',
  'AWS::Lambda::Function': 'one per Slack route',
  'AWS::Lambda::EventSourceMapping': 'one per Slack route',
  'AWS::IAM::Role': 'one per function',
  'AWS::IAM::Policy': 'one per function',
  'AWS::Logs::LogGroup': 'one per function',
};

/** A configuration AWS would refuse to deploy; the message is one line. The CDK app exits 2 on it, like on ConfigError. */
export class DeploymentLimitError extends ConfigError {}

/**
 * Checks every stack under `root` (nested stacks included) against {@link DEPLOYMENT_LIMITS}; throws
 * {@link DeploymentLimitError} for the first limit broken. Call it once everything is built.
 */
export function checkDeploymentLimits(root: Stack): void {
  const all = root.node.findAll();
  checkResourcesPerStack(all);
  for (const fn of all.filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)) checkEnvironment(fn);
  checkPolicyStatements(all);
}

function checkResourcesPerStack(all: readonly IConstruct[]): void {
  const byStack = new Map<Stack, CfnResource[]>();
  for (const resource of all.filter((c): c is CfnResource => CfnResource.isCfnResource(c))) {
    const stack = Stack.of(resource);
    byStack.set(stack, [...(byStack.get(stack) ?? []), resource]);
  }
  for (const [stack, resources] of byStack) {
    const total = resources.length + CDK_METADATA_RESOURCES;
    if (total <= DEPLOYMENT_LIMITS.resourcesPerStack) continue;
    const byType = new Map<string, number>();
    for (const r of resources) byType.set(r.cfnResourceType, (byType.get(r.cfnResourceType) ?? 0) + 1);
    const top = [...byType]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([type, count]) => `${count} ${type}${CONFIG_ORIGIN[type] ? ` (${CONFIG_ORIGIN[type]})` : ''}`);
    throw new DeploymentLimitError(
      `stack ${stack.node.path} would hold ${total} resources, over CloudFormation's ${DEPLOYMENT_LIMITS.resourcesPerStack} ` +
        `a stack; most are ${top.join(', ')}: deploy fewer of these with this config`,
    );
  }
}

function checkEnvironment(fn: lambda.CfnFunction): void {
  const stack = Stack.of(fn);
  // Resolved, the L1 property keeps its own casing: `{ variables: { NAME: value } }`.
  const environment = stack.resolve(fn.environment) as { variables?: Record<string, unknown> } | undefined;
  const variables = Object.entries(environment?.variables ?? {}).map(([name, value]) => ({
    name,
    bytes: Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : UNRESOLVED_VALUE_BYTES),
  }));
  const total = variables.reduce((sum, v) => sum + v.bytes, 0);
  if (total <= DEPLOYMENT_LIMITS.lambdaEnvironmentBytes) return;
  const largest = variables.sort((a, b) => b.bytes - a.bytes)[0]!;
  throw new DeploymentLimitError(
    `function ${functionPath(fn)} would have ${total} bytes of environment variables, over Lambda's ` +
      `${DEPLOYMENT_LIMITS.lambdaEnvironmentBytes}; ${largest.name} takes ${largest.bytes}: shorten what the config puts there`,
  );
}

function checkPolicyStatements(all: readonly IConstruct[]): void {
  const byFunction = new Map<string, number>();
  for (const permission of all.filter((c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission)) {
    const key = JSON.stringify(Stack.of(permission).resolve(permission.functionName as string | IResolvable));
    byFunction.set(key, (byFunction.get(key) ?? 0) + 1);
  }
  for (const [key, count] of byFunction) {
    if (count <= DEPLOYMENT_LIMITS.lambdaPolicyStatements) continue;
    const fn = all.find(
      (c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction && key.includes(`"${Stack.of(c).getLogicalId(c)}"`),
    );
    throw new DeploymentLimitError(
      `function ${fn ? functionPath(fn) : key} would have ${count} statements in its resource policy, over the ` +
        `${DEPLOYMENT_LIMITS.lambdaPolicyStatements} this stack allows (Lambda caps the policy at 20 KB): each is an invoke ` +
        'permission for one schedule, rule or alarm',
    );
  }
}

/** The function's construct path without the trailing `Resource`, e.g. `Auth0OpsWatcher/Poll/Function`. */
function functionPath(fn: lambda.CfnFunction): string {
  return fn.node.path.replace(/\/Resource$/, '');
}
