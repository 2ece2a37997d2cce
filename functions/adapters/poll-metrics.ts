// The poll's heartbeat: one CloudWatch metric per finished poll, written in the embedded metric format (EMF) to the
// function's log, so no PutMetricData call and no IAM permission. The dead-man's-switch alarms (lib/ops-alarms.ts) watch it.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PollOutcome } from '../poll/poll-source.js';
import { POLL_METRICS } from '../contract.js';

export interface PollMetrics {
  /**
   * Records one finished poll as a count of 1 in `SuccessfulPolls` (changed, unchanged) without dimensions. With
   * `bySource`, also with the `Source` dimension, and failed polls in `FailedPolls` the same two ways. `busy` (another
   * run holds the source) is neither.
   */
  recordPoll(sourceId: string, outcome: PollOutcome): void;
}

export interface PollMetricsOptions {
  /**
   * Whether to write the per-source metrics the per-source dead-man's switches watch. Every metric name and dimension
   * value is a custom metric CloudWatch bills ($0.30 a month each), so without per-source alarms the poll writes the
   * one metric the watcher-wide dead-man's switch watches and nothing else.
   * @default false
   */
  readonly bySource?: boolean;
  /** A Powertools Metrics instance, for tests. @default one in the `Auth0OpsWatcher` namespace */
  readonly metrics?: Metrics;
}

export function makePollMetrics(options: PollMetricsOptions = {}): PollMetrics {
  const metrics = options.metrics ?? new Metrics({ namespace: POLL_METRICS.namespace });
  // Powertools adds a `service` dimension to every metric by default; an alarm matches a metric by its exact dimension
  // set, so the poll metrics carry `Source` or nothing.
  metrics.clearDefaultDimensions();
  return {
    recordPoll(sourceId, outcome) {
      if (outcome === 'busy' || (outcome === 'failed' && !options.bySource)) return;
      const name = outcome === 'failed' ? POLL_METRICS.failedPolls : POLL_METRICS.successfulPolls;
      // One EMF document: the dimension set [] for the total across sources and, by source, ["Source"] as well.
      if (options.bySource) metrics.addDimension(POLL_METRICS.sourceDimension, sourceId);
      metrics.addDimensions({});
      metrics.addMetric(name, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}
