// Plug-in 'google-status': Google Cloud's or Google Workspace's incidents.json, polled every 5 minutes.
import type { FeedSourceModule } from '../source.js';
import { googleStatusConfigSchema, type GoogleStatusSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

export const googleStatusSource: FeedSourceModule<GoogleStatusSourceConfig> = {
  type: 'google-status',
  kind: 'feed',
  configSchema: googleStatusConfigSchema,
  defaultEveryMinutes: 5,
  vendor: 'Google',
  vendorOf: (config) => config.vendor,
  // A list narrowed to a few products is rightly empty while none of them has an incident.
  emptyIsNormal: (config) => config.products !== undefined,
  requests,
  parse,
};
