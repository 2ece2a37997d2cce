// The deployed watcher: state (table, topics) apart from the stateless poll function with one schedule per source, one
// Slack notifier per Slack output, email alerts subscribed straight to the event topic, and an email digest run on a
// schedule in the configured time zone. Stream sources (the tenant's logs) add the tenant-log function, its archive
// bucket and the Glue table over it. Every function's failed invocations land in one dead-letter queue; its alarms
// and a dead-man's switch on successful polls notify the ops topic (`monitoring: 'detailed'` adds one dead-man's
// switch per source and errors and throttles alarms per function).
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DEFAULT_ARCHIVE_RETENTION_DAYS, DEFAULT_EVERY_MINUTES, type WatcherConfig } from '../functions/config/config.js';
import { SOURCE_REGISTRY, withItemScopes } from '../functions/sources/registry.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { checkDeploymentLimits } from './deployment-limits.js';
import { emailAlertRoutesOf, subscribeEmailAlerts } from './email-alerts.js';
import { digestSettingsOf, EmailDigest } from './email-digest.js';
import { OpsAlarms } from './ops-alarms.js';
import { PollSchedule, pollPlanOf } from './poll-schedule.js';
import { addLatencyAlarms } from './probe-alarms.js';
import { makeProbeFunction, probeSourcesOf } from './probe-function.js';
import { ChannelNotifier, channelRoutesOf, notifierIdOf } from './channel-notifier.js';
import { streamSourcesOf, TenantLogArchive } from './tenant-log-archive.js';
import { realtimeSourcesOf, TenantLogRealtime } from './tenant-log-realtime.js';
import { awsSecretOf, WatcherFunction } from './watcher-function.js';
import { WatcherState } from './watcher-state.js';
import { FUNCTION_ENV, SERVICE_NAMES, TABLE_ACTIONS } from '../functions/contract.js';

const POLL_ENTRY = fileURLToPath(new URL('../functions/poll/handler.ts', import.meta.url));
const STREAM_ENTRY = fileURLToPath(new URL('../functions/stream/handler.ts', import.meta.url));

export interface WatcherStackProps extends StackProps {
  /** The validated watcher configuration; its sources are compiled into the poll function. */
  readonly config: WatcherConfig;
  /** Display name of the event topic. @default 'Auth0 ops watcher' */
  readonly topicDisplayName?: string;
  /** Memory of the poll function in MiB. @default 256 */
  readonly pollMemorySize?: number;
  /** Timeout of one poll (one source). @default Duration.seconds(60) */
  readonly pollTimeout?: Duration;
  /** Retention of the poll, notifier and digest functions' logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The dead-man's switch: minutes without a successful poll of a source before its alarm notifies the ops topic. A
   * source polled less often waits three of its intervals instead (45 minutes for a 15-minute change log), so one
   * missed or slow poll never alarms. Whole minutes, 1 to 1440.
   * @default 15
   */
  readonly deadMansSwitchMinutes?: number;
  /**
   * How closely the watcher watches itself (docs/cost.md has the bill of each).
   * - `standard`: one dead-man's switch over all sources (one custom metric), and the dead-letter queue every
   *   function's failed invocations land in (depth and age); a failing source is reported by its `source.failing`
   *   event. Three alarms, about $0.60 a month.
   * - `detailed`: also a dead-man's switch per source (one custom metric each) and errors and throttles alarms per
   *   function: the alarm comes minutes earlier and names the source or function. About $0.40 a month per source.
   * @default 'standard'
   */
  readonly monitoring?: MonitoringLevel;
}

/** See `WatcherStackProps.monitoring`. */
export const MONITORING_LEVELS = ['standard', 'detailed'] as const;
export type MonitoringLevel = (typeof MONITORING_LEVELS)[number];

/**
 * How long Lambda keeps retrying a poll it could not run (throttled) before the poll lands in the dead-letter queue:
 * by then the next scheduled poll has replaced it, and the queue's alarm says that polls are being refused.
 */
const POLL_MAX_EVENT_AGE = Duration.minutes(5);

/** The item operations the poll's state store (functions/adapters/dynamo-state-store.ts) sends; it never deletes. */

/**
 * Per-source dead-man's switches per nested stack (detailed monitoring). A source added or removed moves the ones after
 * it along; CloudFormation names alarms itself, so a moved alarm is simply made anew in its new stack.
 */
