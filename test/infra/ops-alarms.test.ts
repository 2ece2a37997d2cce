// Infrastructure assertions for the ops alarms: a dead-man's switch per source on the metric the poll function writes,
// errors and throttles of every function, each alarm notifying the ops topic.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG_INPUT } from '../../functions/config/config.js';
import { makePollMetrics, POLL_METRICS } from '../../functions/adapters/poll-metrics.js';
import type { PollOutcome } from '../../functions/poll/poll-source.js';
import { FULL_CONFIG_INPUT, logicalIdOf, removeTempDirs, synthStack } from './synth-watcher-stack.js';

afterAll(removeTempDirs);

interface AlarmProperties {
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  AlarmActions: unknown[];
}

function alarmsOf(template: Template): AlarmProperties[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => (alarm as { Properties: AlarmProperties }).Properties,
  );
}

/** The dead-man's-switch alarm of `sourceId`. */
function deadMansSwitchOf(template: Template, sourceId: string): AlarmProperties {
  const alarms = alarmsOf(template).filter(
    (alarm) => alarm.MetricName === POLL_METRICS.successfulPolls && JSON.stringify(alarm.Dimensions).includes(`"${sourceId}"`),
  );
  expect(alarms).toHaveLength(1);
  return alarms[0]!;
}

/** The default sources with `everyMinutes` set on the change log. */
function withChangelogEvery(everyMinutes: number): unknown {
  return {
    ...DEFAULT_CONFIG_INPUT,
    sources: DEFAULT_CONFIG_INPUT.sources.map((source) =>
      source.type === 'auth0-changelog' ? { ...source, everyMinutes } : source,
    ),
  };
}

describe("dead-man's switch", () => {
  const { stack, template } = synthStack();
  const opsTopicId = logicalIdOf(stack.state.opsTopic);

  it.each([
    ['auth0-status-us-1', 'every minute', 15],
    ['auth0-changelog', 'every 15 minutes', 45],
    ['auth0-advisories', 'hourly', 180],
  ])('alarms the ops topic when %s (polled %s) has had no successful poll for %i minutes, no data counting as none', (sourceId, _cadence, minutes) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Auth0OpsWatcher',
      MetricName: 'SuccessfulPolls',
      Dimensions: [{ Name: 'Source', Value: sourceId }],
      Statistic: 'Sum',
      Period: minutes * 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: opsTopicId }],
      AlarmDescription: Match.stringLikeRegexp('^No successful poll of '),
    });
  });

  it('has one per source', () => {
    expect(alarmsOf(template).filter((alarm) => alarm.MetricName === 'SuccessfulPolls')).toHaveLength(
      DEFAULT_CONFIG_INPUT.sources.length,
    );
  });

  it('waits deadMansSwitchMinutes for a source polled every minute, and three intervals for one polled less often', () => {
    const custom = synthStack(DEFAULT_CONFIG_INPUT, { props: { deadMansSwitchMinutes: 30 } }).template;
    expect(deadMansSwitchOf(custom, 'auth0-status-us-1').Period).toBe(30 * 60);
    expect(deadMansSwitchOf(custom, 'auth0-changelog').Period).toBe(45 * 60);
    const longer = synthStack(DEFAULT_CONFIG_INPUT, { props: { deadMansSwitchMinutes: 60 } }).template;
    expect(deadMansSwitchOf(longer, 'auth0-changelog').Period).toBe(60 * 60);
  });

  it("follows a source's everyMinutes", () => {
    expect(deadMansSwitchOf(synthStack(withChangelogEvery(5)).template, 'auth0-changelog').Period).toBe(15 * 60);
  });

  it('splits a window longer than a day into day-long periods that must all be silent', () => {
    const daily = deadMansSwitchOf(synthStack(withChangelogEvery(1440)).template, 'auth0-changelog');
    expect(daily).toMatchObject({ Period: 86_400, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    const twiceADay = deadMansSwitchOf(synthStack(withChangelogEvery(600)).template, 'auth0-changelog');
    expect(twiceADay).toMatchObject({ Period: 900 * 60, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
  });

  it.each([0, 1.5, 1441])('refuses deadMansSwitchMinutes %s', (minutes) => {
    expect(() => synthStack(DEFAULT_CONFIG_INPUT, { props: { deadMansSwitchMinutes: minutes } })).toThrow(
      /deadMansSwitchMinutes must be a whole number of minutes from 1 to 1440/,
    );
  });
});

describe('poll metrics, as the poll function writes them', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The CloudWatch metrics (namespace, name, dimensions) one recorded poll creates, read from the EMF it prints. */
  function metricsOf(sourceId: string, outcome: PollOutcome): { namespace: string; name: string; dimensions: Record<string, string> }[] {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    makePollMetrics(new Metrics({ namespace: POLL_METRICS.namespace, serviceName: 'auth0-ops-watcher' })).recordPoll(
      sourceId,
      outcome,
    );
    vi.restoreAllMocks();
    return lines.flatMap((line) => {
      const document = JSON.parse(line) as {
        _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
      } & Record<string, unknown>;
      return document._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.flatMap((metric) => {
          expect(metric.Unit).toBe('Count');
          expect(document[metric.Name]).toBe(1);
          return directive.Dimensions.map((set) => ({
            namespace: directive.Namespace,
            name: metric.Name,
            dimensions: Object.fromEntries(set.map((key) => [key, document[key] as string])),
          }));
        }),
      );
    });
  }

  it.each(['changed', 'unchanged'] as const)(
    "counts an %s poll in SuccessfulPolls with its Source and without dimensions, the first being what the source's alarm watches",
    (outcome) => {
      const { template } = synthStack();
      const written = metricsOf('auth0-changelog', outcome);
      expect(written).toEqual([
        { namespace: 'Auth0OpsWatcher', name: 'SuccessfulPolls', dimensions: { Source: 'auth0-changelog' } },
        { namespace: 'Auth0OpsWatcher', name: 'SuccessfulPolls', dimensions: {} },
      ]);
      const alarm = deadMansSwitchOf(template, 'auth0-changelog');
      expect({
        namespace: alarm.Namespace,
        name: alarm.MetricName,
        dimensions: Object.fromEntries(alarm.Dimensions!.map(({ Name, Value }) => [Name, Value])),
      }).toEqual(written[0]);
    },
  );

  it('counts a failed poll in FailedPolls, and a busy one nowhere', () => {
    expect(metricsOf('auth0-changelog', 'failed')).toEqual([
      { namespace: 'Auth0OpsWatcher', name: 'FailedPolls', dimensions: { Source: 'auth0-changelog' } },
      { namespace: 'Auth0OpsWatcher', name: 'FailedPolls', dimensions: {} },
    ]);
    expect(metricsOf('auth0-changelog', 'busy')).toEqual([]);
  });
});

