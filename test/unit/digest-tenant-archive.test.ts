// The digest's tenant-log archive line: each 'auth0-tenant-logs' source's archive (size, pages, oldest day) under YOUR
// TENANT, read from the archive port by the tenant's host; an archive that cannot be read leaves the line out and the
// digest still goes out; the Lambda lists the archive bucket only when it has a tenant-log source and the bucket's name.
import { describe, expect, it } from 'vitest';
import { digestSchema, type SourceConfig } from '../../functions/config/config.js';
import type { Logger } from '../../functions/core/ports.js';
import { makeDigestLambdaDeps } from '../../functions/digest/digest-lambda-config.js';
import { makeRunDigest, type DigestMessage } from '../../functions/digest/run-digest.js';
import type { LogArchive } from '../../functions/stream/ports.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inMemoryStateStore } from '../support/in-memory-state-store.js';
import { memoryDigestStore } from '../support/memory-digest-store.js';

const TENANT_SOURCE = {
  id: 'acme-logs',
  type: 'auth0-tenant-logs',
  url: 'https://acme.us.auth0.com',
  clientId: 'm2m-client',
  clientSecret: 'env:AUTH0_LOGS_CLIENT_SECRET',
  retentionDays: 30,
  maxPagesPerRun: 20,
} as unknown as SourceConfig;
const STATUS_SOURCE: SourceConfig = { id: 'auth0-status-us-1', type: 'auth0-status', url: 'https://status.auth0.com/feed?domain=a.auth0.com', region: 'US-1' };

function recordingLogger() {
  const warnings: Array<{ message: string; keys: Record<string, unknown> }> = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message, keys = {}) => void warnings.push({ message, keys }), error() {} };
  return { logger, warnings };
}

async function digestWith(sources: readonly SourceConfig[], archive: LogArchive | undefined, logger: Logger): Promise<DigestMessage> {
  const digests = memoryDigestStore();
  const sent: DigestMessage[] = [];
  const outcome = await makeRunDigest({
    digestStore: digests.store,
    stateStore: digests.sharingEventLog(inMemoryStateStore().store),
    publisher: { publish: async (digest) => void sent.push(digest) },
    clock: { now: () => new Date('2026-11-02T08:00:00Z') },
    logger,
    sources,
    digest: digestSchema.parse({}),
    ...(archive && { tenantArchive: archive }),
  })();
  expect(outcome.outcome).toBe('sent');
  return sent[0]!;
}

describe('the digest and the tenant-log archive', () => {
  it("shows each tenant-log source's archive, read by the tenant's host: size, objects and the oldest day", async () => {
    const asked: string[] = [];
    const archive: LogArchive = {
      putPage: async () => undefined,
      summary: async (tenant) => {
        asked.push(tenant);
        return { bytes: 3 * 1024 * 1024, objects: 42, oldestDay: '2026-10-04' };
      },
    };
    const { logger } = recordingLogger();
    const digest = await digestWith([STATUS_SOURCE, TENANT_SOURCE], archive, logger);
    expect(asked).toEqual(['acme.us.auth0.com']);
    expect(digest.text).toContain('Log archive:');
    expect(digest.text).toMatch(/acme-logs: .* in 42 objects, oldest day archived 2026-10-04/);
  });

  it('sends the digest without the archive line when the archive cannot be listed, and logs why', async () => {
    const archive: LogArchive = {
      putPage: async () => undefined,
      summary: async () => {
        throw new Error('archive s3://watcher-archive/tenant-logs/tenant=acme.us.auth0.com/: not listed: AccessDenied (HTTP 403)');
      },
    };
    const { logger, warnings } = recordingLogger();
    const digest = await digestWith([TENANT_SOURCE], archive, logger);
    expect(digest.text).not.toContain('Log archive:');
    expect(warnings).toEqual([
      {
        message: 'tenant-log archive could not be summarised; this digest goes without it',
        keys: { source: 'acme-logs', reason: expect.stringContaining('AccessDenied') },
      },
    ]);
  });

  it('reads no archive for a config without a tenant-log source', async () => {
    let asked = 0;
    const archive: LogArchive = { putPage: async () => undefined, summary: async () => void (asked += 1) as undefined };
    const { logger } = recordingLogger();
    const digest = await digestWith([STATUS_SOURCE], archive, logger);
    expect(asked).toBe(0);
    expect(digest.text).not.toContain('Log archive:');
  });

  describe('on AWS', () => {
    const compiled = (sources: readonly SourceConfig[]) =>
      JSON.stringify({
        failureThreshold: 3,
        trackResolvedDays: 30,
        sources,
        email: {
          digest: { frequency: 'daily', time: '08:00', timeZone: 'UTC', weekday: 'monday', quiet: 'send', addresses: ['ops@example.com'] },
          alerts: [],
        },
      });
    const env = (sources: readonly SourceConfig[], bucket?: string) => ({
      WATCHER_CONFIG: compiled(sources),
      TABLE_NAME: 'watcher',
      DIGEST_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:digest',
      EVENT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:events',
      ...(bucket !== undefined && { ARCHIVE_BUCKET: bucket }),
    });
    const client = {} as DynamoDBClient;

    it('lists the archive bucket when the config has a tenant-log source and the stack named the bucket', () => {
      expect(makeDigestLambdaDeps(env([STATUS_SOURCE, TENANT_SOURCE], 'watcher-archive'), client).tenantArchive).toBeDefined();
    });

    it('lists nothing without a tenant-log source or without the bucket', () => {
      expect(makeDigestLambdaDeps(env([STATUS_SOURCE], 'watcher-archive'), client).tenantArchive).toBeUndefined();
      expect(makeDigestLambdaDeps(env([TENANT_SOURCE]), client).tenantArchive).toBeUndefined();
    });
  });
});
