// The tenant-log detectors' settings (the source's `detectors` config key, every part optional) and their defaults.

export interface TenantDetectorSettings {
  /** `api_limit` / `api_limit_warning`: an episode is announced once `windowMinutes` have passed since its first log, and ends (recovered) after `quietMinutes` without one. */
  readonly rateLimits: { readonly windowMinutes: number; readonly quietMinutes: number };
  /** `depnote`: announced once per feature and client, again only after `silenceDays` without a notice. */
  readonly deprecations: { readonly silenceDays: number };
  /**
   * Failed logins per connection: a spike when the failures in the last `windowMinutes` are at least `minFailures` and at
   * least `factor` times the connection's own rate over the previous `baselineHours` (scaled to the window).
   */
  readonly loginFailures: {
    readonly windowMinutes: number;
    readonly baselineHours: number;
    readonly minFailures: number;
    readonly factor: number;
  };
  /** Actions and flows that failed: counted per type and action (or client) over `windowMinutes`. */
  readonly extensibility: { readonly windowMinutes: number };
  /** Attack-protection logs (`limit_wc`, `limit_mu`, `pwd_leak`, …): counted per type over `windowMinutes`, announced from `minCount`. */
  readonly security: { readonly windowMinutes: number; readonly minCount: number };
}

export const DEFAULT_TENANT_DETECTOR_SETTINGS: TenantDetectorSettings = {
  rateLimits: { windowMinutes: 5, quietMinutes: 15 },
  deprecations: { silenceDays: 30 },
  loginFailures: { windowMinutes: 15, baselineHours: 24, minFailures: 20, factor: 5 },
  extensibility: { windowMinutes: 15 },
  security: { windowMinutes: 60, minCount: 1 },
};

type PartialSettings = { readonly [K in keyof TenantDetectorSettings]?: Partial<TenantDetectorSettings[K]> };

/** The configured settings over the defaults, part by part (`{ "rateLimits": { "quietMinutes": 30 } }` keeps the window). */
export function tenantDetectorSettings(configured: PartialSettings | undefined): TenantDetectorSettings {
  const d = DEFAULT_TENANT_DETECTOR_SETTINGS;
  return {
    rateLimits: { ...d.rateLimits, ...configured?.rateLimits },
    deprecations: { ...d.deprecations, ...configured?.deprecations },
    loginFailures: { ...d.loginFailures, ...configured?.loginFailures },
    extensibility: { ...d.extensibility, ...configured?.extensibility },
    security: { ...d.security, ...configured?.security },
  };
}
