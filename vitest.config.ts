import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker per core: Vitest's default leaves one core idle, which on a 2-core machine runs the files one by one,
    // although most of their time is spent waiting on local servers and child processes.
    maxWorkers: availableParallelism(),
    // The CLI the integration tests start, bundled once (test/support/cli-bundle.ts).
    globalSetup: ['./test/support/cli-bundle.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
