// The stack with the tenant's own sources: an auth0-tenant-logs source (its archive bucket, Glue table, the tenant-log
// function and its least-privilege grants, the optional real-time path), and probes (the probe function, its place in
// the dispatch plan, its grants, the latency alarm per synthetic login); cdk-nag clean throughout. One file, so
// aws-cdk-lib is loaded once.
import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ARCHIVE_RETENTION_DAYS, parseConfig } from '../../functions/config/config.js';
import { ARCHIVE_PREFIX, FUNCTION_ENV, POLL_METRICS, PROBE_METRICS, SERVICE_NAMES, TABLE_ACTIONS } from '../../functions/contract.js';
import { compiledPollConfig } from '../../lib/watcher-stack.js';
import type { WatcherFunction } from '../../lib/watcher-function.js';
import { actionsOf, FULL_CONFIG_INPUT, identityStatements, logicalIdOf, opsAlarmActionOf, removeTempDirs, ROOT, type Statement, statementsFor, synthStack } from './synth-watcher-stack.js';

// The stack with a stream source (the tenant's logs): the archive bucket and its access-log bucket, the Glue table
// Athena reads the archive through, the tenant-log function and its grants, the dispatcher's and the digest's part, and
// a config without a stream source left exactly as it was.
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

describe('stack with a tenant-log source with a real-time path (partnerEventSource)', () => {
  const PARTNER = 'aws.partner/auth0.com/acme-prod-5f0c3a2e-8d1b-4c7e-9a55-0b6f2d1e7c90/auth0.logs';
  const { app, stack, template } = synthStack({ ...FULL_CONFIG_INPUT, sources: [...FULL_CONFIG_INPUT.sources, { ...TENANT_LOGS, partnerEventSource: PARTNER }] });
  const realtime = stack.realtime!;
  const queueId = logicalIdOf(realtime.queue);
  const dlqId = logicalIdOf(realtime.deadLetterQueue);
  const streamRoleId = roleIdOf(template, stack.stream!);

  it('creates the partner event bus named exactly after the partner event source', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: PARTNER, EventSourceName: PARTNER });
  });

  it('routes "Auth0 log" events whose detail.data.type a detector reads (never detail.type) to the queue', () => {
    const rule = Object.values(resourcesOf(template)).find((r) => r.Type === 'AWS::Events::Rule')!;
    const pattern = rule.Properties['EventPattern'] as { source: string[]; 'detail-type': string[]; detail: Record<string, { type?: string[] }> };
    expect(rule.Properties['EventBusName']).toEqual({ Ref: logicalIdOf(realtime.buses[0]!) });
    expect(pattern.source).toEqual([PARTNER]);
    expect(pattern['detail-type']).toEqual(['Auth0 log']);
    expect(Object.keys(pattern.detail)).toEqual(['data']);
    expect(pattern.detail['data']!.type).toEqual(expect.arrayContaining(['api_limit', 'api_limit_warning', 'depnote', 'f', 'actions_execution_failed', 'limit_wc']));
    expect(pattern.detail['data']!.type).not.toContain('s');
    expect(JSON.stringify(pattern).length).toBeLessThan(2048);
    expect(rule.Properties['Targets']).toEqual([expect.objectContaining({ Arn: getAtt(queueId) })]);
  });

  it('queues them SQS-encrypted, TLS only, six function timeouts invisible, with a dead-letter queue after 5 receives that alarms', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 540,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId), maxReceiveCount: 5 },
    });
    const policy = Object.values(resourcesOf(template)).find(
      (r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties['Queues']) === JSON.stringify([{ Ref: queueId }]),
    )!;
    expect((policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      // Only the rule on the partner bus may send to it.
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt(logicalIdOf(realtime.rules[0]!)) } },
      }),
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'A tenant-log real-time event failed and waits in the dead-letter queue',
    });
  });

  it('feeds the tenant-log function in batches of 100 within 5 s, two at a time, reporting batch item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(queueId),
      FunctionName: { Ref: logicalIdOf(stack.stream!.function) },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it("limits the tenant-log function's SQS permissions to its queue, and keeps its secret and bucket prefix grants", () => {
    const statements = identityStatements(template, streamRoleId);
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    const consumed = sqs.filter((s) => !actionsOf(s).includes('sqs:SendMessage'));
    expect(consumed).toHaveLength(1);
    expect(consumed[0]!.Resource).toEqual(getAtt(queueId));
    expect(actionsOf(consumed[0]!).sort()).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].sort(),
    );
    // What it sends is its failed scheduled runs, to the shared dead-letter queue only.
    for (const s of sqs.filter((s) => actionsOf(s).includes('sqs:SendMessage'))) expect(s.Resource).toEqual(getAtt(logicalIdOf(stack.deadLetterQueue)));
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([{ Effect: 'Allow', Action: 's3:PutObject', Resource: bucketArnWith(logicalIdOf(stack.archive!.bucket), `/${ARCHIVE_PREFIX}*`) }]);
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')))).toHaveLength(1);
  });

  it('passes cdk-nag with no acknowledgment added for the real-time path', () => {
    const acknowledged = app.node
      .findAll()
      .filter((c) => c.node.path.includes('TenantLogRealtime'))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY));
    expect(acknowledged).toEqual([]);
  });

  it('creates no bus, rule or real-time queue without partnerEventSource', () => {
    const without = synthStack(WITH_TENANT_LOGS);
    expect(without.stack.realtime).toBeUndefined();
    without.template.resourceCountIs('AWS::Events::EventBus', 0);
    without.template.resourceCountIs('AWS::Lambda::EventSourceMapping', FULL_CONFIG_INPUT.outputs.filter((o) => o.type === 'slack').length);
    expect(JSON.stringify(without.template.toJSON())).not.toContain('TenantLogRealtime');
  });
});

