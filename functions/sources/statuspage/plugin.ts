// Plug-in 'statuspage': any Atlassian Statuspage page (GitHub, SendGrid, Twilio, …), polled every 5 minutes.
import type { SourceModule } from '../source.js';
import { statuspageConfigSchema, type StatuspageSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

export const statuspageSource: SourceModule<StatuspageSourceConfig> = {
  type: 'statuspage',
  kind: 'feed',
  configSchema: statuspageConfigSchema,
  defaultEveryMinutes: 5,
  vendor: 'Statuspage',
  vendorOf: (config) => config.vendor,
  // A list narrowed to a few components is rightly empty while none of them has an incident.
  emptyIsNormal: (config) => config.components !== undefined,
  requests,
  parse,
};
