// Plug-in 'github-advisories': GitHub's security advisories for Auth0's SDKs (or the configured packages), polled
// hourly; an optional token raises GitHub's rate limit.
import type { FeedSourceModule } from '../source.js';
import { githubAdvisoriesConfigSchema, type GithubAdvisoriesSourceConfig } from './config-schema.js';
import { parse, requests } from './reader.js';

export const githubAdvisoriesSource: FeedSourceModule<GithubAdvisoriesSourceConfig> = {
  type: 'github-advisories',
  kind: 'feed',
  configSchema: githubAdvisoriesConfigSchema,
  // The advisories API allows 60 unauthenticated requests an hour; one request per ecosystem per poll.
  defaultEveryMinutes: 60,
  vendor: 'Auth0',
  secretRefsOf: (config) => (config.token ? [{ field: 'token', ref: config.token }] : []),
  requests,
  parse,
};
