// Infrastructure assertions for email: alert addresses subscribed to the event topic through their rules' filter policy,
// and a digest function run by a time-zone schedule, publishing to its own topic, alarmed when it fails.
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG_INPUT, DEFAULT_EVERY_MINUTES, parseConfig } from '../../functions/config/config.js';
import { compiledDigestConfig, compiledPollConfig } from '../../lib/watcher-stack.js';
import {
  actionsOf,
  DENY_NON_TLS_PUBLISH,
  identityStatements,
  logicalIdOf,
  onlyLogicalId,
  opsAlarmActionOf,
  removeTempDirs,
  ROOT,
  statementsFor,
  synthStack,
} from './synth-watcher-stack.js';

afterAll(removeTempDirs);

const INCIDENT_ALERTS = {
  addresses: ['oncall@example.com', 'sre@example.com'],
  rules: { types: ['incident.*'], minSeverity: 'major' },
} as const;
const ADVISORY_ALERTS = { addresses: ['security@example.com'], rules: { types: ['advisory.*'], minSeverity: 'major' } } as const;
const DAILY_DIGEST = { addresses: ['ops@example.com'], time: '08:30', timeZone: 'Europe/Berlin' } as const;

/** The default sources with `email`. */
function withEmail(email: unknown): unknown {
  return { ...DEFAULT_CONFIG_INPUT, email };
}

const EMAIL = withEmail({ alerts: [INCIDENT_ALERTS, ADVISORY_ALERTS], digest: DAILY_DIGEST });

interface Resource {
  Properties: Record<string, unknown>;
}

/** The subscriptions to `topicId`, by endpoint. */
function subscriptionsTo(template: Template, topicId: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { TopicArn: { Ref: topicId } } })).map(
      (subscription) => [(subscription as Resource).Properties['Endpoint'] as string, (subscription as Resource).Properties],
    ),
  );
}

