// Where digests go: the digest topic on AWS (plain-text email), the console and a jsonl file locally.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { PublishError } from '../core/errors.js';
import type { DigestMessage, DigestPublisher } from '../digest/run-digest.js';

/** Publishes the digest as a plain-text message: its email subscribers get it as the mail body. */
export function makeSnsDigestPublisher({ client, topicArn }: { client: SNSClient; topicArn: string }): DigestPublisher {
  return {
    async publish(digest) {
      try {
        await client.send(new PublishCommand({ TopicArn: topicArn, Subject: digest.subject, Message: digest.text }));
      } catch (error) {
        throw new PublishError(`digest:${digest.from}`, `SNS publish of the digest failed: ${(error as Error).name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  };
}

export function makeConsoleDigestOutput(stream: NodeJS.WritableStream = process.stdout): DigestPublisher {
  return {
    async publish(digest) {
      stream.write(`Subject: ${digest.subject}\n\n${digest.text}\n`);
    },
  };
}

/** Appends `{ "type": "digest", subject, text, from, to, counts }` as one line. */
export function makeJsonlDigestOutput(path: string): DigestPublisher {
  return {
    async publish({ subject, text, from, to, counts }: DigestMessage) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, `${JSON.stringify({ type: 'digest', subject, text, from, to, counts })}\n`, 'utf8');
    },
  };
}
