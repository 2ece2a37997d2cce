// Plug-in 'auth0-synthetic-login': can a user log in right now? Each run performs the password-realm grant with a test
// user (or, without credentials, checks OpenID discovery and its JWKS), measures the time, and announces failing,
// slow, misconfigured (then pauses: no more login attempts) and recovered. A probe: the probe use case
// (functions/probe/run-probe.ts) runs it.
import type { ProbeSourceModule } from '../source.js';
import { auth0SyntheticLoginConfigSchema, logsIn, type Auth0SyntheticLoginSourceConfig } from './config-schema.js';
import { runSyntheticLogin } from './probe.js';

export const auth0SyntheticLoginSource: ProbeSourceModule<Auth0SyntheticLoginSourceConfig> = {
  type: 'auth0-synthetic-login',
  kind: 'probe',
  configSchema: auth0SyntheticLoginConfigSchema,
  // One login a minute: far below the Authentication API's limits, and an outage is seen within two.
  defaultEveryMinutes: 1,
  vendor: 'Auth0',
  secretRefsOf: (config) =>
    logsIn(config)
      ? [
          { field: 'clientSecret', ref: config.clientSecret! },
          { field: 'password', ref: config.password! },
        ]
      : [],
  run: runSyntheticLogin,
};
