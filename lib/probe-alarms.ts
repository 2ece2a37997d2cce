// The latency alarm of each synthetic login: its `ProbeLatency` metric (the probe function writes it, dimension
// `Source`) above the configured threshold for the configured number of periods, in the configured statistic. Like
// every alarm it notifies the ops topic through the relay (lib/ops-alarms.ts). No data (a paused or failing probe, which
// its own events report) is not breaching.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { WatcherConfig } from '../functions/config/config.js';
import {
  alarmPeriodMinutes,
  isSyntheticLoginSource,
  latencyAlarmOf,
} from '../functions/sources/auth0-synthetic-login/config-schema.js';
import { DEFAULT_EVERY_MINUTES } from '../functions/config/config.js';
import { POLL_METRICS, PROBE_METRICS } from '../functions/contract.js';
import type { OpsAlarms } from './ops-alarms.js';

/** Adds one latency alarm per synthetic login of the config; returns them in config order. */
export function addLatencyAlarms(alarms: OpsAlarms, config: WatcherConfig): cloudwatch.Alarm[] {
  return config.sources.filter(isSyntheticLoginSource).map((source) => {
    const { thresholdMs, statistic, periods } = latencyAlarmOf(source);
    const periodMinutes = alarmPeriodMinutes(source.everyMinutes ?? DEFAULT_EVERY_MINUTES[source.type]);
    const name = source.name ?? source.id;
    return alarms.add(`ProbeLatency-${source.id}`, {
      alarmDescription:
        `Logins to ${name} are slow: ${statistic} latency above ${thresholdMs} ms for ${periods} periods of ${periodMinutes} minutes ` +
        '(the synthetic login probe); see the probe log group',
      metric: new cloudwatch.Metric({
        namespace: POLL_METRICS.namespace,
        metricName: PROBE_METRICS.latency,
        dimensionsMap: { [POLL_METRICS.sourceDimension]: source.id },
        period: Duration.minutes(periodMinutes),
        statistic,
        unit: cloudwatch.Unit.MILLISECONDS,
      }),
      threshold: thresholdMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  });
}
