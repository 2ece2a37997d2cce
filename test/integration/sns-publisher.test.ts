import { CreateTopicCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSnsClient, makeSnsPublisher, SNS_MESSAGE_MAX_BYTES } from '../../functions/adapters/sns-publisher.js';
import { PublishError } from '../../functions/core/errors.js';
import { renderEmailText, renderSubject } from '../../functions/core/event-text.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { TRUNCATION_MARK } from '../../functions/core/text/truncate.js';
import { sampleEvent } from '../support/sample-event.js';
import { startSnsTestServer, type RecordedPublish, type SnsTestServer } from '../support/sns-test-server.js';

/** An incident that names two regions, to show the region attribute carries both. */
function makeEvent(overrides: Partial<WatcherEvent> = {}): WatcherEvent {
  return sampleEvent({
    summary: 'Auth0 resolved the incident "Elevated Errors on Public Cloud" affecting US-1 and EU-1.',
    regions: ['US-1', 'EU-1'],
    update: {
      label: 'Resolved',
      at: '2026-04-22T20:14:05Z',
      text: 'This incident has been resolved. Authentication requests in US-1 and EU-1 are succeeding normally.',
    },
    ...overrides,
  });
}

function parseJsonMessage(record: RecordedPublish): { default: string; email: string } {
  return JSON.parse(record.message) as { default: string; email: string };
}

