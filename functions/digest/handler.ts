// Lambda entry point of the digest: a schedule (daily or weekly, in the configured time zone) invokes it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDigestLambdaDeps } from './digest-lambda-config.js';
import { makeRunDigest, type DigestOutcome } from './run-digest.js';

// `process.env.WATCHER_CONFIG` is replaced at bundle time by the validated config (see lib/watcher-stack.ts).
const deps = makeDigestLambdaDeps({ ...process.env, WATCHER_CONFIG: process.env.WATCHER_CONFIG }, new DynamoDBClient({}));
const runDigest = makeRunDigest(deps);

/**
 * Runs one digest. Safe to retry: a retried run covers the same period as the run it replaces. A run that finds
 * the digest held (a crashed run's lease not yet expired) throws, so Lambda's async retry comes back later.
 */
export async function handler(): Promise<DigestOutcome['outcome']> {
  const result = await runDigest();
  if (result.outcome === 'busy') throw new Error('another digest run holds the digest; Lambda retries later');
  deps.logger.info('digest run finished', {
    outcome: result.outcome,
    ...(result.outcome === 'sent' && { from: result.digest.from, to: result.digest.to, quiet: result.digest.quiet }),
  });
  return result.outcome;
}
