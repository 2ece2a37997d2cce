// The rows a Slack status board shows from the start, from the config's sources: each watched Auth0 region, each
// third-party dependency, each synthetic login and tenant-check source, and the watcher's own health. A Lambda
// notifier knows only its route, so the rows travel in the route (`boardRows`), filled in when the config is read.
import type { BoardRowSeed } from '../core/slack-board.js';
import { SOURCE_REGISTRY, type SourceConfig } from '../sources/registry.js';

/** Source types that are third-party dependencies: one row each, named by the vendor. */
const DEPENDENCY_TYPES: ReadonlySet<string> = new Set(['statuspage', 'google-status', 'feed']);

/** The board rows the sources call for, in config order, each once. */
export function boardRowSeeds(sources: readonly SourceConfig[]): BoardRowSeed[] {
  const seeds = new Map<string, BoardRowSeed>();
  const add = (seed: BoardRowSeed) => {
    if (!seeds.has(seed.key)) seeds.set(seed.key, seed);
  };
  for (const source of sources) {
    if (source.type === 'auth0-status') add({ key: `auth0:${source.region}`, kind: 'auth0', name: `Auth0 ${source.region}` });
    else if (DEPENDENCY_TYPES.has(source.type)) add({ key: `dependency:${source.id}`, kind: 'dependency', name: source.name ?? SOURCE_REGISTRY.vendorOf(source) });
    else if (source.type === 'auth0-synthetic-login') add({ key: `synthetic:${source.id}`, kind: 'synthetic', name: `Synthetic login (${source.id})` });
    else if (source.type === 'auth0-tenant-checks') add({ key: `checks:${source.id}`, kind: 'checks', name: `Tenant checks (${source.id})` });
  }
  add({ key: 'watcher', kind: 'watcher', name: 'Watcher' });
  return [...seeds.values()];
}