describe('email alerts', () => {
  const { stack, template } = synthStack(EMAIL);
  const eventTopicId = logicalIdOf(stack.state.topic);

  it("subscribes each alert address to the event topic over the email protocol, with its entry's filter policy on the message attributes", () => {
    const incidents = { type: [{ prefix: 'incident.' }], severity: ['critical', 'major'] };
    const advisories = { type: [{ prefix: 'advisory.' }], severity: ['critical', 'major'] };
    const email = (address: string, filterPolicy: unknown) => ({
      Protocol: 'email',
      Endpoint: address,
      TopicArn: { Ref: eventTopicId },
      FilterPolicy: filterPolicy,
      // Stated, so that a later deploy that adds or removes a filter policy succeeds.
      FilterPolicyScope: 'MessageAttributes',
    });
    expect(subscriptionsTo(template, eventTopicId)).toEqual({
      'oncall@example.com': email('oncall@example.com', incidents),
      'sre@example.com': email('sre@example.com', incidents),
      'security@example.com': email('security@example.com', advisories),
    });
    expect(stack.emailAlertSubscriptions).toHaveLength(3);
  });

  it('subscribes an alert entry without rules to every event', () => {
    const { stack: custom, template: customTemplate } = synthStack(withEmail({ alerts: [{ addresses: ['all@example.com'] }] }));
    const subscription = subscriptionsTo(customTemplate, logicalIdOf(custom.state.topic))['all@example.com'];
    expect(subscription).toMatchObject({ Protocol: 'email' });
    expect(subscription).not.toHaveProperty('FilterPolicy');
    expect(subscription).not.toHaveProperty('FilterPolicyScope');
  });

  it("keeps the watcher's health from an entry that selects vendors without asking for source.*, in its filter policy", () => {
    const { stack: custom, template: customTemplate } = synthStack(
      withEmail({ alerts: [{ addresses: ['github@example.com'], rules: { vendors: ['GitHub'] } }] }),
    );
    const subscription = subscriptionsTo(customTemplate, logicalIdOf(custom.state.topic))['github@example.com'];
    expect(subscription).toMatchObject({
      FilterPolicy: { type: [{ 'anything-but': { prefix: 'source.' } }], vendor: ['GitHub'] },
      FilterPolicyScope: 'MessageAttributes',
    });
  });

  it('names each subscription by its address, so reordering entries or moving an address between them keeps its subscription', () => {
    const moved = synthStack(
      withEmail({
        alerts: [
          { ...ADVISORY_ALERTS, addresses: ['sre@example.com', 'security@example.com'] },
          { ...INCIDENT_ALERTS, addresses: ['oncall@example.com'] },
        ],
        digest: DAILY_DIGEST,
      }),
    );
    const idsByEndpoint = (t: Template) =>
      Object.fromEntries(
        Object.entries(t.findResources('AWS::SNS::Subscription')).map(([id, s]) => [(s as Resource).Properties['Endpoint'], id]),
      );
    expect(idsByEndpoint(moved.template)).toEqual(idsByEndpoint(template));
  });

  it('refuses rules beyond the SNS filter-policy limits with a ConfigError naming the alert entry', () => {
    const busy = {
      addresses: ['busy@example.com'],
      rules: {
        sources: ['a', 'b', 'c', 'd', 'e'],
        types: ['incident.*', 'maintenance.*', 'changelog.published', 'advisory.*', 'source.*'],
        regions: ['US-1', 'US-3', 'EU-1', 'AU-1'],
        vendors: ['Auth0', 'Okta'],
      },
    };
    const build = () => synthStack(withEmail({ alerts: [INCIDENT_ALERTS, busy] }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^email\.alerts\[1\]\.rules: routing rules make 250 filter-policy combinations/);
  });

  it('refuses an address listed in two alert entries, whatever its case, naming both', () => {
    const build = () =>
      synthStack(withEmail({ alerts: [INCIDENT_ALERTS, { ...ADVISORY_ALERTS, addresses: ['SRE@example.com'] }] }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^email\.alerts\[1\]\.addresses: "SRE@example\.com" is already listed in email\.alerts\[0\]/);
  });

  it('builds no digest topic, function, schedule or alarm when the config has alerts but no digest', () => {
    const { stack: custom, template: customTemplate } = synthStack(withEmail({ alerts: [INCIDENT_ALERTS] }));
    expect(custom.digest).toBeUndefined();
    expect(custom.state.digestTopic).toBeUndefined();
    customTemplate.resourceCountIs('AWS::SNS::Topic', 2);
    customTemplate.resourceCountIs('AWS::SNS::Subscription', 2);
    // The poll function, the poll dispatcher and the alarm relay.
    customTemplate.resourceCountIs('AWS::Lambda::Function', 3);
    // The poll schedule only.
    customTemplate.resourceCountIs('AWS::Scheduler::Schedule', 1);
    // With detailed monitoring, the poll function's and the dispatcher's alarms only.
    const detailed = synthStack(withEmail({ alerts: [INCIDENT_ALERTS] }), { props: { monitoring: 'detailed' } });
    expect(
      Object.values(detailed.template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Lambda' } })).map(
        (alarm) => (alarm as Resource).Properties['Dimensions'],
      ),
    ).toEqual([
      [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(detailed.stack.poll.function) } }],
      [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(detailed.stack.poll.function) } }],
      [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(detailed.stack.pollSchedule.dispatcher.function) } }],
      [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(detailed.stack.pollSchedule.dispatcher.function) } }],
    ]);
    expect(Object.keys(customTemplate.findOutputs('*')).sort()).toEqual(['OpsTopicArn', 'TableName', 'TopicArn']);
  });
});

describe('email digest topic', () => {
  const { stack, template } = synthStack(EMAIL);
  const digestTopicId = logicalIdOf(stack.state.digestTopic!);

  it('encrypts the digest topic with the AWS-managed alias/aws/sns key and gives it a display name', () => {
    const topic = template.findResources('AWS::SNS::Topic')[digestTopicId] as Resource;
    expect(JSON.stringify(topic.Properties['KmsMasterKeyId'])).toMatch(/:alias\/aws\/sns"/);
    expect(topic.Properties['DisplayName']).toBe('Auth0 ops watcher digest');
  });

  it('denies publishing to the digest topic over non-TLS connections, and allows no service principal', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: digestTopicId }],
      PolicyDocument: {
        Statement: [
          DENY_NON_TLS_PUBLISH,
        ],
      },
    });
  });

  it('subscribes each digest address to the digest topic over the email protocol, unfiltered', () => {
    expect(subscriptionsTo(template, digestTopicId)).toEqual({
      'ops@example.com': { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: digestTopicId } },
    });
    expect(stack.digest!.subscriptions).toHaveLength(1);
  });

  it('has three topics (events, ops, digest) and outputs the digest topic ARN', () => {
    template.resourceCountIs('AWS::SNS::Topic', 3);
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['DigestTopicArn', 'OpsTopicArn', 'TableName', 'TopicArn']);
    expect(outputs['DigestTopicArn']?.['Value']).toEqual({ Ref: digestTopicId });
  });

  it('refuses a digest address listed twice', () => {
    const build = () => synthStack(withEmail({ digest: { ...DAILY_DIGEST, addresses: ['ops@example.com', 'Ops@example.com'] } }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('email.digest.addresses: "Ops@example.com" is listed twice');
  });
});

