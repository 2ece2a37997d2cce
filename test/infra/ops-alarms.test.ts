// Infrastructure assertions for the ops alarms: with standard monitoring one dead-man's switch over all sources, the
// dead-letter queue the functions fail into and each Slack route's; with detailed monitoring also one per source (in
// nested stacks) and errors and throttles of every function. Every alarm invokes the relay function when it fires and
// when it recovers, and the relay publishes it to the ops topic.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG_INPUT } from '../../functions/config/config.js';
import { makePollMetrics } from '../../functions/adapters/poll-metrics.js';
import { POLL_METRICS, RELAY_TIMEOUT_SECONDS } from '../../functions/contract.js';
import type { PollOutcome } from '../../functions/poll/poll-source.js';
import type { WatcherStack } from '../../lib/watcher-stack.js';
import {
  FULL_CONFIG_INPUT,
  logicalIdOf,
  opsAlarmActionOf,
  removeTempDirs,
  statementsFor,
  synthStack,
} from './synth-watcher-stack.js';

afterAll(removeTempDirs);

interface AlarmProperties {
  AlarmName?: string;
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  AlarmActions: unknown[];
  OKActions?: unknown[];
}

function alarmsOf(template: Template): AlarmProperties[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => (alarm as { Properties: AlarmProperties }).Properties,
  );
}

const DETAILED = { props: { monitoring: 'detailed' } } as const;

/** The watcher-wide dead-man's switch: `SuccessfulPolls` without dimensions. */
function watcherDeadMansSwitchOf(template: Template): AlarmProperties {
  const alarms = alarmsOf(template).filter(
    (alarm) => alarm.MetricName === POLL_METRICS.successfulPolls && alarm.Dimensions === undefined,
  );
  expect(alarms).toHaveLength(1);
  return alarms[0]!;
}

/** The templates of the nested stacks holding the per-source dead-man's switches (detailed monitoring). */
function sourceAlarmTemplatesOf(stack: WatcherStack): Template[] {
  return stack.sourceAlarmStacks.map((nested) => Template.fromStack(nested));
}

/** The dead-man's-switch alarm of `sourceId`, wherever it is (detailed monitoring puts them in nested stacks). */
function deadMansSwitchOf(stack: WatcherStack, sourceId: string): AlarmProperties {
  const alarms = sourceAlarmTemplatesOf(stack).flatMap(alarmsOf).filter(
    (alarm) => alarm.MetricName === POLL_METRICS.successfulPolls && JSON.stringify(alarm.Dimensions ?? []).includes(`"${sourceId}"`),
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

/** The default config without the Auth0 status sources: the change log (15 minutes) and advisories (hourly) remain. */
const WITHOUT_STATUS = {
  ...DEFAULT_CONFIG_INPUT,
  sources: DEFAULT_CONFIG_INPUT.sources.filter((source) => source.type !== 'auth0-status'),
};

describe('standard monitoring (the default)', () => {
  const { stack, template } = synthStack(FULL_CONFIG_INPUT);
  const queueArn = { 'Fn::GetAtt': [logicalIdOf(stack.deadLetterQueue), 'Arn'] };

  it("has one dead-man's switch over all sources: no successful poll of any for 15 minutes, no data counting as none", () => {
    expect(watcherDeadMansSwitchOf(template)).toMatchObject({
      Namespace: 'Auth0OpsWatcher',
      MetricName: 'SuccessfulPolls',
      Statistic: 'Sum',
      Period: 15 * 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      AlarmDescription: expect.stringMatching(/^No successful poll of any source for 15 minutes/),
    });
  });

  it('waits three intervals of the most often polled source, and at least deadMansSwitchMinutes', () => {
    expect(watcherDeadMansSwitchOf(synthStack(WITHOUT_STATUS).template).Period).toBe(45 * 60);
    expect(watcherDeadMansSwitchOf(synthStack(DEFAULT_CONFIG_INPUT, { props: { deadMansSwitchMinutes: 30 } }).template).Period).toBe(
      30 * 60,
    );
  });

  it("has the dead-man's switch, and the depth and age of the functions' dead-letter queue and of each Slack route's", () => {
    const alarms = alarmsOf(template);
    expect(alarms.map((alarm) => `${alarm.Namespace} ${alarm.MetricName}`).sort()).toEqual([
      ...Array<string>(3).fill('AWS/SQS ApproximateAgeOfOldestMessage'),
      ...Array<string>(3).fill('AWS/SQS ApproximateNumberOfMessagesVisible'),
      'Auth0OpsWatcher SuccessfulPolls',
    ]);
    expect(stack.sourceAlarmStacks).toEqual([]);
  });

  it('sends the failed asynchronous invocations of every scheduled or alarm-driven function to the one dead-letter queue', () => {
    const functions = [stack.poll, stack.pollSchedule.dispatcher, stack.digest!.function, stack.alarms.relay];
    for (const fn of functions) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        Description: (fn.function.node.defaultChild as { description?: string }).description,
        DeadLetterConfig: { TargetArn: queueArn },
      });
    }
    // The shared queue, and each of the two Slack routes' queue and dead-letter queue.
    template.resourceCountIs('AWS::SQS::Queue', 1 + 2 * 2);
  });

  it('does not retry a failed poll, and gives up on a throttled one after 5 minutes, both into the queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stack.poll.function) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('has the poll function write SuccessfulPolls without dimensions only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POLL_METRICS_BY_SOURCE: 'false' }) },
    });
  });

  it('refuses an unknown monitoring level', () => {
    expect(() => synthStack(DEFAULT_CONFIG_INPUT, { props: { monitoring: 'verbose' as never } })).toThrow(
      /monitoring must be one of standard, detailed, not "verbose"/,
    );
  });
});

