// `npm start -- check-deploy` through the real CLI against a deployment played by local servers: the event topic and the
// email subscriptions on the SNS test server, the state table on dynalite, the notifiers by the real Slack delivery
// posting to the Slack test server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfirmSubscriptionCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSnsClient } from '../../functions/adapters/sns-publisher.js';
import { loadConfigFile } from '../../functions/config/config.js';
import { SlackError } from '../../functions/channels/slack/slack-error.js';
import { playDeployedNotifiers } from '../support/deployed-notifiers.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { startOpsgenieAlertServer, type OpsgenieAlertServer } from '../support/opsgenie-alert-server.js';
import { startPagerDutyEventsServer, type PagerDutyEventsServer } from '../support/pagerduty-events-server.js';
import { runCliInProcess, runCliProcess, type CliRun } from '../support/run-cli.js';
import { startSlackTestServer, type SlackTestServer } from '../support/slack-test-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const TABLE = 'watcher-check-deploy';
/** The security route's channel: Slack answers channel_not_found until the test creates it. */
const SECURITY_CHANNEL = 'C0SECURITY';

describe('npm start -- check-deploy against a deployment played by local servers', () => {
  let dynamo: RunningDynamo;
  let sns: SnsTestServer;
  let slack: SlackTestServer;
  let dir: string;
  let topicArn: string;
  let configPath: string;
  let outputsPath: string;
  let env: NodeJS.ProcessEnv;
  let firstRun: CliRun;
  let firstRunMs: number;

  const checkDeploy = (...extra: string[]) =>
    runCliProcess(['check-deploy', '--outputs', outputsPath, '--config', configPath, ...extra], env);
  /** What the CLI printed for one route or address: its line and the command lines under it. */
  const lineOf = (run: CliRun, start: string) => run.stdout.split('\n').find((line) => line.trimStart().startsWith(start));

  beforeAll(async () => {
    [dynamo, sns, slack] = await Promise.all([DYNAMO_BACKENDS[0]!.start(TABLE), startSnsTestServer(), startSlackTestServer()]);
    topicArn = sns.createTopic('Auth0OpsWatcher-StateTopic7C053769-AbCdEf');
    dir = await mkdtemp(join(tmpdir(), 'watcher-check-deploy-'));
    configPath = join(dir, 'watcher.json');
    outputsPath = join(dir, 'cdk-outputs.json');
    await writeFile(
      configPath,
      JSON.stringify({
        sources: [
          { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' },
          { id: 'auth0-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' },
        ],
        outputs: [
          { type: 'console' },
          {
            type: 'slack',
            id: 'incidents',
            botToken: 'env:SLACK_BOT_TOKEN',
            channel: 'C0INCIDENTS',
            apiBaseUrl: slack.apiBaseUrl,
            rules: { types: ['incident.*'], minSeverity: 'critical', regions: ['US-1'] },
          },
          { type: 'slack', id: 'ops', webhookUrl: 'env:SLACK_WEBHOOK_OPS', rules: { types: ['incident.*', 'source.*'] } },
          { type: 'slack', id: 'platform', webhookUrl: 'env:SLACK_WEBHOOK_PLATFORM', rules: { types: ['changelog.published', 'advisory.*'] } },
          {
            type: 'slack',
            id: 'security',
            botToken: 'env:SLACK_BOT_TOKEN',
            channel: SECURITY_CHANNEL,
            apiBaseUrl: slack.apiBaseUrl,
            rules: { types: ['advisory.*'], minSeverity: 'major' },
          },
        ],
        email: {
          alerts: [
            { addresses: ['oncall@example.com', 'sre@example.com'], rules: { types: ['incident.*'], minSeverity: 'major' } },
            { addresses: ['changes@example.com'], rules: { types: ['changelog.published'] } },
          ],
        },
      }),
    );
    // What `npx cdk deploy --outputs-file` writes, with a second stack beside the watcher.
    await writeFile(
      outputsPath,
      JSON.stringify({
        Auth0OpsWatcher: { TableName: TABLE, TopicArn: topicArn, OpsTopicArn: sns.createTopic('Auth0OpsWatcher-Ops') },
        SomethingElse: { BucketName: 'unrelated' },
      }),
    );
    await playDeployedNotifiers({
      sns,
      topicArn,
      config: await loadConfigFile(configPath),
      dynamo: dynamo.client,
      tableName: TABLE,
      secretsEnv: { SLACK_BOT_TOKEN: slack.token, SLACK_WEBHOOK_OPS: slack.webhookUrl('T0/B0/ops'), SLACK_WEBHOOK_PLATFORM: slack.webhookUrl('T0/B0/platform') },
    });
    // The email alert addresses: one confirmed, one pending confirmation, one never subscribed (or unsubscribed).
    const client = makeSnsClient({ endpoint: sns.endpoint });
    for (const address of ['oncall@example.com', 'sre@example.com']) {
      await client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: address }));
    }
    await client.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: sns.confirmationToken(topicArn, 'oncall@example.com')! }));
    client.destroy();

    // No secret in the CLI's environment: the check resolves none.
    env = localAwsEnv({ dynamodb: dynamo.endpoint, sns: sns.endpoint });
    const started = Date.now();
    firstRun = await checkDeploy('--timeout', '3');
    firstRunMs = Date.now() - started;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([sns?.close(), slack?.close(), dynamo?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says which Slack routes received their test event and exits 1 when one did not (Slack answered channel_not_found)', () => {
    expect(firstRun.code, firstRun.stderr).toBe(1);
    expect(lineOf(firstRun, 'incidents ')).toMatch(/^ {2}incidents {2}received after \d s$/);
    expect(lineOf(firstRun, 'ops ')).toMatch(/received after \d s$/);
    expect(lineOf(firstRun, 'platform ')).toMatch(/received after \d s$/);
    expect(lineOf(firstRun, 'security ')).toMatch(
      /^ {2}security {3}NOT received within 3 s: look for event [0-9a-f]{32} in the route's dead-letter queue, and for "slack delivery failed" .* notifier \(SlackNotifier-security in Auth0OpsWatcher\)$/,
    );
    expect(firstRun.stdout).toContain('3 of 4 Slack routes received the test event.');
    expect(sns.deliveryErrors()).toEqual([expect.any(SlackError)]);
    expect((sns.deliveryErrors()[0] as SlackError).code).toBe('channel_not_found');
    // Waited for the missing route until the timeout, and no longer.
    expect(firstRunMs).toBeLessThan(8_000);
  });

  it('publishes as few test events as the routes need, with the real message attributes, each clearly a test', () => {
    const published = sns.published(topicArn);
    expect(published).toHaveLength(2);
    expect(published.map((p) => [p.attributes['type']?.value, p.attributes['severity']?.value])).toEqual([
      ['incident.opened', 'critical'],
      ['advisory.published', 'major'],
    ]);
    for (const publish of published) {
      expect(publish.messageStructure).toBe('json');
      expect(publish.subject).toContain('Delivery check: this is a test, not an incident');
      const event = JSON.parse((JSON.parse(publish.message) as { default: string }).default) as { id: string; itemId: string };
      expect(event.itemId).toMatch(/^delivery-check-[0-9a-f]{12}$/);
      expect(firstRun.stdout).toContain(event.id);
    }
    expect(firstRun.stdout).toMatch(/\(incident\.opened, critical, auth0-status-us-1, Auth0\) for incidents, ops\n/);
    expect(firstRun.stdout).toMatch(/\(advisory\.published, major, auth0-status-us-1, Auth0\) for platform, security\n/);
    // Posted where the routes' rules said: one root in the incidents channel, one message per webhook.
    expect(slack.messages('C0INCIDENTS').map((m) => m.text)).toEqual([expect.stringContaining('Delivery check')]);
    expect(slack.webhookPosts('T0/B0/ops')).toHaveLength(1);
    expect(slack.webhookPosts('T0/B0/platform')).toHaveLength(1);
  });

  it('tells for each email alert address whether it is confirmed, pending or missing, and whether its filter takes a test event', () => {
    const [incidentEvent] = sns.published(topicArn).map((p) => (JSON.parse(JSON.parse(p.message).default as string) as { id: string }).id);
    expect(lineOf(firstRun, 'oncall@example.com')).toBe(
      `  oncall@example.com (email.alerts[0]): confirmed; its filter takes test event ${incidentEvent}: look for "Delivery check" in that mailbox`,
    );
    expect(lineOf(firstRun, 'sre@example.com')).toMatch(/^ {2}sre@example\.com \(email\.alerts\[0\]\): PENDING confirmation, .*its filter takes test event/);
    expect(firstRun.stdout).toContain(
      ['      aws sns confirm-subscription \\', `        --topic-arn ${topicArn} \\`, '        --token "$TOKEN" \\', '        --authenticate-on-unsubscribe true'].join('\n'),
    );
    expect(lineOf(firstRun, 'changes@example.com')).toMatch(
      /^ {2}changes@example\.com \(email\.alerts\[1\]\): MISSING .* its filter takes none of the test events\. Subscribe it again:$/,
    );
    expect(firstRun.stdout).toContain(
      `        --attributes '{"FilterPolicy":"{\\"type\\":[\\"changelog.published\\"]}","FilterPolicyScope":"MessageAttributes"}'`,
    );
  });

  it('prints no secret', () => {
    for (const secret of [slack.token, slack.webhookUrl('T0/B0/ops'), slack.webhookUrl('T0/B0/platform')]) {
      expect(firstRun.stdout + firstRun.stderr).not.toContain(secret);
    }
  });

  it('exits 0 once every Slack route receives its event', async () => {
    slack.addChannel(SECURITY_CHANNEL);
    const run = await checkDeploy('--timeout', '5');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('All 4 Slack routes received the test event.');
    expect(lineOf(run, 'security ')).toMatch(/received after \d s$/);
    expect(slack.messages(SECURITY_CHANNEL)).toHaveLength(1);
  });
});

