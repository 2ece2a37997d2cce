// Quiet hours on AWS hold a message in its route's queue with ChangeMessageVisibility: the SQS client's real request
// (JSON protocol) against a loopback stand-in for SQS, capped at SQS's 12 hours.
import { createServer } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSqsRecordHolder, MAX_HOLD_SECONDS, queueUrlOfArn } from '../../functions/adapters/sqs-hold.js';
import { listenOnLoopback, readRequestBody, type LoopbackListener } from '../support/loopback-server.js';

interface SqsRequest {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

describe('holding a route queue message until the quiet hours end', () => {
  const requests: SqsRequest[] = [];
  let listener: LoopbackListener;
  beforeAll(async () => {
    const server = createServer((req, res) => {
      void readRequestBody(req, 64 * 1024, () => new Error('too large')).then((body) => {
        requests.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(body.toString('utf8')) as Record<string, unknown> });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
    });
    listener = await listenOnLoopback(server);
  });
  afterAll(() => listener.close());

  it('sends ChangeMessageVisibility for the time left, and at most 12 hours less a margin', async () => {
    const endpoint = `http://127.0.0.1:${listener.port}`;
    const client = new SQSClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const now = new Date('2026-01-14T22:10:00Z');
    const hold = makeSqsRecordHolder({ clock: { now: () => now }, client, queueUrlOf: (arn) => `${endpoint}/${arn.split(':').slice(4).join('/')}` });
    const record = { messageId: 'm-1', body: '{}', receiptHandle: 'receipt-1', eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:oncall' };

    await hold(record, new Date('2026-01-15T06:00:00Z'));
    await hold(record, new Date('2026-01-15T14:10:00Z'));
    expect(requests).toEqual([
      { target: 'AmazonSQS.ChangeMessageVisibility', body: { QueueUrl: `${endpoint}/123456789012/oncall`, ReceiptHandle: 'receipt-1', VisibilityTimeout: 7 * 3600 + 50 * 60 } },
      { target: 'AmazonSQS.ChangeMessageVisibility', body: { QueueUrl: `${endpoint}/123456789012/oncall`, ReceiptHandle: 'receipt-1', VisibilityTimeout: MAX_HOLD_SECONDS } },
    ]);
    await expect(hold({ messageId: 'm-2', body: '{}' }, new Date('2026-01-15T06:00:00Z'))).rejects.toThrow('message m-2 has no receipt handle or queue ARN');
  });

  it('finds the queue URL of the queue an SQS record names', () => {
    expect(queueUrlOfArn('arn:aws:sqs:eu-central-1:123456789012:Watcher-SlackNotifierQueue')).toBe('https://sqs.eu-central-1.amazonaws.com/123456789012/Watcher-SlackNotifierQueue');
    expect(queueUrlOfArn('arn:aws-cn:sqs:cn-north-1:123456789012:q')).toBe('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q');
    expect(() => queueUrlOfArn('arn:aws:sns:eu-central-1:123456789012:topic')).toThrow('is not an SQS queue ARN');
  });
});
