// The channel notifiers on AWS: each route gets its notifier from its plug-in alone (its own handler and names, the
// route as ROUTE, read access to its own secret only, its queue subscribed with its rules): a plug-in of a test registry,
// PagerDuty and Opsgenie, Teams and the signed webhook. One file, so aws-cdk-lib is loaded once; no bundling.
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { makeChannelRegistry } from '../../functions/channels/channel-registry.js';
import { CHANNEL_PLUGINS } from '../../functions/channels/registry.js';
import { ConfigError, parseConfig } from '../../functions/config/config.js';
import { loadRouteLambdaConfig } from '../../functions/config/lambda-config.js';
import { webhookChannel } from '../../functions/channels/webhook/plugin.js';
import { ChannelNotifier, channelRoutesOf, notifierIdOf } from '../../lib/channel-notifier.js';
import { DeadLetterQueue } from '../../lib/dead-letter-queue.js';
import { OpsAlarms } from '../../lib/ops-alarms.js';
import { inboxChannel } from '../support/inbox-channel/plugin.js';
import { actionsOf, logicalIdOf, statementsFor } from './synth-watcher-stack.js';
import { configErrorOf } from '../support/config-error.js';

// The generic notifier construct builds a channel it was never written for: the tests' 'inbox' plug-in
// (test/support/inbox-channel/) gets its queue, dead-letter queue and alarms, its own handler, its secret and its names,
// from its plug-in alone.
const registry = makeChannelRegistry([...CHANNEL_PLUGINS, inboxChannel]);
const INBOX = { type: 'inbox', id: 'ops', inbox: 'ops', key: 'ssm:/auth0-watcher/inbox-key', rules: { types: ['incident.*'] } };

describe('a channel notifier for a channel plug-in of a test registry', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Channels');
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const topic = new sns.Topic(stack, 'Topic');
  const alarms = new OpsAlarms(stack, 'Alarms', { topic: new sns.Topic(stack, 'OpsTopic'), deadLetterQueue: new DeadLetterQueue(stack, 'Dlq') });
  const [route] = channelRoutesOf({ outputs: [{ type: 'console' }, INBOX] as never }, registry);
  const notifier = new ChannelNotifier(stack, notifierIdOf(route!), { route: route!, topic, table, alarms });
  const template = Template.fromStack(stack);

  it('names it after the plug-in and the route, and runs the plug-in’s own handler with its route as ROUTE', () => {
    expect(notifier.node.id).toBe('InboxNotifier-ops');
    expect(notifier.function.entry).toMatch(/test\/support\/inbox-channel\/handler\.ts$/);
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(notifier.function.function)] as {
      Properties: { Description: string; Environment: { Variables: Record<string, unknown> } };
    };
    expect(fn.Properties.Description).toBe('Posts watcher events to Inbox output "ops" (inbox ops)');
    expect(fn.Properties.Environment.Variables['POWERTOOLS_SERVICE_NAME']).toBe('auth0-ops-watcher-inbox');
    expect(JSON.parse(fn.Properties.Environment.Variables['ROUTE'] as string)).toEqual(INBOX);
  });

  it('grants it its own secret and the delivery records’ item operations, and subscribes its queue with its rules', () => {
    const roleId = (template.findResources('AWS::Lambda::Function')[logicalIdOf(notifier.function.function)] as {
      Properties: { Role: { 'Fn::GetAtt': [string, string] } };
    }).Properties.Role['Fn::GetAtt'][0];
    expect(JSON.stringify(statementsFor(template, 'ssm', roleId))).toContain(':parameter/auth0-watcher/inbox-key');
    expect(actionsOf(statementsFor(template, 'dynamodb', roleId)[0]!).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', FilterPolicy: { type: [{ prefix: 'incident.' }] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: 'A Inbox route "ops" event failed and waits in the dead-letter queue' });
  });

  it('refuses a secret AWS cannot resolve, naming the output and the field', () => {
    expect(() => channelRoutesOf({ outputs: [{ ...INBOX, key: 'env:INBOX_KEY' }] as never }, registry)).toThrow(ConfigError);
    expect(() => channelRoutesOf({ outputs: [{ ...INBOX, key: 'env:INBOX_KEY' }] as never }, registry)).toThrow(
      'output "ops" field "key": "env:INBOX_KEY" cannot be resolved on AWS',
    );
  });
});

