// The stack with a stream source (the tenant's logs): the archive bucket and its access-log bucket, the Glue table
// Athena reads the archive through, the tenant-log function and its grants, the dispatcher's and the digest's part, and
// a config without a stream source left exactly as it was.
import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ARCHIVE_RETENTION_DAYS, parseConfig } from '../../functions/config/config.js';
import { ARCHIVE_PREFIX, FUNCTION_ENV, SERVICE_NAMES, TABLE_ACTIONS } from '../../functions/contract.js';
import { compiledPollConfig } from '../../lib/watcher-stack.js';
import type { WatcherFunction } from '../../lib/watcher-function.js';
import {
  actionsOf,
  FULL_CONFIG_INPUT,
  identityStatements,
  logicalIdOf,
  removeTempDirs,
  ROOT,
  type Statement,
  statementsFor,
  synthStack,
} from './synth-watcher-stack.js';

afterAll(removeTempDirs);

const TENANT_LOGS = {
  id: 'acme-logs',
  type: 'auth0-tenant-logs',
  url: 'https://acme.us.auth0.com',
  clientId: 'abc123',
  clientSecret: 'ssm:/watcher/logs-secret',
} as const;
/** The full config (advisories token, two Slack routes, email alerts, a digest) plus one tenant-log source. */
const WITH_TENANT_LOGS = { ...FULL_CONFIG_INPUT, sources: [...FULL_CONFIG_INPUT.sources, TENANT_LOGS] };

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
}
const resourcesOf = (template: Template) => template.toJSON()['Resources'] as Record<string, Resource>;
const roleIdOf = (template: Template, fn: WatcherFunction) =>
  ((resourcesOf(template)[logicalIdOf(fn.function)]!.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** `<bucket ARN><suffix>` as CDK writes it. */
const bucketArnWith = (bucketId: string, suffix: string) => ({ 'Fn::Join': ['', [getAtt(bucketId), suffix]] });

describe('stack with an auth0-tenant-logs source', () => {
  const { app, stack, template } = synthStack(WITH_TENANT_LOGS);
  const archive = stack.archive!;
  const bucketId = logicalIdOf(archive.bucket);
  const accessLogBucketId = logicalIdOf(archive.accessLogBucket);
  const stream = stack.stream!;
  const streamRoleId = roleIdOf(template, stream);

  it('archives into a versioned, SSE-S3 encrypted bucket that blocks public access, is owned by the bucket owner and is retained', () => {
    expect(archive).toBeDefined();
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogBucketId }, LogFilePrefix: 'archive/' },
      }),
    });
    expect(resourcesOf(template)[bucketId]!.Type).toBe('AWS::S3::Bucket');
  });

  it(`moves pages to Glacier Instant Retrieval after 90 days, expires them after ${DEFAULT_ARCHIVE_RETENTION_DAYS} by default and replaced versions after 30`, () => {
    const rules = (resourcesOf(template)[bucketId]!.Properties['LifecycleConfiguration'] as { Rules: unknown[] }).Rules;
    expect(rules).toEqual([
      {
        Id: 'ArchivedPages',
        Status: 'Enabled',
        Prefix: ARCHIVE_PREFIX,
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        ExpirationInDays: DEFAULT_ARCHIVE_RETENTION_DAYS,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
      { Id: 'ExpiredDeleteMarkers', Status: 'Enabled', Prefix: ARCHIVE_PREFIX, ExpiredObjectDeleteMarker: true },
    ]);
  });

  it('refuses every request without TLS on both buckets, and lets only S3 log delivery for this archive write access logs', () => {
    for (const id of [bucketId, accessLogBucketId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: [getAtt(id), bucketArnWith(id, '/*')],
            },
          ]),
        },
      });
    }
    const archivePolicy = Object.values(resourcesOf(template)).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && (r.Properties['Bucket'] as { Ref: string }).Ref === bucketId,
    )!;
    // Nothing but the TLS refusal on the archive itself: readers and writers are granted in their own roles.
    expect((archivePolicy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement).toHaveLength(1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: bucketArnWith(accessLogBucketId, '/archive/*'),
            Condition: { ArnLike: { 'aws:SourceArn': getAtt(bucketId) }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 365 }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
  });

  it('describes the archive to Athena: a Glue table over s3://<bucket>/tenant-logs/ with the OpenX JSON SerDe and projected tenant and date partitions', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'watcher_tenant_logs' } });
    template.resourceCountIs('AWS::Glue::Table', 1);
    const location = { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/tenant-logs/']] };
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'watcher_tenant_logs',
      TableInput: {
        Name: 'tenant_logs',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'tenant', Type: 'string' }), Match.objectLike({ Name: 'date', Type: 'string' })],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.tenant.type': 'injected',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2020-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/tenant-logs/tenant=${tenant}/date=${date}/']],
          },
        }),
        StorageDescriptor: Match.objectLike({
          Location: location,
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: {
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // The log's own `date` is read as `log_date`: `date` is the day partition.
            Parameters: Match.objectLike({ 'mapping.log_date': 'date' }),
          },
        }),
      },
    });
    const table = Object.values(resourcesOf(template)).find((r) => r.Type === 'AWS::Glue::Table')!;
    const columns = ((table.Properties['TableInput'] as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }).StorageDescriptor.Columns);
    expect(columns.map((c) => c.Name)).toEqual(
      expect.arrayContaining(['log_id', 'log_date', 'type', 'description', 'client_id', 'client_name', 'ip', 'connection', 'user_id', 'user_name', 'strategy', 'details']),
    );
    expect(columns.every((c) => c.Type === 'string')).toBe(true);
    // No column shares a partition's name (Hive refuses the table otherwise).
    expect(columns.map((c) => c.Name)).not.toContain('date');
    expect(columns.map((c) => c.Name)).not.toContain('tenant');
    template.hasOutput('ArchiveBucketName', { Value: { Ref: bucketId } });
    template.hasOutput('ArchiveTableName', { Value: 'watcher_tenant_logs.tenant_logs' });
  });

  it('runs the stream sources in a tenant-log function of their own: nodejs24.x, 90 s, the table, topic and bucket in its environment, no reserved concurrency', () => {
    expect(stream.entry).toBe(`${ROOT}functions/stream/handler.ts`);
    const fn = resourcesOf(template)[logicalIdOf(stream.function)]!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 90,
      MemorySize: 256,
      Environment: {
        Variables: {
          [FUNCTION_ENV.tableName]: { Ref: logicalIdOf(stack.state.table) },
          [FUNCTION_ENV.topicArn]: { Ref: logicalIdOf(stack.state.topic) },
          [FUNCTION_ENV.archiveBucket]: { Ref: bucketId },
          [FUNCTION_ENV.pollMetricsBySource]: 'false',
          POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.stream,
        },
      },
    });
    expect(fn.Properties['ReservedConcurrentExecutions']).toBeUndefined();
    // A failed run waits in the shared dead-letter queue, whose alarm names the tenant-log function among its senders.
    expect(fn.Properties['DeadLetterConfig']).toEqual({ TargetArn: getAtt(logicalIdOf(stack.deadLetterQueue)) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'A poll, tenant-log, dispatch, digest or alarm event failed and waits in the dead-letter queue',
    });
    // Like a poll: no retry (the next run continues from the checkpoint), a throttled run given up after 5 minutes.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stream.function) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('compiles only the stream sources into the tenant-log bundle, and only the feeds into the poll bundle', () => {
    const compiledSources = (fn: WatcherFunction) =>
      (JSON.parse(JSON.parse(fn.bundleDefine[`process.env.${FUNCTION_ENV.watcherConfig}`]!) as string) as { sources: { id: string }[] }).sources.map(
        (s) => s.id,
      );
    expect(compiledSources(stream)).toEqual(['acme-logs']);
    expect(compiledSources(stack.poll)).toEqual(FULL_CONFIG_INPUT.sources.map((s) => s.id));
  });

  it('grants the tenant-log function its own secret, the table items, the event topic and s3:PutObject under tenant-logs/ only', () => {
    const statements = identityStatements(template, streamRoleId);
    const byService = (service: string) => statements.filter((s) => actionsOf(s).some((a) => a.startsWith(`${service}:`)));
    expect(byService('s3')).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: bucketArnWith(bucketId, `/${ARCHIVE_PREFIX}*`) }]);
    expect(byService('ssm')).toEqual([
      expect.objectContaining({
        Action: 'ssm:GetParameter',
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':parameter/watcher/logs-secret'])] },
      }),
    ]);
    expect(byService('secretsmanager')).toEqual([]);
    expect(byService('dynamodb')).toEqual([
      expect.objectContaining({ Action: TABLE_ACTIONS.stream.map((a) => `dynamodb:${a}`).sort(), Resource: getAtt(logicalIdOf(stack.state.table)) }),
    ]);
    expect(byService('sns')).toEqual([expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: logicalIdOf(stack.state.topic) } })]);
    expect(statements.flatMap(actionsOf).sort()).toEqual(
      [
        'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
        'logs:CreateLogStream', 'logs:PutLogEvents', 's3:PutObject', 'sns:Publish', 'sqs:SendMessage', 'ssm:GetParameter',
      ].sort(),
    );
  });

  it('no longer lets the poll function read the tenant-log secret, and grants S3 nowhere as s3:* or on every resource', () => {
    const pollSsm = statementsFor(template, 'ssm', roleIdOf(template, stack.poll));
    expect(JSON.stringify(pollSsm)).not.toContain('logs-secret');
    // The advisories token is still the poll function's.
    expect(statementsFor(template, 'secretsmanager', roleIdOf(template, stack.poll))).toHaveLength(1);
    const s3Statements = statementsFor(template, 's3');
    expect(s3Statements).toHaveLength(2);
    for (const statement of s3Statements) {
      expect(actionsOf(statement)).not.toContain('s3:*');
      expect([statement.Resource].flat()).not.toContain('*');
      expect(JSON.stringify(statement.Resource)).toContain(bucketId);
    }
  });

  it('has the dispatcher invoke the tenant-log function for the stream source and the poll function for the others, and nothing else', () => {
    const dispatcher = stack.pollSchedule.dispatcher;
    const invoke = statementsFor(template, 'lambda', roleIdOf(template, dispatcher));
    expect(invoke.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect([invoke[0]!.Resource].flat()).toEqual(
      expect.arrayContaining([getAtt(logicalIdOf(stack.poll.function)), getAtt(logicalIdOf(stream.function))]),
    );
    expect([invoke[0]!.Resource].flat()).toHaveLength(2);
    const env = (resourcesOf(template)[logicalIdOf(dispatcher.function)]!.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env[FUNCTION_ENV.streamFunctionName]).toEqual(getAtt(logicalIdOf(stream.function)));
    expect(env[FUNCTION_ENV.pollFunctionName]).toEqual(getAtt(logicalIdOf(stack.poll.function)));
    const plan = JSON.parse(JSON.parse(dispatcher.bundleDefine[`process.env.${FUNCTION_ENV.pollPlan}`]!) as string) as {
      sources: { id: string; everyMinutes: number; target?: string }[];
    };
    expect(plan.sources.filter((s) => s.target !== undefined)).toEqual([{ id: 'acme-logs', everyMinutes: 5, target: 'stream' }]);
    expect(plan.sources).toHaveLength(FULL_CONFIG_INPUT.sources.length + 1);
  });

  it("lets the digest list the archive under tenant-logs/ only (its size and oldest day), with the bucket's name", () => {
    const digest = stack.digest!.function;
    expect(statementsFor(template, 's3', roleIdOf(template, digest))).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: getAtt(bucketId),
        Condition: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] } },
      },
    ]);
    const env = (resourcesOf(template)[logicalIdOf(digest.function)]!.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env[FUNCTION_ENV.archiveBucket]).toEqual({ Ref: bucketId });
  });

  it('passes cdk-nag with two acknowledgments more, each explained: the prefix wildcard of the writer and the access-log bucket\'s own logging', () => {
    // synthStack ran the checks; a finding would have thrown. These are the acknowledgments the archive adds.
    const acknowledged = (root: IConstruct) =>
      root.node.findAll().flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason }))),
      );
    const archiveAcks = acknowledged(app).filter((a) => a.path.includes('TenantLog'));
    expect(archiveAcks.map(({ path, id }) => `${path}: ${id}`).sort()).toEqual(
      [
        'Watcher/TenantLogArchive/AccessLogs/Resource: AwsSolutions-S1',
        `Watcher/TenantLogs/ServiceRole/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/tenant-logs/*]`,
      ].sort(),
    );
    for (const { reason } of archiveAcks) expect(reason.split(/\s+/).length).toBeGreaterThan(12);
  });
});

