// A probe's latency as the CloudWatch metric the latency alarm watches: one EMF document on stdout, in the poll metrics'
// namespace, `ProbeLatency` in milliseconds with the `Source` dimension alone; nothing for a run without a latency.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeProbeMetrics } from '../../functions/adapters/probe-metrics.js';
import { POLL_METRICS, PROBE_METRICS } from '../../functions/contract.js';

function printed(record: (metrics: ReturnType<typeof makeProbeMetrics>) => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  record(makeProbeMetrics({ metrics: new Metrics({ namespace: POLL_METRICS.namespace, serviceName: 'auth0-ops-watcher-probes' }) }));
  vi.restoreAllMocks();
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('probe metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the latency as ProbeLatency in milliseconds, dimensioned by Source only', () => {
    const [document, ...more] = printed((metrics) => metrics.recordMeasurements('login-us', { latencyMs: 312, failingChecks: 1 }));
    expect(more).toEqual([]);
    expect(document![PROBE_METRICS.latency]).toBe(312);
    expect(document![POLL_METRICS.sourceDimension]).toBe('login-us');
    expect((document!['_aws'] as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics).toEqual([
      { Namespace: 'Auth0OpsWatcher', Dimensions: [['Source']], Metrics: [{ Name: 'ProbeLatency', Unit: 'Milliseconds' }] },
    ]);
    // Other measurements are logged by the use case, not billed as metrics.
    expect(document).not.toHaveProperty('failingChecks');
  });

  it('writes nothing for a run that measured no latency (a paused probe, a tenant check)', () => {
    expect(printed((metrics) => metrics.recordMeasurements('checks', { failingChecks: 2 }))).toEqual([]);
    expect(printed((metrics) => metrics.recordMeasurements('login-us', undefined))).toEqual([]);
  });
});
