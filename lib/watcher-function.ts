// One way to build a watcher Lambda: runtime, architecture, bundling, logs and timeout are fixed here,
// and the bind… helpers set an environment variable and its grant together so they cannot drift apart.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, AssetStaging, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../functions/config/config.js';
import { FUNCTION_ENV, SERVICE_NAMES, type TableItemAction } from '../functions/contract.js';

/** The repository root: esbuild runs here and resolves modules from the root lockfile, whatever the cwd. */
const PROJECT_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * ESM output, because the functions are ESM ("type": "module"; top-level await is available for cold-start setup).
 * esbuild cannot turn a CommonJS dependency's `require('node:…')` into an import, and in an ESM bundle such a call
 * throws "Dynamic require of … is not supported" only at run time. Today's dependencies (SDK v3, Powertools, zod,
 * fast-xml-parser) bundle without one, so this banner is a one-line guard that keeps it that way when a CJS one arrives.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __watcherCreateRequire } from 'node:module'; const require = __watcherCreateRequire(import.meta.url);";

/**
 * Packages every watcher bundle resolves to a module of its own (esbuild `alias`; paths relative to the project root,
 * where esbuild runs). The SDK's default credential chain becomes the environment alone, which is where Lambda puts
 * the execution role's credentials (see functions/adapters/lambda-credential-provider.ts): about 120 KiB less per
 * bundle, the STS and SSO clients of the other providers included.
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './functions/adapters/lambda-credential-provider.ts',
};

/**
 * NODE_OPTIONS of every watcher function. With `--enable-source-maps` a stack trace names the TypeScript file and line
 * (`handler (functions/poll/handler.ts:37:22)`) instead of a column in the one-line bundle. Node then reads the source
 * map at import: about 5 MiB more RSS and 5–15 ms more per cold start (npm run bench, "without --enable-source-maps"),
 * small beside the bundle and import budgets, and not what decides the poll's peak memory, so the readable traces stay.
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/**
 * The runtime of every watcher function, and the Node.js version its bundle targets. No function sets reserved
 * concurrency: an account at the new-account quota of 10 cannot reserve any, and the first deploy would roll back.
 * Lambda blocks creating and then updating functions on a runtime past its deprecation dates (nodejs22.x reaches the
 * end of standard support on 2027-04-30), so the runtime moves with each Node.js LTS; cdk-nag's AwsSolutions-L1 says
 * when a newer one exists, and is not acknowledged.
 */
export const WATCHER_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const WATCHER_BUNDLE_TARGET = 'node24';

/** A secret reference of the config and where it comes from, for error messages: `source "advisories" field "token"`. */
export interface SecretRefUse {
  readonly ref: string;
  readonly usedBy: string;
}

/**
 * The bundle-time replacements that tell functions/adapters/secret-resolver.ts which secret backends a function reads:
 * "used" or "none" for SSM and for Secrets Manager, so that a backend no reference names drops out of the bundle with
 * its SDK client. Throws `ConfigError` for a reference AWS cannot resolve (see `awsSecretOf`).
 */
export function secretBackendDefines(secretRefs: readonly SecretRefUse[]): Record<string, string> {
  const services = new Set(secretRefs.map(({ ref, usedBy }) => awsSecretOf(ref, usedBy).service));
  const flag = (service: AwsSecret['service']) => JSON.stringify(services.has(service) ? 'used' : 'none');
  return {
    [`process.env.${FUNCTION_ENV.ssmSecrets}`]: flag('ssm'),
    [`process.env.${FUNCTION_ENV.secretsManagerSecrets}`]: flag('secretsmanager'),
  };
}

export interface WatcherFunctionProps {
  /** Path of the TypeScript handler module; its `handler` export is the entry point. */
  readonly entry: string;
  /** Shown in the Lambda console. @default - no description */
  readonly description?: string;
  /** `POWERTOOLS_SERVICE_NAME`, the `service` key of every log line. @default 'auth0-ops-watcher' */
  readonly serviceName?: string;
  /** Memory in MiB (CPU scales with it). @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** Retention of the function's log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Retries of a failed asynchronous invocation. Scheduled functions keep 0: the next scheduled run is the retry,
   * and a retry minutes later would only overlap it. Leave it unset for a function that is never invoked
   * asynchronously (a queue consumer), which then gets no asynchronous-invocation settings at all.
   * @default - Lambda's own (2 retries); set it on every function invoked asynchronously
   */
  readonly retryAttempts?: number;
  /**
   * How long Lambda keeps trying an asynchronous invocation it could not run (throttled) before giving up on it and
   * sending it to `deadLetterQueue`. From 1 minute to 6 hours.
   * @default Duration.hours(6), Lambda's own default
   */
  readonly maxEventAge?: Duration;
  /**
   * Where a failed asynchronous invocation goes once its retries are spent (the Lambda dead-letter queue).
   * @default - none: the failed event is dropped after its retries
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Environment variables beyond the fixed ones. Never a secret: reference secrets with `secretRefs`.
   * Resource names and ARNs go through the bind… helpers, so the grant comes with them.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Compile-time replacements (esbuild `define`): each value is a JavaScript expression, so a string must be
   * JSON-encoded. Used for data too large or too structured for an environment variable.
   * @default - none
   */
  readonly define?: Readonly<Record<string, string>>;
  /**
   * The secrets the function reads, as config references: `ssm:/name` is granted `ssm:GetParameter` on that parameter,
   * `secretsmanager:name` `secretsmanager:GetSecretValue` on that secret, and the bundle carries the SDK client of a
   * backend only when a reference names it. Throws `ConfigError` for anything else (see `awsSecretOf`).
   * @default - none: the function reads no secret, and its bundle holds neither client
   */
  readonly secretRefs?: readonly SecretRefUse[];
}