describe("detailed monitoring: a dead-man's switch per source", () => {
  const { stack, template } = synthStack(DEFAULT_CONFIG_INPUT, DETAILED);
  const [sourceAlarms] = sourceAlarmTemplatesOf(stack);

  it.each([
    ['auth0-status-us-1', 'every minute', 15],
    ['auth0-changelog', 'every 15 minutes', 45],
    ['auth0-advisories', 'hourly', 180],
  ])('alarms when %s (polled %s) has had no successful poll for %i minutes, no data counting as none', (sourceId, _cadence, minutes) => {
    sourceAlarms!.hasResourceProperties('AWS::CloudWatch::Alarm', {
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
      AlarmDescription: Match.stringLikeRegexp('^No successful poll of '),
    });
  });

  it('has one per source in a nested stack of their own, besides the one over all sources in the main stack', () => {
    expect(stack.sourceAlarmStacks).toHaveLength(1);
    expect(alarmsOf(sourceAlarms!)).toHaveLength(DEFAULT_CONFIG_INPUT.sources.length);
    expect(alarmsOf(sourceAlarms!).every((alarm) => alarm.MetricName === 'SuccessfulPolls' && alarm.Dimensions)).toBe(true);
    expect(alarmsOf(template).filter((alarm) => alarm.MetricName === 'SuccessfulPolls' && alarm.Dimensions)).toEqual([]);
    watcherDeadMansSwitchOf(template);
  });

  it('fills nested stacks of 200 switches each, in config order', () => {
    const many = {
      ...DEFAULT_CONFIG_INPUT,
      sources: Array.from({ length: 450 }, (_, i) => ({
        id: `feed-${i}`,
        type: 'feed',
        vendor: 'Example',
        url: `https://status${i}.example.com/feed.rss`,
      })),
    };
    const big = synthStack(many, DETAILED).stack;
    expect(sourceAlarmTemplatesOf(big).map((t) => alarmsOf(t).length)).toEqual([200, 200, 50]);
    expect(deadMansSwitchOf(big, 'feed-0').Dimensions).toEqual([{ Name: 'Source', Value: 'feed-0' }]);
    const [, second] = sourceAlarmTemplatesOf(big);
    second!.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'Source', Value: 'feed-200' }] });
  });

  it('has the poll function write the per-source metrics too', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POLL_METRICS_BY_SOURCE: 'true' }) },
    });
  });

  it('waits deadMansSwitchMinutes for a source polled every minute, and three intervals for one polled less often', () => {
    const custom = synthStack(DEFAULT_CONFIG_INPUT, { props: { monitoring: 'detailed', deadMansSwitchMinutes: 30 } }).stack;
    expect(deadMansSwitchOf(custom, 'auth0-status-us-1').Period).toBe(30 * 60);
    expect(deadMansSwitchOf(custom, 'auth0-changelog').Period).toBe(45 * 60);
    const longer = synthStack(DEFAULT_CONFIG_INPUT, { props: { monitoring: 'detailed', deadMansSwitchMinutes: 60 } }).stack;
    expect(deadMansSwitchOf(longer, 'auth0-changelog').Period).toBe(60 * 60);
  });

  it("follows a source's everyMinutes", () => {
    expect(deadMansSwitchOf(synthStack(withChangelogEvery(5), DETAILED).stack, 'auth0-changelog').Period).toBe(15 * 60);
  });

  it('splits a window longer than a day into day-long periods that must all be silent', () => {
    const daily = deadMansSwitchOf(synthStack(withChangelogEvery(1440), DETAILED).stack, 'auth0-changelog');
    expect(daily).toMatchObject({ Period: 86_400, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    const twiceADay = deadMansSwitchOf(synthStack(withChangelogEvery(600), DETAILED).stack, 'auth0-changelog');
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
  function metricsOf(
    sourceId: string,
    outcome: PollOutcome,
    bySource: boolean,
  ): { namespace: string; name: string; dimensions: Record<string, string> }[] {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    makePollMetrics({
      bySource,
      metrics: new Metrics({ namespace: POLL_METRICS.namespace, serviceName: 'auth0-ops-watcher' }),
    }).recordPoll(sourceId, outcome);
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

  /** The metric an alarm watches, in the shape `metricsOf` returns. */
  function watchedBy(alarm: AlarmProperties) {
    return {
      namespace: alarm.Namespace,
      name: alarm.MetricName,
      dimensions: Object.fromEntries((alarm.Dimensions ?? []).map(({ Name, Value }) => [Name, Value])),
    };
  }

  it.each(['changed', 'unchanged'] as const)(
    'counts an %s poll in SuccessfulPolls without dimensions only, the one metric the standard alarm watches',
    (outcome) => {
      const written = metricsOf('auth0-changelog', outcome, false);
      expect(written).toEqual([{ namespace: 'Auth0OpsWatcher', name: 'SuccessfulPolls', dimensions: {} }]);
      expect(watchedBy(watcherDeadMansSwitchOf(synthStack().template))).toEqual(written[0]);
    },
  );

  it('writes nothing for a failed or busy poll by default: no metric nobody alarms on is billed', () => {
    expect(metricsOf('auth0-changelog', 'failed', false)).toEqual([]);
    expect(metricsOf('auth0-changelog', 'busy', false)).toEqual([]);
  });

  it.each(['changed', 'unchanged'] as const)(
    "by source, counts an %s poll in SuccessfulPolls with its Source and without dimensions, what the detailed alarms watch",
    (outcome) => {
      const { stack, template } = synthStack(DEFAULT_CONFIG_INPUT, DETAILED);
      const written = metricsOf('auth0-changelog', outcome, true);
      expect(written).toEqual([
        { namespace: 'Auth0OpsWatcher', name: 'SuccessfulPolls', dimensions: { Source: 'auth0-changelog' } },
        { namespace: 'Auth0OpsWatcher', name: 'SuccessfulPolls', dimensions: {} },
      ]);
      expect(watchedBy(deadMansSwitchOf(stack, 'auth0-changelog'))).toEqual(written[0]);
      expect(watchedBy(watcherDeadMansSwitchOf(template))).toEqual(written[1]);
    },
  );

  it('by source, counts a failed poll in FailedPolls, and a busy one nowhere', () => {
    expect(metricsOf('auth0-changelog', 'failed', true)).toEqual([
      { namespace: 'Auth0OpsWatcher', name: 'FailedPolls', dimensions: { Source: 'auth0-changelog' } },
      { namespace: 'Auth0OpsWatcher', name: 'FailedPolls', dimensions: {} },
    ]);
    expect(metricsOf('auth0-changelog', 'busy', true)).toEqual([]);
  });
});

describe('detailed monitoring: function alarms', () => {
  const { stack, template } = synthStack(FULL_CONFIG_INPUT, DETAILED);
  const action = opsAlarmActionOf(stack);
  const [incidents, platform] = stack.notifiers;

  it.each([
    ['poll', 1, () => stack.poll.function],
    ['poll dispatcher', 1, () => stack.pollSchedule.dispatcher.function],
    ['incidents notifier', 1, () => incidents!.function.function],
    ['platform notifier', 1, () => platform!.function.function],
    ['digest', 1, () => stack.digest!.function.function],
  ])('alarms on any error of the %s function within 5 minutes, and on throttles in %i 5-minute period', (_name, throttledPeriods, fn) => {
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn()) } }];
    const common = {
      Namespace: 'AWS/Lambda',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [action],
      OKActions: [action],
    };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'Errors', EvaluationPeriods: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      MetricName: 'Throttles',
      EvaluationPeriods: throttledPeriods,
      DatapointsToAlarm: throttledPeriods,
    });
  });

  it("has exactly these alarms: a dead-man's switch over all sources and one per source, errors and throttles per function, and each dead-letter queue's two", () => {
    const alarms = [...alarmsOf(template), ...sourceAlarmTemplatesOf(stack).flatMap(alarmsOf)];
    expect(alarms.filter((alarm) => alarm.Namespace === 'Auth0OpsWatcher')).toHaveLength(1 + 3);
    expect(alarms.filter((alarm) => alarm.Namespace === 'AWS/Lambda')).toHaveLength(5 * 2);
    expect(alarms.filter((alarm) => alarm.Namespace === 'AWS/SQS')).toHaveLength(2 + 2 * 2);
    expect(alarms).toHaveLength(20);
  });
});

