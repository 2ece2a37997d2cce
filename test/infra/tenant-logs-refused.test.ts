// The tenant-log archive has no AWS resources yet: the stack refuses a config with an 'auth0-tenant-logs' source at synth,
// in one line naming the source, before any secret reference or resource is looked at.
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/config/config.js';
import { removeTempDirs, synthStack } from './synth-watcher-stack.js';

afterAll(removeTempDirs);

describe('stack with a tenant-log source', () => {
  it('refuses an auth0-tenant-logs source with one ConfigError line saying the AWS archive is not available yet', () => {
    const build = () =>
      synthStack({
        sources: [
          { id: 'status', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=acme.us.auth0.com', region: 'US-1' },
          { id: 'acme-logs', type: 'auth0-tenant-logs', url: 'https://acme.us.auth0.com', clientId: 'abc123', clientSecret: 'ssm:/watcher/logs-secret' },
        ],
      });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      /^source "acme-logs" \(auth0-tenant-logs\): the tenant-log archive on AWS is not available yet; run this source locally with npm start$/,
    );
  });
});
