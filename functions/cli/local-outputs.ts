// The CLI's outputs: each configured output as a delivery Output, under a stable id that keys its queue and health.
import { makeConsoleOutput } from '../adapters/console-output.js';
import { makeJsonlOutput } from '../adapters/jsonl-output.js';
import { makeSnsClient, makeSnsPublisher } from '../adapters/sns-publisher.js';
import { slackRouteId, type OutputConfig } from '../config/config.js';
import type { Output } from '../delivery/output-queue.js';
import { makeSlackPublisher, type SlackPublisherDependencies } from '../slack/slack-publisher.js';

/**
 * The output's id: `console`, `jsonl:<absolute path>`, `sns:<topic ARN>`, `slack:<route id>`. It depends on what the
 * output is, not on its place in the config, so reordering outputs keeps their queues (a Slack route without an `id`
 * is `slack-<index>`, so give routes ids). It never holds a secret: webhook URLs and tokens are not part of it.
 */
export function outputIdOf(output: OutputConfig, index: number): string {
  switch (output.type) {
    case 'console':
      return 'console';
    case 'jsonl':
      return `jsonl:${output.path}`;
    case 'sns':
      return `sns:${output.topicArn}`;
    case 'slack':
      return `slack:${slackRouteId(output, index)}`;
  }
}

/** The config error of two outputs that are the same output (they would get every event twice), or undefined. */
export function duplicateOutputError(outputs: readonly OutputConfig[]): string | undefined {
  const ids = outputs.map(outputIdOf);
  for (const [index, id] of ids.entries()) {
    const first = ids.indexOf(id);
    if (first !== index) return `outputs[${index}]: the same output as outputs[${first}] (${id}); name each output once`;
  }
  return undefined;
}

/** Builds the outputs of the config, in its order. */
export function makeLocalOutputs(
  outputs: readonly OutputConfig[],
  stdout: NodeJS.WritableStream,
  slack: SlackPublisherDependencies,
): Output[] {
  return outputs.map((output, index): Output => {
    const id = outputIdOf(output, index);
    switch (output.type) {
      case 'console':
        return makeConsoleOutput(stdout);
      case 'jsonl':
        return makeJsonlOutput(output.path);
      case 'slack': {
        // A repeated delivery is a no-op: the route's delivery record per event and channel says it was made.
        const publisher = makeSlackPublisher(output, slackRouteId(output, index), slack);
        return { id, deliver: (event) => publisher.publish(event) };
      }
      case 'sns': {
        // SNS has no idempotent publish: a run dying between publishing and removing the entry publishes it again,
        // with the same id, as on AWS (subscribers deduplicate on it; the Slack notifier does).
        const publisher = makeSnsPublisher({
          client: makeSnsClient({ endpoint: output.endpoint, region: output.region }),
          topicArn: output.topicArn,
        });
        return { id, deliver: (event) => publisher.publish(event) };
      }
    }
  });
}
