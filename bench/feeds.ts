// Generated feeds for the benchmark: a large Auth0 status feed (Atom, the format of
// test/fixtures/auth0-status/feed.atom) and a 780-entry change log (RSS, the format of
// test/fixtures/auth0-changelog/rss.xml). Deterministic for a given `now`.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MINUTE = 60_000;

const TITLES = [
  'Elevated Errors on Public Cloud Environments',
  'Increased Authentication Latency in US-1',
  'Tenant Logs Delayed in EU-1',
  'Degraded Performance of the Management API in AU-1',
  'Login Failures for Enterprise Connections in US-3',
  'Delays in Email Delivery in JP-1',
  'Intermittent Errors with Actions in US-5',
  'Elevated Error Rates for MFA Enrollment in UK-1',
];

const TEXTS = [
  'We are investigating elevated error rates affecting authentication requests. Some customers may experience failed logins or timeouts.',
  'The issue has been identified as a misconfigured load balancer rule introduced during a routine change, and a fix is being implemented.',
  'A fix has been implemented and we are monitoring the results. Error rates have returned to normal levels for most tenants.',
  'This incident has been resolved. Customers experienced service disruption due to a DNS misconfiguration that was manually corrected; we will publish a root-cause analysis.',
  'We are continuing to investigate this issue. Tenant log streaming and log search may show delays of up to fifteen minutes.',
];

