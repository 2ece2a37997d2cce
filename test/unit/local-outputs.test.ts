// The CLI's outputs are named by what they are, not by their place in the config, and each may be named once.
import { describe, expect, it } from 'vitest';
import type { OutputConfig } from '../../functions/config/config.js';
import { duplicateOutputError, outputIdOf } from '../../functions/cli/local-outputs.js';

const slack = (extra: Record<string, unknown>) => ({ type: 'slack', botToken: 'env:SLACK_BOT_TOKEN', channel: 'C0INCIDENTS', rules: {}, ...extra }) as unknown as OutputConfig;

describe('local output ids', () => {
  it('names each output by what it is, so reordering the config keeps its queue', () => {
    const outputs: OutputConfig[] = [
      { type: 'console' },
      { type: 'jsonl', path: '/srv/watcher/events.jsonl' },
      { type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:events', endpoint: 'http://127.0.0.1:4566' } as OutputConfig,
      slack({ id: 'incidents' }),
    ];
    const ids = outputs.map(outputIdOf);
    expect(ids).toEqual(['console', 'jsonl:/srv/watcher/events.jsonl', 'sns:arn:aws:sns:eu-west-1:123456789012:events', 'slack:incidents']);
    expect([...outputs].reverse().map(outputIdOf)).toEqual([...ids].reverse());
  });

  it('never puts a secret in an id: a webhook route is named by its route id', () => {
    const id = outputIdOf(slack({ id: 'ops', botToken: undefined, channel: undefined, webhookUrl: 'env:SLACK_WEBHOOK_URL' }), 3);
    expect(id).toBe('slack:ops');
    expect(outputIdOf(slack({}), 3)).toBe('slack:slack-3');
  });

  it('refuses a config that names one output twice (it would get every event twice)', () => {
    const outputs: OutputConfig[] = [{ type: 'jsonl', path: '/tmp/e.jsonl' }, { type: 'console' }, { type: 'jsonl', path: '/tmp/e.jsonl' }];
    expect(duplicateOutputError(outputs)).toBe('outputs[2]: the same output as outputs[0] (jsonl:/tmp/e.jsonl); name each output once');
    expect(duplicateOutputError(outputs.slice(0, 2))).toBeUndefined();
  });
});
