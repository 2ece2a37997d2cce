// The poll function's bundle exactly as `cdk synth` builds it (esbuild, the config compiled in), run in a fresh Node
// process as Lambda runs it: AWS credentials in environment variables and nowhere else, against dynalite, the SNS test
// server and a local SSM. Shows that the bundle's trimmed paths work: the environment-only credential provider, the
// compiled config read without the schema library, and only the secret backend the config uses.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoStateStore } from '../../functions/adapters/dynamo-state-store.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { logicalIdOf, removeTempDirs, synthStack, tempDir } from '../infra/synth-watcher-stack.js';
import { DYNAMO_BACKENDS, type RunningDynamo } from '../support/dynamo-backends.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { startSnsTestServer, type SnsTestServer } from '../support/sns-test-server.js';

const TABLE = 'watcher-bundle-test';
const ACCESS_KEY_ID = 'AKIDBUNDLETEST';
const SESSION_TOKEN = 'bundle-test-session-token';
const TOKEN_PARAMETER = '/watcher-test/github-token';
const GITHUB_TOKEN = 'ghp_bundleTestValue0000000000000000000000';
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

/** Imports the bundle once, as a Lambda container does, and polls each source id in turn; the results go to fd 3. */
const CHILD = `
const { handler } = await import(process.argv[1]);
const results = [];
for (const sourceId of process.argv.slice(2)) results.push(await handler({ sourceId }));
(await import('node:fs')).writeSync(3, JSON.stringify(results));
`;

interface ChildRun {
  readonly code: number | null;
  readonly results?: { sourceId: string; outcome: string; reason?: string; published: number }[];
  readonly output: string;
}

function runBundle(bundle: string, sourceIds: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(bundle).href, ...sourceIds], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let report = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (report += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ...(report && { results: JSON.parse(report) as ChildRun['results'] }) });
    });
  });
}