// A PagerDuty route and an Opsgenie route each get their notifier from their plug-in alone: its own handler and names,
// the route as ROUTE, and read access to its own secret only (an SSM SecureString for one, a Secrets Manager secret for
// the other). One synth, without bundling.
const PAGERDUTY = { type: 'pagerduty', id: 'oncall', routingKey: 'ssm:/auth0-watcher/pagerduty-routing-key', apiBaseUrl: 'https://events.pagerduty.com', rules: { minSeverity: 'major' } };
const OPSGENIE = { type: 'opsgenie', id: 'ops-team', apiKey: 'secretsmanager:auth0-watcher/opsgenie-key', region: 'eu', rules: { types: ['incident.*'] } };

describe('PagerDuty and Opsgenie notifiers', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Paging');
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const topic = new sns.Topic(stack, 'Topic');
  const alarms = new OpsAlarms(stack, 'Alarms', { topic: new sns.Topic(stack, 'OpsTopic'), deadLetterQueue: new DeadLetterQueue(stack, 'Dlq') });
  const routes = channelRoutesOf({ outputs: [{ type: 'console' }, PAGERDUTY, OPSGENIE] as never });
  const [pd, og] = routes.map((route) => new ChannelNotifier(stack, notifierIdOf(route), { route, topic, table, alarms }));
  const template = Template.fromStack(stack);
  const functionOf = (notifier: ChannelNotifier) =>
    template.findResources('AWS::Lambda::Function')[logicalIdOf(notifier.function.function)] as {
      Properties: { Description: string; Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, string> } };
    };
  const roleOf = (notifier: ChannelNotifier) => functionOf(notifier).Properties.Role['Fn::GetAtt'][0];
  const secretGrants = (notifier: ChannelNotifier) =>
    JSON.stringify([...statementsFor(template, 'ssm', roleOf(notifier)), ...statementsFor(template, 'secretsmanager', roleOf(notifier))]);

  it('deploys one notifier per route, each running its plug-in’s handler with its route as ROUTE', () => {
    expect(routes.map((route) => route.plugin.type)).toEqual(['pagerduty', 'opsgenie']);
    expect([pd!.node.id, og!.node.id]).toEqual(['PagerDutyNotifier-oncall', 'OpsgenieNotifier-ops-team']);
    expect(pd!.function.entry).toMatch(/functions\/channels\/pagerduty\/handler\.ts$/);
    expect(og!.function.entry).toMatch(/functions\/channels\/opsgenie\/handler\.ts$/);
    expect(functionOf(pd!).Properties.Description).toBe('Posts watcher events to PagerDuty output "oncall" (Events API v2)');
    expect(functionOf(og!).Properties.Description).toBe('Posts watcher events to Opsgenie output "ops-team" (Alert API, EU region)');
    expect(JSON.parse(functionOf(pd!).Properties.Environment.Variables['ROUTE']!)).toEqual(PAGERDUTY);
    expect(JSON.parse(functionOf(og!).Properties.Environment.Variables['ROUTE']!)).toMatchObject(OPSGENIE);
    expect(functionOf(og!).Properties.Environment.Variables['POWERTOOLS_SERVICE_NAME']).toBe('auth0-ops-watcher-opsgenie');
  });

  it('grants each notifier its own secret and not the other’s', () => {
    expect(secretGrants(pd!)).toContain(':parameter/auth0-watcher/pagerduty-routing-key');
    expect(secretGrants(pd!)).not.toContain('opsgenie-key');
    expect(secretGrants(og!)).toContain(':secret:auth0-watcher/opsgenie-key');
    expect(secretGrants(og!)).not.toContain('pagerduty-routing-key');
    expect(statementsFor(template, 'ssm', roleOf(og!))).toEqual([]);
  });

  it('refuses a key AWS cannot resolve, naming the output and the field', () => {
    expect(() => channelRoutesOf({ outputs: [{ ...PAGERDUTY, routingKey: 'env:PD_KEY' }] as never })).toThrow(
      'output "oncall" field "routingKey": "env:PD_KEY" cannot be resolved on AWS',
    );
    expect(() => channelRoutesOf({ outputs: [{ ...OPSGENIE, apiKey: 'env:OG_KEY' }] as never })).toThrow(
      'output "ops-team" field "apiKey": "env:OG_KEY" cannot be resolved on AWS',
    );
  });
});

