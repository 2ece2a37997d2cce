// Reads and validates the watcher configuration in one place; everything else receives the typed, frozen result.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { CHANNEL_PLUGINS, type ChannelOutputConfig } from '../channels/registry.js';
import { RETIRED_SOURCE_TYPES, SOURCE_PLUGINS, type SourceConfig } from '../sources/registry.js';
import type { ConfigOf } from '../sources/source.js';
import type { AnySourceModule } from '../sources/source-registry.js';
import { ConfigError, deepFreeze } from './config-base.js';
import { issueLines, jsonSyntaxLine } from './config-errors.js';
import { PRESET_NAMES, presetSource, type PresetName } from './presets.js';
import { expandTenantBlock, tenantBlockSchema } from './tenant-block.js';
import { boardRowSeeds } from './board-rows.js';
import { CHANNEL_SCHEMA_KIT, isTimeZone, routeRulesSchema, withQuietHoursZone } from './channel-schema-kit.js';
import { severityRulesSchema } from './severity-rules-schema.js';
import { SOURCE_SCHEMA_KIT, sourceUrl } from './source-schema-kit.js';

export { ConfigError } from './config-base.js';

/** An unknown `type` that the watcher once read says what replaced it; any other gets zod's list of the valid ones. */
function retiredTypeMessage(issue: { readonly code?: string; readonly input?: unknown }): string | undefined {
  if (issue.code !== 'invalid_union' || typeof issue.input !== 'object' || issue.input === null) return undefined;
  const type = (issue.input as { readonly type?: unknown }).type;
  const instead = typeof type === 'string' && Object.hasOwn(RETIRED_SOURCE_TYPES, type) ? RETIRED_SOURCE_TYPES[type] : undefined;
  return instead && `"${type}" is no longer a source type: ${instead}`;
}

/**
 * The schema of a source of any of the `plugins`' types, each plug-in's schema built from the shared pieces. The union
 * is built at run time, so TypeScript cannot see its members; its output type is the plug-ins' configs.
 */
export function sourceConfigSchemaOf<M extends AnySourceModule>(plugins: readonly M[]): z.ZodType<ConfigOf<M>> {
  const schemas = plugins.map((plugin) => plugin.configSchema(SOURCE_SCHEMA_KIT));
  return z.discriminatedUnion('type', schemas as unknown as readonly [z.ZodObject<{ type: z.ZodLiteral<string> }>], {
    error: retiredTypeMessage,
  }) as unknown as z.ZodType<ConfigOf<M>>;
}

/** A configured source of any type the watcher's registry lists. */
export const sourceConfigSchema: z.ZodType<SourceConfig> = sourceConfigSchemaOf(SOURCE_PLUGINS);

export type { SourceConfig, SourceType } from '../sources/registry.js';
export { DEFAULT_EVERY_MINUTES } from '../sources/registry.js';

export { routeRulesSchema, type RouteRulesConfig } from './channel-schema-kit.js';
export type { SlackOutputConfig } from '../channels/slack/config-schema.js';

/** Every channel's route schema, one per plug-in of the registry, from the shared pieces. */
const channelSchemas = CHANNEL_PLUGINS.map((plugin) => plugin.configSchema(CHANNEL_SCHEMA_KIT));

/** The outputs only the CLI has (local mode); channel routes work locally and on AWS. */
const localOutputSchemas = [
  z.strictObject({ type: z.literal('console') }),
  z.strictObject({ type: z.literal('jsonl'), path: z.string().min(1) }),
  z.strictObject({
    type: z.literal('sns'),
    topicArn: z.string().regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN'),
    /** Endpoint override (a local SNS-compatible server); the default is AWS. */
    endpoint: sourceUrl.optional(),
    region: z.string().min(1).optional(),
  }),
] as const;
type LocalOutputConfig = z.infer<(typeof localOutputSchemas)[number]>;

/**
 * An output of any type: a route of a channel the registry lists, or a local one. The union is built from the
 * plug-ins' schemas at run time, so TypeScript cannot see its channel members; its output type is `OutputConfig`.
 */
const outputSchema = z.discriminatedUnion(
  'type',
  [...channelSchemas, ...localOutputSchemas] as unknown as readonly [z.ZodObject<{ type: z.ZodLiteral<string> }>],
) as unknown as z.ZodType<OutputConfig>;
export type OutputConfig = ChannelOutputConfig | LocalOutputConfig;

const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;


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
  /** IANA time zone of `time` and of the digest's times, e.g. "Europe/Berlin"; the config's `timeZone` when absent, else UTC. */
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

/** Days an archived tenant log is kept on AWS when `archive.retentionDays` is not set: a year and a month. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 400;

/** The tenant-log archive on AWS (the bucket of the `auth0-tenant-logs` sources' pages). */
const archiveSchema = z.strictObject({
  /** Days an archived page is kept, from when it was written (default {@link DEFAULT_ARCHIVE_RETENTION_DAYS}). */
  retentionDays: z
    .number()
    .int()
    .min(31, "must be at least 31 days: Auth0 itself keeps a tenant's logs for up to 30")
    .max(3650, 'must be at most 3650 days (ten years)')
    .optional(),
});
export type ArchiveConfig = z.infer<typeof archiveSchema>;

