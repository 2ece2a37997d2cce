// Feeds that post one item per message about an event (AWS: guid `…#<service>-<region>_<epoch>`): the posts of one
// event joined into one incident by a pattern on their guid or link, and split where the vendor fell silent too long.
import type { IncidentItem, ItemUpdate } from '../../core/model.js';

/** One dated feed item, read and keyed, before it becomes (part of) an incident. */
export interface FeedPost {
  /** Its position in the feed, from 0. */
  readonly index: number;
  /** Its guid / id, else its absolute link: what the grouping pattern reads, and the key of an incident it starts. */
  readonly identity: string;
  readonly title: string;
  readonly url: string;
  /** ISO 8601, UTC. */
  readonly at: string;
  readonly text: string;
  /** Whether the feed's resolved-pattern matches its title or text. */
  readonly resolved: boolean;
}

export interface GroupRule {
  readonly pattern: RegExp;
  /** A post more than this long after the previous post of its key starts a new incident; undefined: never. */
  readonly gapMs: number | undefined;
}

const OPEN_LABEL = 'Investigating';
const UPDATE_LABEL = 'Update';
const RESOLVED_LABEL = 'Resolved';

/**
 * The incidents of a feed's posts, in the order the feed first lists each. Without a rule, or for a post the rule does
 * not match (or matches with an empty key), each post is an incident of its own with one update, as before grouping
 * existed. Posts the rule gives one key are one incident (split where `gapMs` passes without a post):
 * - its key is its earliest post's identity (so an AWS event is keyed, and linked, by its first message);
 * - its title, link and start are the earliest post's, its updates every post (newest first, as the model lists them);
 * - each update is `Resolved` when its post matches the resolved-pattern, else `Investigating` for the earliest and
 *   `Update` for the later ones: a post's label depends on the post alone, so a later post never relabels an earlier
 *   one, and the incident's status is its latest post's;
 * - its regions are those the rule's `region` group names, each once.
 */
export function incidentsOf(posts: readonly FeedPost[], rule: GroupRule | undefined): IncidentItem[] {
  const chains: Array<{ readonly first: number; readonly posts: FeedPost[]; readonly regions: Set<string> }> = [];
  const byKey = new Map<string, FeedPost[]>();
  const regionsByKey = new Map<string, Set<string>>();
  for (const post of posts) {
    const match = rule ? keyOf(post.identity, rule.pattern) : undefined;
    if (match === undefined) {
      chains.push({ first: post.index, posts: [post], regions: new Set() });
      continue;
    }
    const listed = byKey.get(match.key) ?? [];
    if (listed.length === 0) byKey.set(match.key, listed);
    listed.push(post);
    const regions = regionsByKey.get(match.key) ?? new Set<string>();
    regionsByKey.set(match.key, regions);
    if (match.region) regions.add(match.region);
  }
  for (const [key, listed] of byKey) {
    for (const chain of splitAtGaps(listed, rule?.gapMs)) {
      chains.push({ first: Math.min(...chain.map((p) => p.index)), posts: chain, regions: regionsByKey.get(key)! });
    }
  }
  // Posts that share one guid (one key) across a gap: the earliest incident keeps the guid, so its key never changes
  // when a later one appears; each later one is told apart by its start.
  const used = new Set<string>();
  const items = new Map<(typeof chains)[number], IncidentItem>();
  for (const chain of [...chains].sort((a, b) => Date.parse(a.posts[0]!.at) - Date.parse(b.posts[0]!.at))) {
    const item = incidentOf(chain.posts, [...chain.regions]);
    const itemId = used.has(item.itemId) ? `${item.itemId}@${chain.posts[0]!.at}` : item.itemId;
    used.add(itemId);
    items.set(chain, itemId === item.itemId ? item : { ...item, itemId });
  }
  return chains.sort((a, b) => a.first - b.first).map((chain) => items.get(chain)!);
}

/** The group key (named group `incident`, else the whole match) and region a post's identity gives, if any. */
function keyOf(identity: string, pattern: RegExp): { key: string; region: string | undefined } | undefined {
  const match = pattern.exec(identity);
  if (!match) return undefined;
  const key = match.groups?.['incident'] ?? match[0];
  if (!key) return undefined;
  const region = match.groups?.['region'];
  return { key, region: region ? region : undefined };
}

/** Posts of one key, oldest first, cut into chains wherever more than `gapMs` passes between two posts. */
function splitAtGaps(posts: readonly FeedPost[], gapMs: number | undefined): FeedPost[][] {
  const sorted = [...posts].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || b.index - a.index);
  const chains: FeedPost[][] = [];
  let previousMs = -Infinity;
  for (const post of sorted) {
    const ms = Date.parse(post.at);
    const current = chains.at(-1);
    if (!current || (gapMs !== undefined && ms - previousMs > gapMs)) chains.push([post]);
    else current.push(post);
    previousMs = ms;
  }
  return chains;
}

/** One incident from its posts, oldest first. */
function incidentOf(oldestFirst: readonly FeedPost[], regions: readonly string[]): IncidentItem {
  const first = oldestFirst[0]!;
  const latest = oldestFirst.at(-1)!;
  const updates: ItemUpdate[] = oldestFirst
    .map((post, position): ItemUpdate => ({
      label: post.resolved ? RESOLVED_LABEL : position === 0 ? OPEN_LABEL : UPDATE_LABEL,
      at: post.at,
      text: post.text,
    }))
    .reverse();
  return {
    kind: 'incident',
    itemId: first.identity,
    title: first.title,
    url: first.url,
    updatedAt: latest.at,
    updates,
    regions,
  };
}