// The Teams and webhook channels on AWS, from the watcher's own registry: a route of each gets its notifier function
// (its plug-in's handler, its names) reading only its own secret, and its queue subscribed with its rules; the config
// takes both route types and refuses what would leak a secret.
const TEAMS = { type: 'teams', id: 'oncall', webhookUrl: 'ssm:/auth0-watcher/teams-webhook-url', rules: { minSeverity: 'major' } };
const WEBHOOK = { type: 'webhook', id: 'itsm', url: 'https://hooks.example.com/auth0-watcher', secret: 'secretsmanager:auth0-watcher/webhook-secret', rules: { types: ['incident.*'] } };
const SOURCES = [{ id: 'auth0-status-us-1', type: 'auth0-status', region: 'US-1', url: 'https://status.auth0.com/feed?domain=acme.us.auth0.com' }];

describe('Teams and webhook routes deployed from the watcher’s registry', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Channels');
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const topic = new sns.Topic(stack, 'Topic');
  const alarms = new OpsAlarms(stack, 'Alarms', { topic: new sns.Topic(stack, 'OpsTopic'), deadLetterQueue: new DeadLetterQueue(stack, 'Dlq') });
  const config = parseConfig({ sources: SOURCES, outputs: [{ type: 'console' }, TEAMS, WEBHOOK] }, '/');
  const notifiers = channelRoutesOf(config).map((route) => new ChannelNotifier(stack, notifierIdOf(route), { route, topic, table, alarms }));
  const template = Template.fromStack(stack);
  const functionOf = (notifier: ChannelNotifier) =>
    template.findResources('AWS::Lambda::Function')[logicalIdOf(notifier.function.function)] as {
      Properties: { Description: string; Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, string> } };
    };
  const roleOf = (notifier: ChannelNotifier) => functionOf(notifier).Properties.Role['Fn::GetAtt'][0];

  it('gives each route its own notifier running its plug-in’s handler, named after the channel and the route', () => {
    expect(notifiers.map((n) => n.node.id)).toEqual(['TeamsNotifier-oncall', 'WebhookNotifier-itsm']);
    const [teams, webhook] = notifiers as [ChannelNotifier, ChannelNotifier];
    expect(teams.function.entry).toMatch(/functions\/channels\/teams\/handler\.ts$/);
    expect(webhook.function.entry).toMatch(/functions\/channels\/webhook\/handler\.ts$/);
    expect(functionOf(teams).Properties.Description).toBe('Posts watcher events to Teams output "oncall" (Workflows webhook, Adaptive Cards)');
    expect(functionOf(webhook).Properties.Description).toBe('Posts watcher events to Webhook output "itsm" (signed POST to hooks.example.com)');
    expect(functionOf(teams).Properties.Environment.Variables['POWERTOOLS_SERVICE_NAME']).toBe('auth0-ops-watcher-teams');
    // The route as configured, secret references only.
    expect(JSON.parse(functionOf(webhook).Properties.Environment.Variables['ROUTE']!)).toEqual(WEBHOOK);
  });

  it('lets each notifier read its own secret and no other', () => {
    const [teams, webhook] = notifiers as [ChannelNotifier, ChannelNotifier];
    const teamsSsm = JSON.stringify(statementsFor(template, 'ssm', roleOf(teams)));
    expect(teamsSsm).toContain(':parameter/auth0-watcher/teams-webhook-url');
    expect(statementsFor(template, 'secretsmanager', roleOf(teams))).toEqual([]);
    const webhookSecrets = JSON.stringify(statementsFor(template, 'secretsmanager', roleOf(webhook)));
    expect(webhookSecrets).toContain(':secret:auth0-watcher/webhook-secret');
    expect(statementsFor(template, 'ssm', roleOf(webhook))).toEqual([]);
  });

  it('subscribes each route’s queue to the event topic with its own rules', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', FilterPolicy: { severity: ['critical', 'major'] } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', FilterPolicy: { type: [{ prefix: 'incident.' }] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: 'A Webhook route "itsm" event failed and waits in the dead-letter queue' });
  });

  it('refuses a secret written into the config, an http:// receiver and an env: secret AWS cannot resolve', () => {
    const parse = (output: object) => () => parseConfig({ sources: SOURCES, outputs: [output] }, '/');
    expect(configErrorOf(parse({ ...TEAMS, webhookUrl: 'https://prod-00.westus.logic.azure.com/workflows/x?sig=abc' }))).toContain('outputs[0].webhookUrl');
    expect(configErrorOf(parse({ ...WEBHOOK, url: 'http://hooks.example.com/auth0-watcher' }))).toContain('outputs[0].url');
    expect(configErrorOf(parse({ ...WEBHOOK, url: 'https://user:pass@hooks.example.com/' }))).toContain('must not carry credentials');
    const local = parseConfig({ sources: SOURCES, outputs: [{ ...WEBHOOK, secret: 'env:WEBHOOK_SECRET' }] }, '/');
    expect(() => channelRoutesOf(local)).toThrow('output "itsm" field "secret": "env:WEBHOOK_SECRET" cannot be resolved on AWS');
  });
});

