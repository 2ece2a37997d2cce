// `npm start -- check-deploy`: reads what `cdk deploy --outputs-file` wrote and the watcher config, runs the delivery
// check against the deployed stack with the environment's AWS credentials, and prints one line per route.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deliveryPartition, makeDynamoDeliveryRecords } from '../adapters/dynamo-delivery-store.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import { makeSnsSubscriptionLister } from '../adapters/sns-subscriptions.js';
import { CHANNEL_REGISTRY } from '../channels/registry.js';
import { ConfigError, DEFAULT_CONFIG_INPUT, loadConfigFile, parseConfig, type WatcherConfig } from '../config/config.js';
import { DELIVERY_CHECK_TITLE } from '../core/delivery-check.js';
import { PublishError } from '../core/errors.js';
import { confirmCommand, subscribeCommand } from '../core/subscription-health.js';
import { SOURCE_REGISTRY } from '../sources/registry.js';
import { DeliveryRecordsError, makeCheckDeploy, type CheckDeployReport, type CheckDeploySlackRoute } from './check-deploy.js';

/** The stack name `cdk deploy` uses without `-c stackName`. */
export const DEFAULT_STACK_NAME = 'Auth0OpsWatcher';
const DEFAULT_TIMEOUT_S = 90;
const MAX_TIMEOUT_S = 900;

export const CHECK_DEPLOY_USAGE = `usage: npm start -- check-deploy --outputs <file> [--config <file>] [--stack <name>] [--timeout <seconds>]

  --outputs <file>    what \`npx cdk deploy --outputs-file <file>\` wrote
  --config, -c        the watcher config the stack was deployed with (its channel routes and email alerts)
  --stack <name>      the stack in the outputs file (default: ${DEFAULT_STACK_NAME}, or the only one there)
  --timeout <s>       how long to wait for the Slack notifiers (default: ${DEFAULT_TIMEOUT_S}, at most ${MAX_TIMEOUT_S})

Publishes clearly marked test events to the deployed event topic, so that every channel route gets one its rules accept,
and waits until each route's notifier has recorded the delivery. AWS credentials come from the environment (as for the
AWS CLI: AWS_PROFILE, AWS_ACCESS_KEY_ID, …); the region is the deployed topic's.

A paging route (PagerDuty, Opsgenie) is then sent the event that closes its test alert, so that none is left open.

exit codes: 0 every channel route received its event (and every paging route's test alert was closed), 1 one did not
            (or publishing failed), 2 bad usage, outputs or config`;

/** Exit codes of check-deploy. */
const EXIT_ALL_RECEIVED = 0;
const EXIT_NOT_RECEIVED = 1;
const EXIT_USAGE = 2;

/** Stops the command with one line on stderr and exit code 2. */
class CheckDeployUsageError extends Error {
  override readonly name = 'CheckDeployUsageError';
}

export interface CheckDeployIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Runs `check-deploy` with the arguments after the command name; returns the exit code. */
export async function runCheckDeployCommand(argv: readonly string[], io: CheckDeployIo): Promise<number> {
  let setup: Awaited<ReturnType<typeof prepare>>;
  try {
    setup = await prepare(argv);
  } catch (error) {
    if (error instanceof CheckDeployUsageError || error instanceof ConfigError) {
      // A config error may have several problems: one line each.
      const lines = error instanceof ConfigError ? error.issues : [error.message];
      io.stderr.write(lines.map((line) => `auth0-ops-watcher check-deploy: ${line}\n`).join(''));
      return EXIT_USAGE;
    }
    throw error;
  }
  if (setup === 'help') {
    io.stdout.write(`${CHECK_DEPLOY_USAGE}\n`);
    return EXIT_ALL_RECEIVED;
  }

  const { stackName, topicArn, tableName, config, timeoutS } = setup;
  const region = topicArn.split(':')[3];
  const sns = makeSnsClient({ region });
  const dynamo = new DynamoDBClient({ region, maxAttempts: 4 });
  const checkDeploy = makeCheckDeploy({
    publisher: makeSnsPublisher({ client: sns, topicArn }),
    deliveries: makeDynamoDeliveryRecords({ client: dynamo, tableName }),
    subscriptions: makeSnsSubscriptionLister({ client: sns }),
    clock: { now: () => new Date() },
  });
  const request = {
    topicArn,
    runId: randomBytes(6).toString('hex'),
    timeoutMs: timeoutS * 1000,
    slackRoutes: slackRoutesOf(config),
    emailAlerts: config.email.alerts,
    sources: config.sources.map((source) => ({
      id: source.id,
      type: source.type,
      vendor: SOURCE_REGISTRY.vendorOf(source),
    })),
  };
  const routes = request.slackRoutes.length;
  // "Slack routes" when every route is Slack's (or PagerDuty's…), else "routes".
  const channelLabels = [...new Set(request.slackRoutes.map((route) => route.label ?? 'Slack'))];
  const kind = channelLabels.length === 1 ? `${channelLabels[0]} ` : '';
  io.stderr.write(
    `Delivery check ${request.runId} of stack ${stackName}: ` +
      (routes === 0
        ? 'no channel routes, checking the email alerts only\n'
        : `${routes} ${kind}${routes === 1 ? 'route' : 'routes'}, waiting up to ${timeoutS} s for their notifiers…\n`),
  );
  try {
    const report = await checkDeploy(request);
    const labels = new Map(request.slackRoutes.map((route) => [route.id, route.label ?? 'Slack']));
    io.stdout.write(formatReport(report, { stackName, topicArn, timeoutS, labels }));
    const closed = (route: CheckDeployReport['slack'][number]) =>
      route.closing === undefined || ('receivedAfterMs' in route.closing && route.closing.receivedAfterMs !== undefined);
    return report.slack.every((route) => route.receivedAfterMs !== undefined && closed(route)) ? EXIT_ALL_RECEIVED : EXIT_NOT_RECEIVED;
  } catch (error) {
    if (error instanceof PublishError || error instanceof DeliveryRecordsError) {
      io.stderr.write(`auth0-ops-watcher check-deploy: ${error.message}\n`);
      return EXIT_NOT_RECEIVED;
    }
    throw error;
  } finally {
    sns.destroy();
    dynamo.destroy();
  }
}

