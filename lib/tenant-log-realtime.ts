// The optional real-time path of the tenant's logs on AWS: Auth0's Amazon EventBridge log stream (a partner event
// source) feeds the tenant-log function within seconds. Per source with a `partnerEventSource`: the partner event bus
// (named exactly after the event source, as EventBridge requires) and a rule on it passing the log types the detectors
// read; one encrypted, TLS-only queue for all of them, with its dead-letter queue and alarms; and the event source
// mapping that hands the queue's messages to the tenant-log function in batches.
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WatcherConfig } from '../functions/config/config.js';
import { DETECTED_LOG_TYPES } from '../functions/core/tenant/log-fields.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import type { DeadLetterQueueAlarms, OpsAlarms } from './ops-alarms.js';
import { streamSourcesOf } from './tenant-log-archive.js';
import type { WatcherFunction } from './watcher-function.js';

/** The `detail-type` of every event of Auth0's log stream. */
export const AUTH0_LOG_DETAIL_TYPE = 'Auth0 log';
/** Messages per invocation: one source's logs are classified in one conditional write per batch. */
export const REALTIME_BATCH_SIZE = 100;
/** How long the mapping gathers messages before invoking: seconds of delay for far fewer invocations and writes. */
export const REALTIME_BATCHING_WINDOW = Duration.seconds(5);
/** Invocations at once: SQS event source mappings allow no fewer than 2; two runs of one source retry a lost race. */
export const REALTIME_MAX_CONCURRENCY = 2;
/** Receives of a message before its dead-letter queue: a store that stays unreachable for minutes. */
export const REALTIME_MAX_RECEIVE_COUNT = 5;
/** Visibility timeout per second of the function's timeout: AWS advises six for Lambda event source mappings. */
const VISIBILITY_PER_TIMEOUT = 6;

/** A stream source with a real-time path. */
export interface RealtimeSource {
  readonly id: string;
  readonly partnerEventSource: string;
}

/** The stream sources of a config that set `partnerEventSource`, in config order. */
export function realtimeSourcesOf(config: WatcherConfig): RealtimeSource[] {
  return streamSourcesOf(config).flatMap((source) => {
    const partner = 'partnerEventSource' in source ? source.partnerEventSource : undefined;
    return partner === undefined ? [] : [{ id: source.id, partnerEventSource: partner }];
  });
}

/**
 * The rule's event pattern: Auth0's events from this partner source whose log (`detail.data`) is of a type a detector
 * reads. The log sits under `detail.data`: a pattern on `detail.type` never matches a real event.
 */
export function realtimeEventPattern(partnerEventSource: string): events.EventPattern {
  return { source: [partnerEventSource], detailType: [AUTH0_LOG_DETAIL_TYPE], detail: { data: { type: [...DETECTED_LOG_TYPES] } } };
}

export interface TenantLogRealtimeProps {
  readonly sources: readonly RealtimeSource[];
  /** The tenant-log function, which consumes the queue. */
  readonly function: WatcherFunction;
  /** Its timeout: the queue's visibility timeout is six times it. */
  readonly functionTimeout: Duration;
  readonly alarms: OpsAlarms;
}

export class TenantLogRealtime extends Construct {
  /** The partner event buses, one per source, in `sources` order. */
  readonly buses: events.EventBus[];
  readonly rules: events.Rule[];
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly deadLetterAlarms: DeadLetterQueueAlarms;

  constructor(scope: Construct, id: string, props: TenantLogRealtimeProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(VISIBILITY_PER_TIMEOUT * props.functionTimeout.toSeconds()),
      // The poll reads every log within its cadence anyway: a real-time event older than a day is worth nothing more.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: REALTIME_MAX_RECEIVE_COUNT },
    });
    this.buses = [];
    this.rules = [];
    for (const source of props.sources) {
      // With `eventSourceName` the bus takes that name: EventBridge connects a partner source only to its namesake bus.
      const bus = new events.EventBus(this, `PartnerBus-${source.id}`, { eventSourceName: source.partnerEventSource });
      const rule = new events.Rule(this, `Rule-${source.id}`, {
        description: `Auth0 log events of source "${source.id}" that the tenant detectors read, to the tenant-log function's queue`,
        eventBus: bus,
        eventPattern: realtimeEventPattern(source.partnerEventSource),
        targets: [new targets.SqsQueue(this.queue)],
      });
      this.buses.push(bus);
      this.rules.push(rule);
    }
    props.function.function.addEventSource(
      new lambdaEventSources.SqsEventSource(this.queue, {
        batchSize: REALTIME_BATCH_SIZE,
        maxBatchingWindow: REALTIME_BATCHING_WINDOW,
        maxConcurrency: REALTIME_MAX_CONCURRENCY,
        // The handler returns the messages of a source it could not classify; the others are deleted.
        reportBatchItemFailures: true,
      }),
    );
    this.deadLetterAlarms = props.alarms.watchDeadLetterQueue('TenantLogRealtimeDeadLetters', this.deadLetterQueue, 'tenant-log real-time');
  }
}
