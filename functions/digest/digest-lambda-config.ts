// Builds the digest Lambda's dependencies from its environment, once per container.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { makeSnsDigestPublisher } from '../adapters/digest-outputs.js';
import { makeDynamoDigestStore } from '../adapters/dynamo-digest-store.js';
import { makeDynamoStateStore } from '../adapters/dynamo-state-store.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeS3LogArchive } from '../adapters/s3-log-archive.js';
import { makeSnsClient } from '../adapters/sns-publisher.js';
import { makeSnsSubscriptionLister } from '../adapters/sns-subscriptions.js';
import { ConfigError } from '../config/config-base.js';
import { readCompiledWatcherConfig, requiredEnv, type CompiledWatcherConfig } from '../config/lambda-config.js';
import type { RouteRules } from '../core/routing.js';
import { expectedEmailSubscriptions, type EmailSubscriptionConfig } from '../core/subscription-health.js';
import { isTenantLogsSource } from '../sources/auth0-tenant-logs/config-schema.js';
import type { DigestDependencies } from './run-digest.js';
import { FUNCTION_ENV, SERVICE_NAMES } from '../contract.js';

export function makeDigestLambdaDeps(env: NodeJS.ProcessEnv, client: DynamoDBClient): DigestDependencies {
  // The digest reads no source by its type (it needs no source plug-in in its bundle): any type the stack compiled in.
  const config = readCompiledWatcherConfig(env, (type) => type !== '');
  // The stack builds the digest function only for a config with `email.digest`, and compiles the settings in.
  const digest = config.email?.digest;
  if (!digest) throw new ConfigError('WATCHER_CONFIG has no email.digest settings for the digest function');
  const tableName = requiredEnv(env, FUNCTION_ENV.tableName);
  const digestTopicArn = requiredEnv(env, FUNCTION_ENV.digestTopicArn);
  // One client for the digest topic's publish and both topics' subscription listings.
  const sns = makeSnsClient({});
  // The tenant-log archive, listed for YOUR TENANT where the config has a tenant-log source and the stack named its bucket.
  const archiveBucket = env[FUNCTION_ENV.archiveBucket];
  const hasTenantLogs = config.sources.some(isTenantLogsSource);
  return {
    digestStore: makeDynamoDigestStore({ client, tableName }),
    stateStore: makeDynamoStateStore({ client, tableName }),
    publisher: makeSnsDigestPublisher({ client: sns, topicArn: digestTopicArn }),
    clock: { now: () => new Date() },
    logger: makePowertoolsLogger(SERVICE_NAMES.digest),
    sources: config.sources,
    digest,
    // Written out in the condition, not through a constant: esbuild folds the compiled-in `none` here, drops the
    // branch, and with it the S3 client from the bundle of a digest that lists no archive.
    ...(process.env.WATCHER_TENANT_ARCHIVE !== 'none' &&
      hasTenantLogs &&
      archiveBucket && { tenantArchive: makeS3LogArchive({ client: new S3Client({}), bucket: archiveBucket }) }),
    subscriptionCheck: {
      lister: makeSnsSubscriptionLister({ client: sns }),
      topics: [
        { topic: 'events', topicArn: requiredEnv(env, FUNCTION_ENV.eventTopicArn) },
        { topic: 'digest', topicArn: digestTopicArn },
      ],
      expected: expectedEmailSubscriptions({ alerts: compiledAlerts(config), digest }),
    },
  };
}

/**
 * The `email.alerts` entries compiled into the digest's config (`compiledDigestConfig`, lib/watcher-stack.ts), for
 * subscription health. Validated at synth like the rest, so only their shape is checked; a `ConfigError` names the
 * first field that is off.
 */
function compiledAlerts(config: CompiledWatcherConfig): EmailSubscriptionConfig['alerts'] {
  const alerts = (config.email as { readonly alerts?: unknown } | undefined)?.alerts;
  if (alerts === undefined) return [];
  const invalid = (field: string, what: string) =>
    new ConfigError(`WATCHER_CONFIG is not a config the stack validated: ${field} ${what}`);
  if (!Array.isArray(alerts)) throw invalid('email.alerts', 'must be a list');
  return alerts.map((alert: unknown, index) => {
    const field = `email.alerts[${index}]`;
    if (typeof alert !== 'object' || alert === null) throw invalid(field, 'must be an object');
    const { addresses, rules } = alert as { addresses?: unknown; rules?: unknown };
    if (!Array.isArray(addresses) || !addresses.every((address) => typeof address === 'string')) {
      throw invalid(`${field}.addresses`, 'must be a list of strings');
    }
    if (rules !== undefined && (typeof rules !== 'object' || rules === null || Array.isArray(rules))) {
      throw invalid(`${field}.rules`, 'must be an object');
    }
    return { addresses: addresses as string[], rules: rules as RouteRules | undefined };
  });
}
