// Parse and diff throughput: the watcher's own pipeline against one built on rss-parser, same process, same inputs.
import { isDeepStrictEqual } from 'node:util';
import type { Auth0ChangelogSourceConfig } from '../functions/sources/auth0-changelog/config-schema.js';
import type { Auth0StatusSourceConfig } from '../functions/sources/auth0-status/config-schema.js';
import { diffItems, type DiffContext } from '../functions/core/diff-items.js';
import type { Item } from '../functions/core/model.js';
import type { TrackedItem } from '../functions/core/tracked.js';
import { auth0ChangelogSource } from '../functions/sources/auth0-changelog/plugin.js';
import { auth0StatusSource } from '../functions/sources/auth0-status/plugin.js';
import { SOURCE_REGISTRY, sourceModuleFor } from '../functions/sources/registry.js';
import type { FetchedDocument } from '../functions/sources/source.js';
import { largeChangelogFeed, largeStatusFeed } from './feeds.js';
import { parseChangelogWithRssParser, parseStatusWithRssParser } from './rss-parser-pipeline.js';

export interface PipelineFigures {
  readonly feed: string;
  readonly bytes: number;
  readonly items: number;
  /** Median milliseconds of one parse (ours: the source module's parse, XML checks included). */
  readonly oursParseMs: number;
  readonly rssParserParseMs: number;
  /** Median milliseconds of the diff against the stored state (the same function for both pipelines). */
  readonly diffMs: number;
  /** rss-parser pipeline time / ours, parse only and parse + diff. */
  readonly parseRatio: number;
  readonly parseDiffRatio: number;
  readonly oursItemsPerSecond: number;
  /** Whether both pipelines produced exactly the same items. */
  readonly identicalItems: boolean;
  readonly iterations: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const doc = (url: string, body: string): FetchedDocument[] => [{ url, finalUrl: url, contentType: 'application/xml', body }];

async function timed<T>(work: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function compare(options: {
  feed: string;
  baselineBody: string;
  body: string;
  ours: (body: string) => Item[];
  theirs: (body: string) => Promise<Item[]>;
  ctx: Omit<DiffContext, 'baseline'>;
  iterations: number;
}): Promise<PipelineFigures> {
  // The state a poll diffs against: what the baseline body left in the store.
  const baseline = diffItems({ ...options.ctx, baseline: true }, new Map(), options.ours(options.baselineBody));
  const stored = new Map<string, TrackedItem>(baseline.map((change) => [change.next.itemId, change.next]));
  const ctx: DiffContext = { ...options.ctx, baseline: false };

  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  const diffMs: number[] = [];
  let ourItems: Item[] = [];
  let theirItems: Item[] = [];
  const warmUp = 3;
  for (let i = 0; i < options.iterations + warmUp; i += 1) {
    // Interleaved, so drift (GC, CPU frequency, the other core's work) hits both alike.
    const a = await timed(() => options.ours(options.body));
    const b = await timed(() => options.theirs(options.body));
    const d = await timed(() => diffItems(ctx, stored, a.value));
    if (i >= warmUp) {
      oursMs.push(a.ms);
      theirsMs.push(b.ms);
      diffMs.push(d.ms);
    }
    ourItems = a.value;
    theirItems = b.value;
  }
  const ours = median(oursMs);
  const theirs = median(theirsMs);
  const diff = median(diffMs);
  return {
    feed: options.feed,
    bytes: Buffer.byteLength(options.body),
    items: ourItems.length,
    oursParseMs: ours,
    rssParserParseMs: theirs,
    diffMs: diff,
    parseRatio: theirs / ours,
    parseDiffRatio: (theirs + diff) / (ours + diff),
    oursItemsPerSecond: ourItems.length / ((ours + diff) / 1000),
    identicalItems: isDeepStrictEqual(JSON.parse(JSON.stringify(ourItems)), JSON.parse(JSON.stringify(theirItems))),
    iterations: options.iterations,
  };
}

export async function measureThroughput(now: Date, iterations = 10): Promise<PipelineFigures[]> {
  const status: Auth0StatusSourceConfig = {
    id: 'bench-status',
    type: 'auth0-status',
    region: 'US-1',
    url: 'https://status.auth0.com/feed?domain=bench.us.auth0.com',
  };
  const changelog: Auth0ChangelogSourceConfig = { id: 'bench-changelog', type: 'auth0-changelog', url: 'https://auth0.com/changelog/rss.xml' };
  const parseWith = <C extends Auth0StatusSourceConfig | Auth0ChangelogSourceConfig>(
    module: { parse: (d: readonly FetchedDocument[], c: C) => { ok: true; items: readonly Item[] } | { ok: false; reason: string } },
    config: C,
  ) => (body: string): Item[] => {
      const result = module.parse(doc(config.url, body), config);
      if (!result.ok) throw new Error(`${config.id}: ${result.reason}`);
      return [...result.items];
    };
  const source = (config: Auth0StatusSourceConfig | Auth0ChangelogSourceConfig) => ({
    id: config.id,
    type: config.type,
    vendor: SOURCE_REGISTRY.vendorOf(config),
    url: config.url,
    region: sourceModuleFor(config).regionOf?.(config),
  });
  return [
    await compare({
      feed: 'status, 1,000 incidents × 4 updates (Atom)',
      baselineBody: largeStatusFeed({ now }),
      body: largeStatusFeed({ now, withOneMoreUpdate: true }),
      ours: parseWith(auth0StatusSource, status),
      theirs: parseStatusWithRssParser,
      ctx: { source: source(status), now, trackResolvedDays: 60 },
      iterations,
    }),
    await compare({
      feed: 'change log, 780 entries (RSS)',
      baselineBody: largeChangelogFeed({ now }),
      body: largeChangelogFeed({ now, withOneMoreEntry: true }),
      ours: parseWith(auth0ChangelogSource, changelog),
      theirs: parseChangelogWithRssParser,
      ctx: { source: source(changelog), now, trackResolvedDays: 60 },
      iterations,
    }),
  ];
}