export const SOURCE_ALARMS_PER_NESTED_STACK = 200;

/**
 * How long a source may go without a successful poll before its dead-man's switch alarms: three of its poll intervals,
 * and at least `minimumMinutes`.
 */
export function deadMansSwitchWindow(everyMinutes: number, minimumMinutes: number): Duration {
  return Duration.minutes(Math.max(3 * everyMinutes, minimumMinutes));
}

/**
 * The part of the config the poll function needs, validated here at synth; the function checks its shape at cold start.
 * Its sources are the feeds: stream sources are the tenant-log function's (`compiledStreamConfig`), and their secrets
 * are not the poll function's to read. A config of stream sources only compiles them here too, so the poll function's
 * cold-start check holds; the dispatcher never sends it one.
 */
export function compiledPollConfig(config: WatcherConfig): string {
  const { failureThreshold, trackResolvedDays, severityRules } = config;
  const feeds = config.sources.filter((source) => SOURCE_REGISTRY.moduleFor(source).kind === 'feed');
  const sources = feeds.length > 0 ? feeds : config.sources;
  // The severity rules only when there are any, so a config without them compiles as before.
  return JSON.stringify({
    failureThreshold,
    trackResolvedDays,
    ...(severityRules.length > 0 && { severityRules }),
    sources,
    ...emailTimeZoneOf(config),
  });
}

/** The part of the config the tenant-log function needs: the poll function's shape, with the stream sources only. */
export function compiledStreamConfig(config: WatcherConfig): string {
  const { failureThreshold, trackResolvedDays } = config;
  return JSON.stringify({ failureThreshold, trackResolvedDays, sources: streamSourcesOf(config), ...emailTimeZoneOf(config) });
}

/**
 * The zone the emails of a function's events show times in (the config's `timeZone`), only when it is not UTC, so a
 * config without one compiles as before.
 */
export function emailTimeZoneOf(config: WatcherConfig): { readonly timeZone?: string } {
  return config.timeZone === 'UTC' ? {} : { timeZone: config.timeZone };
}

/**
 * Timeout of one tenant-log run. The run stops reading at half its two-minute lease (functions/stream/poll-stream.ts),
 * and 90 s leaves time for its last page's archive and write, the final tick and the publish after that.
 */
const STREAM_TIMEOUT = Duration.seconds(90);

/**
 * The part of the config the digest function needs: what the poll function gets (the digest names sources), with each
 * source's poll interval filled in, the `email.digest` settings, and the `email.alerts` entries (addresses and rules);
 * the function checks its shape at cold start. The alert entries are in because the digest reports subscription health:
 * it compares the event topic's email subscriptions with these addresses, and an address that vanished is subscribed
 * again with its entry's filter policy. Editing them therefore redeploys the digest bundle too, a cheap price for
 * noticing an address a mail scanner silently unsubscribed.
 */
export function compiledDigestConfig(config: WatcherConfig): string {
  const { failureThreshold, trackResolvedDays, email } = config;
  // Each source's cadence as scheduled, so the digest can tell a source whose polls stopped from a quiet one; and the
  // scope of the sources that share their items, so the digest bundle needs no source module to find them.
  const sources = withItemScopes(config.sources).map((source) => ({
    ...source,
    everyMinutes: source.everyMinutes ?? DEFAULT_EVERY_MINUTES[source.type],
  }));
  const alerts = email.alerts.map(({ addresses, rules }) => ({ addresses, rules }));
  return JSON.stringify({ failureThreshold, trackResolvedDays, sources, email: { digest: email.digest, alerts } });
}

