// `npm start -- snooze`: once through the real CLI (the snooze lands in the state directory's table with its TTL, keyed
// as the incident's events are threaded), then in process for the listing and for each usage error: one line, exit 2.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDynamo } from '../../functions/adapters/embedded-dynamo.js';
import { makeDynamoSnoozeStore } from '../../functions/adapters/dynamo-snooze-store.js';
import { threadKeyOf } from '../../functions/core/event-chain.js';
import { DYNAMO_BACKENDS } from '../support/dynamo-backends.js';
import { useLocalDynamo } from '../support/local-dynamo.js';
import { runCliInProcess, runCliProcess } from '../support/run-cli.js';

const NOW = '2026-04-22T20:20:00.000Z';
/** Real Auth0 status incidents (test/fixtures/severity/incident-wording.json, test/fixtures/auth0-status/). */
const INCIDENT = 'rb4z1181bd4z';

const runInProcess = (argv: string[]) => runCliInProcess(argv, {}, tmpdir());

describe('npm start -- snooze', () => {
  let root: string;
  let config: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'watcher-snooze-'));
    config = join(root, 'watcher.json');
    await writeFile(
      config,
      JSON.stringify({
        stateDir: 'state',
        sources: [{ id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=samples.auth0.com', region: 'US-1' }],
        outputs: [
          { type: 'webhook', id: 'oncall', url: 'https://hooks.example.com/watcher', secret: 'env:HOOK_SECRET' },
          { type: 'webhook', id: 'itsm', url: 'https://itsm.example.com/watcher', secret: 'env:ITSM_SECRET' },
        ],
      }),
    );
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('stores the snooze for the route until the time given, with a TTL, keyed by the incident’s thread', async () => {
    const run = await runCliProcess(['snooze', 'auth0-status-us-1', INCIDENT, '--for', '4h', '--route', 'oncall', '--config', config, '--now', NOW]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `Snoozed auth0-status-us-1 ${INCIDENT} for route oncall until 2026-04-23T00:20:00.000Z (4h left): its updates are skipped; its first event and its resolution are still delivered.\n`,
    );

    const store = await startEmbeddedDynamo(join(root, 'state'), 'auth0-watcher-state');
    try {
      // The regional feeds of the status page share their incidents: the thread is the page's scope, as the events'.
      const thread = threadKeyOf({ source: 'auth0-status-us-1', scope: '@status.auth0.com', itemId: INCIDENT });
      const snoozes = makeDynamoSnoozeStore({ client: store.client, tableName: 'auth0-watcher-state' });
      expect(await snoozes.activeSnooze(thread, 'oncall', new Date(NOW))).toMatchObject({ route: 'oncall', until: '2026-04-23T00:20:00.000Z' });
      expect(await snoozes.activeSnooze(thread, 'itsm', new Date(NOW))).toBeUndefined();
      const { Item } = await store.client.send(
        new GetItemCommand({ TableName: 'auth0-watcher-state', Key: marshall({ pk: 'SNOOZES', sk: `ROUTE#oncall#${thread}` }) }),
      );
      expect(unmarshall(Item!)['expiresAt']).toBe(Date.parse('2026-04-24T00:20:00Z') / 1000);
    } finally {
      await store.close();
    }
  });

  it('lists the live snoozes', async () => {
    await runInProcess(['snooze', 'auth0-status-us-1', '1592ylhhyrrl', '--for', '30m', '--config', config, '--now', NOW]);
    const listed = await runInProcess(['snooze', '--list', '--config', config, '--now', NOW]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(
      [
        'Snoozed auth0-status-us-1 1592ylhhyrrl for every route until 2026-04-22T20:50:00.000Z (30m left)',
        `Snoozed auth0-status-us-1 ${INCIDENT} for route oncall until 2026-04-23T00:20:00.000Z (4h left)`,
        '',
      ].join('\n'),
    );
    const later = await runInProcess(['snooze', '--list', '--config', config, '--now', '2026-04-23T01:00:00Z']);
    expect(later.stdout).toBe('No incident is snoozed.\n');
  });

  it('refuses a bad duration, an unknown source or route, and a missing --for in one line, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['auth0-status-us-1', INCIDENT, '--for', '4 hours'], '--for: "4 hours" is not a duration: use minutes, hours or days, e.g. 30m, 4h, 2d'],
      [['auth0-status-us-1', INCIDENT, '--for', '9d'], '--for: "9d" is longer than the longest snooze, 7d'],
      [['auth0-status-us1', INCIDENT, '--for', '4h'], 'no source "auth0-status-us1" in the config (did you mean "auth0-status-us-1"?)'],
      [['auth0-status-us-1', INCIDENT, '--for', '4h', '--route', 'oncal'], 'no route "oncal" in the config (did you mean "oncall"? the routes are oncall, itsm)'],
      [['auth0-status-us-1', INCIDENT], 'snooze needs --for <duration> (e.g. --for 4h)'],
    ];
    for (const [args, message] of cases) {
      const run = await runInProcess(['snooze', ...args, '--config', config, '--now', NOW]);
      expect(run.code, message).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`auth0-ops-watcher: ${message}`);
    }
  });

  describe('in the deployed table (--table)', () => {
    const deployed = useLocalDynamo(DYNAMO_BACKENDS[0]!, 'deployed-state');
    /** The AWS SDK's usual settings, pointed at a local DynamoDB standing in for the deployed table. */
    async function withAwsEnv<T>(endpoint: string, run: () => Promise<T>): Promise<T> {
      const names = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
      const saved = names.map((name) => process.env[name]);
      Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
      try {
        return await run();
      } finally {
        names.forEach((name, index) => (saved[index] === undefined ? delete process.env[name] : (process.env[name] = saved[index])));
      }
    }

    it('writes the snooze where the notifiers read it, and says in one line, exit 1, when the table cannot be reached', async () => {
      const { tableName, ready } = deployed.newTable();
      await ready;
      const written = await withAwsEnv(deployed.dynamo.endpoint, () =>
        runInProcess(['snooze', 'auth0-status-us-1', INCIDENT, '--for', '2d', '--table', tableName, '--config', config, '--now', NOW]),
      );
      expect(written.code, written.stderr).toBe(0);
      const thread = threadKeyOf({ source: 'auth0-status-us-1', scope: '@status.auth0.com', itemId: INCIDENT });
      const snoozes = makeDynamoSnoozeStore({ client: deployed.client, tableName });
      expect(await snoozes.activeSnooze(thread, 'itsm', new Date(NOW))).toMatchObject({ route: '*', until: '2026-04-24T20:20:00.000Z' });

      const missing = await withAwsEnv(deployed.dynamo.endpoint, () =>
        runInProcess(['snooze', '--list', '--table', 'no-such-table', '--config', config, '--now', NOW]),
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(missing.stderr).toMatch(/^auth0-ops-watcher: cannot reach the snoozes in table no-such-table: /);
    });
  });
});
