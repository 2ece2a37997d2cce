// The poll Lambda handler as deployed: config from WATCHER_CONFIG, a real local DynamoDB, the SNS test server.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { compiledPollConfig } from '../../lib/watcher-stack.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const TABLE = 'watcher-handler-test';
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

describe('poll Lambda handler', () => {
  let dynamo: RunningDynamo;
  let feeds: FeedServer;
  let sns: SnsTestServer;
  let handler: (event: { sourceId: string }) => Promise<{ outcome: string; reason?: string; published: number }>;
  let topicArn: string;

  beforeAll(async () => {
    dynamo = await DYNAMO_BACKENDS[0]!.start(TABLE);
    feeds = await startFeedServer();
    sns = await startSnsTestServer();
    topicArn = sns.createTopic('watcher-events');
    // What the stack sets: resources by environment, the validated source list compiled in, endpoints as the SDK reads them.
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      TOPIC_ARN: topicArn,
      WATCHER_CONFIG: compiledPollConfig(
        parseConfig(
          {
            sources: [
              { id: 'status-us-1', type: 'auth0-status', url: feeds.url('/feed'), region: 'US-1' },
              { id: 'changelog', type: 'auth0-changelog', url: feeds.url('/changelog') },
            ],
            // Compiled in with the sources: the deployed poll applies them.
            severityRules: [{ sources: ['status-us-1'], pattern: 'tenant logs', severity: 'minor' }],
          },
          '/',
        ),
      ),
      ...localAwsEnv({ dynamodb: dynamo.endpoint, sns: sns.endpoint }, 'ERROR'),
      // Standard monitoring: one watcher-wide dead-man's switch.
      POLL_METRICS_BY_SOURCE: 'false',
    });
    ({ handler } = await import('../../functions/poll/handler.js'));
  }, 60_000);

  afterAll(async () => {
    await feeds?.close();
    await sns?.close();
    await dynamo?.stop();
  });

  /** Runs the handler, returning what it wrote to stdout (the embedded-metric-format lines among it). */
  async function withStdout<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      return { result: await work(), lines };
    } finally {
      process.stdout.write = write;
    }
  }
  const metricLines = (lines: string[]) =>
    lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);

  it('counts a failed poll in no metric: with standard monitoring only successes feed the dead-man\'s switch', async () => {
    feeds.setRoute('/changelog', { status: 500, body: 'oops', contentType: 'text/plain' });
    const { lines } = await withStdout(() => handler({ sourceId: 'changelog' }));
    expect(metricLines(lines)).toEqual([]);
  });

  it('polls the source named in the event and publishes its events to the topic', async () => {
    feeds.setRoute('/feed', { body: fixture('auth0-status/seq-01-baseline.atom'), contentType: 'application/atom+xml' });
    const { result, lines } = await withStdout(() => handler({ sourceId: 'status-us-1' }));
    const [metric, ...more] = metricLines(lines);
    expect(more).toEqual([]);
    expect(metric).toMatchObject({ SuccessfulPolls: 1 });
    expect(metric).not.toHaveProperty('Source');
    expect(metric!['_aws']).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'Auth0OpsWatcher', Dimensions: [[]] }] });
    expect(result).toMatchObject({ outcome: 'changed', published: 1 });
    const events = sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent);
    expect(events.map((e) => [e.type, e.itemId])).toEqual([['incident.opened', 's6nmyrpsnbmj']]);
    // The delays in tenant logs are `major` by default; the compiled severity rule lowers them.
    expect(events[0]!.severity).toBe('minor');

    feeds.setRoute('/feed', { body: fixture('auth0-status/seq-02-update.atom'), contentType: 'application/atom+xml' });
    expect(await handler({ sourceId: 'status-us-1' })).toMatchObject({ outcome: 'changed', published: 2 });
    expect(await handler({ sourceId: 'status-us-1' })).toMatchObject({ outcome: 'unchanged', published: 0 });
    expect(sns.published(topicArn)).toHaveLength(3);
  });

  it('returns a failing source as an outcome, not as a Lambda error', async () => {
    feeds.setRoute('/changelog', { status: 500, body: 'oops', contentType: 'text/plain' });
    const result = await handler({ sourceId: 'changelog' });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'HTTP 500 Internal Server Error' });
  });

  it('throws for a source id it does not know', async () => {
    await expect(handler({ sourceId: 'nope' })).rejects.toThrow('unknown source id "nope"');
  });
});
