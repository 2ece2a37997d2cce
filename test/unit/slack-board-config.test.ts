// A Slack route's `board`: accepted in bot mode, refused with a webhook (which cannot update or pin a message) with one
// clear error naming the field, at synth (the config schema) and at a notifier's cold start (ROUTE).
import { describe, expect, it } from 'vitest';
import { loadSlackLambdaConfig } from '../../functions/channels/slack/slack-notifier.js';
import { parseConfig } from '../../functions/config/config.js';

const source = { id: 'status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=acme.us.auth0.com', region: 'US-1' };
const config = (output: Record<string, unknown>) => ({ sources: [source], outputs: [{ type: 'slack', rules: {}, ...output }] });

describe('the board key of a Slack route', () => {
  it('is accepted with a bot token and a channel', () => {
    const parsed = parseConfig(config({ botToken: 'env:SLACK_BOT_TOKEN', channel: 'C0HELPDESK', board: true }), '/tmp');
    expect(parsed.outputs[0]).toMatchObject({ type: 'slack', board: true, channel: 'C0HELPDESK' });
  });

  it('carries the rows its sources call for, so a notifier that knows only its route shows them all from the start', () => {
    const sources = [source, { id: 'github', type: 'statuspage', url: 'https://www.githubstatus.com/history.atom', vendor: 'GitHub' }];
    const input = {
      sources,
      outputs: [
        { type: 'slack', rules: {}, botToken: 'env:SLACK_BOT_TOKEN', channel: 'C0HELPDESK', board: true, boardRows: [{ key: 'forged', kind: 'watcher', name: 'Forged' }] },
        { type: 'slack', rules: {}, botToken: 'env:SLACK_BOT_TOKEN', channel: 'C0INCIDENT' },
      ],
    };
    const [board, plain] = parseConfig(input, '/tmp').outputs as Array<Record<string, unknown>>;
    expect(board!['boardRows']).toEqual([
      { key: 'auth0:US-1', kind: 'auth0', name: 'Auth0 US-1' },
      { key: 'dependency:github', kind: 'dependency', name: 'GitHub' },
      { key: 'watcher', kind: 'watcher', name: 'Watcher' },
    ]);
    expect(plain!['boardRows']).toBeUndefined();
    const route = JSON.stringify({ ...board, id: 'helpdesk' });
    expect(loadSlackLambdaConfig({ ROUTE: route, TABLE_NAME: 't' }).route).toMatchObject({ boardRows: board!['boardRows'] });
  });

  it('is refused with a webhook, naming the field and why', () => {
    expect(() => parseConfig(config({ webhookUrl: 'env:SLACK_WEBHOOK_URL', board: true }), '/tmp')).toThrow(
      /outputs\[0\]\.board: needs botToken and channel: an incoming webhook cannot update or pin a message/,
    );
  });

  it('is refused at a notifier cold start when it is not a boolean or goes with a webhook', () => {
    const route = (extra: Record<string, unknown>) => JSON.stringify({ type: 'slack', id: 'helpdesk', apiBaseUrl: 'https://slack.com/api/', rules: {}, ...extra });
    expect(() => loadSlackLambdaConfig({ ROUTE: route({ botToken: 'env:T', channel: 'C0HELPDESK', board: 'yes' }), TABLE_NAME: 't' })).toThrow(/board must be true or false/);
    expect(() => loadSlackLambdaConfig({ ROUTE: route({ webhookUrl: 'env:W', board: true }), TABLE_NAME: 't' })).toThrow(/board needs botToken and channel/);
    expect(loadSlackLambdaConfig({ ROUTE: route({ botToken: 'env:T', channel: 'C0HELPDESK', board: true }), TABLE_NAME: 't' }).route).toMatchObject({ board: true });
  });
});
