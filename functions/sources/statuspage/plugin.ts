// Plug-in 'statuspage': any Atlassian Statuspage page (GitHub, SendGrid, Twilio, …), polled every 5 minutes.
import type { FeedSourceModule } from '../source.js';
import { statuspageConfigSchema, type StatuspageSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

export const statuspageSource: FeedSourceModule<StatuspageSourceConfig> = {
  type: 'statuspage',
  kind: 'feed',
  configSchema: statuspageConfigSchema,
  defaultEveryMinutes: 5,
  vendor: 'Statuspage',
  // Without a configured vendor the page's own name is known only once it is read (ParseResult.vendor); until then, and
  // for the source's own health events, its host stands in.
  vendorOf: (config) => config.vendor ?? hostOf(config.url),
  // A list narrowed to a few components is rightly empty while none of them has an incident.
  emptyIsNormal: (config) => config.components !== undefined,
  requests,
  parse,
};

function hostOf(url: string): string {
  try {
    return new URL(url).host || 'Statuspage';
  } catch {
    return 'Statuspage';
  }
}