/** "Apr 22, 20:14 UTC", as the status page writes update dates (no year). */
function updateDate(ms: number): string {
  const d = new Date(ms);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${hh}:${mm} UTC`;
}

/** A 12-character incident id, like status.auth0.com's. */
export const incidentId = (index: number): string => `bn${index.toString(36).padStart(10, '0')}`;

export interface StatusFeedOptions {
  /** The feed's "now": incident times are relative to it (minute-aligned). */
  readonly now: Date;
  /** @default 1000 */
  readonly incidents?: number;
  /** Updates per incident. @default 4 */
  readonly updatesPerIncident?: number;
  /** Incidents still open (the newest ones). @default 3 */
  readonly open?: number;
  /** Adds one Resolved update to the newest (open) incident: "one incident gets one update". @default false */
  readonly withOneMoreUpdate?: boolean;
}

/**
 * An Auth0 status Atom feed of `incidents` incidents with `updatesPerIncident` updates each, newest first, 70 minutes
 * apart, so 1,000 incidents span 49 days: every one is inside the default 60-day tracking window, the worst case for
 * the state the poll keeps.
 */
export function largeStatusFeed(options: StatusFeedOptions): string {
  const incidents = options.incidents ?? 1000;
  const perIncident = options.updatesPerIncident ?? 4;
  const open = options.open ?? 3;
  const now = Math.floor(options.now.getTime() / MINUTE) * MINUTE;
  const entries: string[] = [];
  let feedUpdated = 0;
  for (let i = 0; i < incidents; i += 1) {
    const id = incidentId(i);
    const opened = now - 90 * MINUTE - i * 70 * MINUTE;
    const isOpen = i < open;
    const labels = isOpen
      ? ['Investigating', 'Identified', 'Update', 'Monitoring']
      : ['Investigating', 'Identified', 'Monitoring', 'Resolved'];
    const updates: { label: string; at: number; text: string }[] = [];
    for (let k = 0; k < perIncident; k += 1) {
      const label = k < labels.length ? labels[k]! : 'Update';
      updates.push({ label, at: opened + k * 15 * MINUTE, text: `${TEXTS[(i + k) % TEXTS.length]} (reference ${i}-${k})` });
    }
    if (i === 0 && options.withOneMoreUpdate) {
      updates.push({ label: 'Resolved', at: now - MINUTE, text: `${TEXTS[3]} (reference ${i}-resolved)` });
    }
    const latest = updates[updates.length - 1]!.at;
    feedUpdated = Math.max(feedUpdated, latest);
    const body = [...updates]
      .reverse()
      .map((u) => `<p><small>${updateDate(u.at)}</small><br><strong>${u.label}</strong> - ${u.text}</p>`)
      .join('');
    entries.push(
      [
        '  <entry>',
        `    <title type="html"><![CDATA[${TITLES[i % TITLES.length]} (#${i})]]></title>`,
        `    <id>https://status.auth0.com/incidents/${id}</id>`,
        `    <link href="https://status.auth0.com/incidents/${id}"/>`,
        `    <updated>${new Date(latest).toISOString().replace('.000Z', 'Z')}</updated>`,
        `    <content type="html"><![CDATA[${body}]]></content>`,
        '  </entry>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    '  <title>Auth0 Status</title>',
    '  <link rel="alternate" type="text/html" href="https://status.auth0.com"/>',
    '  <id>https://status.auth0.com/feed?domain=bench.us.auth0.com</id>',
    `  <updated>${new Date(feedUpdated).toISOString().replace('.000Z', 'Z')}</updated>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

const CHANGELOG_TITLES = [
  'Third-Party Apps for Organizations is now Generally Available',
  'Refresh Token metadata is now Generally Available',
  'Fix for Empty login_hint Parameter on External Identity Providers Requests',
  'Mobile Driver’s License Verification Service Early Access is ending',
  'Legacy Management API v1 endpoints will be removed',
  'Stricter validation of redirect URIs for Native applications',
  'Remove unused field from the tenant settings payload',
  'Improved rate limits for the Authentication API',
];

const CHANGELOG_BODY = [
  "We're excited to announce that **Refresh Token Metadata** is now **Generally Available** for Enterprise customers.",
  'Refresh Token Metadata allows you to attach custom key-value pairs to refresh tokens, enabling richer context storage and more personalized authentication experiences.',
  '### What’s included in the feature',
  '- Store up to 25 custom keys on a refresh token with the `refresh_token.metadata` API.',
  '- Read them back in Actions through `event.refresh_token.metadata`.',
  '__Why This Matters:__ Some external OAuth providers strictly validate request parameters and reject authorization requests with empty values.',
  'Read more in the [documentation](https://auth0.com/docs/secure/tokens/refresh-tokens) and the [migration guide](https://auth0.com/docs/troubleshoot/product-lifecycle/deprecations-and-migrations).',
].join('\n\n');

/** The change log's RSS with `entries` entries, newest first, one a day (780: a bit over two years). */
export function largeChangelogFeed(options: { now: Date; entries?: number; withOneMoreEntry?: boolean }): string {
  const count = options.entries ?? 780;
  const day = Math.floor(options.now.getTime() / 86_400_000) * 86_400_000;
  const items: string[] = [];
  const item = (i: number, title: string, at: number) =>
    [
      '    <item>',
      `      <title>${escapeXml(title)}</title>`,
      '      <link>https://auth0.com/changelog/rss.xml</link>',
      `      <guid isPermaLink="true">https://auth0.com/changelog#bench${i.toString(36).padStart(6, '0')}</guid>`,
      `      <pubDate>${new Date(at).toUTCString()}</pubDate>`,
      `      <description><![CDATA[${CHANGELOG_BODY}\n\n(Entry ${i}.)]]></description>`,
      '    </item>',
    ].join('\n');
  if (options.withOneMoreEntry) items.push(item(count, 'Legacy Rules will no longer run after the migration deadline', day));
  for (let i = 0; i < count; i += 1) {
    items.push(item(i, `${CHANGELOG_TITLES[i % CHANGELOG_TITLES.length]} (${i})`, day - (i + 1) * 86_400_000));
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    '    <title>Auth0 Changelog</title>',
    '    <link>https://auth0.com/changelog</link>',
    '    <description>Product updates from Auth0</description>',
    '    <atom:link href="https://auth0.com/changelog/rss.xml" rel="self" type="application/rss+xml"/>',
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