describe('npm start -- check-deploy usage errors', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-check-deploy-usage-'));
    await writeFile(
      join(dir, 'watcher.json'),
      JSON.stringify({
        sources: [{ id: 'auth0-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' }],
        outputs: [{ type: 'slack', id: 'ops', webhookUrl: 'env:SLACK_WEBHOOK_OPS' }],
      }),
    );
    await writeFile(join(dir, 'two-stacks.json'), JSON.stringify({ Staging: { TopicArn: 'x' }, Production: { TopicArn: 'y' } }));
    await writeFile(join(dir, 'not-watcher.json'), JSON.stringify({ Auth0OpsWatcher: { BucketName: 'b' } }));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI in this process (the same code `npm start` runs), for the cases that never reach AWS. */
  const run = (...args: string[]) => runCliInProcess(['check-deploy', ...args], {}, dir);
  const config = () => join(dir, 'watcher.json');

  it.each([
    ['--outputs is missing', [], /^auth0-ops-watcher check-deploy: --outputs <file> is required: /],
    ['the outputs file does not exist', ['--outputs', 'missing.json'], /^auth0-ops-watcher check-deploy: cannot read the outputs file \S*missing\.json: ENOENT/],
    ['the stack is not in the outputs file', ['--outputs', 'two-stacks.json', '--stack', 'Dev'], /stack "Dev" is not in the outputs file \S*two-stacks\.json \(it lists "Staging", "Production"\)/],
    ['several stacks and none is the default', ['--outputs', 'two-stacks.json'], /has several stacks and none is "Auth0OpsWatcher": pick one with --stack/],
    ['the stack has no TopicArn', ['--outputs', 'not-watcher.json'], /stack "Auth0OpsWatcher" in \S*not-watcher\.json has no TopicArn output/],
    ['the timeout is not a number of seconds', ['--outputs', 'two-stacks.json', '--timeout', 'soon'], /--timeout must be a number of seconds/],
  ])('exits 2 with one clear line when %s', async (_name, args, message) => {
    const inDir = (args as string[]).map((arg, index, all) => (all[index - 1] === '--outputs' ? join(dir, arg) : arg));
    const result = await run(...inDir, '--config', config());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message as RegExp);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when the config has neither channel routes nor email alerts, naming the likely cause', async () => {
    await writeFile(join(dir, 'one-stack.json'), JSON.stringify({ Auth0OpsWatcher: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', TableName: 't' } }));
    const result = await run('--outputs', join(dir, 'one-stack.json'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'auth0-ops-watcher check-deploy: the default config has no channel routes and no email alerts: nothing to check ' +
        '(pass --config <the file the stack was deployed with>)\n',
    );
  });
});

describe('npm start -- check-deploy with paging routes', () => {
  let dynamo: RunningDynamo;
  let sns: SnsTestServer;
  let pd: PagerDutyEventsServer;
  let og: OpsgenieAlertServer;
  let dir: string;
  let run: CliRun;

  beforeAll(async () => {
    [dynamo, sns, pd, og] = await Promise.all([
      DYNAMO_BACKENDS[0]!.start(`${TABLE}-paging`),
      startSnsTestServer(),
      startPagerDutyEventsServer(),
      startOpsgenieAlertServer(),
    ]);
    const topicArn = sns.createTopic('Auth0OpsWatcher-StateTopic7C053769-Paging');
    dir = await mkdtemp(join(tmpdir(), 'watcher-check-deploy-paging-'));
    const configPath = join(dir, 'watcher.json');
    const outputsPath = join(dir, 'cdk-outputs.json');
    await writeFile(
      configPath,
      JSON.stringify({
        sources: [{ id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' }],
        outputs: [
          { type: 'pagerduty', id: 'oncall', routingKey: 'env:PD_ROUTING_KEY', apiBaseUrl: pd.apiBaseUrl, rules: { types: ['incident.*'] } },
          { type: 'opsgenie', id: 'ops', apiKey: 'env:OPSGENIE_KEY', apiBaseUrl: og.apiBaseUrl, rules: { types: ['incident.*'] } },
        ],
      }),
    );
    await writeFile(outputsPath, JSON.stringify({ Auth0OpsWatcher: { TableName: `${TABLE}-paging`, TopicArn: topicArn } }));
    await playDeployedNotifiers({
      sns,
      topicArn,
      config: await loadConfigFile(configPath),
      dynamo: dynamo.client,
      tableName: `${TABLE}-paging`,
      secretsEnv: { PD_ROUTING_KEY: pd.routingKey, OPSGENIE_KEY: og.apiKey },
    });
    // The real CLI, with no secret in its environment: the deployed notifiers hold the keys.
    run = await runCliProcess(['check-deploy', '--outputs', outputsPath, '--config', configPath, '--timeout', '5'], localAwsEnv({ dynamodb: dynamo.endpoint, sns: sns.endpoint }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([sns?.close(), pd?.close(), og?.close(), dynamo?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says each paging route received its test event and exits 0', () => {
    expect(run.code).toBe(0);
    // The progress line names the channels when they differ: "2 routes", not "2 Slack routes".
    expect(run.stderr).toMatch(/: 2 routes, waiting up to 5 s for their notifiers…\n$/);
    expect(run.stdout).toMatch(/oncall/);
    expect(run.stdout).toMatch(/ops/);
  });

  it('leaves no test alert open: PagerDuty triggered then resolved under one key, Opsgenie created then closed under one alias', () => {
    const alerts = pd.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.status).toBe('resolved');
    expect(alerts[0]!.events.map((event) => event.event_action)).toEqual(['trigger', 'resolve']);
    const opsgenie = og.alerts();
    expect(opsgenie).toHaveLength(1);
    expect(opsgenie[0]!.status).toBe('closed');
    expect(og.actions().map((action) => action.split(' ')[0])).toEqual(['create', 'close']);
  });

  it('prints neither key', () => {
    expect(run.stdout + run.stderr).not.toContain(pd.routingKey);
    expect(run.stdout + run.stderr).not.toContain(og.apiKey);
  });
});
