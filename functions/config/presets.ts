// Ready-made third-party sources: a tenant enables a dependency by name instead of writing its URL and format.
import type { SourceConfig, SourceType } from '../sources/registry.js';

/**
 * A source config of any type that names a vendor, without the id (the preset's name) and with the defaults left
 * open; the config schema validates each preset like any other source.
 */
type PresetSource = {
  readonly [T in SourceType]: Extract<SourceConfig, { readonly type: T }> extends infer C
    ? [C] extends [never]
      ? never
      : 'vendor' extends keyof C
        ? { readonly type: T; readonly vendor: string; readonly url: string } & Partial<Omit<C, 'id' | 'type' | 'vendor' | 'url'>>
        : never
    : never;
}[SourceType] & {
  /** What the README says about the source's format. */
  readonly about: string;
};

/**
 * Each preset becomes a source whose id is the preset's name. URLs and formats as gathered in SOURCES.md
 * (Atlassian Statuspage pages via their JSON API; Google's incidents.json; plain feeds with a resolved-pattern).
 */
export const PRESETS = {
  github: { type: 'statuspage', vendor: 'GitHub', url: 'https://www.githubstatus.com', mode: 'api', about: 'Atlassian Statuspage, JSON API' },
  sendgrid: { type: 'statuspage', vendor: 'SendGrid', url: 'https://status.sendgrid.com', mode: 'api', about: 'Atlassian Statuspage, JSON API' },
  twilio: { type: 'statuspage', vendor: 'Twilio', url: 'https://status.twilio.com', mode: 'api', about: 'Atlassian Statuspage, JSON API' },
  discord: { type: 'statuspage', vendor: 'Discord', url: 'https://discordstatus.com', mode: 'api', about: 'Atlassian Statuspage, JSON API' },
  'google-cloud': {
    type: 'google-status',
    vendor: 'Google Cloud',
    url: 'https://status.cloud.google.com/incidents.json',
    about: 'Google incidents.json (open while `end` is absent)',
  },
  'google-workspace': {
    type: 'google-status',
    vendor: 'Google Workspace',
    url: 'https://www.google.com/appsstatus/dashboard/incidents.json',
    about: 'Google incidents.json (open while `end` is absent)',
  },
  'facebook-login': {
    type: 'feed',
    vendor: 'Meta (Facebook Login)',
    url: 'https://metastatus.com/outage-events-feed-facebook-login.rss',
    resolvedPattern: '\\b(resolved|fixed|restored|recovered)\\b',
    emptyWhenHealthy: true,
    about: 'RSS of open outage events only, empty when healthy',
  },
  azure: {
    type: 'feed',
    vendor: 'Microsoft Azure',
    url: 'https://azure.status.microsoft/en-us/status/feed/',
    resolvedPattern: '^\\s*\\[?(resolved|mitigated)\\b|\\b(has been|was) (resolved|mitigated)\\b',
    emptyWhenHealthy: true,
    about: 'RSS; status only in title prefixes',
  },
  aws: {
    type: 'feed',
    vendor: 'AWS',
    url: 'https://status.aws.amazon.com/rss/all.rss',
    resolvedPattern: '^\\s*\\[?resolved\\b|\\b(has been resolved|is operating normally|are operating normally)\\b',
    emptyWhenHealthy: true,
    // One item per message, guid `…#<service>-<region>_<epoch of the message>`: the messages of one service and region
    // are one event until AWS falls silent for three days.
    groupPattern: '#(?<incident>[a-z0-9-]+?(?:-(?<region>(?:[a-z]{2}-gov|[a-z]{2})-[a-z]+-\\d+))?)_\\d+$',
    groupGapHours: 72,
    about: 'RSS of all AWS service events, one item per message: the messages of one service and region are one incident',
  },
  slack: {
    type: 'feed',
    vendor: 'Slack',
    url: 'https://slack-status.com/feed/rss',
    resolvedPattern: '\\b(resolved|fixed|restored)\\b',
    emptyWhenHealthy: true,
    about: 'RSS of incidents',
  },
} as const satisfies Record<string, PresetSource>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The source config input a preset stands for (validated with the rest of the config). */
export function presetSource(name: PresetName): Record<string, unknown> {
  const { about: _about, ...source } = PRESETS[name];
  // Every preset is a provider's status page or feed: named so ("GitHub status"), as its health events and the digest say.
  return { id: name, name: `${PRESETS[name].vendor} status`, ...source };
}