// The stack with synthetic login probes: the probe function and its place in the dispatch plan, its least-privilege
// grants (its own secrets only, no PutMetricData: the latency is an EMF metric), the latency alarm per synthetic login
// with its configured or default threshold and statistic reaching the ops path, and cdk-nag clean. One synth for all.

const LOGIN = {
  id: 'login-us',
  type: 'auth0-synthetic-login',
  name: 'Login US',
  url: 'https://acme.us.auth0.com',
  clientId: 'synthetic-client',
  clientSecret: 'ssm:/watcher/synthetic/client-secret',
  username: 'synthetic-monitor@acme.example',
  password: 'secretsmanager:watcher/synthetic-password',
  realm: 'Username-Password-Authentication',
  alarm: { thresholdMs: 1_500, statistic: 'p99', periods: 4 },
} as const;
/** Discovery only (no credentials), every 5 minutes, default alarm. */
const DISCOVERY = { id: 'login-eu', type: 'auth0-synthetic-login', url: 'https://acme.eu.auth0.com', everyMinutes: 5 } as const;

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

describe('stack with auth0-synthetic-login probes', () => {
  const { stack, template } = synthStack({ ...FULL_CONFIG_INPUT, sources: [...FULL_CONFIG_INPUT.sources, LOGIN, DISCOVERY] });
  const resources = template.toJSON()['Resources'] as Record<string, Resource>;
  const probe = stack.probe!;
  const roleIdOf = (fn: WatcherFunction) =>
    (resources[logicalIdOf(fn.function)]!.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const compiledSourceIds = (fn: WatcherFunction) =>
    (JSON.parse(JSON.parse(fn.bundleDefine[`process.env.${FUNCTION_ENV.watcherConfig}`]!) as string) as { sources: { id: string }[] }).sources.map(
      (s) => s.id,
    );

  it('schedules each probe in the dispatch plan for the probe function, every minute by default', () => {
    const plan = JSON.parse(JSON.parse(stack.pollSchedule.dispatcher.bundleDefine[`process.env.${FUNCTION_ENV.pollPlan}`]!) as string) as {
      sources: { id: string; everyMinutes: number; target?: string }[];
    };
    expect(plan.sources.filter((s) => s.target !== undefined)).toEqual([
      { id: 'login-us', everyMinutes: 1, target: 'probe' },
      { id: 'login-eu', everyMinutes: 5, target: 'probe' },
    ]);
    const env = (resources[logicalIdOf(stack.pollSchedule.dispatcher.function)]!.Properties['Environment'] as { Variables: Record<string, unknown> })
      .Variables;
    expect(env[FUNCTION_ENV.probeFunctionName]).toEqual({ 'Fn::GetAtt': [logicalIdOf(probe.function), 'Arn'] });
    const invoke = statementsFor(template, 'lambda', roleIdOf(stack.pollSchedule.dispatcher));
    expect([invoke[0]!.Resource].flat()).toContainEqual({ 'Fn::GetAtt': [logicalIdOf(probe.function), 'Arn'] });
  });

  it('runs the probes in a function of their own with only the probe sources compiled in; the poll bundle has none', () => {
    expect(probe.entry).toBe(`${ROOT}functions/probe/handler.ts`);
    expect(resources[logicalIdOf(probe.function)]!.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 60,
      MemorySize: 128,
      Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.probe, [FUNCTION_ENV.pollMetricsBySource]: 'false' }) },
    });
    expect(compiledSourceIds(probe)).toEqual(['login-us', 'login-eu']);
    expect(compiledSourceIds(stack.poll)).not.toContain('login-us');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(probe.function) },
      MaximumRetryAttempts: 0,
    });
  });

  it('grants the probe function its two secrets, the table items and the event topic, and nothing else; the poll function neither secret', () => {
    const statements = identityStatements(template, roleIdOf(probe));
    expect(statements.flatMap(actionsOf).sort()).toEqual(
      [
        ...TABLE_ACTIONS.probe.map((a) => `dynamodb:${a}`),
        'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'sns:Publish', 'sqs:SendMessage', 'ssm:GetParameter',
      ].sort(),
    );
    expect(JSON.stringify(statementsFor(template, 'ssm', roleIdOf(probe)))).toContain(':parameter/watcher/synthetic/client-secret');
    expect(JSON.stringify(statementsFor(template, 'secretsmanager', roleIdOf(probe)))).toContain(':secret:watcher/synthetic-password');
    // The advisories token is the poll function's, not the probe's.
    expect(JSON.stringify(statements)).not.toContain('github-token');
    const poll = JSON.stringify(identityStatements(template, roleIdOf(stack.poll)));
    expect(poll).not.toContain('synthetic');
    // The latency is an EMF log line: nobody may call PutMetricData.
    expect(JSON.stringify(identityStatements(template))).not.toContain('cloudwatch:PutMetricData');
  });

  it('alarms on each synthetic login latency with the configured threshold, statistic and periods, to the ops path', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: POLL_METRICS.namespace,
      MetricName: PROBE_METRICS.latency,
      Dimensions: [{ Name: POLL_METRICS.sourceDimension, Value: 'login-us' }],
      ExtendedStatistic: 'p99',
      Threshold: 1_500,
      Period: 300,
      EvaluationPeriods: 4,
      DatapointsToAlarm: 4,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [opsAlarmActionOf(stack)],
      OKActions: [opsAlarmActionOf(stack)],
      AlarmDescription: Match.stringLikeRegexp('^Logins to Login US are slow: p99 latency above 1500 ms for 4 periods of 5 minutes'),
    });
  });

  it('gives a probe without an alarm block the defaults: p90 above its slow threshold (2000 ms) for 3 periods', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: PROBE_METRICS.latency,
      Dimensions: [{ Name: POLL_METRICS.sourceDimension, Value: 'login-eu' }],
      ExtendedStatistic: 'p90',
      Threshold: 2_000,
      EvaluationPeriods: 3,
    });
    const latencyAlarms = Object.values(resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties['MetricName'] === PROBE_METRICS.latency,
    );
    expect(latencyAlarms).toHaveLength(2);
  });

  it('watches the probes with the same dead-man switch as polls, and names the probe function among the dead-letter senders', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: POLL_METRICS.successfulPolls,
      Dimensions: Match.absent(),
      // The every-minute probe sets the shortest cadence: three minutes, raised to the 15-minute minimum.
      Period: 900,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'A poll, probe, dispatch, digest or alarm event failed and waits in the dead-letter queue',
    });
  });
});
