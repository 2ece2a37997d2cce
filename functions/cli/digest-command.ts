// `npm start -- digest`: the digest of the period since the previous one, into the console and jsonl outputs.
import { join } from 'node:path';
import { makeConsoleDigestOutput, makeJsonlDigestOutput } from '../adapters/digest-outputs.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makeLocalLogArchive } from '../adapters/local-log-archive.js';
import { digestSchema } from '../config/config.js';
import { makeRunDigest, type DigestPublisher } from '../digest/run-digest.js';
import { withItemScopes } from '../sources/registry.js';
import { EXIT_OK, EXIT_SOURCE_FAILED, type RunContext } from './cli-context.js';

/** Renders the digest of the period since the previous one into the console and jsonl outputs. */
export async function runDigestCommand({ config, io, logger, clock, client }: RunContext): Promise<number> {
  const outputs = config.outputs.flatMap((output): DigestPublisher[] => {
    if (output.type === 'console') return [makeConsoleDigestOutput(io.stdout)];
    if (output.type === 'jsonl') return [makeJsonlDigestOutput(output.path)];
    return []; // Slack and SNS outputs carry events; on AWS the digest has its own topic.
  });
  const runDigest = makeRunDigest({
    digestStore: makeDynamoDigestStore({ client, tableName: config.tableName }),
    stateStore: makeDynamoStateStore({ client, tableName: config.tableName }),
    publisher: { publish: async (digest) => void (await Promise.all(outputs.map((o) => o.publish(digest)))) },
    clock,
    logger,
    sources: withItemScopes(config.sources),
    digest: config.email.digest ?? digestSchema.parse({ timeZone: config.timeZone }),
    // The tenant-log sources' archive (written by the poll command), for the digest's YOUR TENANT section.
    tenantArchive: makeLocalLogArchive(join(config.stateDir, 'archive')),
    // One local process at a time writes the embedded store: events are in the log as soon as a poll ends.
    settings: { settleMs: 0 },
  });
  const result = await runDigest();
  switch (result.outcome) {
    case 'sent':
      io.stderr.write(`Digest for ${result.digest.from} to ${result.digest.to}: ${result.digest.quiet ? 'all quiet' : 'sent'}.\n`);
      return EXIT_OK;
    case 'skipped-quiet':
      io.stderr.write(`Quiet period ${result.from} to ${result.to}: no digest (quiet: "skip").\n`);
      return EXIT_OK;
    case 'nothing-due':
      io.stderr.write('No new period since the previous digest.\n');
      return EXIT_OK;
    case 'busy':
      io.stderr.write('auth0-ops-watcher: another digest run holds the digest; try again in a few minutes\n');
      return EXIT_SOURCE_FAILED;
  }
}
