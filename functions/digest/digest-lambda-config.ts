// Builds the digest Lambda's dependencies from its environment, once per container.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeSnsDigestPublisher } from '../adapters/digest-outputs.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSnsClient } from '../adapters/sns-publisher.js';
import { ConfigError } from '../config/config-base.js';
import { compiledWatcherConfig, requiredEnv } from '../config/lambda-config.js';
import type { DigestDependencies } from './run-digest.js';

export function makeDigestLambdaDeps(env: NodeJS.ProcessEnv, client: DynamoDBClient): DigestDependencies {
  const config = compiledWatcherConfig(env);
  // The stack builds the digest function only for a config with `email.digest`, and compiles the settings in.
  const digest = config.email?.digest;
  if (!digest) throw new ConfigError('WATCHER_CONFIG has no email.digest settings for the digest function');
  const tableName = requiredEnv(env, 'TABLE_NAME');
  return {
    digestStore: makeDynamoDigestStore({ client, tableName }),
    stateStore: makeDynamoStateStore({ client, tableName }),
    publisher: makeSnsDigestPublisher({ client: makeSnsClient({}), topicArn: requiredEnv(env, 'DIGEST_TOPIC_ARN') }),
    clock: { now: () => new Date() },
    logger: makePowertoolsLogger('auth0-ops-watcher-digest'),
    sources: config.sources,
    digest,
  };
}
