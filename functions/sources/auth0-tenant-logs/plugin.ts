// Plug-in 'auth0-tenant-logs': the tenant's own logs, read from the Management API on from a checkpoint, archived page
// by page, and classified into events (rate limits, deprecation notices, login failures, extensibility failures,
// security signals). A stream: the stream use case (functions/stream/poll-stream.ts) reads it.
import type { StreamSourceModule } from '../source.js';
import { auth0TenantLogsConfigSchema, type Auth0TenantLogsSourceConfig } from './config-schema.js';

export const auth0TenantLogsSource: StreamSourceModule<Auth0TenantLogsSourceConfig> = {
  type: 'auth0-tenant-logs',
  kind: 'stream',
  configSchema: auth0TenantLogsConfigSchema,
  // Auth0 repeats rate-limit logs every minute while a limit is exceeded; five minutes keeps the detectors' windows
  // current with one token and a few requests a run.
  defaultEveryMinutes: 5,
  vendor: 'Auth0',
  secretRefsOf: (config) => [{ field: 'clientSecret', ref: config.clientSecret }],
};
