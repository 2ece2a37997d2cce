// The tenant-log archive on AWS: the bucket every page of a stream source's logs is written to before its checkpoint
// moves (gzip-compressed NDJSON at `tenant-logs/tenant=<host>/date=<YYYY-MM-DD>/<first log id>.ndjson.gz`), the bucket
// holding its server access logs, and a Glue table over it so Athena queries the archive with no crawler: the
// partitions are projected from the key layout, so a new day or tenant needs nothing added.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { WatcherConfig } from '../functions/config/config.js';
import { SOURCE_REGISTRY } from '../functions/sources/registry.js';
import { ARCHIVE_PREFIX } from '../functions/contract.js';
import type { WatcherFunction } from './watcher-function.js';

/** Days after which archived pages move to S3 Glacier Instant Retrieval (still read in milliseconds, by Athena too). */
export const ARCHIVE_COLD_AFTER_DAYS = 90;
/**
 * Glacier Instant Retrieval bills every object for at least 90 days: an archive kept less than this long past the
 * move would pay for days it no longer holds, so a shorter retention keeps its objects in S3 Standard throughout.
 */
const ARCHIVE_COLD_MINIMUM_RETENTION_DAYS = ARCHIVE_COLD_AFTER_DAYS + 90;
/** Days a replaced page (a rewrite after a crash) or a deleted one stays recoverable as a noncurrent version. */
export const ARCHIVE_NONCURRENT_DAYS = 30;
/** Days the archive bucket's server access logs are kept. */
export const ACCESS_LOG_DAYS = 365;

/** The Glue table's name in its database. */
export const ARCHIVE_TABLE_NAME = 'tenant_logs';

/**
 * The columns of the Glue table: the fields Auth0's log schema gives most events (strings as the Management API returns
 * them). The log's own time is `log_date` (the JSON key `date`, mapped by the SerDe), because `date` is the partition
 * of the day; `details` is the nested object as JSON text, for Athena's `json_extract`.
 */
export const ARCHIVE_COLUMNS: readonly glue.CfnTable.ColumnProperty[] = [
  { name: 'log_id', type: 'string', comment: 'Unique, increasing id of the log event' },
  { name: 'log_date', type: 'string', comment: 'When the event happened, ISO 8601 (the JSON key "date")' },
  { name: 'type', type: 'string', comment: 'Log type code: s, f, fp, api_limit, depnote, …' },
  { name: 'description', type: 'string' },
  { name: 'client_id', type: 'string' },
  { name: 'client_name', type: 'string' },
  { name: 'ip', type: 'string' },
  { name: 'hostname', type: 'string' },
  { name: 'user_agent', type: 'string' },
  { name: 'connection', type: 'string' },
  { name: 'connection_id', type: 'string' },
  { name: 'strategy', type: 'string' },
  { name: 'strategy_type', type: 'string' },
  { name: 'user_id', type: 'string' },
  { name: 'user_name', type: 'string' },
  { name: 'audience', type: 'string' },
  { name: 'scope', type: 'string' },
  { name: 'details', type: 'string', comment: 'The nested details object as JSON text' },
];

/** The partitions, in key order: `tenant=<host>/date=<YYYY-MM-DD>/`. */
export const ARCHIVE_PARTITION_KEYS: readonly glue.CfnTable.ColumnProperty[] = [
  { name: 'tenant', type: 'string', comment: "The tenant's host, e.g. acme.us.auth0.com" },
  { name: 'date', type: 'string', comment: 'UTC day of the first log of the archived page, YYYY-MM-DD' },
];

/** The sources of a config read as streams (the tenant's logs): the ones archived, and run by the tenant-log function. */
export function streamSourcesOf(config: WatcherConfig): WatcherConfig['sources'] {
  return config.sources.filter((source) => SOURCE_REGISTRY.moduleFor(source).kind === 'stream');
}

/** The Glue database name of a stack: its name in lower case, with `_` for what Glue names do not take. */
export function archiveDatabaseNameOf(stack: Stack): string {
  return `${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_tenant_logs`.slice(0, 255);
}

export interface TenantLogArchiveProps {
  /**
   * Days an archived page is kept, from when it was written; the config's `archive.retentionDays`.
   * @default - kept until deleted by hand
   */
  readonly retentionDays?: number;
}

