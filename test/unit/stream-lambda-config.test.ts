// The tenant-log function's configuration: its resources from the environment (the archive bucket among them) and the
// one stream source an invocation names, a feed's id refused naming the feed.
import { describe, expect, it } from 'vitest';
import { loadStreamLambdaConfig, streamSourceOf } from '../../functions/stream/stream-lambda-config.js';

const compiled = JSON.stringify({
  failureThreshold: 3,
  trackResolvedDays: 30,
  sources: [
    { id: 'acme-logs', type: 'auth0-tenant-logs', url: 'https://acme.us.auth0.com', clientId: 'abc', clientSecret: 'ssm:/watcher/auth0-logs' },
    { id: 'changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog' },
  ],
});
const env = { WATCHER_CONFIG: compiled, TABLE_NAME: 'watcher', TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:events', ARCHIVE_BUCKET: 'archive' };

describe('tenant-log function config', () => {
  it('reads the table, the topic and the archive bucket from the environment', () => {
    const config = loadStreamLambdaConfig(env);
    expect(config).toMatchObject({ tableName: 'watcher', topicArn: env.TOPIC_ARN, archiveBucket: 'archive' });
    expect(config.watcher.sources.map((s) => s.id)).toEqual(['acme-logs', 'changelog']);
  });

  it('fails the cold start naming ARCHIVE_BUCKET when the stack did not set it', () => {
    expect(() => loadStreamLambdaConfig({ ...env, ARCHIVE_BUCKET: undefined })).toThrow('environment variable ARCHIVE_BUCKET is required');
  });

  it('gives the stream source an invocation names', () => {
    expect(streamSourceOf(loadStreamLambdaConfig(env), 'acme-logs')).toMatchObject({ id: 'acme-logs', clientId: 'abc' });
  });

  it('refuses a feed source id naming the feed and the function that reads it, and an unknown id naming it', () => {
    const config = loadStreamLambdaConfig(env);
    expect(() => streamSourceOf(config, 'changelog')).toThrow(
      'source "changelog" (auth0-changelog) is not a stream source: the poll function reads it, not the tenant-log function',
    );
    expect(() => streamSourceOf(config, 'nope')).toThrow('unknown source id "nope"');
    expect(() => streamSourceOf(config, undefined)).toThrow('unknown source id undefined');
  });
});