export class WatcherStack extends Stack {
  readonly state: WatcherState;
  /** Every alarm of the watcher; each notifies the ops topic. */
  readonly alarms: OpsAlarms;
  readonly poll: WatcherFunction;
  /** The every-minute schedule and the dispatcher that invokes the poll function for each source due. */
  readonly pollSchedule: PollSchedule;
  /** With detailed monitoring, the nested stacks holding the per-source dead-man's switches; else empty. */
  readonly sourceAlarmStacks: NestedStack[];
  /** One per channel route (Slack output), in config order; empty when the config has none. */
  readonly notifiers: readonly ChannelNotifier[];
  /** Where failed asynchronous invocations wait: polls, dispatch runs, digest runs and alarms (Slack routes have their own). */
  readonly deadLetterQueue: DeadLetterQueue;
  /** The event topic's email subscriptions, one per address of each `email.alerts` entry, in config order. */
  readonly emailAlertSubscriptions: readonly sns.Subscription[];
  /** The email digest; undefined when the config has no `email.digest`. */
  readonly digest?: EmailDigest;
  /** The tenant-log function, which reads the stream sources; undefined when the config has none. */
  readonly stream?: WatcherFunction;
  /** The stream sources' archive bucket and its Glue table; undefined when the config has no stream source. */
  readonly archive?: TenantLogArchive;
  /** The probe function, which runs the probe sources (lib/probe-function.ts); undefined when the config has none. */
  readonly probe?: WatcherFunction;
  /** The real-time path (partner event buses, rules, queue); undefined when no stream source sets `partnerEventSource`. */
  readonly realtime?: TenantLogRealtime;

