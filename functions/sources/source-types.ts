// Every source type's name, for the functions that check a compiled config's types without loading the plug-ins (the
// poll function's bundle carries the feed readers only). sources/registry.ts is the list of plug-ins; a test keeps the
// two the same.
export const SOURCE_TYPE_NAMES: readonly string[] = [
  'auth0-status',
  'auth0-changelog',
  'github-advisories',
  'statuspage',
  'google-status',
  'feed',
  'auth0-tenant-logs',
  'auth0-synthetic-login',
  'auth0-ip-ranges',
  'auth0-deprecations',
  'auth0-tenant-checks',
];