describe('stack without a stream source', () => {
  const withArchiveKey = synthStack({ ...FULL_CONFIG_INPUT, archive: { retentionDays: 500 } });
  const { stack, template } = synthStack(FULL_CONFIG_INPUT);
  const withLogs = synthStack(WITH_TENANT_LOGS);

  it('has no bucket, Glue table or tenant-log function, and the same resources whether or not `archive` is set', () => {
    expect(stack.archive).toBeUndefined();
    expect(stack.stream).toBeUndefined();
    for (const type of ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::Glue::Database', 'AWS::Glue::Table']) template.resourceCountIs(type, 0);
    expect(statementsFor(template, 's3')).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain(FUNCTION_ENV.streamFunctionName);
    expect(withArchiveKey.template.toJSON()).toEqual(template.toJSON());
  });

  it('keeps every logical id and compiles the poll config and plan as before; a stream source only adds resources', () => {
    const ids = Object.keys(resourcesOf(template)).sort();
    const withLogsIds = Object.keys(resourcesOf(withLogs.template));
    expect(withLogsIds).toEqual(expect.arrayContaining(ids));
    const added = withLogsIds.filter((id) => !ids.includes(id));
    expect(added.every((id) => /^TenantLog/.test(id)), added.join(', ')).toBe(true);
    // The poll config and the plan, in the format they had before stream sources existed.
    const config = parseConfig(FULL_CONFIG_INPUT, ROOT);
    const { failureThreshold, trackResolvedDays, sources } = config;
    expect(compiledPollConfig(config)).toBe(JSON.stringify({ failureThreshold, trackResolvedDays, sources }));
    expect(stack.pollSchedule.dispatcher.bundleDefine[`process.env.${FUNCTION_ENV.pollPlan}`]).not.toContain('target');
  });
});

describe('stack with stream sources only, a 60-day archive and detailed monitoring', () => {
  const { stack, template } = synthStack(
    { sources: [TENANT_LOGS], archive: { retentionDays: 60 } },
    { props: { monitoring: 'detailed' } },
  );

  it('keeps pages in S3 Standard for a retention too short for Glacier Instant Retrieval, and expires them after 60 days', () => {
    const bucket = resourcesOf(template)[logicalIdOf(stack.archive!.bucket)]!;
    const [rule] = (bucket.Properties['LifecycleConfiguration'] as { Rules: Record<string, unknown>[] }).Rules;
    expect(rule).toMatchObject({ Id: 'ArchivedPages', ExpirationInDays: 60, NoncurrentVersionExpiration: { NoncurrentDays: 30 } });
    expect(rule!['Transitions']).toBeUndefined();
  });

  it('alarms on the tenant-log function failing or being throttled, like the other functions', () => {
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack.stream!.function) } }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^The tenant-log function failed'),
    });
  });

  it('sends every source to the tenant-log function, grants the digest nothing (there is none) and the poll function no secret', () => {
    const plan = stack.pollSchedule.dispatcher.bundleDefine[`process.env.${FUNCTION_ENV.pollPlan}`]!;
    expect(JSON.parse(JSON.parse(plan) as string)).toEqual({ sources: [{ id: 'acme-logs', everyMinutes: 5, target: 'stream' }] });
    expect(stack.digest).toBeUndefined();
    expect(statementsFor(template, 's3').flatMap(actionsOf)).toEqual(['s3:PutObject']);
    expect(statementsFor(template, 'ssm', roleIdOf(template, stack.poll))).toEqual([]);
    expect(statementsFor(template, 'ssm', roleIdOf(template, stack.stream!))).toHaveLength(1);
  });
});

