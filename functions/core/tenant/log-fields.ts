// Reading one tenant log (Auth0's log schema, untrusted): which detector it feeds and its fields, cleaned and bounded.
// The code sets follow Auth0's log-type table (the `watcher` column of test/fixtures/auth0-tenant/log-type-codes.json).
import { cleanLine } from '../text/clean-line.js';

/** One tenant log as `GET /api/v2/logs` returns it; the stream's `TenantLog` is one. Fields beyond these vary by type. */
export interface TenantLogRecord {
  readonly log_id: string;
  readonly date: string;
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Rate limits on the Authentication or Management API (repeated every minute while a bucket stays over). */
export const RATE_LIMIT_TYPES: ReadonlySet<string> = new Set(['api_limit', 'api_limit_warning']);

/** Notices that the tenant uses a deprecated feature. */
export const DEPRECATION_TYPES: ReadonlySet<string> = new Set(['depnote', 'acul_sdk_notice']);

/** Failed logins and failed token exchanges: counted per connection. */
export const LOGIN_FAILURE_TYPES: ReadonlySet<string> = new Set([
  'f', 'fp', 'fu', 'fc', 'fco', 'fcoa', 'fens',
  'feacft', 'feccft', 'fecte', 'fede', 'feoobft', 'feotpft', 'fepft', 'fepotpft', 'fercft', 'ferrt', 'fertft',
  'fdeleacft', 'failed_on_behalf_of_token_exchange', 'idjag_exchange_failed', 'jwt_bearer_exchange_failed',
  'ciba_exchange_failed',
]);

/** Actions and flows that failed to run. */
export const EXTENSIBILITY_FAILURE_TYPES: ReadonlySet<string> = new Set(['actions_execution_failed', 'flows_execution_failed']);

/** Attack protection at work: blocked accounts and IPs, breached passwords. */
export const SECURITY_SIGNAL_TYPES: ReadonlySet<string> = new Set([
  'limit_wc', 'limit_mu', 'limit_sul', 'pwd_leak', 'signup_pwd_leak', 'reset_pwd_leak',
]);

/**
 * Every log type a detector reads, sorted: what the real-time path's EventBridge rule lets through (lib/), and what it
 * classifies; the others are only archived, by the poll.
 */
export const DETECTED_LOG_TYPES: readonly string[] = [
  ...RATE_LIMIT_TYPES,
  ...DEPRECATION_TYPES,
  ...LOGIN_FAILURE_TYPES,
  ...EXTENSIBILITY_FAILURE_TYPES,
  ...SECURITY_SIGNAL_TYPES,
].sort();

export type TenantLogKind = 'rate' | 'deprecation' | 'login-failure' | 'extensibility' | 'security';

/** Which detector a log type feeds; undefined for the others (archived only). */
export function kindOfLogType(type: string): TenantLogKind | undefined {
  if (RATE_LIMIT_TYPES.has(type)) return 'rate';
  if (DEPRECATION_TYPES.has(type)) return 'deprecation';
  if (LOGIN_FAILURE_TYPES.has(type)) return 'login-failure';
  if (EXTENSIBILITY_FAILURE_TYPES.has(type)) return 'extensibility';
  if (SECURITY_SIGNAL_TYPES.has(type)) return 'security';
  return undefined;
}

/** Character bounds of the strings taken from logs (the events' byte budgets apply on top). */
export const FIELD_CHARS = { id: 100, name: 100, path: 200, type: 60 } as const;

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The string at `path` in a log (`details.limit.bucket`), cleaned to one line of at most `max` characters; undefined when absent or empty. */
export function logText(log: TenantLogRecord, path: string, max: number): string | undefined {
  let value: unknown = log;
  for (const key of path.split('.')) value = record(value)?.[key];
  if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
  if (typeof value !== 'string') return undefined;
  const text = cleanLine(value, max);
  return text === '' ? undefined : text;
}

/** The log's time in milliseconds; undefined when unreadable (such a log is archived but not counted). */
export function logTime(log: TenantLogRecord): number | undefined {
  if (typeof log.date !== 'string') return undefined;
  const ms = Date.parse(log.date);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The client a log names: its id and name. */
export function logClient(log: TenantLogRecord): { readonly clientId?: string; readonly clientName?: string } {
  return { clientId: logText(log, 'client_id', FIELD_CHARS.id), clientName: logText(log, 'client_name', FIELD_CHARS.name) };
}

const NOT_SOCIAL = new Set([
  'auth0', 'email', 'sms', 'samlp', 'waad', 'ad', 'adfs', 'auth0-adldap', 'auth0-oidc', 'oidc', 'okta', 'pingfederate',
  'google-apps', 'office365', 'ip', 'custom', 'database', 'passwordless', 'enterprise',
]);

/** Social providers by strategy (which is also the default connection name). */
const SOCIAL_PROVIDERS: Readonly<Record<string, string>> = {
  'google-oauth2': 'Google',
  facebook: 'Facebook',
  github: 'GitHub',
  apple: 'Apple',
  linkedin: 'LinkedIn',
  windowslive: 'Microsoft Account',
  twitter: 'X (Twitter)',
  amazon: 'Amazon',
  bitbucket: 'Bitbucket',
  dropbox: 'Dropbox',
  paypal: 'PayPal',
  'paypal-sandbox': 'PayPal',
  salesforce: 'Salesforce',
  'salesforce-sandbox': 'Salesforce',
  yahoo: 'Yahoo',
  discord: 'Discord',
  line: 'LINE',
  shopify: 'Shopify',
  slack: 'Slack',
  spotify: 'Spotify',
  twitch: 'Twitch',
  instagram: 'Instagram',
  baidu: 'Baidu',
  weibo: 'Weibo',
  vkontakte: 'VKontakte',
  yandex: 'Yandex',
  oauth2: 'a custom social provider',
};

/**
 * The social provider behind a connection, for people ("Google"); undefined for database, passwordless and enterprise
 * connections. The strategy decides where the log gives one (any strategy not known as enterprise or database is
 * social), else the connection's name (`google-oauth2`, `facebook`, … are the default names).
 */
export function socialProvider(connection: string, strategy: string | undefined): string | undefined {
  if (strategy !== undefined) {
    const key = strategy.toLowerCase();
    if (NOT_SOCIAL.has(key)) return undefined;
    return SOCIAL_PROVIDERS[key] ?? strategy;
  }
  return SOCIAL_PROVIDERS[connection.toLowerCase()];
}
