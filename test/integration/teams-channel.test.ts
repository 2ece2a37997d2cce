// The Teams channel against a local Teams Workflows webhook (test/support/teams-workflows-server.ts) and the real local
// DynamoDB: the real January 2021 Auth0 incidents posted as Adaptive Cards once each through the route's notifier,
// redeliveries included; 429 and 5xx retried; refusals sorted and never quoting the webhook URL; the Lambda handler.
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSecretResolver } from '../../functions/adapters/secret-resolver.js';
import { makeDynamoQueueNotifier } from '../../functions/channels/queue-notifier.js';
import { teamsChannel } from '../../functions/channels/teams/plugin.js';
import { TeamsError } from '../../functions/channels/teams/teams-error.js';
import { CHANNEL_SCHEMA_KIT } from '../../functions/config/channel-schema-kit.js';
import { classifyDeliveryFailure } from '../../functions/delivery/classify-delivery-failure.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { localAwsEnv } from '../support/local-aws-env.js';
import { realJanuary2021Events } from '../support/teams-and-webhook-events.js';
import { startTeamsWorkflowsServer, type TeamsWorkflowsServer } from '../support/teams-workflows-server.js';
import { connectRoute, queueRecords, quietLogger } from '../support/webhook-and-teams-delivery.js';

const TABLE = 'teams-channel';
const events = realJanuary2021Events();

/** A route as the config file holds it, validated by the plug-in's own schema; its webhook URL in `env:<variable>`. */
const routeOf = (id: string, variable: string) => ({
  ...teamsChannel.configSchema(CHANNEL_SCHEMA_KIT).parse({ type: 'teams', id, webhookUrl: `env:${variable}`, rules: { types: ['incident.*'] } }),
  id,
});

/** The error a promise rejects with, checked to be a TeamsError. */
async function teamsError(promise: Promise<unknown>): Promise<TeamsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TeamsError);
  return error as TeamsError;
}

