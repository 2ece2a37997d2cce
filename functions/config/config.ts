// Reads and validates the watcher configuration in one place; everything else receives the typed, frozen result.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { SEVERITIES } from '../core/model.js';
import { isEventTypePattern } from '../core/routing.js';
import { ConfigError, deepFreeze } from './config-base.js';
import { DEFAULT_ADVISORY_PACKAGES } from './default-packages.js';
import { PRESET_NAMES, presetSource, type PresetName } from './presets.js';

export { ConfigError } from './config-base.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** `https://` everywhere; `http://` only for loopback hosts (local tests and demos). */
export function isAllowedSourceUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.'));
}

const sourceUrl = z
  .string()
  .refine(isAllowedSourceUrl, 'must be an https:// URL (http:// is accepted only for loopback hosts)');

/** Secrets are referenced, never written into config: `env:NAME` locally, `ssm:/name` or `secretsmanager:name` on AWS. */
export const secretRef = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:\/[\w./-]+|secretsmanager:[\w/+=.@-]+)$/,
    'must reference a secret as env:NAME, ssm:/parameter/name or secretsmanager:name, never hold the value itself',
  );
export type SecretRef = z.infer<typeof secretRef>;

const sourceBase = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)'),
  /** Human label; defaults to the id. */
  name: z.string().min(1).max(80).optional(),
  everyMinutes: z.number().int().min(1).max(1440).optional(),
  failureThreshold: z.number().int().min(1).max(100).optional(),
  // Stays well under the poll Lambda's 60 s timeout.
  timeoutMs: z.number().int().min(100).max(30_000).optional(),
  maxBytes: z.number().int().min(1024).max(50_000_000).optional(),
};

const auth0StatusSource = z.strictObject({
  ...sourceBase,
  type: z.literal('auth0-status'),
  url: sourceUrl,
  region: z.string().regex(/^[A-Z]{2}-\d+$/, 'must be a region label such as "US-1"'),
  trackResolvedDays: z.number().int().min(1).max(365).optional(),
});

const auth0ChangelogSource = z.strictObject({
  ...sourceBase,
  type: z.literal('auth0-changelog'),
  url: sourceUrl,
});

const packageRef = z.strictObject({
  ecosystem: z.enum([
    'actions',
    'composer',
    'erlang',
    'go',
    'maven',
    'npm',
    'nuget',
    'other',
    'pip',
    'pub',
    'rubygems',
    'rust',
    'swift',
  ]),
  name: z.string().min(1).max(214),
});
export type PackageRef = z.infer<typeof packageRef>;

const githubAdvisoriesSource = z.strictObject({
  ...sourceBase,
  type: z.literal('github-advisories'),
  url: sourceUrl.default('https://api.github.com/advisories'),
  packages: z.array(packageRef).min(1).default(() => DEFAULT_ADVISORY_PACKAGES.map((p) => ({ ...p }))),
  token: secretRef.optional(),
});

const auth0BulletinsSource = z.strictObject({
  ...sourceBase,
  type: z.literal('auth0-bulletins'),
  url: sourceUrl,
});

/** Who a third-party source is about, for people and routing rules ("GitHub", "Google Workspace"). */
const vendorName = z.string().min(1).max(60);
const componentNames = z.array(z.string().min(1)).min(1);

/** Any Atlassian Statuspage page, by its base URL: the JSON API, or the history feed where the API is not served. */
const statuspageSource = z.strictObject({
  ...sourceBase,
  type: z.literal('statuspage'),
  url: sourceUrl,
  vendor: vendorName,
  /** `api`: /api/v2/incidents.json and scheduled-maintenances.json; `feed`: /history.atom. */
  mode: z.enum(['api', 'feed']).default('api'),
  /** Only incidents affecting these components (API mode). */
  components: componentNames.optional(),
  trackResolvedDays: z.number().int().min(1).max(365).optional(),
});

/** Google Cloud or Google Workspace incidents.json. */
const googleStatusSource = z.strictObject({
  ...sourceBase,
  type: z.literal('google-status'),
  url: sourceUrl,
  vendor: vendorName,
  /** Only incidents affecting these products ("Identity Platform", "Gmail"). */
  products: componentNames.optional(),
  trackResolvedDays: z.number().int().min(1).max(365).optional(),
});

/** Any RSS 2.0 or Atom feed of incidents, with rules for what marks an item resolved when the feed has no status. */
const feedSource = z.strictObject({
  ...sourceBase,
  type: z.literal('feed'),
  url: sourceUrl,
  vendor: vendorName,
  /** A regular expression (case-insensitive) on an item's title and text that marks it resolved. */
  resolvedPattern: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p, 'i');
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression')
    .default('\\b(resolved|fixed|completed|restored|recovered|mitigated)\\b'),
  /** Feeds that list only open events are empty when all is well: an empty feed is then not a failure. */
  emptyWhenHealthy: z.boolean().default(false),
  trackResolvedDays: z.number().int().min(1).max(365).optional(),
});

