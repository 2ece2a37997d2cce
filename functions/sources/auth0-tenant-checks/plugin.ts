// Plug-in 'auth0-tenant-checks': the checks Auth0 asks operators to make by hand, read from the Management API with
// least privilege (one read scope per check): the tenant still on Auth0's built-in test email provider or a disabled
// provider (`read:email_provider`), a log stream that is not active (`read:log_streams`), and, when asked for, the default
// directory a realm-less password grant needs (`read:tenant_settings`). Each checked thing is a state: `tenant.check_failed`
// once when it starts failing, `tenant.check_passed` once when it passes again. A probe: the probe use case runs it.
import type { ProbeSourceModule } from '../source.js';
import { auth0TenantChecksConfigSchema, checksOf, type Auth0TenantChecksSourceConfig } from './config-schema.js';
import { judgeChecks } from './judge.js';
import { readTenantChecks } from './reader.js';

export const auth0TenantChecksSource: ProbeSourceModule<Auth0TenantChecksSourceConfig> = {
  type: 'auth0-tenant-checks',
  kind: 'probe',
  configSchema: auth0TenantChecksConfigSchema,
  // What is checked changes by hand or after days of failed deliveries; an hour finds it the same working day, with
  // at most three Management API requests a run and one token while the process stays warm.
  defaultEveryMinutes: 60,
  vendor: 'Auth0',
  secretRefsOf: (config) => [{ field: 'clientSecret', ref: config.clientSecret }],
  async run(config, previous, ctx) {
    const findings = await readTenantChecks(config, ctx);
    const judged = judgeChecks(previous, findings, checksOf(config), ctx);
    return { state: judged.state, events: judged.events, measurements: { failingChecks: judged.failing } };
  },
};
