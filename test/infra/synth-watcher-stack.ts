// Shared by the infrastructure tests: synthesizes a WatcherStack from a raw config and reads its template.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { expect } from 'vitest';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../../functions/config/config.js';
import { WatcherStack } from '../../lib/watcher-stack.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The feature flags `cdk synth` applies, so the tests see the template a deploy would. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

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

/** Builds the stack from a raw config; skips esbuild unless `bundle` is set, which keeps most tests fast. */
export function synthStack(input: unknown = DEFAULT_CONFIG_INPUT, options: { bundle?: boolean; outdir?: string } = {}) {
  const app = new App({
    outdir: options.outdir ?? tempDir('watcher-synth-'),
    context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new WatcherStack(app, 'Watcher', { config: parseConfig(input, ROOT) });
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
