// Builds the digest Lambda's dependencies from its environment, once per container.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeSnsDigestPublisher } from '../adapters/digest-outputs.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSnsClient } from '../adapters/sns-publisher.js';
import { ConfigError, digestSchema, parseConfig } from '../config/config.js';
import type { DigestDependencies } from './run-digest.js';

export function makeDigestLambdaDeps(env: NodeJS.ProcessEnv, client: DynamoDBClient): DigestDependencies {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new ConfigError(`environment variable ${name} is required`);
    return value;
  };
  let input: unknown;
  try {
    input = JSON.parse(required('WATCHER_CONFIG'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`WATCHER_CONFIG is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const config = parseConfig(input, '/tmp');
  const tableName = required('TABLE_NAME');
  return {
    digestStore: makeDynamoDigestStore({ client, tableName }),
    stateStore: makeDynamoStateStore({ client, tableName }),
    publisher: makeSnsDigestPublisher({ client: makeSnsClient({}), topicArn: required('DIGEST_TOPIC_ARN') }),
    clock: { now: () => new Date() },
    logger: makePowertoolsLogger('auth0-ops-watcher-digest'),
    sources: config.sources,
    digest: config.email.digest ?? digestSchema.parse({}),
  };
}
