// The poll's heartbeat: one CloudWatch metric per finished poll, written in the embedded metric format (EMF) to the
// function's log, so no PutMetricData call and no IAM permission. The dead-man's-switch alarms (lib/ops-alarms.ts) watch it.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PollOutcome } from '../poll/poll-source.js';

/** Where the poll metrics live; the alarms name the same metrics from here, so the two cannot drift apart. */
export const POLL_METRICS = {
  namespace: 'Auth0OpsWatcher',
  /** A poll that read its source: outcome `changed` or `unchanged`. */
  successfulPolls: 'SuccessfulPolls',
  /** A poll whose source could not be read or whose events could not be published: outcome `failed`. */
  failedPolls: 'FailedPolls',
  /** The dimension naming the source id. */
  sourceDimension: 'Source',
} as const;

export interface PollMetrics {
  /**
   * Records one finished poll as a count of 1 in `SuccessfulPolls` (changed, unchanged) or `FailedPolls` (failed), once
   * with the `Source` dimension and once without any; `busy` (another run holds the source) is neither.
   */
  recordPoll(sourceId: string, outcome: PollOutcome): void;
}

/** @param metrics a Powertools Metrics instance, for tests; by default one in the `Auth0OpsWatcher` namespace */
export function makePollMetrics(metrics: Metrics = new Metrics({ namespace: POLL_METRICS.namespace })): PollMetrics {
  // Powertools adds a `service` dimension to every metric by default; an alarm matches a metric by its exact dimension
  // set, so the poll metrics carry `Source` or nothing.
  metrics.clearDefaultDimensions();
  return {
    recordPoll(sourceId, outcome) {
      const name =
        outcome === 'failed' ? POLL_METRICS.failedPolls : outcome === 'busy' ? undefined : POLL_METRICS.successfulPolls;
      if (name === undefined) return;
      // One EMF document, two dimension sets: ["Source"] for the per-source alarm and [] for the total across sources.
      metrics.addDimension(POLL_METRICS.sourceDimension, sourceId);
      metrics.addDimensions({});
      metrics.addMetric(name, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}