describe('the archive settings and secret of a tenant-log source on AWS', () => {
  it('refuses an archive retention of 30 days or less, or over ten years, naming the field', () => {
    expect(() => parseConfig({ sources: [TENANT_LOGS], archive: { retentionDays: 30 } }, ROOT)).toThrow(ConfigError);
    expect(() => parseConfig({ sources: [TENANT_LOGS], archive: { retentionDays: 30 } }, ROOT)).toThrow(
      /archive\.retentionDays.*at least 31 days/,
    );
    expect(() => parseConfig({ sources: [TENANT_LOGS], archive: { retentionDays: 3651 } }, ROOT)).toThrow(/archive\.retentionDays/);
    expect(() => parseConfig({ sources: [TENANT_LOGS], archive: { days: 90 } }, ROOT)).toThrow(ConfigError);
  });

  it('refuses an env: client secret at synth, naming the source and field, before anything is built', () => {
    const build = () => synthStack({ sources: [{ ...TENANT_LOGS, clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET' }] });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^source "acme-logs" field "clientSecret": "env:AUTH0_LOGS_CLIENT_SECRET" cannot be resolved on AWS/);
  });
});

describe("the digest's bundle and the S3 client", () => {
  /** The digest handler bundled with the compile-time flags the stack gives its function (no other esbuild option). */
  async function digestBundleOf(input: unknown): Promise<string> {
    const { stack } = synthStack(input);
    const define = stack.digest!.function.bundleDefine;
    const result = await build({
      entryPoints: [stack.digest!.function.entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      define: { [`process.env.${FUNCTION_ENV.tenantArchive}`]: define[`process.env.${FUNCTION_ENV.tenantArchive}`]! },
    });
    return result.outputFiles[0]!.text;
  }

  it('carries the S3 client only when a tenant-log source makes the digest list the archive', async () => {
    const [without, withArchive] = await Promise.all([digestBundleOf(FULL_CONFIG_INPUT), digestBundleOf(WITH_TENANT_LOGS)]);
    expect(without).not.toContain('ListObjectsV2Command');
    expect(withArchive).toContain('ListObjectsV2Command');
  }, 60_000);
});
