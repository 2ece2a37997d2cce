// `npm start -- init --tenant <tenant>.<region>.auth0.com`: writes a starter config for that tenant's region (its Auth0
// status feed, the change log, advisories for Auth0's SDKs), never over an existing file, and prints the next steps.
// Also the first line of a run without a config, which points here.
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_CONFIG_INPUT, parseConfig } from '../config/config.js';
import { tenantDomainOf } from '../config/tenant-block.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './cli-context.js';

/** Where `init` writes without `--config`, relative to the current directory. */
export const DEFAULT_INIT_PATH = 'watcher.config.json';

/** Localities with several regions (status.auth0.com lists US-1, US-3, US-4, US-5, EU-1, EU-2): another one of each. */
const OTHER_REGION: Readonly<Record<string, string>> = { US: 'US-3', EU: 'EU-2' };

export interface StarterConfig {
  /** The config to write (the JSON input, as a person would write it). */
  readonly input: Record<string, unknown>;
  /** The tenant's domain, lower-cased. */
  readonly domain: string;
  /** The region label of the status source (`EU-1`). */
  readonly region: string;
  /** Another region the domain could be in, when it alone cannot tell the region's number (`.us.` and `.eu.` domains). */
  readonly otherRegion?: string;
}

/**
 * The starter config of a tenant's canonical domain (`acme.eu.auth0.com`, `acme.auth0.com`; `https://` in front is
 * accepted), or a `UsageError` saying what is expected.
 */
export function starterConfig(tenant: string): StarterConfig {
  const domain = tenant.trim().toLowerCase().replace(/^https:\/\//, '').replace(/\/$/, '');
  const parsed = /^[a-z0-9.-]+$/.test(domain) ? tenantDomainOf(`https://${domain}`) : 'not a domain';
  if (typeof parsed === 'string') {
    throw new UsageError(
      `--tenant must be your tenant's Auth0 domain, <tenant>.<region>.auth0.com (region us, eu, au, ca, jp or uk) or ` +
        `<tenant>.auth0.com, as the dashboard shows it under Settings (not a custom domain); got ${JSON.stringify(tenant)}`,
    );
  }
  // `<tenant>.auth0.com` is the original US-1; the other localities' first region is `-1`, which for US and EU is a guess.
  const original = domain.split('.').length === 3;
  const region = `${parsed.region}-1`;
  const status = {
    id: `auth0-status-${region.toLowerCase()}`,
    type: 'auth0-status',
    name: `Auth0 status (${region})`,
    // The tenant's domain selects its region's feed on status.auth0.com.
    url: `https://status.auth0.com/feed?domain=${domain}`,
    region,
  };
  const others = DEFAULT_CONFIG_INPUT.sources.filter((source) => source.type !== 'auth0-status');
  const input = { stateDir: DEFAULT_CONFIG_INPUT.stateDir, sources: [status, ...others], outputs: [{ type: 'console' }] };
  return { input, domain, region, otherRegion: original ? undefined : OTHER_REGION[parsed.region] };
}

/** Writes the starter config for `tenant` to `path` (default {@link DEFAULT_INIT_PATH}); never overwrites a file. */
export async function runInitCommand(io: CliIo, options: { readonly tenant: string; readonly path?: string }): Promise<number> {
  const starter = starterConfig(options.tenant);
  const shown = options.path ?? DEFAULT_INIT_PATH;
  const target = resolve(io.cwd, shown);
  // What is written must be a config the watcher reads.
  parseConfig(starter.input, dirname(target));
  try {
    await writeFile(target, `${JSON.stringify(starter.input, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new UsageError(`${shown} already exists and init never overwrites a config: move it aside or name another file with --config <file>`);
    }
    io.stderr.write(`auth0-ops-watcher: cannot write ${shown}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  io.stdout.write(nextSteps(starter, shown));
  return EXIT_OK;
}

/** What `init` prints after writing: what the file watches, and how to go on (JSON has no comments to say it there). */
function nextSteps({ domain, region, otherRegion }: StarterConfig, path: string): string {
  const name = domain.split('.')[0];
  const tenantBlock = JSON.stringify({ url: `https://${domain}`, clientId: '<your machine-to-machine application\'s client id>', clientSecret: 'env:AUTH0_CLIENT_SECRET' });
  return [
    `Wrote ${path}: Auth0 status for ${domain} (${region}), the Auth0 change log and advisories for Auth0's SDKs, printed to the console.`,
    '',
    'Next:',
    `  npm start -- --config ${path}`,
    '      poll once; the first run records what is there and announces only incidents still open.',
    ...(otherRegion
      ? [
          `  "region": "${region}" is how events and routes name the region (the feed follows the domain): if your tenant`,
          `      is in another region (${otherRegion}, say), change the label.`,
        ]
      : []),
    `  To watch the tenant itself (its logs, checks, IP allow-list; a synthetic login with "probe"), add to ${path}:`,
    `      "tenant": ${tenantBlock}`,
    `      which adds the sources ${name}-logs, ${name}-checks and ${name}-ip-ranges (README: "Your tenant in one block").`,
    '  Slack, email, Teams, PagerDuty, Opsgenie or a webhook: add them under "outputs" (README: "Configuration").',
    '',
  ].join('\n');
}

/** The first line of a run on the built-in config: which tenant and region it watches, and how to watch your own. */
export function firstRunLine(input: { readonly sources: readonly { readonly type: string; readonly url?: string; readonly region?: string }[] }): string {
  const status = input.sources.find((source) => source.type === 'auth0-status');
  const domain = status?.url ? new URL(status.url).searchParams.get('domain') : null;
  const watching = domain
    ? `Auth0 status for the tenant ${domain} (${status?.region ?? 'its region'}${domain === 'samples.auth0.com' ? ", Auth0's sample tenant" : ''})`
    : 'the default sources';
  return (
    `No config given: watching ${watching}. To watch your own: npm start -- init --tenant <your-tenant>.<region>.auth0.com, ` +
    `then npm start -- --config ${DEFAULT_INIT_PATH}`
  );
}
