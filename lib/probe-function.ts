// The probe function on AWS: one function runs every probe source (a synthetic login, the IP allow-list, tenant checks),
// with only the probe sources compiled into its bundle and only their secrets granted; the table, the event topic, the
// same heartbeat as the poll function, and a latency alarm per synthetic login (lib/probe-alarms.ts).
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { WatcherConfig } from '../functions/config/config.js';
import { SOURCE_REGISTRY } from '../functions/sources/registry.js';
import { FUNCTION_ENV, SERVICE_NAMES, TABLE_ACTIONS } from '../functions/contract.js';
import { WatcherFunction, type SecretRefUse } from './watcher-function.js';
import type { Construct } from 'constructs';

const PROBE_ENTRY = fileURLToPath(new URL('../functions/probe/handler.ts', import.meta.url));

/**
 * Timeout of one probe run. A probe's own deadline is its `timeoutMs` (at most 30 s, a synthetic login's default 10 s);
 * 60 s leaves room for the outbox, the write and the publish after it.
 */
export const PROBE_TIMEOUT = Duration.seconds(60);
/** Memory of the probe function, MiB: a run is one or two HTTPS requests and one write (the bench measures its peak). */
export const PROBE_MEMORY_MB = 128;

/** The sources of a config that are probes: the probe function runs them. */
export function probeSourcesOf(config: WatcherConfig): WatcherConfig['sources'] {
  return config.sources.filter((source) => SOURCE_REGISTRY.moduleFor(source).kind === 'probe');
}

/** The part of the config the probe function needs: the poll function's shape, with the probe sources only. */
export function compiledProbeConfig(config: WatcherConfig): string {
  const { failureThreshold, trackResolvedDays } = config;
  // The emails' zone only when it is not UTC (as `emailTimeZoneOf` in watcher-stack.ts), so a config without one compiles as before.
  const zone = config.timeZone === 'UTC' ? {} : { timeZone: config.timeZone };
  return JSON.stringify({ failureThreshold, trackResolvedDays, sources: probeSourcesOf(config), ...zone });
}

export interface ProbeFunctionProps {
  readonly config: WatcherConfig;
  /** The probe sources' secret references, each with the source and field that uses it. */
  readonly secretRefs: readonly SecretRefUse[];
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly deadLetterQueue: sqs.IQueue;
  /** Whether the heartbeat carries the `Source` dimension (detailed monitoring). */
  readonly metricsBySource: boolean;
  readonly logRetention?: logs.RetentionDays;
}

/** Makes the probe function with its grants: the table's items, the event topic and the probe sources' secrets. */
export function makeProbeFunction(scope: Construct, id: string, props: ProbeFunctionProps): WatcherFunction {
  const fn = new WatcherFunction(scope, id, {
    entry: PROBE_ENTRY,
    description: 'Runs one probe source (synthetic login, allow-list, tenant checks) and publishes its events',
    serviceName: SERVICE_NAMES.probe,
    memorySize: PROBE_MEMORY_MB,
    timeout: PROBE_TIMEOUT,
    logRetention: props.logRetention,
    // Like a poll: the next scheduled run is the retry; a failed one is recorded in the queue, which alarms.
    retryAttempts: 0,
    maxEventAge: Duration.minutes(5),
    deadLetterQueue: props.deadLetterQueue,
    environment: { [FUNCTION_ENV.pollMetricsBySource]: String(props.metricsBySource) },
    define: { [`process.env.${FUNCTION_ENV.watcherConfig}`]: JSON.stringify(compiledProbeConfig(props.config)) },
    secretRefs: props.secretRefs,
  });
  fn.bindTable(props.table, FUNCTION_ENV.tableName, TABLE_ACTIONS.probe);
  fn.bindTopic(props.topic, FUNCTION_ENV.topicArn);
  return fn;
}
