// The generic notifier construct builds a channel it was never written for: the tests' 'inbox' plug-in
// (test/support/inbox-channel/) gets its queue, dead-letter queue and alarms, its own handler, its secret and its names,
// from its plug-in alone.
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { makeChannelRegistry } from '../../functions/channels/channel-registry.js';
import { CHANNEL_PLUGINS } from '../../functions/channels/registry.js';
import { ConfigError } from '../../functions/config/config.js';
import { ChannelNotifier, channelRoutesOf, notifierIdOf } from '../../lib/channel-notifier.js';
import { DeadLetterQueue } from '../../lib/dead-letter-queue.js';
import { OpsAlarms } from '../../lib/ops-alarms.js';
import { inboxChannel } from '../support/inbox-channel/plugin.js';
import { actionsOf, logicalIdOf, statementsFor } from './synth-watcher-stack.js';

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
