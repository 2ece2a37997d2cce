// `npm start -- test`: one clearly marked test event sent straight to every configured output (console, jsonl, sns and
// every channel route), each answering whether it accepted it. Routes' rules are not applied: the point is to prove
// that each output can be reached. A paging route (PagerDuty, Opsgenie) is sent the event that closes the test alert
// right after, so that no alert is left open.
import { randomBytes } from 'node:crypto';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import type { ChannelHttpOptions } from '../channels/channel.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import { CHANNEL_REGISTRY } from '../channels/registry.js';
import { closingEventOf, testEvent } from '../core/delivery-check.js';
import type { WatcherEvent } from '../core/model.js';
import { cleanLine } from '../core/text/clean-line.js';
import type { RunContext } from './cli-context.js';
import { duplicateOutputError, makeLocalOutputs } from './local-outputs.js';

/** What the command is run with: the CLI's config, streams, logger, clock and the embedded store's client. */
export type TestCommandContext = Pick<RunContext, 'config' | 'logger' | 'clock' | 'client'> & {
  readonly io: Pick<RunContext['io'], 'stdout' | 'stderr' | 'env'>;
};

export interface TestCommandOptions {
  /** Names the run (the event's item is `test-<runId>`); random by default. */
  readonly runId?: string;
  /** The channels' HTTP retries and timeouts (tests shorten them). */
  readonly http?: ChannelHttpOptions;
  /** The channel plug-ins (tests add theirs). @default CHANNEL_REGISTRY */
  readonly registry?: ChannelRegistry;
}

/** What one output did with the test event. */
export interface OutputTestResult {
  readonly outputId: string;
  readonly accepted: boolean;
  /** Why it did not accept the event (one clean line, never a secret). */
  readonly reason?: string;
  /** A paging route: the event that closed the test alert again, and whether the route accepted it. */
  readonly closing?: { readonly eventId: string; readonly accepted: boolean; readonly reason?: string };
}

export interface TestReport {
  readonly event: WatcherEvent;
  readonly outputs: readonly OutputTestResult[];
}

const EXIT_ALL_ACCEPTED = 0;
const EXIT_NOT_ACCEPTED = 1;
const EXIT_USAGE = 2;

/** Runs `npm start -- test`; returns the exit code: 0 every output accepted the test event, 1 one did not, 2 bad config. */
export async function runTestCommand(context: TestCommandContext, options: TestCommandOptions = {}): Promise<number> {
  const { config, io } = context;
  const registry = options.registry ?? CHANNEL_REGISTRY;
  const duplicate = duplicateOutputError(config.outputs, registry);
  if (duplicate) {
    io.stderr.write(`auth0-ops-watcher: ${duplicate}\n`);
    return EXIT_USAGE;
  }
  const report = await sendTestEvent(context, options);
  io.stdout.write(formatTestReport(report));
  return report.outputs.length > 0 && report.outputs.every(isAccepted) ? EXIT_ALL_ACCEPTED : EXIT_NOT_ACCEPTED;
}

/** Sends the test event to every configured output, one after the other, and says what each did. Never throws for an output. */
export async function sendTestEvent(context: TestCommandContext, options: TestCommandOptions = {}): Promise<TestReport> {
  const { config, io, logger, clock, client } = context;
  const registry = options.registry ?? CHANNEL_REGISTRY;
  const secrets = makeSecretResolver({ env: io.env });
  const channels = { table: { client, tableName: config.tableName }, secrets, clock, logger, http: options.http };
  // Every route takes the test event whatever its rules say: the test is of the output, not of the rules.
  const unfiltered = config.outputs.map((output) => (registry.pluginFor(output) ? { ...output, rules: {} } : output));
  const outputs = makeLocalOutputs(unfiltered, io.stdout, channels, registry);
  const event = testEvent({ runId: options.runId ?? randomBytes(6).toString('hex'), now: clock.now() });

  const results: OutputTestResult[] = [];
  for (const [index, output] of outputs.entries()) {
    const sent = await attempt(() => output.deliver(event, { retry: false }));
    const paging = registry.pluginFor(config.outputs[index]!)?.keepsAlertsOpen === true;
    const closingEvent = paging && sent.accepted ? closingEventOf(event, clock.now()) : undefined;
    const closing = closingEvent && { eventId: closingEvent.id, ...(await attempt(() => output.deliver(closingEvent, { retry: false }))) };
    results.push({ outputId: output.id, ...sent, ...(closing && { closing }) });
  }
  return { event, outputs: results };
}

async function attempt(send: () => Promise<void>): Promise<{ accepted: boolean; reason?: string }> {
  try {
    await send();
    return { accepted: true };
  } catch (error) {
    return { accepted: false, reason: cleanLine(error instanceof Error ? error.message : String(error), 300) };
  }
}

function isAccepted(result: OutputTestResult): boolean {
  return result.accepted && (result.closing === undefined || result.closing.accepted);
}

/** One line per output, then a verdict. */
export function formatTestReport({ event, outputs }: TestReport): string {
  const count = outputs.length;
  const lines = [
    count === 0
      ? 'No outputs are configured: nothing to test.'
      : `Sent test event ${event.id} ("${event.title}") straight to each of ${count} ${count === 1 ? 'output' : 'outputs'}; ` +
        "routes' rules are not applied to it:",
  ];
  const width = Math.max(0, ...outputs.map((output) => output.outputId.length));
  for (const output of outputs) {
    const name = `  ${output.outputId.padEnd(width)}  `;
    if (!output.accepted) {
      lines.push(`${name}NOT accepted: ${output.reason}`);
    } else if (output.closing?.accepted) {
      lines.push(`${name}accepted; its test alert was closed again at once (event ${output.closing.eventId}), so none is left open`);
    } else if (output.closing) {
      lines.push(`${name}accepted, but closing its test alert failed (${output.closing.reason}): close the alert "${event.title}" by hand`);
    } else {
      lines.push(`${name}accepted`);
    }
  }
  const accepted = outputs.filter(isAccepted).length;
  if (count > 0) {
    lines.push(
      accepted === count
        ? `All ${count} ${count === 1 ? 'output' : 'outputs'} accepted the test event.`
        : `${accepted} of ${count} outputs accepted the test event.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