describe('email digest function', () => {
  const { stack, template } = synthStack(EMAIL);
  const functionId = logicalIdOf(stack.digest!.function.function);
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as Resource;
  const roleId = (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const tableId = logicalIdOf(stack.state.table);

  it('runs the digest on Node.js 24, arm64, 256 MB and a 60 s timeout, next to the poll, dispatcher and alarm relay functions', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    expect(fn.Properties).toMatchObject({
      Description: 'Sends the daily email digest of watcher events, every day at 08:30 Europe/Berlin',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 60,
      Handler: 'index.handler',
    });
  });

  it('sets TABLE_NAME, DIGEST_TOPIC_ARN and EVENT_TOPIC_ARN, and passes the config only through the bundle', () => {
    const variables = (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual([
      'DIGEST_TOPIC_ARN',
      'EVENT_TOPIC_ARN',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_NAME',
    ]);
    expect(variables['TABLE_NAME']).toEqual({ Ref: tableId });
    expect(variables['DIGEST_TOPIC_ARN']).toEqual({ Ref: logicalIdOf(stack.state.digestTopic!) });
    expect(variables['EVENT_TOPIC_ARN']).toEqual({ Ref: logicalIdOf(stack.state.topic) });
    expect(variables['POWERTOOLS_SERVICE_NAME']).toBe('auth0-ops-watcher-digest');
  });

  it('grants the GetItem, PutItem and Query its stores send, on the table only, and no UpdateItem or DeleteItem', () => {
    const statements = statementsFor(template, 'dynamodb', roleId);
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
  });

  it('grants sns:Publish on the digest topic only, sns:ListSubscriptionsByTopic on the event and digest topics only, and nothing beyond the table, the topics, its log group and the dead-letter queue', () => {
    const statements = statementsFor(template, 'sns', roleId);
    expect(statements).toHaveLength(2);
    const publish = statements.find((statement) => actionsOf(statement).includes('sns:Publish'));
    expect(actionsOf(publish!)).toEqual(['sns:Publish']);
    expect(publish!.Resource).toEqual({ Ref: logicalIdOf(stack.state.digestTopic!) });
    const list = statements.find((statement) => statement !== publish);
    expect(actionsOf(list!)).toEqual(['sns:ListSubscriptionsByTopic']);
    // In whatever order CDK's policy minimisation leaves them.
    expect(list!.Resource).toHaveLength(2);
    expect(list!.Resource).toEqual(
      expect.arrayContaining([{ Ref: logicalIdOf(stack.state.topic) }, { Ref: logicalIdOf(stack.state.digestTopic!) }]),
    );
    // The event topic appears in the listing grant and nowhere else: the digest never publishes events.
    const others = identityStatements(template, roleId).filter((statement) => statement !== list);
    expect(JSON.stringify(others)).not.toContain(logicalIdOf(stack.state.topic));
    expect(identityStatements(template, roleId)).toHaveLength(5);
    expect(statementsFor(template, 'sqs', roleId)).toEqual([
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [logicalIdOf(stack.deadLetterQueue), 'Arn'] } }),
    ]);
    expect(statementsFor(template, 'logs', roleId)).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(stack.digest!.function.logGroup), 'Arn'] },
      }),
    ]);
  });

  it('lets Lambda retry a failed run twice, since a digest run is idempotent', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 2,
    });
  });

  it('compiles the sources with their poll intervals, the digest settings and the alert entries (for subscription health) into the digest function, leaving the poll function\'s config as it was', () => {
    const config = parseConfig(EMAIL, ROOT);
    const compiled = JSON.parse(compiledDigestConfig(config)) as { sources: Array<{ itemScope?: string }> };
    // The Auth0 status source shares its items with any other region's (its scope); the other sources keep their own.
    expect(compiled.sources.map((source) => source.itemScope)).toEqual(['@status.auth0.com', undefined, undefined]);
    const digestConfig = parseConfig(
      { ...compiled, sources: compiled.sources.map(({ itemScope: _scope, ...source }) => source) },
      '/tmp',
    );
    expect(digestConfig.email.digest).toEqual({ ...DAILY_DIGEST, frequency: 'daily', weekday: 'MON', quiet: 'send' });
    expect(digestConfig.email.alerts).toEqual([
      { addresses: [...INCIDENT_ALERTS.addresses], rules: { types: ['incident.*'], minSeverity: 'major' } },
      { addresses: [...ADVISORY_ALERTS.addresses], rules: { types: ['advisory.*'], minSeverity: 'major' } },
    ]);
    // The cadence each source is scheduled at, so the digest can flag one whose polls stopped.
    expect(digestConfig.sources).toEqual(
      config.sources.map((source) => ({ ...source, everyMinutes: source.everyMinutes ?? DEFAULT_EVERY_MINUTES[source.type] })),
    );
    expect(digestConfig.sources.map((source) => source.everyMinutes)).toEqual([1, 15, 60]);
    expect(JSON.parse(compiledPollConfig(config))).toEqual({
      failureThreshold: config.failureThreshold,
      trackResolvedDays: config.trackResolvedDays,
      sources: JSON.parse(JSON.stringify(config.sources)),
    });
  });
});

