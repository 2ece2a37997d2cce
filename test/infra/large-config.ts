// The largest deployment the stack is built for: 500 sources (Auth0 status in ten regions, the change log, advisories,
// and 488 third-party Statuspage pages and feeds), three Slack routes, email alerts and a digest. The infrastructure
// tests synthesize it in both monitoring levels; `npm run bench` prices it.

const AUTH0_REGIONS = ['US-1', 'US-3', 'US-4', 'US-5', 'EU-1', 'EU-2', 'AU-1', 'CA-1', 'JP-1', 'UK-1'] as const;
/** Sources in the large config, all told. */
export const LARGE_CONFIG_SOURCES = 500;

function auth0Status(region: string) {
  const domain = `acme.${region.toLowerCase().replace('-', '')}.auth0.com`;
  return {
    id: `auth0-status-${region.toLowerCase()}`,
    type: 'auth0-status',
    region,
    url: `https://status.auth0.com/feed?domain=${domain}`,
  };
}

/** Third-party page `index` (0-based): even ones are Statuspage pages, odd ones RSS feeds; every fifth named. */
function thirdParty(index: number) {
  const n = String(index + 1).padStart(3, '0');
  const named = index % 5 === 0 ? { name: `Dependency ${n} status` } : {};
  return index % 2 === 0
    ? { id: `dependency-${n}`, type: 'statuspage', vendor: `Vendor ${n}`, url: `https://status.vendor${n}.example.com`, ...named }
    : { id: `dependency-${n}`, type: 'feed', vendor: `Vendor ${n}`, url: `https://status.vendor${n}.example.com/history.rss`, ...named };
}

export const LARGE_CONFIG_INPUT = {
  sources: [
    ...AUTH0_REGIONS.map(auth0Status),
    { id: 'auth0-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' },
    { id: 'auth0-advisories', type: 'github-advisories', token: 'ssm:/auth0-watcher/github-token' },
    ...Array.from({ length: LARGE_CONFIG_SOURCES - AUTH0_REGIONS.length - 2 }, (_, index) => thirdParty(index)),
  ],
  outputs: [
    {
      type: 'slack',
      id: 'incidents',
      botToken: 'ssm:/auth0-watcher/slack-bot-token',
      channel: 'C0INCIDENTS',
      rules: { types: ['incident.*'], minSeverity: 'critical', regions: [...AUTH0_REGIONS] },
    },
    {
      type: 'slack',
      id: 'dependencies',
      botToken: 'ssm:/auth0-watcher/slack-bot-token',
      channel: 'C0DEPENDENCIES',
      rules: { types: ['incident.*', 'maintenance.*'], minSeverity: 'major' },
    },
    {
      type: 'slack',
      id: 'platform',
      webhookUrl: 'ssm:/auth0-watcher/slack-webhook-platform',
      rules: { types: ['changelog.published', 'advisory.*', 'source.*'] },
    },
  ],
  email: {
    alerts: [
      { addresses: ['oncall@example.com', 'sre-lead@example.com'], rules: { types: ['incident.*'], minSeverity: 'critical' } },
      { addresses: ['security@example.com'], rules: { types: ['advisory.*'] } },
    ],
    digest: { addresses: ['ops@example.com', 'helpdesk@example.com'], frequency: 'daily', time: '08:00', timeZone: 'Europe/Berlin' },
  },
};
