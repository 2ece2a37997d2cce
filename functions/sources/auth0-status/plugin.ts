// Plug-in 'auth0-status': the status.auth0.com feed of one region (Atom or RSS), polled every minute. The regional
// feeds of one status page share their incidents.
import type { FeedSourceModule } from '../source.js';
import { auth0StatusConfigSchema, type Auth0StatusSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

/**
 * One status page lists a global incident in the feed of every region it affects, under the same id: the regional
 * feeds of one page (one host, whatever the tenant domain, Atom or RSS) share their incidents. A page on another host
 * (a private cloud's) is a scope of its own.
 */
function itemScope(config: Auth0StatusSourceConfig): string {
  return `@${new URL(config.url).host}`;
}

export const auth0StatusSource: FeedSourceModule<Auth0StatusSourceConfig> = {
  type: 'auth0-status',
  kind: 'feed',
  configSchema: auth0StatusConfigSchema,
  defaultEveryMinutes: 1,
  vendor: 'Auth0',
  regionOf: (config) => config.region,
  requests,
  parse,
  itemScope,
};