/** The DynamoDB item operations a function may be granted on the state table; there is no scan and no batch. */
export type { TableItemAction };

/** A `NodejsFunction` with the watcher's fixed settings, its own log group and role, and bind helpers. */
export class WatcherFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  /** The function's execution role: its own log group, plus whatever the bind… helpers grant. */
  readonly role: iam.Role;
  /** The handler module the bundle was built from (`props.entry`). */
  readonly entry: string;
  /** The esbuild `define` the bundle was built with: `props.define` and the secret backends of `props.secretRefs`. */
  readonly bundleDefine: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WatcherFunctionProps) {
    super(scope, id);

    // An explicit log group (not the deprecated `logRetention` custom resource) so retention and removal are ours.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Instead of the AWS-managed AWSLambdaBasicExecutionRole, which may write to every log group in the account: the
    // function writes log streams and events to its own log group only (the group exists, so no logs:CreateLogGroup).
    this.role = new iam.Role(this, 'ServiceRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    this.entry = props.entry;
    const secretRefs = props.secretRefs ?? [];
    this.bundleDefine = { ...props.define, ...secretBackendDefines(secretRefs) };

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: WATCHER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      logGroup: this.logGroup,
      role: this.role,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? SERVICE_NAMES.poll,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
      bundling: {
        // No Docker here or in CI: bundle with the esbuild from the lockfile.
        forceDockerBundling: false,
        minify: true,
        // Class and function names survive minification, so logged errors stay readable.
        keepNames: true,
        sourceMap: true,
        // Mappings are enough for stack traces; embedding the sources would only grow the asset.
        sourcesContent: false,
        target: WATCHER_BUNDLE_TARGET,
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle everything, the AWS SDK v3 included: the SDK version is the lockfile's, not whatever the
        // runtime ships that month — a larger asset for reproducible behaviour.
        externalModules: [],
        define: { ...this.bundleDefine },
        // Should esbuild ever run in Docker, it runs in the mounted project root too, where the alias paths resolve.
        workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
        esbuildArgs: { '--alias': Object.entries(LAMBDA_BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
      },
    });
    for (const { ref, usedBy } of secretRefs) this.grantSecretRead(awsSecretOf(ref, usedBy));
  }

  /**
   * Sets `envName` to the table's name and grants `actions`, the item operations the function's store adapters send,
   * on the table only (no index, no stream, no scan). There is no default: each caller names what its code uses.
   */
  bindTable(table: dynamodb.ITable, envName: string, actions: readonly TableItemAction[]): void {
    this.function.addEnvironment(envName, table.tableName);
    const grants = table instanceof dynamodb.TableBase ? table.grants : dynamodb.TableGrants.fromTable(table);
    grants.actions(this.function, ...actions.map((action) => `dynamodb:${action}`));
  }

  /** Sets `envName` to the topic's ARN and grants `sns:Publish` on it. */
  bindTopic(topic: sns.ITopic, envName: string): void {
    this.function.addEnvironment(envName, topic.topicArn);
    sns.TopicGrants.fromTopic(topic).publish(this.function);
  }

  /**
   * Sets `envName` to `target`'s ARN and grants `lambda:InvokeFunction` on that ARN only (not its versions and aliases,
   * which the watcher does not use), in this function's role: the target's resource policy gains no statement.
   */
  bindInvoke(target: lambda.IFunction, envName: string): void {
    this.function.addEnvironment(envName, target.functionArn);
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }));
  }

  /** Grants read access to one secret: `ssm:GetParameter` on the parameter, `secretsmanager:GetSecretValue` on the secret. */
  private grantSecretRead(secret: AwsSecret): void {
    const stack = Stack.of(this);
    const statement =
      secret.service === 'ssm'
        ? new iam.PolicyStatement({
            actions: ['ssm:GetParameter'],
            resources: [
              stack.formatArn({
                service: 'ssm',
                resource: 'parameter',
                // The ARN of `/a/b` is `…:parameter/a/b`: the separator is the name's own leading slash.
                resourceName: secret.name.slice(1),
                arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
              }),
            ],
          })
        : new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [
              stack.formatArn({
                service: 'secretsmanager',
                resource: 'secret',
                // Secrets Manager appends six random characters to every secret's ARN.
                resourceName: `${secret.name}-??????`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          });
    this.function.addToRolePolicy(statement);
  }
}

/** A secret a Lambda function can read: an SSM parameter (name with its leading slash) or a Secrets Manager secret. */
export type AwsSecret = { readonly service: 'ssm' | 'secretsmanager'; readonly name: string };

/**
 * Resolves a config secret reference to the AWS secret it names, or throws `ConfigError` naming `usedBy`.
 * `env:NAME` is refused: a Lambda function has no local environment holding secrets.
 * Stacks call this for every reference before building any function, so a bad config fails before bundling.
 */
export function awsSecretOf(ref: string, usedBy: string): AwsSecret {
  const [, scheme, name] = /^([a-z]+):(.+)$/.exec(ref) ?? [];
  if (scheme === 'ssm' && name?.startsWith('/')) return { service: 'ssm', name };
  if (scheme === 'secretsmanager' && name) return { service: 'secretsmanager', name };
  if (scheme === 'env') {
    throw new ConfigError(
      `${usedBy}: "${ref}" cannot be resolved on AWS — a Lambda function has no local environment secrets; ` +
        'store the secret in SSM Parameter Store or Secrets Manager and reference it as ssm:/name or secretsmanager:name',
    );
  }
  throw new ConfigError(`${usedBy}: "${ref}" is not a secret reference AWS can resolve (ssm:/name or secretsmanager:name)`);
}