describe('alarm relay', () => {
  it.each([
    ['standard', {}],
    ['detailed', DETAILED],
  ])('is the alarm action and the OK action of every alarm with %s monitoring, nested stacks included', (_level, options) => {
    const { stack, template } = synthStack(FULL_CONFIG_INPUT, options);
    const relay = opsAlarmActionOf(stack);
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions).toEqual([relay]);
      expect(alarm.OKActions).toEqual([relay]);
    }
    // In a nested stack the relay's ARN arrives as a parameter, which the main stack fills with that ARN.
    for (const nested of stack.sourceAlarmStacks) {
      const nestedResource = template.findResources('AWS::CloudFormation::Stack')[logicalIdOf(nested)] as {
        Properties: { Parameters: Record<string, unknown> };
      };
      for (const alarm of alarmsOf(Template.fromStack(nested))) {
        const [action] = alarm.AlarmActions as { Ref: string }[];
        expect(nestedResource.Properties.Parameters[action!.Ref]).toEqual(relay);
        expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      }
    }
    expect(stack.sourceAlarmStacks).toHaveLength(options === DETAILED ? 1 : 0);
  });

  it.each([
    ['standard', {}],
    ['detailed', DETAILED],
  ])("may be invoked by this stack's alarms through one permission, however many alarms there are (%s)", (_level, options) => {
    const { stack, template } = synthStack(FULL_CONFIG_INPUT, options);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (p) => (p as { Properties: Record<string, unknown> }).Properties,
    );
    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: opsAlarmActionOf(stack),
        Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        // CloudFormation names every alarm of the stack and of its nested stacks `<stack name>-…`.
        SourceArn: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:Watcher-*'],
          ],
        },
      },
    ]);
  });

  it('publishes to the ops topic and nothing else, from a 128 MB Node.js 24 function whose timeout holds its retries', () => {
    const { stack, template } = synthStack();
    const relay = stack.alarms.relay;
    const opsTopicId = logicalIdOf(stack.state.opsTopic);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: "Publishes the Auth0 ops watcher's alarms to the ops topic",
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 128,
      Timeout: RELAY_TIMEOUT_SECONDS,
      Environment: { Variables: Match.objectLike({ OPS_TOPIC_ARN: { Ref: opsTopicId } }) },
    });
    const roleId = logicalIdOf(relay.role);
    expect(statementsFor(template, 'sns', roleId)).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: opsTopicId } }),
    ]);
    for (const service of ['dynamodb', 'ssm', 'secretsmanager', 'kms']) expect(statementsFor(template, service, roleId)).toEqual([]);
  });

  it('keeps the ops topic on the AWS-managed SNS key: no customer managed key anywhere', () => {
    const { stack, template } = synthStack(FULL_CONFIG_INPUT, DETAILED);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const topic = template.findResources('AWS::SNS::Topic')[logicalIdOf(stack.state.opsTopic)] as {
      Properties: { KmsMasterKeyId: unknown; DisplayName: string };
    };
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toMatch(/:alias\/aws\/sns"/);
    expect(topic.Properties.DisplayName).toBe('Auth0 ops watcher alarms');
  });
});