export const sourceConfigSchema = z.discriminatedUnion('type', [
  auth0StatusSource,
  auth0ChangelogSource,
  githubAdvisoriesSource,
  auth0BulletinsSource,
  statuspageSource,
  googleStatusSource,
  feedSource,
]);

export type Auth0StatusSourceConfig = z.infer<typeof auth0StatusSource>;
export type Auth0ChangelogSourceConfig = z.infer<typeof auth0ChangelogSource>;
export type GithubAdvisoriesSourceConfig = z.infer<typeof githubAdvisoriesSource>;
export type Auth0BulletinsSourceConfig = z.infer<typeof auth0BulletinsSource>;
export type StatuspageSourceConfig = z.infer<typeof statuspageSource>;
export type GoogleStatusSourceConfig = z.infer<typeof googleStatusSource>;
export type FeedSourceConfig = z.infer<typeof feedSource>;
export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type SourceType = SourceConfig['type'];

/** Poll cadence per source type when a source sets no `everyMinutes`. */
export const DEFAULT_EVERY_MINUTES: Readonly<Record<SourceType, number>> = {
  'auth0-status': 1,
  'auth0-changelog': 15,
  // The advisories API allows 60 unauthenticated requests an hour; one request per ecosystem per poll.
  'github-advisories': 60,
  'auth0-bulletins': 60,
  statuspage: 5,
  'google-status': 5,
  feed: 5,
};

const regionLabel = z.string().regex(/^[A-Z]{2}-\d+$/, 'must be a region label such as "US-1"');

/** Which events an output receives (see functions/core/routing.ts). */
export const routeRulesSchema = z.strictObject({
  sources: z.array(z.string().min(1)).min(1).optional(),
  types: z
    .array(z.string().refine(isEventTypePattern, 'must be an event type (incident.opened) or a family (incident.*)'))
    .min(1)
    .optional(),
  minSeverity: z.enum(SEVERITIES).optional(),
  regions: z.array(regionLabel).min(1).optional(),
  vendors: z.array(z.string().min(1)).min(1).optional(),
});

export const slackOutputSchema = z
  .strictObject({
    type: z.literal('slack'),
    /** Names the route (AWS resources, logs); defaults to slack-<index>. */
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)')
      .optional(),
    /** Incoming-webhook mode: one message per event, no threads. */
    webhookUrl: secretRef.optional(),
    /** Bot-token mode (chat.postMessage / chat.update): one living thread per incident. */
    botToken: secretRef.optional(),
    /** Channel ID (C…), needed with botToken. */
    channel: z
      .string()
      .regex(/^[CGD][A-Z0-9]{6,}$/, 'must be a channel ID such as C0123ABCD (channel details, at the bottom)')
      .optional(),
    apiBaseUrl: sourceUrl.default('https://slack.com/api/'),
    rules: routeRulesSchema.default({}),
  })
  .superRefine((output, ctx) => {
    const bot = output.botToken !== undefined;
    if (bot === (output.webhookUrl !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['botToken'], message: 'set exactly one of webhookUrl or botToken' });
    }
    if (bot && output.channel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'is required with botToken' });
    }
    if (!bot && output.channel !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'goes with botToken; a webhook posts to its own channel' });
    }
  });

const outputSchema = z.discriminatedUnion('type', [
  slackOutputSchema,
  z.strictObject({ type: z.literal('console') }),
  z.strictObject({ type: z.literal('jsonl'), path: z.string().min(1) }),
  z.strictObject({
    type: z.literal('sns'),
    topicArn: z.string().regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN'),
    /** Endpoint override (a local SNS-compatible server); the default is AWS. */
    endpoint: sourceUrl.optional(),
    region: z.string().min(1).optional(),
  }),
]);
export type OutputConfig = z.infer<typeof outputSchema>;
export type SlackOutputConfig = Extract<OutputConfig, { type: 'slack' }>;
export type RouteRulesConfig = z.infer<typeof routeRulesSchema>;

/** The id of a Slack output: its own, or slack-<index among the outputs>. */
export function slackRouteId(output: SlackOutputConfig, index: number): string {
  return output.id ?? `slack-${index}`;
}

const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const emailAddress = z.email('must be an email address');