describe('function alarms', () => {
  const { stack, template } = synthStack(FULL_CONFIG_INPUT);
  const opsTopicId = logicalIdOf(stack.state.opsTopic);
  const [incidents, platform] = stack.notifiers;

  it.each([
    ['poll', () => stack.poll.function, 1],
    ['incidents notifier', () => incidents!.function.function, 3],
    ['platform notifier', () => platform!.function.function, 3],
    ['digest', () => stack.digest!.function.function, 1],
  ])('alarms the ops topic on any error of the %s function within 5 minutes, and on throttles in %i consecutive 5-minute periods', (_name, fn, throttledPeriods) => {
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn()) } }];
    const common = {
      Namespace: 'AWS/Lambda',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: opsTopicId }],
    };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'Errors', EvaluationPeriods: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      MetricName: 'Throttles',
      EvaluationPeriods: throttledPeriods,
      DatapointsToAlarm: throttledPeriods,
    });
  });

  it('has exactly these alarms: a dead-man\'s switch per source, errors and throttles per function, and the queue\'s two', () => {
    const alarms = alarmsOf(template);
    expect(alarms.filter((alarm) => alarm.Namespace === 'Auth0OpsWatcher')).toHaveLength(3);
    expect(alarms.filter((alarm) => alarm.Namespace === 'AWS/Lambda')).toHaveLength(4 * 2);
    expect(alarms.filter((alarm) => alarm.Namespace === 'AWS/SQS')).toHaveLength(2);
    expect(alarms).toHaveLength(13);
  });

  it('sends every alarm to the ops topic and nowhere else', () => {
    for (const alarm of alarmsOf(template)) expect(alarm.AlarmActions).toEqual([{ Ref: opsTopicId }]);
  });
});