  constructor(scope: Construct, id: string, props: WatcherStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Each source plug-in declares the secret references its config holds; each gets its read grant below, in the
    // function that reads the source: a stream source's in the tenant-log function, every other in the poll function.
    const streamSources = streamSourcesOf(config);
    const secretRefsOf = (sources: WatcherConfig['sources']) =>
      sources.flatMap((source) =>
        SOURCE_REGISTRY.secretRefsOf(source).map(({ field, ref }) => ({ ref, usedBy: `source "${source.id}" field "${field}"` })),
      );
    const secretRefs = secretRefsOf(config.sources);
    const streamSecretRefs = secretRefsOf(streamSources);
    const probeSources = probeSourcesOf(config);
    const probeSecretRefs = secretRefsOf(probeSources);
    const pollSecretRefs = secretRefsOf(
      config.sources.filter((source) => !streamSources.includes(source) && !probeSources.includes(source)),
    );
    // Refuse unusable secret references (env:…), unfilterable routes and unsubscribable addresses before anything is
    // built or bundled.
    for (const { ref, usedBy } of secretRefs) awsSecretOf(ref, usedBy);
    const deadMansSwitchMinutes = props.deadMansSwitchMinutes ?? 15;
    if (!Number.isInteger(deadMansSwitchMinutes) || deadMansSwitchMinutes < 1 || deadMansSwitchMinutes > 1440) {
      throw new RangeError(`deadMansSwitchMinutes must be a whole number of minutes from 1 to 1440, not ${deadMansSwitchMinutes}`);
    }
    const monitoring = props.monitoring ?? 'standard';
    if (!MONITORING_LEVELS.includes(monitoring)) {
      throw new RangeError(`monitoring must be one of ${MONITORING_LEVELS.join(', ')}, not ${JSON.stringify(monitoring)}`);
    }
    const detailed = monitoring === 'detailed';
    const channelRoutes = channelRoutesOf(config);
    const emailAlertRoutes = emailAlertRoutesOf(config);
    const digestSettings = digestSettingsOf(config);

    // Stateful.
    this.state = new WatcherState(this, 'State', {
      topicDisplayName: props.topicDisplayName,
      withDigestTopic: digestSettings !== undefined,
    });
    // Every function's failed asynchronous invocations (errors once retries are spent, and events throttled past their
    // maximum age) wait here for an operator; its two alarms are the watcher's alarm on failing functions.
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue');
    this.alarms = new OpsAlarms(this, 'Alarms', {
      topic: this.state.opsTopic,
      deadLetterQueue: this.deadLetterQueue,
      logRetention: props.logRetention,
    });
    this.alarms.watchDeadLetterQueue(
      'DeadLetters',
      this.deadLetterQueue,
      `poll, ${streamSources.length > 0 ? 'tenant-log, ' : ''}${probeSources.length > 0 ? 'probe, ' : ''}dispatch, digest or alarm`,
    );

    // Stateless: one function polls any source; the schedule says which.
    this.poll = new WatcherFunction(this, 'Poll', {
      entry: POLL_ENTRY,
      description: 'Polls one Auth0 source, diffs it against the state table and publishes events',
      memorySize: props.pollMemorySize,
      timeout: props.pollTimeout,
      logRetention: props.logRetention,
      // A failed poll is not retried (the next scheduled poll is the retry) but recorded in the queue, which alarms.
      retryAttempts: 0,
      maxEventAge: POLL_MAX_EVENT_AGE,
      deadLetterQueue: this.deadLetterQueue,
      // Per-source dimensions make one billed custom metric per source; only the per-source alarms need them.
      environment: { [FUNCTION_ENV.pollMetricsBySource]: String(detailed) },
      // Compiled in rather than passed as an environment variable: no 4 KB limit, and the bundle matches the config.
      define: { [`process.env.${FUNCTION_ENV.watcherConfig}`]: JSON.stringify(compiledPollConfig(config)) },
      secretRefs: pollSecretRefs,
    });
    this.poll.bindTable(this.state.table, FUNCTION_ENV.tableName, TABLE_ACTIONS.poll);
    this.poll.bindTopic(this.state.topic, FUNCTION_ENV.topicArn);
    const plan = pollPlanOf(config);
    // Silence is news once the most often polled source has missed three polls.
    this.alarms.watchAllSuccessfulPolls(
      'NoSuccessfulPoll',
      deadMansSwitchWindow(Math.min(...plan.sources.map((source) => source.everyMinutes)), deadMansSwitchMinutes),
    );
    if (detailed) this.alarms.watchFunction('PollFunction', this.poll.function, 'poll');

    // Stream sources (the tenant's logs): the archive every page is written to before its checkpoint moves, and the
    // function that reads them, with their secrets, the table, the event topic and the archive's prefix.
    if (streamSources.length > 0) {
      this.archive = new TenantLogArchive(this, 'TenantLogArchive', {
        retentionDays: config.archive?.retentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS,
      });
      this.stream = new WatcherFunction(this, 'TenantLogs', {
        entry: STREAM_ENTRY,
        description: "Reads one Auth0 tenant's logs on from its checkpoint, archives each page and publishes events",
        serviceName: SERVICE_NAMES.stream,
        memorySize: props.pollMemorySize,
        timeout: STREAM_TIMEOUT,
        logRetention: props.logRetention,
        // Like a poll: the next scheduled run continues from the checkpoint; a failed one is recorded in the queue.
        retryAttempts: 0,
        maxEventAge: POLL_MAX_EVENT_AGE,
        deadLetterQueue: this.deadLetterQueue,
        environment: { [FUNCTION_ENV.pollMetricsBySource]: String(detailed) },
        define: { [`process.env.${FUNCTION_ENV.watcherConfig}`]: JSON.stringify(compiledStreamConfig(config)) },
        secretRefs: streamSecretRefs,
      });
      this.stream.bindTable(this.state.table, FUNCTION_ENV.tableName, TABLE_ACTIONS.stream);
      this.stream.bindTopic(this.state.topic, FUNCTION_ENV.topicArn);
      this.archive.bindWriter(this.stream, FUNCTION_ENV.archiveBucket);
      if (detailed) this.alarms.watchFunction('TenantLogsFunction', this.stream.function, 'tenant-log');
      // The optional real-time path: Auth0's EventBridge log stream into the same function, ahead of its polls.
      const realtimeSources = realtimeSourcesOf(config);
      if (realtimeSources.length > 0) {
        this.realtime = new TenantLogRealtime(this, 'TenantLogRealtime', {
          sources: realtimeSources,
          function: this.stream,
          functionTimeout: STREAM_TIMEOUT,
          alarms: this.alarms,
        });
      }
    }

    // Probe sources (a synthetic login, the allow-list, tenant checks): one function with their secrets only, and a
    // latency alarm per synthetic login.
    if (probeSources.length > 0) {
      this.probe = makeProbeFunction(this, 'Probes', {
        config,
        secretRefs: probeSecretRefs,
        table: this.state.table,
        topic: this.state.topic,
        deadLetterQueue: this.deadLetterQueue,
        metricsBySource: detailed,
        logRetention: props.logRetention,
      });
      addLatencyAlarms(this.alarms, config);
      if (detailed) this.alarms.watchFunction('ProbeFunction', this.probe.function, 'probe');
    }

    // One schedule, every minute, for all sources: the dispatcher invokes the poll function (or, for a stream source,
    // the tenant-log function; for a probe, the probe function) for each source due.
    this.pollSchedule = new PollSchedule(this, 'PollSchedule', {
      plan,
      poll: this.poll,
      stream: this.stream,
      probe: this.probe,
      deadLetterQueue: this.deadLetterQueue,
      logRetention: props.logRetention,
    });
    if (detailed) this.alarms.watchFunction('DispatchFunction', this.pollSchedule.dispatcher.function, 'poll dispatcher');

    // Detailed monitoring: a dead-man's switch per source. These alarms are most of a large config's resources, so they
    // live in nested stacks of SOURCE_ALARMS_PER_NESTED_STACK each, keeping every stack under CloudFormation's 500.
    this.sourceAlarmStacks = [];
    if (detailed) {
      plan.sources.forEach((planned, index) => {
        const source = config.sources[index]!;
        const chunk = Math.floor(index / SOURCE_ALARMS_PER_NESTED_STACK);
        const nested =
          this.sourceAlarmStacks[chunk] ??
          (this.sourceAlarmStacks[chunk] = new NestedStack(this, `SourceAlarms${chunk + 1}`, {
            description: `Dead-man's switches of sources ${chunk * SOURCE_ALARMS_PER_NESTED_STACK + 1} and on`,
          }));
        this.alarms.watchSuccessfulPolls(
          `NoSuccessfulPoll-${source.id}`,
          source.id,
          source.name ?? source.id,
          deadMansSwitchWindow(planned.everyMinutes, deadMansSwitchMinutes),
          nested,
        );
      });
    }

    // Stateless: one queue and notifier per channel route (each Slack output); an event the notifier keeps failing to
    // deliver ends in the route's own dead-letter queue.
    this.notifiers = channelRoutes.map(
      (route) =>
        new ChannelNotifier(this, notifierIdOf(route), {
          route,
          topic: this.state.topic,
          table: this.state.table,
          alarms: this.alarms,
          logRetention: props.logRetention,
        }),
    );
    if (detailed) {
      for (const notifier of this.notifiers) {
        const routeId = notifier.route.output.id;
        this.alarms.watchFunction(notifierIdOf(notifier.route), notifier.function.function, `${notifier.route.plugin.label} notifier "${routeId}"`);
      }
    }

    // Real-time email: each address subscribes to the event topic itself, through its entry's filter policy.
    this.emailAlertSubscriptions = subscribeEmailAlerts(this.state.topic, emailAlertRoutes);

    // Stateless: the digest function, run by its schedule, publishing to the digest topic; a failed run alarms.
    const digestTopic = this.state.digestTopic;
    if (digestSettings && digestTopic) {
      this.digest = new EmailDigest(this, 'EmailDigest', {
        settings: digestSettings,
        compiledConfig: compiledDigestConfig(config),
        topic: digestTopic,
        eventTopic: this.state.topic,
        deadLetterQueue: this.deadLetterQueue,
        table: this.state.table,
        logRetention: props.logRetention,
        readsTenantArchive: this.archive !== undefined,
      });
      if (detailed) this.alarms.watchFunction('DigestFunction', this.digest.function.function, 'email digest');
      // The digest's "Your tenant" section reports the archive's size and oldest day: it lists the archive's prefix.
      if (this.archive) this.archive.bindLister(this.digest.function, FUNCTION_ENV.archiveBucket);
    }

    new CfnOutput(this, 'TableName', { description: 'State table', value: this.state.table.tableName });
    new CfnOutput(this, 'TopicArn', { description: 'Subscribe here for watcher events', value: this.state.topic.topicArn });
    new CfnOutput(this, 'OpsTopicArn', { description: 'Subscribe here for watcher alarms', value: this.state.opsTopic.topicArn });
    if (digestTopic) {
      new CfnOutput(this, 'DigestTopicArn', { description: 'Subscribe here for email digests', value: digestTopic.topicArn });
    }
    if (this.archive) {
      new CfnOutput(this, 'ArchiveBucketName', { description: 'Archive of the tenant logs', value: this.archive.bucket.bucketName });
      new CfnOutput(this, 'ArchiveTableName', { description: 'Athena table over the archive (database.table)', value: this.archive.tableName });
    }

    // Last, once everything is built: a config AWS would refuse stops the synth here, naming the limit it breaks.
    checkDeploymentLimits(this);
  }
}