/** Real-time email: these addresses subscribe to the event topic with the filter policy of these rules. */
const emailAlertSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)')
    .optional(),
  addresses: z.array(emailAddress).min(1),
  rules: routeRulesSchema.default({}),
});

/** Scheduled digests: one message per period to the digest topic, which these addresses subscribe to. */
export const digestSchema = z.strictObject({
  addresses: z.array(emailAddress).default([]),
  frequency: z.enum(['daily', 'weekly']).default('daily'),
  /** Local time of day the digest is sent, HH:MM. */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM').default('08:00'),
  /** IANA time zone of `time`, e.g. "Europe/Berlin". */
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').default('UTC'),
  /** Weekday of a weekly digest. */
  weekday: z.enum(WEEKDAYS).default('MON'),
  /** A period with no events still sends a short "all quiet" digest (send), or nothing (skip). */
  quiet: z.enum(['send', 'skip']).default('send'),
});
export type DigestConfig = z.infer<typeof digestSchema>;

const emailSchema = z.strictObject({
  alerts: z.array(emailAlertSchema).default([]),
  digest: digestSchema.optional(),
});
export type EmailConfig = z.infer<typeof emailSchema>;

export const watcherConfigSchema = z
  .strictObject({
    /** Directory of the embedded store (local mode). */
    stateDir: z.string().min(1).default('.watcher-state'),
    /** DynamoDB table name (the embedded store and AWS). */
    tableName: z.string().regex(/^[\w.-]{3,255}$/).default('auth0-watcher-state'),
    /** Consecutive failed polls before `source.failing` is emitted. */
    failureThreshold: z.number().int().min(1).max(100).default(3),
    /** Days a resolved incident stays tracked so that a late RCA is noticed. */
    trackResolvedDays: z.number().int().min(1).max(365).default(60),
    /** Third-party dependencies by name (see presets.ts); each adds a source whose id is the name. */
    presets: z.array(z.enum(PRESET_NAMES)).default([]),
    sources: z.array(sourceConfigSchema).min(1),
    outputs: z.array(outputSchema).default(() => [{ type: 'console' as const }]),
    email: emailSchema.default(() => ({ alerts: [] })),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.sources.forEach((source, index) => {
      if (seen.has(source.id)) {
        ctx.addIssue({ code: 'custom', path: ['sources', index, 'id'], message: `duplicate source id "${source.id}"` });
      }
      seen.add(source.id);
    });
  });

export type WatcherConfig = Readonly<z.infer<typeof watcherConfigSchema>>;

/** The configuration `npm start` uses when given none: Auth0 status for US-1, the change log, and advisories for Auth0's SDKs. */
export const DEFAULT_CONFIG_INPUT = {
  stateDir: '.watcher-state',
  sources: [
    {
      id: 'auth0-status-us-1',
      type: 'auth0-status',
      name: 'Auth0 status (US-1)',
      // Auth0's public sample tenant stands in for a US-1 tenant; set your own tenant domain.
      url: 'https://status.auth0.com/feed?domain=samples.auth0.com',
      region: 'US-1',
    },
    { id: 'auth0-changelog', type: 'auth0-changelog', name: 'Auth0 change log', url: 'https://auth0.com/changelog/rss.xml' },
    { id: 'auth0-advisories', type: 'github-advisories', name: 'Auth0 SDK security advisories' },
  ],
  outputs: [{ type: 'console' }],
} as const;

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Adds the sources that `presets` names to `sources`, so both are validated alike. */
function expandPresets(input: unknown): unknown {
  if (!input || typeof input !== 'object' || !('presets' in input) || !Array.isArray(input.presets)) return input;
  const known = input.presets.filter((name): name is PresetName => (PRESET_NAMES as unknown[]).includes(name));
  const sources = 'sources' in input && Array.isArray(input.sources) ? input.sources : [];
  return { ...input, sources: [...sources, ...known.map(presetSource)] };
}

/** Validates a parsed config object; relative paths resolve against `baseDir`. */
export function parseConfig(input: unknown, baseDir: string): WatcherConfig {
  const result = watcherConfigSchema.safeParse(expandPresets(input));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${formatPath(issue.path) || '(config)'}: ${issue.message}`);
    throw new ConfigError(`invalid config: ${lines.join('; ')}`);
  }
  const config = result.data;
  return deepFreeze({
    ...config,
    stateDir: resolve(baseDir, config.stateDir),
    outputs: config.outputs.map((output) =>
      output.type === 'jsonl' ? { ...output, path: resolve(baseDir, output.path) } : output,
    ),
  });
}

/** Loads a JSON config file; relative paths in it resolve against the file's directory. */
export async function loadConfigFile(path: string): Promise<WatcherConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(input, dirname(resolve(path)));
}
