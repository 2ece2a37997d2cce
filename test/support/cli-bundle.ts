// The CLI as the tests run it: bin/cli.ts bundled once per test run by esbuild (the same code `npm start` runs through
// tsx), so each of the many CLI processes the tests start loads in about half the time. Dependencies stay external and
// resolve from the repository's node_modules, as they do for `npm start`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the bundle is written: inside node_modules, so that its imports resolve as the sources' do. */
export const CLI_BUNDLE = join(REPO_ROOT, 'node_modules', '.cache', 'auth0-ops-watcher-tests', 'cli.mjs');

/** Vitest global setup: builds the bundle before any test file runs. */
export default async function buildCliBundle(): Promise<void> {
  mkdirSync(join(CLI_BUNDLE, '..'), { recursive: true });
  await build({
    entryPoints: [join(REPO_ROOT, 'bin', 'cli.ts')],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
}
