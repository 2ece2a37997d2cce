import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker more than there are cores: Vitest's default leaves one core idle, which on a 2-core machine runs the
    // files one by one, although much of their time is spent waiting on local servers, child processes and retry
    // back-offs; a third worker on two cores fills those waits (measured: 3 min 45 s against 4 min 29 s for two).
    maxWorkers: availableParallelism() + 1,
    // The CLI the integration tests start, bundled once (test/support/cli-bundle.ts).
    globalSetup: ['./test/support/cli-bundle.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
