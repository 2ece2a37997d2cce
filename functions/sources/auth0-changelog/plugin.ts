// Plug-in 'auth0-changelog': the auth0.com change log (RSS), polled every 15 minutes.
import type { FeedSourceModule } from '../source.js';
import { auth0ChangelogConfigSchema, type Auth0ChangelogSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

export const auth0ChangelogSource: FeedSourceModule<Auth0ChangelogSourceConfig> = {
  type: 'auth0-changelog',
  kind: 'feed',
  configSchema: auth0ChangelogConfigSchema,
  defaultEveryMinutes: 15,
  vendor: 'Auth0',
  requests,
  parse,
};