describe('email digest schedule', () => {
  const { stack, template } = synthStack(EMAIL);
  const functionId = logicalIdOf(stack.digest!.function.function);

  it('runs a daily digest every day at its local time in its time zone, retrying a failed invoke twice', () => {
    // The digest's and the poll dispatcher's.
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 8 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      }),
    });
  });

  it.each([
    ['MON by default', {}, 'cron(30 8 ? * MON *)'],
    ['on its weekday', { weekday: 'FRI' }, 'cron(30 8 ? * FRI *)'],
  ])('runs a weekly digest %s', (_name, weekday, expression) => {
    const weekly = synthStack(withEmail({ digest: { ...DAILY_DIGEST, frequency: 'weekly', ...weekday } })).template;
    weekly.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('runs at midnight UTC for 00:00 in the default time zone', () => {
    const utc = synthStack(withEmail({ digest: { time: '00:00' } })).template;
    utc.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 0 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('gives the schedule a role only EventBridge Scheduler of this account assumes, and that can only invoke the digest function', () => {
    const schedule = template.findResources('AWS::Scheduler::Schedule')[logicalIdOf(stack.digest!.schedule)] as Resource;
    const roleId = (schedule.Properties['Target'] as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId] as Resource;
    expect(role.Properties['AssumeRolePolicyDocument']).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    expect(role.Properties['ManagedPolicyArns']).toBeUndefined();
    const statements = identityStatements(template, roleId);
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['lambda:InvokeFunction']);
    // The function and its versions or aliases (`<arn>:*`): nothing else.
    expect(statements[0]!.Resource).toEqual([
      { 'Fn::GetAtt': [functionId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [functionId, 'Arn'] }, ':*']] },
    ]);
  });

  it('synthesizes without warnings', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('email digest alarms', () => {
  it('sends a run that failed all its retries to the dead-letter queue, which alarms', () => {
    const { stack, template } = synthStack(EMAIL);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Sends the daily email digest'),
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(stack.deadLetterQueue), 'Arn'] } },
    });
  });

  const { stack, template } = synthStack(EMAIL, { props: { monitoring: 'detailed' } });
  const dimensions = [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack.digest!.function.function) } }];

  it.each(['Errors', 'Throttles'])('with detailed monitoring, alarms when the digest function reports %s within 5 minutes', (metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [opsAlarmActionOf(stack)],
    });
  });
});

describe('email, when not configured', () => {
  const { stack, template } = synthStack();

  it('builds no email subscription, digest topic, digest function, schedule or alarm', () => {
    expect(stack.emailAlertSubscriptions).toEqual([]);
    expect(stack.digest).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    // The poll schedule only.
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).sort()).toEqual(
      [logicalIdOf(stack.poll.function), logicalIdOf(stack.pollSchedule.dispatcher.function), logicalIdOf(stack.alarms.relay.function)].sort(),
    );
  });
});
