// Plug-in 'feed': any RSS 2.0 or Atom feed of incidents (Meta, Azure, AWS, Slack), polled every 5 minutes.
import type { FeedSourceModule } from '../source.js';
import { feedConfigSchema, type FeedSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

export const genericFeedSource: FeedSourceModule<FeedSourceConfig> = {
  type: 'feed',
  kind: 'feed',
  configSchema: feedConfigSchema,
  defaultEveryMinutes: 5,
  vendor: 'Feed',
  vendorOf: (config) => config.vendor,
  // A feed of open events only is empty when all is well.
  emptyIsNormal: (config) => config.emptyWhenHealthy,
  requests,
  parse,
};
