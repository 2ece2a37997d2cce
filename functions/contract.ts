// What the stack (lib/) and the functions agree on: environment variable names, service names, metric names, the
// table actions each function's stores send, and the alarm relay's timeout. Constants only, no imports, so lib/ can
// read it without pulling a runtime module into the CDK app, and neither side writes these strings on its own.

/** Environment variables the stack sets and the functions read. */
export const FUNCTION_ENV = {
  /** The watcher's DynamoDB table (every function with a store). */
  tableName: 'TABLE_NAME',
  /** The event topic the poll publishes to. */
  topicArn: 'TOPIC_ARN',
  /** The event topic, as the digest reads it for its subscription health section. */
  eventTopicArn: 'EVENT_TOPIC_ARN',
  /** The digest topic the digest function publishes to. */
  digestTopicArn: 'DIGEST_TOPIC_ARN',
  /** The ops topic the alarm relay publishes to. */
  opsTopicArn: 'OPS_TOPIC_ARN',
  /** The poll function the dispatcher invokes. */
  pollFunctionName: 'POLL_FUNCTION_NAME',
  /** `true` when the poll writes per-source metrics (detailed monitoring). */
  pollMetricsBySource: 'POLL_METRICS_BY_SOURCE',
  /** A channel notifier's route, JSON. */
  route: 'ROUTE',
  /** The tenant-log archive bucket (the stream function writes it, the digest lists it). */
  archiveBucket: 'ARCHIVE_BUCKET',
  /** The tenant-log (stream) function the dispatcher invokes for stream sources. */
  streamFunctionName: 'STREAM_FUNCTION_NAME',
  /** The probe function the dispatcher invokes for probe sources (synthetic login, allow-list, tenant checks). */
  probeFunctionName: 'PROBE_FUNCTION_NAME',
  /** Compiled into the poll and digest bundles (esbuild `define`), not set at run time. */
  watcherConfig: 'WATCHER_CONFIG',
  /** Compiled into the dispatcher's bundle. */
  pollPlan: 'WATCHER_POLL_PLAN',
  /** Compiled into every bundle: `none` when the function reads no SSM parameter / Secrets Manager secret. */
  ssmSecrets: 'WATCHER_SSM_SECRETS',
  /** Compiled into the digest's bundle: `none` when it lists no tenant-log archive (the S3 client drops out). */
  tenantArchive: 'WATCHER_TENANT_ARCHIVE',
  secretsManagerSecrets: 'WATCHER_SECRETS_MANAGER_SECRETS',
} as const;

/** Powertools service names: the `service` key of every log line, one per function. */
export const SERVICE_NAMES = {
  poll: 'auth0-ops-watcher',
  dispatch: 'auth0-ops-watcher-dispatch',
  digest: 'auth0-ops-watcher-digest',
  alarms: 'auth0-ops-watcher-alarms',
  stream: 'auth0-ops-watcher-tenant-logs',
  probe: 'auth0-ops-watcher-probes',
} as const;

/** Where the tenant-log archive keeps its objects: `<prefix>tenant=<host>/date=<YYYY-MM-DD>/<first log id>.ndjson.gz`. */
export const ARCHIVE_PREFIX = 'tenant-logs/';

/** Where the poll metrics live: the poll writes them (functions/adapters/poll-metrics.ts), the alarms watch them. */
export const POLL_METRICS = {
  namespace: 'Auth0OpsWatcher',
  /** A poll that read its source: outcome `changed` or `unchanged`. */
  successfulPolls: 'SuccessfulPolls',
  /** A poll whose source could not be read or whose events could not be published: outcome `failed`. */
  failedPolls: 'FailedPolls',
  /** The dimension naming the source id. */
  sourceDimension: 'Source',
} as const;

/**
 * What a probe measures, as CloudWatch metrics: the probe function writes them (functions/adapters/probe-metrics.ts) in
 * the poll metrics' namespace, one per probe source, and the latency alarms (lib/probe-alarms.ts) watch them.
 */
export const PROBE_METRICS = {
  /** A probe's `latencyMs` measurement (a synthetic login's wall time), milliseconds, with the `Source` dimension. */
  latency: 'ProbeLatency',
  /** The measurement the latency metric is made of. */
  latencyMeasurement: 'latencyMs',
} as const;

/** A DynamoDB item operation a function's store adapters send; the stack grants exactly these. */
export type TableItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'Query' | 'DeleteItem';

/** The item operations each function's stores send (a channel plug-in may add its own, see `ChannelNotifier.tableActions`). */
export const TABLE_ACTIONS = {
  poll: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  digest: ['GetItem', 'PutItem', 'Query'],
  notifier: ['GetItem', 'PutItem', 'UpdateItem'],
  stream: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  probe: ['GetItem', 'PutItem', 'UpdateItem'],
} as const satisfies Record<string, readonly TableItemAction[]>;

/** The alarm relay's SNS client: three attempts of at most 2 s to connect and 5 s to answer. */
export const RELAY_SNS_CLIENT = { maxAttempts: 3, connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000 } as const;

/**
 * The relay's Lambda timeout in seconds: every retry of its one publish (24 s at worst with {@link RELAY_SNS_CLIENT})
 * plus 5 s for the cold start and the log line fits inside it, so a timed-out invocation has really failed (and is
 * retried by Lambda). A unit test holds it to `snsWorstCaseMs(RELAY_SNS_CLIENT) + 5 s`.
 */
export const RELAY_TIMEOUT_SECONDS = 29;