describe('a route with quiet hours deployed', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Channels');
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const topic = new sns.Topic(stack, 'Topic');
  const alarms = new OpsAlarms(stack, 'Alarms', { topic: new sns.Topic(stack, 'OpsTopic'), deadLetterQueue: new DeadLetterQueue(stack, 'Dlq') });
  const quiet = { ...WEBHOOK, rules: { minSeverity: 'major', quietHours: { from: '22:00', to: '07:00', below: 'critical' } } };
  const [route] = channelRoutesOf(parseConfig({ sources: SOURCES, outputs: [quiet] }, '/'));
  const notifier = new ChannelNotifier(stack, notifierIdOf(route!), { route: route!, topic, table, alarms });
  const template = Template.fromStack(stack);
  const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(notifier.function.function)] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, string> } };
  };

  it('hands the notifier its quiet hours with their zone, which its cold start accepts, and filters on the rules alone', () => {
    const env = { TABLE_NAME: 'watcher', ROUTE: fn.Properties.Environment.Variables['ROUTE']! };
    expect(loadRouteLambdaConfig(webhookChannel, env).route.rules.quietHours).toEqual({ from: '22:00', to: '07:00', below: 'critical', timeZone: 'UTC' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', FilterPolicy: { severity: ['critical', 'major'] } });
  });

  it('lets the notifier keep a held message out of sight in its own queue (ChangeMessageVisibility)', () => {
    const sqs = statementsFor(template, 'sqs', fn.Properties.Role['Fn::GetAtt'][0]);
    expect(sqs.flatMap(actionsOf)).toContain('sqs:ChangeMessageVisibility');
    expect(JSON.stringify(sqs)).toContain(logicalIdOf(notifier.queue));
  });
});