export const watcherConfigSchema = z
  .strictObject({
    /** Directory of the embedded store (local mode). */
    stateDir: z.string().min(1).default('.watcher-state'),
    /** DynamoDB table name (the embedded store and AWS). */
    tableName: z.string().regex(/^[\w.-]{3,255}$/).default('auth0-watcher-state'),
    /**
     * IANA time zone the emails and digests show times in, with its abbreviation or offset ("2026-12-06 13:05 CET");
     * also the digest's schedule zone when `email.digest.timeZone` is not set. Slack shows each reader their own.
     */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').default('UTC'),
    /** Consecutive failed polls before `source.failing` is emitted. */
    failureThreshold: z.number().int().min(1).max(100).default(3),
    /** Days a resolved incident stays tracked so that a late RCA is noticed. */
    trackResolvedDays: z.number().int().min(1).max(365).default(60),
    /** Severity overrides, in order: the first rule that matches an item sets its severity (raise or lower). */
    severityRules: severityRulesSchema,
    /** Third-party dependencies by name (see presets.ts); each adds a source whose id is the name. */
    presets: z.array(z.enum(PRESET_NAMES)).default([]),
    // At least one, or a `tenant` block that adds them (checked below, once the block is valid).
    sources: z.array(sourceConfigSchema).default([]),
    outputs: z.array(outputSchema).default(() => [{ type: 'console' as const }]),
    email: emailSchema.default(() => ({ alerts: [] })),
    /** The tenant-log archive on AWS; used only when a source is an `auth0-tenant-logs` stream. */
    archive: archiveSchema.optional(),
    /** One tenant's domain and credentials: adds its logs, checks, synthetic login and allow-list sources (tenant-block.ts). */
    tenant: tenantBlockSchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.sources.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'must list at least one source, or give a "tenant" block' });
    }
    const seen = new Set<string>();
    config.sources.forEach((source, index) => {
      if (seen.has(source.id)) {
        ctx.addIssue({ code: 'custom', path: ['sources', index, 'id'], message: `duplicate source id "${source.id}"` });
      }
      seen.add(source.id);
    });
    // One tenant-log source per EventBridge partner event source: its bus feeds exactly one source.
    const partners = new Map<string, string>();
    config.sources.forEach((source, index) => {
      const partner = 'partnerEventSource' in source ? source.partnerEventSource : undefined;
      if (partner === undefined) return;
      const other = partners.get(partner);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['sources', index, 'partnerEventSource'], message: `already the partner event source of source "${other}"` });
      }
      partners.set(partner, source.id);
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

/**
 * The digest's zone: its own `email.digest.timeZone`, else the config's `timeZone` (when that is a zone: a wrong one
 * is reported once, at `timeZone`), else UTC (the schema's default).
 */
function withDigestZone(input: unknown): unknown {
  if (!isRecord(input) || typeof input['timeZone'] !== 'string' || !isTimeZone(input['timeZone'])) return input;
  const email = input['email'];
  if (!isRecord(email) || !isRecord(email['digest']) || email['digest']['timeZone'] !== undefined) return input;
  return { ...input, email: { ...email, digest: { ...email['digest'], timeZone: input['timeZone'] } } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  const tenant = expandTenantBlock(expandPresets(withDigestZone(input)));
  const result = watcherConfigSchema.safeParse(tenant.input);
  if (!result.success || tenant.issues.length > 0) {
    const issues = [...tenant.issues, ...(result.success ? [] : result.error.issues)];
    // One line per problem, each naming its field; a misspelt key says which known one it is a slip of.
    const lines = issueLines(issues, watcherConfigSchema, tenant.input, tenant.pathName);
    throw new ConfigError(lines.map((line) => `invalid config: ${line}`));
  }
  const config = result.data;
  // A Slack board shows every watched region, dependency and probe from the start: its rows travel in its route.
  const boardRows = config.outputs.some((output) => output.type === 'slack' && output.board === true) ? boardRowSeeds(config.sources) : [];
  return deepFreeze({
    ...config,
    stateDir: resolve(baseDir, config.stateDir),
    outputs: config.outputs.map((output) => {
      const placed = output.type === 'jsonl' ? { ...output, path: resolve(baseDir, output.path) } : output;
      const seeded = placed.type === 'slack' && placed.board === true ? { ...placed, boardRows } : placed;
      return withQuietHoursZone(seeded, config);
    }),
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
  // An editor's byte-order mark is not part of the JSON.
  const json = text.replace(/^\uFEFF/, '');
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(jsonSyntaxLine(path, json, error as Error), { cause: error });
  }
  return parseConfig(input, dirname(resolve(path)));
}
