// `severityRules` in the config file: read as given, none by default, refused with the rule's index when a rule names
// no condition or its pattern is no regular expression; and compiled into the poll function's bundle.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/config.js';
import { compiledWatcherConfig, loadLambdaConfig } from '../../functions/poll/poll-lambda-config.js';
import { compiledPollConfig } from '../../lib/watcher-stack.js';
import { configErrorOf } from '../support/config-error.js';

const status = { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' };
const RULES = [
  { sources: ['auth0-status-us-1'], pattern: 'tenant logs?', severity: 'minor' },
  { regions: ['US-1'], components: ['User Authentication'], severity: 'critical' },
  { vendors: ['GitHub'], severity: 'info' },
];
const load = (severityRules?: unknown) => parseConfig({ sources: [status], ...(severityRules !== undefined && { severityRules }) }, '/');

describe('severityRules in the config', () => {
  it('reads the rules in their order, and none when the config has none', () => {
    expect(load(RULES).severityRules).toEqual(RULES);
    expect(load().severityRules).toEqual([]);
  });

  it('refuses a rule without any condition, naming its index', () => {
    const message = configErrorOf(() => load([RULES[0], { severity: 'critical' }]));
    expect(message).toContain('severityRules[1]: names no condition');
    expect(message).toContain('sources, vendors, regions, components, pattern');
  });

  it('refuses a pattern that is not a regular expression, naming the rule index and the reason', () => {
    const message = configErrorOf(() => load([RULES[0], RULES[1], { pattern: 'login (failures', severity: 'critical' }]));
    expect(message).toMatch(/severityRules\[2\]\.pattern: must be a regular expression \(.*\)/);
  });

  it('refuses a severity, region or key it does not know', () => {
    expect(configErrorOf(() => load([{ pattern: 'x', severity: 'urgent' }]))).toContain('severityRules[0].severity');
    expect(configErrorOf(() => load([{ regions: ['us-1'], severity: 'major' }]))).toContain('severityRules[0].regions[0]');
    expect(configErrorOf(() => load([{ titles: ['x'], severity: 'major' }]))).toContain('severityRules[0]');
    expect(configErrorOf(() => load([{ sources: [], severity: 'major' }]))).toContain('severityRules[0].sources');
  });
});

describe('severityRules in the poll function', () => {
  it('compiles the rules into the poll bundle, where the function reads them', () => {
    const config = load(RULES);
    const lambda = loadLambdaConfig({ WATCHER_CONFIG: compiledPollConfig(config), TABLE_NAME: 't', TOPIC_ARN: 'arn' });
    expect(lambda.watcher.severityRules).toEqual(RULES);
  });

  it('compiles a config without rules as before', () => {
    expect(JSON.parse(compiledPollConfig(load()))).not.toHaveProperty('severityRules');
  });

  it('refuses compiled rules of the wrong shape, naming the field', () => {
    const compiled = JSON.parse(compiledPollConfig(load(RULES))) as Record<string, unknown>;
    const error = (severityRules: unknown) =>
      configErrorOf(() => compiledWatcherConfig({ WATCHER_CONFIG: JSON.stringify({ ...compiled, severityRules }) }));
    expect(error({})).toContain('severityRules must be a list');
    expect(error([{ pattern: 'x' }])).toContain('severityRules[0].severity must be a severity');
    expect(error([{ regions: 'US-1', severity: 'major' }])).toContain('severityRules[0].regions must be a list of strings');
    expect(error([{ pattern: '(', severity: 'major' }])).toContain('severityRules[0].pattern must be a regular expression');
  });
});
