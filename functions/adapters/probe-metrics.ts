// A probe's measurements as CloudWatch metrics: its latency (`latencyMs`) as `ProbeLatency` with the `Source` dimension,
// written in the embedded metric format (EMF) to the function's log, so no PutMetricData call and no IAM permission.
// The latency alarms (lib/probe-alarms.ts) watch it. Other measurements are logged, not made metrics: each metric is
// billed.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { POLL_METRICS, PROBE_METRICS } from '../contract.js';

export interface ProbeMetrics {
  /** Records a run's measurements; without a latency, nothing. */
  recordMeasurements(sourceId: string, measurements: Readonly<Record<string, number>> | undefined): void;
}

export function makeProbeMetrics(options: { readonly metrics?: Metrics } = {}): ProbeMetrics {
  const metrics = options.metrics ?? new Metrics({ namespace: POLL_METRICS.namespace });
  // An alarm matches a metric by its exact dimension set: `Source` only, no `service`.
  metrics.clearDefaultDimensions();
  return {
    recordMeasurements(sourceId, measurements) {
      const latency = measurements?.[PROBE_METRICS.latencyMeasurement];
      if (latency === undefined || !Number.isFinite(latency)) return;
      metrics.addDimension(POLL_METRICS.sourceDimension, sourceId);
      metrics.addMetric(PROBE_METRICS.latency, MetricUnit.Milliseconds, latency);
      metrics.publishStoredMetrics();
    },
  };
}
