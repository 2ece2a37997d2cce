// The Lambda handlers' config loaders: what the stack compiles in or sets (validated at synth) is taken as it is, and
// anything else fails the cold start with a ConfigError naming the field.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import { loadSlackLambdaConfig } from '../../functions/channels/slack/slack-notifier.js';
import { compiledWatcherConfig, loadLambdaConfig } from '../../functions/poll/poll-lambda-config.js';
import { channelRoutesOf as slackRoutesOf } from '../../lib/channel-notifier.js';
import { compiledDigestConfig, compiledPollConfig } from '../../lib/watcher-stack.js';
import { configErrorOf } from '../support/config-error.js';

const status = { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' };
const config = parseConfig(
  {
    sources: [status, { id: 'advisories', type: 'github-advisories', token: 'ssm:/watcher/github-token' }],
    presets: ['github'],
    outputs: [{ type: 'slack', id: 'incidents', botToken: 'ssm:/watcher/slack', channel: 'C0INCIDENTS', rules: { types: ['incident.*'] } }],
    email: { digest: { addresses: ['ops@example.com'], timeZone: 'Europe/Berlin' } },
  },
  '/',
);


describe('compiled config (poll and digest functions)', () => {
  it('reads the config as the stack compiles it, defaults filled in, frozen', () => {
    const lambda = loadLambdaConfig({ WATCHER_CONFIG: compiledPollConfig(config), TABLE_NAME: 't', TOPIC_ARN: 'arn' });
    expect(lambda.watcher).toEqual({
      failureThreshold: config.failureThreshold,
      trackResolvedDays: config.trackResolvedDays,
      sources: config.sources,
    });
    expect(lambda.watcher.sources.find((s) => s.id === 'advisories')).toMatchObject({ url: 'https://api.github.com/advisories' });
    expect(Object.isFrozen(lambda.watcher.sources[0])).toBe(true);
    expect(compiledWatcherConfig({ WATCHER_CONFIG: compiledDigestConfig(config) }).email?.digest).toEqual(config.email.digest);
  });

  it('refuses a config the stack did not validate, naming the field', () => {
    const compiled = JSON.parse(compiledPollConfig(config)) as { sources: Record<string, unknown>[] };
    const error = (value: unknown) => configErrorOf(() => compiledWatcherConfig({ WATCHER_CONFIG: JSON.stringify(value) }));
    // A raw config file: no defaults filled in.
    expect(error({ sources: [status] })).toContain('failureThreshold');
    expect(error({ ...compiled, sources: [] })).toContain('sources must be a non-empty list');
    expect(error({ ...compiled, sources: [{ ...status, type: 'rss' }] })).toContain('sources[0].type');
    expect(error({ ...compiled, sources: [status, status] })).toContain('sources[1].id duplicates "auth0-status-us-1"');
    expect(error({ ...compiled, email: { digest: { addresses: [] } } })).toContain('email.digest.frequency');
    expect(configErrorOf(() => compiledWatcherConfig({ WATCHER_CONFIG: '{' }))).toContain('WATCHER_CONFIG is not valid JSON');
    expect(configErrorOf(() => compiledWatcherConfig({}))).toBe('environment variable WATCHER_CONFIG is required');
  });
});

describe('ROUTE (Slack notifier)', () => {
  const [route] = slackRoutesOf(config);
  const ROUTE = JSON.stringify(route!.output);

  it('reads the route as the stack sets it', () => {
    const slack = loadSlackLambdaConfig({ ROUTE, TABLE_NAME: 't' });
    expect(slack).toEqual({ route: route!.output, tableName: 't' });
    expect(Object.isFrozen(slack.route.rules)).toBe(true);
  });

  it('refuses a route the stack did not set, naming the field', () => {
    const error = (change: Record<string, unknown>) =>
      configErrorOf(() => loadSlackLambdaConfig({ ROUTE: JSON.stringify({ ...route!.output, ...change }), TABLE_NAME: 't' }));
    expect(error({ id: undefined })).toBe('invalid ROUTE: id is required');
    expect(error({ webhookUrl: 'ssm:/watcher/hook' })).toContain('set exactly one of webhookUrl or botToken');
    expect(error({ botToken: 'xoxb-a-token-value' })).toContain('botToken must be a secret reference');
    expect(error({ channel: undefined })).toContain('channel is required with botToken');
    expect(error({ rules: { types: 'incident.*' } })).toContain('rules.types');
    expect(configErrorOf(() => loadSlackLambdaConfig({ ROUTE: 'nope', TABLE_NAME: 't' }))).toContain('ROUTE must hold the route as JSON');
  });
});