/** Arguments, the deployed stack's outputs and the config, checked; every problem is one usage line. */
async function prepare(argv: readonly string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        outputs: { type: 'string' },
        config: { type: 'string', short: 'c' },
        stack: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new CheckDeployUsageError(`${(error as Error).message}\n\n${CHECK_DEPLOY_USAGE}`);
  }
  if (values.help) return 'help' as const;
  if (!values.outputs) {
    throw new CheckDeployUsageError('--outputs <file> is required: the file `npx cdk deploy --outputs-file <file>` wrote');
  }
  const timeoutS = values.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > MAX_TIMEOUT_S) {
    throw new CheckDeployUsageError(`--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_S}, not "${values.timeout}"`);
  }
  const { stackName, topicArn, tableName } = await readStackOutputs(values.outputs, values.stack);
  const config: WatcherConfig = values.config ? await loadConfigFile(values.config) : parseConfig(DEFAULT_CONFIG_INPUT, process.cwd());
  if (config.email.alerts.length === 0 && CHANNEL_REGISTRY.routesOf(config.outputs).length === 0) {
    throw new CheckDeployUsageError(
      `${values.config ? `the config ${values.config}` : 'the default config'} has no channel routes and no email alerts: ` +
        'nothing to check (pass --config <the file the stack was deployed with>)',
    );
  }
  return { stackName, topicArn, tableName, config, timeoutS };
}

/** The deployed stack's `TopicArn` and `TableName` from a `cdk deploy --outputs-file` file. */
async function readStackOutputs(path: string, wanted: string | undefined) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CheckDeployUsageError(`cannot read the outputs file ${path}: ${(error as Error).message}`);
  }
  let outputs: unknown;
  try {
    outputs = JSON.parse(text);
  } catch (error) {
    throw new CheckDeployUsageError(`the outputs file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
    throw new CheckDeployUsageError(`the outputs file ${path} is not what \`cdk deploy --outputs-file\` writes (an object of stacks)`);
  }
  const stacks = Object.keys(outputs);
  const stackName =
    wanted ?? (stacks.includes(DEFAULT_STACK_NAME) ? DEFAULT_STACK_NAME : stacks.length === 1 ? stacks[0]! : undefined);
  const found = stackName === undefined ? undefined : (outputs as Record<string, unknown>)[stackName];
  if (stackName === undefined || typeof found !== 'object' || found === null) {
    const listed = stacks.length === 0 ? 'it lists no stack' : `it lists ${stacks.map((s) => `"${s}"`).join(', ')}`;
    throw new CheckDeployUsageError(
      stackName === undefined
        ? `the outputs file ${path} has several stacks and none is "${DEFAULT_STACK_NAME}": pick one with --stack (${listed})`
        : `stack "${stackName}" is not in the outputs file ${path} (${listed})`,
    );
  }
  const { TopicArn: topicArn, TableName: tableName } = found as Record<string, unknown>;
  if (typeof topicArn !== 'string' || !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(topicArn)) {
    throw new CheckDeployUsageError(`stack "${stackName}" in ${path} has no TopicArn output: is it an auth0-ops-watcher stack?`);
  }
  if (typeof tableName !== 'string' || tableName === '') {
    throw new CheckDeployUsageError(`stack "${stackName}" in ${path} has no TableName output: is it an auth0-ops-watcher stack?`);
  }
  return { stackName, topicArn, tableName };
}

/**
 * Each channel route as deployed (Slack's, today): route id, the partition its notifier records deliveries under
 * (`SLACK#<channel ID>`, `SLACK#webhook:<route id>`), and its rules.
 */
