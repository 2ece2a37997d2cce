// Lambda entry point of a Slack notifier: one function per route, subscribed to the event topic with the route's filter policy.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { makeDynamoSlackStore } from '../adapters/dynamo-slack-store.js';
import { makePowertoolsLogger } from '../adapters/powertools-logger.js';
import { makeSecretResolver } from '../adapters/secret-resolver.js';
import { loadSlackLambdaConfig } from '../config/lambda-config.js';
import { SlackError } from '../core/errors.js';
import { parseWatcherEvent } from '../core/event-schema.js';
import { makeSlackDelivery } from './deliver-to-slack.js';
import { makeSlackDestination } from './slack-destination.js';

const { route, tableName } = loadSlackLambdaConfig();
const logger = makePowertoolsLogger('auth0-ops-watcher-slack');
const store = makeDynamoSlackStore({ client: new DynamoDBClient({}), tableName });
const secrets = makeSecretResolver();
// Built on the first event (the secret is fetched then) and kept for the container's life.
let deliver: Promise<ReturnType<typeof makeSlackDelivery>> | undefined;

/** Delivers each SNS record; a failure is thrown once, so the event lands in the dead-letter queue (no Lambda retries). */
export async function handler(event: SNSEvent): Promise<void> {
  deliver ??= makeSlackDestination(route, route.id, secrets).then((destination) =>
    makeSlackDelivery({ destination, rules: route.rules, store, clock: { now: () => new Date() }, logger }),
  );
  deliver.catch(() => (deliver = undefined));
  for (const record of event.Records) {
    const watcherEvent = parseWatcherEvent(record.Sns.Message);
    const keys = { route: route.id, eventId: watcherEvent.id, eventType: watcherEvent.type, itemId: watcherEvent.itemId };
    try {
      const outcome = await (await deliver)(watcherEvent);
      logger.info('slack delivery', { ...keys, outcome });
    } catch (error) {
      if (error instanceof SlackError) {
        logger.error('slack delivery failed', { ...keys, code: error.code, permanent: error.permanent, reason: error.message });
      }
      throw error;
    }
  }
}
