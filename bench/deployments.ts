// The deployments the cost figures are for, as configs: the default deployment (examples/default-deployment.json, the
// one the README and docs/cost.md mean), and the rows of docs/cost.md's growth table built from it. The infrastructure
// tests synthesize every one of them, so every priced row is one that deploys.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Auth0 status for US-1 and EU-1, the change log, advisories, ten third-party presets, a Slack route, email alerts, a daily digest. */
export const DEFAULT_DEPLOYMENT = JSON.parse(
  readFileSync(fileURLToPath(new URL('../examples/default-deployment.json', import.meta.url)), 'utf8'),
) as {
  readonly sources: readonly Record<string, unknown>[];
  readonly presets: readonly string[];
  readonly outputs: readonly unknown[];
  readonly email: unknown;
};

/** Sources in the default deployment: its own four and the ten presets. */
export const DEFAULT_DEPLOYMENT_SOURCES = DEFAULT_DEPLOYMENT.sources.length + DEFAULT_DEPLOYMENT.presets.length;

/** The numbers of sources in docs/cost.md's growth table. */
export const GROWTH_ROWS = [4, DEFAULT_DEPLOYMENT_SOURCES, 24, 54, 104, 500] as const;

/**
 * The default deployment with `sources` sources: its four Auth0 sources alone for 4; the default deployment for 14; and
 * beyond, third-party status pages (feeds polled every 5 minutes, the presets' cadence) added to it. Same routes and email.
 */
export function deploymentWithSources(sources: number): unknown {
  if (sources === DEFAULT_DEPLOYMENT.sources.length) return { ...DEFAULT_DEPLOYMENT, presets: [] };
  if (sources < DEFAULT_DEPLOYMENT_SOURCES) throw new RangeError(`no growth row of ${sources} sources`);
  const extra = Array.from({ length: sources - DEFAULT_DEPLOYMENT_SOURCES }, (_, i) => ({
    id: `dependency-${i + 1}`,
    type: 'feed',
    vendor: `Dependency ${i + 1}`,
    url: `https://status.dependency${i + 1}.example.com/history.rss`,
    everyMinutes: 5,
  }));
  return { ...DEFAULT_DEPLOYMENT, sources: [...DEFAULT_DEPLOYMENT.sources, ...extra] };
}
