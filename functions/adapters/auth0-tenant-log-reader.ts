// The stream use case's reader factory for 'auth0-tenant-logs' sources: the Management API reader for the source's
// tenant, application and audience, with the client secret resolved for this run. Handlers and the CLI pass it in.
import type { Auth0TenantLogsSourceConfig } from '../sources/auth0-tenant-logs/config-schema.js';
import type { TenantLogReader } from '../stream/ports.js';
import { makeAuth0LogReader } from './auth0-management-api.js';

export function auth0TenantLogReaderFor(config: Auth0TenantLogsSourceConfig, clientSecret: string): TenantLogReader {
  return makeAuth0LogReader({
    url: config.url,
    clientId: config.clientId,
    clientSecret,
    audience: config.audience,
    timeoutMs: config.timeoutMs,
  });
}