function slackRoutesOf(config: WatcherConfig): CheckDeploySlackRoute[] {
  return CHANNEL_REGISTRY.routesOf(config.outputs).map(({ plugin, route }) => ({
    id: route.id,
    channelKey: deliveryPartition(plugin.keyPrefix, plugin.destinationKey(route)),
    rules: route.rules,
    label: plugin.label,
    ...(plugin.keepsAlertsOpen && { keepsAlertsOpen: true }),
  }));
}

/** One line per route and address; no secrets (the config holds only references, and none is resolved here). */
function formatReport(
  report: CheckDeployReport,
  context: { stackName: string; topicArn: string; timeoutS: number; labels: ReadonlyMap<string, string> },
): string {
  const lines: string[] = [];
  const count = report.events.length;
  lines.push(
    count === 0
      ? 'No channel routes: no test event published.'
      : `Published ${count} test ${count === 1 ? 'event' : 'events'} to ${context.topicArn}:`,
  );
  for (const { event, routeIds } of report.events) {
    lines.push(`  ${event.id} (${event.type}, ${event.severity}, ${event.source}, ${event.vendor}) for ${routeIds.join(', ')}`);
  }

  const labels = [...new Set(report.slack.map((route) => labelOf(context, route.routeId)))];
  const width = Math.max(0, ...report.slack.map((route) => route.routeId.length));
  for (const label of labels) {
    lines.push('', `${label} routes:`);
    for (const route of report.slack.filter((r) => labelOf(context, r.routeId) === label)) {
      const name = route.routeId.padEnd(width);
      const notifier = `${label.replace(/[^A-Za-z0-9]/g, '')}Notifier-${route.routeId} in ${context.stackName}`;
      if (route.receivedAfterMs !== undefined) {
        lines.push(`  ${name}  received after ${seconds(route.receivedAfterMs)} s`);
      } else {
        lines.push(
          `  ${name}  NOT received within ${context.timeoutS} s: look for event ${route.eventId} in the route's ` +
            `dead-letter queue, and for "${label.toLowerCase()} delivery failed" (it names the ${label} error) in the log group of its ` +
            `notifier (${notifier})`,
        );
      }
      const closing = route.closing;
      if (closing === undefined) continue;
      if ('skipped' in closing) {
        lines.push(`  ${' '.repeat(width)}  its test alert is left OPEN (${closing.skipped}): close "${DELIVERY_CHECK_TITLE}" by hand`);
      } else if (closing.receivedAfterMs !== undefined) {
        lines.push(`  ${' '.repeat(width)}  its test alert was closed again (event ${closing.eventId}) after ${seconds(closing.receivedAfterMs)} s`);
      } else {
        lines.push(
          `  ${' '.repeat(width)}  its test alert is left OPEN: the closing event ${closing.eventId} was NOT delivered within ` +
            `${context.timeoutS} s (see ${notifier}); close "${DELIVERY_CHECK_TITLE}" by hand`,
        );
      }
    }
  }

  if (report.email.outcome === 'failed') {
    lines.push('', `Email alerts: could not list the event topic's subscriptions: ${report.email.reason}`);
  } else if (report.email.outcome === 'listed') {
    lines.push('', 'Email alerts (whether a mail arrives cannot be seen from here; the subscription and its filter can):');
    for (const { subscription, takes } of report.email.addresses) {
      const filter =
        takes.length === 0 ? 'its filter takes none of the test events' : `its filter takes test event ${takes.join(', ')}`;
      const where = `${subscription.address} (${subscription.field})`;
      if (subscription.status === 'confirmed') {
        lines.push(`  ${where}: confirmed; ${filter}${takes.length > 0 ? ': look for "Delivery check" in that mailbox' : ''}`);
      } else if (subscription.status === 'pending') {
        lines.push(
          `  ${where}: PENDING confirmation, receives nothing until confirmed; ${filter}. Confirm from the mail's link, ` +
            'or with its Token= value so that unsubscribing needs authentication:',
          ...confirmCommand(subscription.topicArn, '      '),
        );
      } else {
        lines.push(
          `  ${where}: MISSING (unsubscribed, or expired unconfirmed), receives nothing; ${filter}. Subscribe it again:`,
          ...subscribeCommand(subscription, '      '),
        );
      }
    }
  }

  const received = report.slack.filter((route) => route.receivedAfterMs !== undefined).length;
  // "Slack routes" when every route is Slack's (or PagerDuty's…), else "routes".
  const kind = labels.length === 1 ? `${labels[0]} ` : '';
  lines.push(
    '',
    report.slack.length === 0
      ? 'No channel routes to check.'
      : received === report.slack.length
        ? `All ${report.slack.length} ${kind}${report.slack.length === 1 ? 'route' : 'routes'} received the test event.`
        : `${received} of ${report.slack.length} ${kind}routes received the test event.`,
  );
  return `${lines.join('\n')}\n`;
}

function labelOf(context: { labels: ReadonlyMap<string, string> }, routeId: string): string {
  return context.labels.get(routeId) ?? 'Slack';
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}