function messageBytes(record: RecordedPublish): number {
  let bytes = Buffer.byteLength(record.message);
  for (const [name, { dataType, value }] of Object.entries(record.attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(value);
  }
  return bytes;
}

describe('SNS publisher against the SNS test server', () => {
  let server: SnsTestServer;
  let client: SNSClient;
  let topicArn: string;

  beforeAll(async () => {
    server = await startSnsTestServer();
    client = makeSnsClient({ endpoint: server.endpoint });
    const created = await client.send(new CreateTopicCommand({ Name: 'auth0-ops-watcher-events' }));
    topicArn = created.TopicArn ?? '';
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  let before = 0;
  afterEach(() => {
    before = server.published().length;
  });
  const newPublishes = (): RecordedPublish[] => server.published().slice(before);

  it('creates the topic with the ARN shape SNS uses', () => {
    expect(topicArn).toBe('arn:aws:sns:us-east-1:000000000000:auth0-ops-watcher-events');
  });

  it('publishes one json-structured message: the event as JSON by default, readable text for email', async () => {
    const event = makeEvent();
    await makeSnsPublisher({ client, topicArn }).publish(event);

    const [record, ...rest] = newPublishes();
    expect(rest).toEqual([]);
    expect(record?.topicArn).toBe(topicArn);
    expect(record?.messageStructure).toBe('json');
    expect(record?.subject).toBe('[CRITICAL] Auth0 incident resolved: Elevated Errors on Public Cloud');
    const message = parseJsonMessage(record!);
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    expect(JSON.parse(message.default)).toEqual(event);
    expect(message.email).toBe(renderEmailText(event));
    expect(message.email).toContain('When: 2026-04-22 20:14 UTC');
    expect(message.email).not.toContain('{"');
  });

  it('writes the email copy in the configured zone, the JSON copy unchanged', async () => {
    const event = makeEvent();
    await makeSnsPublisher({ client, topicArn, timeZone: 'Europe/Berlin' }).publish(event);

    const message = parseJsonMessage(newPublishes()[0]!);
    expect(JSON.parse(message.default)).toEqual(event);
    expect(message.email).toContain('When: 2026-04-22 22:14 CEST');
    expect(message.email).not.toContain('UTC');
  });

  it('sets type, source, severity and vendor as String attributes and regions as a String.Array', async () => {
    await makeSnsPublisher({ client, topicArn }).publish(makeEvent());

    expect(newPublishes()[0]?.attributes).toEqual({
      type: { dataType: 'String', value: 'incident.resolved' },
      source: { dataType: 'String', value: 'auth0-status-us-1' },
      severity: { dataType: 'String', value: 'critical' },
      vendor: { dataType: 'String', value: 'Auth0' },
      region: { dataType: 'String.Array', value: '["US-1","EU-1"]' },
    });
  });

  it('leaves the region attribute out when the event names no region', async () => {
    const event = makeEvent({
      type: 'changelog.published',
      source: 'auth0-changelog',
      sourceType: 'auth0-changelog',
      id: 'auth0-changelog:https://auth0.com/changelog#actions-node-22:changelog.published',
      itemId: 'https://auth0.com/changelog#actions-node-22',
      title: 'Node 22 runtime for Actions',
      url: 'https://auth0.com/changelog#actions-node-22',
      severity: 'info',
      changeType: 'added',
      regions: [],
    });
    await makeSnsPublisher({ client, topicArn }).publish(event);

    const attributes = newPublishes()[0]?.attributes ?? {};
    expect(Object.keys(attributes).sort()).toEqual(['severity', 'source', 'type', 'vendor']);
  });

  it('shrinks an event with a 300 KB update text to fit the 256 KB limit and still publishes it', async () => {
    const text = 'Postmortem: between 19:02 and 20:14 UTC a faulty deploy of the token service "tks-7" failed requests. '.repeat(3_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(300_000);
    const event = makeEvent({
      type: 'incident.rca_published',
      id: 'auth0-status-us-1:rb4z1181bd4z:incident.rca_published:2026-04-24T09:00:00Z',
      update: { label: 'Postmortem', at: '2026-04-24T09:00:00Z', text },
    });
    await makeSnsPublisher({ client, topicArn }).publish(event);

    const [record] = newPublishes();
    expect(messageBytes(record!)).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    const message = parseJsonMessage(record!);
    const sent = JSON.parse(message.default) as WatcherEvent;
    expect(sent).toMatchObject({ id: event.id, type: event.type, source: event.source, itemId: event.itemId, url: event.url });
    expect(sent.update?.text.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(text.startsWith(sent.update!.text.slice(0, -TRUNCATION_MARK.length))).toBe(true);
    expect(message.email).toContain(TRUNCATION_MARK);
    expect(message.email).toContain('Link: https://status.auth0.com/incidents/rb4z1181bd4z');
  });

  it('turns a server error that outlasts the SDK retries into a PublishError carrying the event id', async () => {
    const event = makeEvent();
    const requestsBefore = server.requestCount('Publish');
    server.failNext(4, { status: 500, code: 'InternalError', message: 'We encountered an internal error.' });

    const error = await makeSnsPublisher({ client, topicArn }).publish(event).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PublishError);
    const publishError = error as PublishError;
    expect(publishError.eventId).toBe(event.id);
    expect(publishError.message).toBe('SNS publish failed: InternalErrorException: We encountered an internal error.');
    expect((publishError.cause as Error).name).toBe('InternalErrorException');
    expect(server.requestCount('Publish') - requestsBefore).toBe(4);
    expect(newPublishes()).toEqual([]);
  });

  it.each([
    { status: 429, code: 'Throttled' },
    { status: 400, code: 'Throttling' },
  ])('lets the SDK retry throttling ($status $code) and then delivers the event once', async (fault) => {
    const requestsBefore = server.requestCount('Publish');
    server.failNext(2, { ...fault, message: 'Rate exceeded' });

    await makeSnsPublisher({ client, topicArn }).publish(makeEvent());

    expect(server.requestCount('Publish') - requestsBefore).toBe(3);
    expect(newPublishes()).toHaveLength(1);
  });

  it('does not retry a publish to a topic that does not exist and reports NotFound', async () => {
    const requestsBefore = server.requestCount('Publish');
    const publisher = makeSnsPublisher({ client, topicArn: 'arn:aws:sns:us-east-1:000000000000:no-such-topic' });

    const error = await publisher.publish(makeEvent()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).message).toBe('SNS publish failed: NotFoundException: Topic does not exist');
    expect(server.requestCount('Publish') - requestsBefore).toBe(1);
  });

  it('retries an attempt that outlasts the request timeout; SNS may then hold the event twice, with one id', async () => {
    const impatient = makeSnsClient({ endpoint: server.endpoint, requestTimeoutMs: 300 });
    try {
      const event = makeEvent();
      server.delayNext(1_000);

      await makeSnsPublisher({ client: impatient, topicArn }).publish(event);
      await new Promise((resolve) => setTimeout(resolve, 1_200));

      const ids = newPublishes().map((record) => (JSON.parse(parseJsonMessage(record).default) as WatcherEvent).id);
      expect(ids).toEqual([event.id, event.id]);
    } finally {
      impatient.destroy();
    }
  });

  describe('the test server validates like SNS', () => {
    const rawPublish = (input: Partial<ConstructorParameters<typeof PublishCommand>[0]>) =>
      client.send(new PublishCommand({ TopicArn: topicArn, Message: 'plain text body', ...input })).catch((e: unknown) => e);

    it('rejects a subject containing a line break', async () => {
      const error = (await rawPublish({ Subject: 'Elevated errors\nBcc: attacker@example.com' })) as Error & {
        $metadata?: { httpStatusCode?: number };
      };
      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toBe('Invalid parameter: Subject');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    });

    it('rejects a subject of 100 characters and accepts one of 99', async () => {
      expect(((await rawPublish({ Subject: 'x'.repeat(100) })) as Error).name).toBe('InvalidParameterException');
      expect(await rawPublish({ Subject: 'x'.repeat(99) })).toMatchObject({ MessageId: expect.any(String) });
    });

    it('rejects a json message structure without a default entry', async () => {
      const error = (await rawPublish({ MessageStructure: 'json', Message: JSON.stringify({ email: 'hi' }) })) as Error;
      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toContain('No default entry');
    });

    it('rejects a message over 262,144 bytes counting its attributes', async () => {
      const error = (await rawPublish({
        Message: 'x'.repeat(262_144 - 20),
        MessageAttributes: { source: { DataType: 'String', StringValue: 'auth0-status-us-1' } },
      })) as Error;
      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toBe('Invalid parameter: Message too long');
    });

    it('rejects a String.Array attribute whose value is not a JSON array', async () => {
      const error = (await rawPublish({
        MessageAttributes: { region: { DataType: 'String.Array', StringValue: 'US-1' } },
      })) as Error;
      expect(error.name).toBe('InvalidParameterValueException');
    });
  });
});