describe('the Teams channel against a local Workflows webhook', () => {
  let dynamo: RunningDynamo;
  let teams: TeamsWorkflowsServer;
  let env: Record<string, string>;
  const table = () => ({ client: dynamo.client, tableName: TABLE });
  const secrets = () => makeSecretResolver({ env });

  beforeAll(async () => {
    [dynamo, teams] = await Promise.all([DYNAMO_BACKENDS[0]!.start(TABLE), startTeamsWorkflowsServer()]);
    env = {
      TEAMS_ONCALL: teams.workflowUrl('oncall'),
      TEAMS_RETRY: teams.workflowUrl('retry'),
      TEAMS_REFUSED: teams.workflowUrl('refused'),
      TEAMS_FORGED: teams.forgedUrl('oncall'),
      TEAMS_GONE: teams.workflowUrl('gone').replace('/gone/', '/deleted/'),
    };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dynamo?.stop(), teams?.close()]);
  });

  it('posts each real event as one card through the route’s notifier, and nothing again when the batch is redelivered', async () => {
    const notifier = () =>
      makeDynamoQueueNotifier(teamsChannel, {
        route: routeOf('oncall', 'TEAMS_ONCALL'),
        client: dynamo.client,
        tableName: TABLE,
        secrets: secrets(),
        clock: { now: () => new Date() },
        logger: quietLogger,
        settings: { predecessorWaitMs: 0 },
        adapterOptions: { minRetryDelayMs: 10 },
      });
    const batch = queueRecords(events);
    expect((await notifier()(batch)).batchItemFailures).toEqual([]);
    // SNS repeats, a queue redelivers, a second container takes the same batch: the delivery records keep them out.
    expect((await notifier()(batch)).batchItemFailures).toEqual([]);
    expect((await notifier()([...batch].reverse())).batchItemFailures).toEqual([]);

    const cards = teams.cards('oncall');
    expect(cards).toHaveLength(events.length);
    // Each item's cards in its order; the queue consumer decides the order across items.
    const headlines = cards.map((card) => (card.card['body'] as Array<{ text: string }>)[0]!.text);
    expect(headlines.map((headline) => headline.split(':')[0]).sort()).toEqual(
      events.map((event) => `[${event.severity.toUpperCase()}] Auth0 ${event.type.replace('.', ' ')}`).sort(),
    );
    expect(Math.max(...cards.map((card) => card.bytes))).toBeLessThan(24 * 1024);
  });

  it('waits out a 429’s Retry-After and retries a 5xx, then posts the card once', async () => {
    const { deliver, waits } = await connectRoute(teamsChannel, routeOf('retry', 'TEAMS_RETRY'), { table: table(), secrets: secrets() });
    teams.failNext({ kind: 'status', status: 429, retryAfterSec: 2 }, { kind: 'status', status: 503 });
    expect(await deliver(events[0]!)).toBe('posted');
    expect(waits).toEqual([2_000, 20]); // Retry-After, then the backoff of a second retry
    expect(teams.cards('retry')).toHaveLength(1);
    expect(await deliver(events[0]!)).toBe('duplicate');
    expect(teams.cards('retry')).toHaveLength(1);
  });

  it('gives up on a 5xx after its retries, transiently, and posts the event on a later delivery', async () => {
    const { deliver } = await connectRoute(teamsChannel, routeOf('retry', 'TEAMS_RETRY'), { table: table(), secrets: secrets() });
    teams.failNext(...Array.from({ length: 4 }, () => ({ kind: 'status', status: 502 }) as const));
    const error = await teamsError(deliver(events[1]!));
    expect(error.message).toBe('the Teams workflow: failed: HTTP 502 (ServiceUnavailable: try again); gave up after 4 attempts');
    expect(classifyDeliveryFailure('teams:retry', error).scope).toBe('transient');
    expect(await deliver(events[1]!)).toBe('posted');
    expect(teams.cards('retry')).toHaveLength(2);
  });

  it('does not retry a refused card (400): that one event is set aside, and the next is posted', async () => {
    const { deliver } = await connectRoute(teamsChannel, routeOf('refused', 'TEAMS_REFUSED'), { table: table(), secrets: secrets() });
    const before = teams.requests.length;
    teams.failNext({ kind: 'status', status: 400, body: '{"error":{"code":"InvalidRequestContent","message":"bad card"}}' });
    const error = await teamsError(deliver(events[2]!));
    expect(teams.requests.length - before).toBe(1);
    expect(error).toMatchObject({ code: 'http_400', permanent: true });
    expect(classifyDeliveryFailure('teams:refused', error).scope).toBe('event');
    expect(await deliver(events[3]!)).toBe('posted');
  });

  it('holds the route when the signature is wrong (401) or the workflow is gone (404), never quoting the URL', async () => {
    for (const [id, variable, code] of [['forged', 'TEAMS_FORGED', 'http_401'], ['gone', 'TEAMS_GONE', 'http_404']] as const) {
      const { deliver } = await connectRoute(teamsChannel, routeOf(id, variable), { table: table(), secrets: secrets() });
      const error = await teamsError(deliver(events[4]!));
      expect(error.code).toBe(code);
      expect(classifyDeliveryFailure(`teams:${id}`, error).scope).toBe('route');
      const url = new URL(env[variable]!);
      for (const secretPart of [url.href, url.search, url.searchParams.get('sig')!, url.pathname]) expect(error.message).not.toContain(secretPart);
      expect(error.message).toMatch(/^the Teams workflow: refused the message: HTTP 40[14] \((DirectApiAuthorizationRequired|WorkflowNotFound)/);
    }
  });

  it('refuses a webhook URL that is not https before posting anything, without quoting it', async () => {
    const insecure = 'http://teams.example.com/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t';
    const error = await teamsError(
      connectRoute(teamsChannel, routeOf('insecure', 'TEAMS_INSECURE'), { table: table(), secrets: makeSecretResolver({ env: { TEAMS_INSECURE: insecure } }) }),
    );
    expect(error.message).toBe('the Teams webhook URL must be an https:// URL (http:// only for loopback hosts)');
    expect(classifyDeliveryFailure('teams:insecure', error).scope).toBe('route');
  });

  it('runs as its own Lambda handler, the route and table from the environment as the stack sets them', async () => {
    Object.assign(process.env, {
      TABLE_NAME: TABLE,
      ROUTE: JSON.stringify(routeOf('lambda', 'TEAMS_LAMBDA')),
      TEAMS_LAMBDA: teams.workflowUrl('lambda'),
      PREDECESSOR_WAIT_MS: '0',
      ...localAwsEnv({ dynamodb: dynamo.endpoint }),
    });
    const { handler } = await import('../../functions/channels/teams/handler.js');
    const batch = { Records: queueRecords(events.slice(0, 2)) } as unknown as SQSEvent;
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect((await handler(batch)).batchItemFailures).toEqual([]);
    expect(teams.cards('lambda')).toHaveLength(2);
  });
});