/** Builds the stack for `sources` with its bundles; returns the poll bundle's code and its environment variables. */
function synthPollBundle(sources: readonly Record<string, unknown>[]) {
  const outdir = tempDir('watcher-bundle-synth-');
  const { stack, template } = synthStack({ sources }, { bundle: true, outdir });
  const resource = (template.toJSON().Resources as Record<string, { Properties: Record<string, any> }>)[
    logicalIdOf(stack.poll.function)
  ]!;
  const file = join(outdir, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.mjs');
  // Tokens (the table's and topic's Ref) are replaced by the caller; the rest (NODE_OPTIONS, …) as the stack sets it.
  const variables = Object.fromEntries(
    Object.entries<unknown>(resource.Properties.Environment.Variables).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return { file, code: readFileSync(file, 'utf8'), variables };
}

/** The SDK's other credential providers, and the STS and SSO clients they carry; keepNames keeps these names. */
const CREDENTIAL_CHAIN = ['fromSSO', 'fromIni', 'fromTokenFile', 'fromInstanceMetadata', 'fromContainerMetadata', 'SSOClient', 'STSClient'];

describe('the poll function bundle as deployed', () => {
  let dynamo: RunningDynamo;
  let feeds: FeedServer;
  let sns: SnsTestServer;
  let topicArn: string;
  let bundle: ReturnType<typeof synthPollBundle>;
  let env: NodeJS.ProcessEnv;
  const ssmRequests: { target: string; authorization: string; securityToken: string; body: string }[] = [];

  beforeAll(async () => {
    [dynamo, feeds, sns] = await Promise.all([DYNAMO_BACKENDS[0]!.start(TABLE), startFeedServer(), startSnsTestServer()]);
    topicArn = sns.createTopic('watcher-events');
    feeds.setRoute('/status', { body: fixture('auth0-status/seq-01-baseline.atom'), contentType: 'application/atom+xml' });
    feeds.setRoute('/advisories', { body: fixture('github-advisories/advisories.json'), contentType: 'application/json' });
    // SSM's JSON protocol: every action is a POST to / named by X-Amz-Target.
    feeds.setRoute('/', async (request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      const header = (name: string) => String(request.headers[name] ?? '');
      ssmRequests.push({ target: header('x-amz-target'), authorization: header('authorization'), securityToken: header('x-amz-security-token'), body });
      const { Name } = JSON.parse(body) as { Name: string };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ Parameter: { Name, Type: 'SecureString', Value: GITHUB_TOKEN, Version: 1 } }));
    });

    bundle = synthPollBundle([
      { id: 'status-us-1', type: 'auth0-status', url: feeds.url('/status'), region: 'US-1' },
      {
        id: 'advisories',
        type: 'github-advisories',
        url: feeds.url('/advisories'),
        packages: [{ ecosystem: 'npm', name: 'jsonwebtoken' }],
        token: `ssm:${TOKEN_PARAMETER}`,
      },
    ]);
    const home = tempDir('watcher-bundle-home-');
    env = {
      PATH: process.env.PATH,
      HOME: home,
      ...bundle.variables,
      TABLE_NAME: TABLE,
      TOPIC_ARN: topicArn,
      AWS_REGION: 'us-east-1',
      // Where Lambda puts the execution role's credentials, and the only place they are: no files, no metadata service.
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'bundle-test-secret-key',
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ENDPOINT_URL_SSM: feeds.url(''),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }, 120_000);

  afterAll(async () => {
    await feeds?.close();
    await sns?.close();
    await dynamo?.stop();
    removeTempDirs();
  });

  it('carries the environment credential provider, no schema library, and only the SSM client of its one secret', () => {
    for (const name of CREDENTIAL_CHAIN) expect(bundle.code).not.toContain(name);
    expect(bundle.code).toContain('Unable to find environment variable credentials');
    expect(bundle.code).not.toMatch(/ZodError|\$ZodType/);
    expect(bundle.code).toContain('GetParameterCommand');
    expect(bundle.code).not.toContain('GetSecretValueCommand');
    expect(bundle.code).not.toContain('process.env.WATCHER_CONFIG');
  });

  it('polls with credentials from the environment: state written, events published, the token read from SSM', async () => {
    const run = await runBundle(bundle.file, ['status-us-1', 'advisories'], env);
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    expect(run.results).toEqual([
      expect.objectContaining({ sourceId: 'status-us-1', outcome: 'changed', published: 1 }),
      expect.objectContaining({ sourceId: 'advisories', outcome: 'changed' }),
    ]);

    // State in DynamoDB, events over the SNS wire.
    const store = makeDynamoStateStore({ client: dynamo.client, tableName: TABLE });
    expect(await store.getSource('status-us-1')).toBeDefined();
    // The status source's items are tracked under its status page's scope (`@<host>`), shared by the page's regions.
    expect((await store.listItems(`@${new URL(feeds.url('/status')).host}`)).map((r) => r.value.itemId)).toEqual(['s6nmyrpsnbmj']);
    expect((await store.listItems('advisories')).length).toBeGreaterThan(0);
    const events = sns.published(topicArn).map((p) => JSON.parse(JSON.parse(p.message).default) as WatcherEvent);
    expect(events.filter((e) => e.source === 'status-us-1').map((e) => [e.type, e.itemId])).toEqual([['incident.opened', 's6nmyrpsnbmj']]);

    // The token, fetched from SSM with a request signed with the environment's credentials, went to the source only.
    expect(ssmRequests).toHaveLength(1);
    expect(ssmRequests[0]).toMatchObject({ target: 'AmazonSSM.GetParameter', securityToken: SESSION_TOKEN });
    expect(ssmRequests[0]!.authorization).toContain(`Credential=${ACCESS_KEY_ID}/`);
    expect(JSON.parse(ssmRequests[0]!.body)).toEqual({ Name: TOKEN_PARAMETER, WithDecryption: true });
    const advisoryRequests = feeds.requests.filter((r) => r.path.startsWith('/advisories'));
    expect(advisoryRequests.map((r) => r.headers.authorization)).toEqual([`Bearer ${GITHUB_TOKEN}`]);
  });

  it('looks for credentials in the environment only', async () => {
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, AWS_SESSION_TOKEN: _token, ...withoutCredentials } = env;
    const run = await runBundle(bundle.file, ['status-us-1'], withoutCredentials);
    expect(run.output).toContain('Unable to find environment variable credentials');
  });

  it('leaves both secret clients out of the bundle of a config that references no secret', () => {
    const { code } = synthPollBundle([{ id: 'status-us-1', type: 'auth0-status', url: feeds.url('/status'), region: 'US-1' }]);
    expect(code).not.toContain('GetParameterCommand');
    expect(code).not.toContain('GetSecretValueCommand');
  });
});