/** The archive bucket, its access-log bucket, and the Glue database and table over `s3://<bucket>/tenant-logs/`. */
export class TenantLogArchive extends Construct {
  readonly bucket: s3.Bucket;
  /** Where S3 delivers the archive bucket's server access logs. */
  readonly accessLogBucket: s3.Bucket;
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  /** `<database>.<table>`, as Athena names it in a query. */
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: TenantLogArchiveProps = {}) {
    super(scope, id);
    const { retentionDays } = props;
    const stack = Stack.of(this);

    // Logs of who read and wrote the archive. Server access log delivery writes with SSE-S3 only, and the logs of this
    // bucket go nowhere else: it is where the trail ends.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    Validations.of(this.accessLogBucket.node.defaultChild as s3.CfnBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the archive bucket\'s server access logs. Logging its own accesses would need a third ' +
        'bucket, and so on; S3 writes here with the logging service principal only, and CloudTrail records changes to it.',
    });

    const lifecycleRules: s3.LifecycleRule[] = [
      {
        id: 'ArchivedPages',
        prefix: ARCHIVE_PREFIX,
        ...((retentionDays === undefined || retentionDays >= ARCHIVE_COLD_MINIMUM_RETENTION_DAYS) && {
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(ARCHIVE_COLD_AFTER_DAYS) }],
        }),
        ...(retentionDays !== undefined && { expiration: Duration.days(retentionDays) }),
        noncurrentVersionExpiration: Duration.days(ARCHIVE_NONCURRENT_DAYS),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      // Once an expired page's noncurrent version is gone, its delete marker is removed too.
      ...(retentionDays !== undefined ? [{ id: 'ExpiredDeleteMarkers', prefix: ARCHIVE_PREFIX, expiredObjectDeleteMarker: true }] : []),
    ];
    this.bucket = new s3.Bucket(this, 'Bucket', {
      // SSE-S3: Athena and the functions read it with no key grant, and it costs nothing.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // A page rewritten after a crash, or deleted by mistake, stays recoverable for ARCHIVE_NONCURRENT_DAYS.
      versioned: true,
      lifecycleRules,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'archive/',
      // The archive holds records kept beyond Auth0's retention: deleting the stack or replacing the bucket keeps it.
      // Not when the stack's first deploy rolls back: the bucket is new and empty then (DeletionPolicy RetainExceptOnCreate).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    const databaseName = archiveDatabaseNameOf(stack);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: databaseName, description: "The watcher's archive of its tenants' Auth0 logs" },
    });
    const location = `s3://${this.bucket.bucketName}/${ARCHIVE_PREFIX}`;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName,
      tableInput: {
        name: ARCHIVE_TABLE_NAME,
        description: 'Auth0 tenant logs, one row per log event, partitioned by tenant host and day',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [...ARCHIVE_PARTITION_KEYS],
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          compressionType: 'gzip',
          // Partition projection: Athena computes the partitions from these, so no crawler and no MSCK REPAIR.
          'projection.enabled': 'true',
          // Injected: a query names its tenant (`WHERE tenant = 'acme.us.auth0.com'`), so any tenant added later is read.
          'projection.tenant.type': 'injected',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          'projection.date.range': '2020-01-01,NOW',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': `${location}tenant=\${tenant}/date=\${date}/`,
        },
        storageDescriptor: {
          location,
          columns: [...ARCHIVE_COLUMNS],
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: {
              'mapping.log_date': 'date',
              // Auth0's keys are lower case; a nested object in a string column is kept as its JSON text.
              'case.insensitive': 'true',
            },
          },
        },
      },
    });
    this.table.node.addDependency(this.database);
    this.tableName = `${databaseName}.${ARCHIVE_TABLE_NAME}`;
  }

  /**
   * Sets `envName` on `fn` to the bucket's name and grants `s3:PutObject` on `tenant-logs/*` only: the function writes
   * archived pages and nothing else (no read, no delete, no listing).
   */
  bindWriter(fn: WatcherFunction, envName: string): iam.PolicyStatement {
    fn.function.addEnvironment(envName, this.bucket.bucketName);
    const statement = new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${ARCHIVE_PREFIX}*`)] });
    fn.function.addToRolePolicy(statement);
    const policy = fn.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    const bucketId = Stack.of(this).resolve((this.bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${ARCHIVE_PREFIX}*]`,
      reason:
        'The function writes one object per archived page, named by tenant, day and first log id, which are known only ' +
        `at run time. The wildcard spans only the ${ARCHIVE_PREFIX} prefix of this one bucket, and the only action is s3:PutObject.`,
    });
    return statement;
  }

  /**
   * Sets `envName` on `fn` to the bucket's name and grants `s3:ListBucket` on the bucket for prefixes under
   * `tenant-logs/` only: enough to total the archive's size and find its oldest day, without reading a log.
   */
  bindLister(fn: WatcherFunction, envName: string): void {
    fn.function.addEnvironment(envName, this.bucket.bucketName);
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] } },
      }),
    );
  }
}
