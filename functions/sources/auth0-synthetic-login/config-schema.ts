// The config of an 'auth0-synthetic-login' source: the tenant's domain and, as a group, the credentials of the
// password-realm grant (a separate application with only the Password grant, a test user with no privileges and no
// MFA, both secrets referenced). Without credentials the probe checks that the tenant answers OpenID discovery and its
// JWKS. The thresholds of its outcomes and the latency alarm on AWS are optional, with the defaults below.
import type * as z from 'zod';
import type { SourceSchemaKit } from '../../config/source-schema-kit.js';
import { isBareOrigin } from '../auth0-tenant-logs/config-schema.js';

/** Latency above which a login probe is slow, ms. */
export const DEFAULT_SLOW_THRESHOLD_MS = 2_000;
/** Slow probes in a row before `synthetic.degraded`. */
export const DEFAULT_SLOW_AFTER = 3;
/** Failed probes in a row before `synthetic.failing` (a source's own `failureThreshold` is about reading it at all). */
export const DEFAULT_FAILING_AFTER = 2;
/** Hours a misconfigured probe waits before it tries again when neither its config nor its secrets changed. */
export const DEFAULT_PAUSE_HOURS = 24;
/** The deadline of one login (or of discovery and its JWKS together), ms. */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
/** The scope the grant asks for: enough for a token, no API access. */
export const DEFAULT_SCOPE = 'openid';

/** The statistics the latency alarm can watch. */
export const ALARM_STATISTICS = ['p90', 'p99', 'Average', 'Maximum'] as const;
export type AlarmStatistic = (typeof ALARM_STATISTICS)[number];
export const DEFAULT_ALARM_STATISTIC: AlarmStatistic = 'p90';
/** Consecutive alarm periods above the threshold before the latency alarm fires. */
export const DEFAULT_ALARM_PERIODS = 3;

/** The credential fields, present all together or not at all. */
export const CREDENTIAL_FIELDS = ['clientId', 'clientSecret', 'username', 'password', 'realm'] as const;

export function auth0SyntheticLoginConfigSchema({ z, sourceBase, sourceUrl, secretRef }: SourceSchemaKit) {
  return z
    .strictObject({
      ...sourceBase,
      type: z.literal('auth0-synthetic-login'),
      /** The tenant's domain, `https://<tenant>.<region>.auth0.com` or its custom domain (no path). */
      url: sourceUrl.refine(isBareOrigin, 'must be the tenant\'s domain alone, such as "https://acme.us.auth0.com" (no path, query or user)'),
      /** The probe's own application: only the Password grant, the realm's connection enabled. */
      clientId: z.string().regex(/^[\w-]{1,128}$/, "must be the probe application's client id").optional(),
      clientSecret: secretRef.optional(),
      /** The test user: no privileges, no MFA. */
      username: z.string().min(1).max(320).optional(),
      password: secretRef.optional(),
      /** The connection the user is in (`Username-Password-Authentication`). */
      realm: z.string().regex(/^[\w.-]{1,128}$/, 'must be a connection name such as "Username-Password-Authentication"').optional(),
      /** An API identifier to ask a token for; unset, no API access token is asked for. */
      audience: z.string().min(1).max(300).optional(),
      scope: z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be space-separated scope names').max(300).default(DEFAULT_SCOPE),
      /** A login (or discovery) that takes longer than this is slow, ms. */
      slowThresholdMs: z.number().int().min(10).max(60_000).default(DEFAULT_SLOW_THRESHOLD_MS),
      /** Slow probes in a row before `synthetic.degraded`. */
      slowAfter: z.number().int().min(1).max(100).default(DEFAULT_SLOW_AFTER),
      /** Failed probes in a row before `synthetic.failing`. */
      failingAfter: z.number().int().min(1).max(100).default(DEFAULT_FAILING_AFTER),
      /** Hours a misconfigured probe stays paused unless its config or secrets change. */
      pauseHours: z.number().int().min(1).max(24 * 30).default(DEFAULT_PAUSE_HOURS),
      /** On AWS: the latency alarm of this probe. */
      alarm: z
        .strictObject({
          /** @default slowThresholdMs */
          thresholdMs: z.number().int().min(10).max(60_000).optional(),
          statistic: z.enum(ALARM_STATISTICS).default(DEFAULT_ALARM_STATISTIC),
          periods: z.number().int().min(1).max(24).default(DEFAULT_ALARM_PERIODS),
        })
        .optional(),
    })
    .superRefine((config, ctx) => {
      const missing = CREDENTIAL_FIELDS.filter((field) => config[field] === undefined);
      if (missing.length > 0 && missing.length < CREDENTIAL_FIELDS.length) {
        ctx.addIssue({
          code: 'custom',
          path: [missing[0]!],
          message:
            `credentials go together: ${CREDENTIAL_FIELDS.join(', ')} (missing ${missing.join(', ')}); ` +
            'leave them all out to check OpenID discovery only',
        });
      }
    });
}

export type Auth0SyntheticLoginSourceConfig = z.infer<ReturnType<typeof auth0SyntheticLoginConfigSchema>>;

/** The password-realm grant's credentials, when the config has them. */
export interface LoginCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
}

/** Whether the config logs in (credentials given) or checks discovery only. */
export function logsIn(config: Auth0SyntheticLoginSourceConfig): boolean {
  return CREDENTIAL_FIELDS.every((field) => config[field] !== undefined);
}

/** Whether a configured source is a synthetic login, for readers that must not load the plug-ins (the stack's alarms). */
export function isSyntheticLoginSource<S extends { readonly type: string }>(source: S): source is S & Auth0SyntheticLoginSourceConfig {
  return source.type === 'auth0-synthetic-login';
}

/** The alarm period in minutes: five, or the probe's cadence when longer, at most an hour. */
export function alarmPeriodMinutes(everyMinutes: number): number {
  return Math.min(60, Math.max(5, everyMinutes));
}

/** The latency alarm's settings of a synthetic login, defaults filled in. */
export function latencyAlarmOf(config: Auth0SyntheticLoginSourceConfig): {
  readonly thresholdMs: number;
  readonly statistic: AlarmStatistic;
  readonly periods: number;
} {
  return {
    thresholdMs: config.alarm?.thresholdMs ?? config.slowThresholdMs,
    statistic: config.alarm?.statistic ?? DEFAULT_ALARM_STATISTIC,
    periods: config.alarm?.periods ?? DEFAULT_ALARM_PERIODS,
  };
}
