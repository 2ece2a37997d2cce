// For diff tests: the Auth0 US-1 source and its diff contexts, item builders and fixtures, and polls played in order
// against one remembered state, as the poller would.
import { diffItems, type DiffContext, type ItemChange } from '../../functions/core/diff-items.js';
import type { EventSourceInfo } from '../../functions/core/event-factory.js';
import type { AdvisoryItem, IncidentItem, Item, ItemUpdate, WatcherEvent } from '../../functions/core/model.js';
import type { TrackedItem } from '../../functions/core/tracked.js';
import { remember } from './remember-changes.js';

/** The source the diff tests poll: Auth0's status feed for one tenant domain in US-1. */
export const AUTH0_US_1_SOURCE = {
  id: 'auth0-status-us-1',
  type: 'auth0-status',
  vendor: 'Auth0',
  url: 'https://status.auth0.com/feed?domain=example.auth0.com',
  region: 'US-1',
} satisfies EventSourceInfo;

/** A poll of {@link AUTH0_US_1_SOURCE} at `now` (an ISO time), tracking resolved incidents for 60 days. */
export function auth0Us1Context(now: string, baseline = false): DiffContext {
  return { source: AUTH0_US_1_SOURCE, baseline, now: new Date(now), trackResolvedDays: 60 };
}

/** One update of an incident or maintenance, as a feed lists it. */
export function itemUpdate(label: string, at: string, text: string): ItemUpdate {
  return { label, at, text };
}

/** What tells one Auth0 incident from another; its URL is the status page's incident link. */
export interface IncidentIdentity {
  readonly itemId: string;
  readonly title: string;
  /** @default [] (the incident names no region) */
  readonly regions?: readonly string[];
}

/**
 * A builder of the incident `identity` as one poll lists it: its updates (newest first) and, in `over`, whatever
 * else the test is about.
 */
export function incidentBuilder(identity: IncidentIdentity): (updates: ItemUpdate[], over?: Partial<IncidentItem>) => IncidentItem {
  return (updates, over = {}) => ({
    kind: 'incident',
    itemId: identity.itemId,
    title: identity.title,
    url: `https://status.auth0.com/incidents/${identity.itemId}`,
    updates,
    regions: [...(identity.regions ?? [])],
    ...over,
  });
}

/** Auth0's incident rb4z1181bd4z of 2026-04-22 on the public cloud, naming no region. */
export const publicCloudIncident = incidentBuilder({ itemId: 'rb4z1181bd4z', title: 'Elevated Errors on Public Cloud Environments' });

/** The updates {@link publicCloudIncident} went through, oldest first. */
export const PUBLIC_CLOUD_UPDATES = {
  INVESTIGATING: itemUpdate('Investigating', '2026-04-22T19:55:00.000Z', "We're currently investigating an incident."),
  MONITORING: itemUpdate('Monitoring', '2026-04-22T20:05:00.000Z', 'A fix has been implemented.'),
  RESOLVED: itemUpdate('Resolved', '2026-04-22T20:14:00.000Z', 'This incident has been resolved.'),
} as const;

/** GitHub's advisory GHSA-8cf7-32gw-wr33 (jsonwebtoken), as first published; `over` is what the test changes. */
export function jsonwebtokenAdvisory(over: Partial<AdvisoryItem> = {}): AdvisoryItem {
  return {
    kind: 'advisory',
    itemId: 'GHSA-8cf7-32gw-wr33',
    title: 'jsonwebtoken unrestricted key type could lead to legacy keys usage',
    url: 'https://github.com/advisories/GHSA-8cf7-32gw-wr33',
    publishedAt: '2022-12-22T03:32:22Z',
    updatedAt: '2022-12-23T00:39:12Z',
    vendorSeverity: 'medium',
    cveId: 'CVE-2022-23539',
    packages: [{ ecosystem: 'npm', name: 'jsonwebtoken', vulnerableRange: '<= 8.5.1', firstPatchedVersion: '9.0.0' }],
    text: 'Versions <=8.5.1 of jsonwebtoken could be misconfigured.',
    ...over,
  };
}

/** One poll: the context it runs in and the items its feed lists. */
export interface Poll {
  readonly ctx: DiffContext;
  readonly items: readonly Item[];
}

/** One poll's outcome: the item changes as they would be written, their events, and the state remembered after it. */
export interface PollOutcome {
  readonly changes: ItemChange[];
  readonly events: WatcherEvent[];
  readonly state: Map<string, TrackedItem>;
}

/** Diffs the polls in order against one remembered state, starting from `start`, as the state store would keep it. */
export function playPolls(polls: readonly Poll[], start = new Map<string, TrackedItem>()): PollOutcome[] {
  let state = start;
  return polls.map((poll) => {
    const changes = diffItems(poll.ctx, state, poll.items);
    state = remember(state, changes);
    return { changes, events: changes.flatMap((c) => c.events), state };
  });
}

/** {@link playPolls} for polls of {@link AUTH0_US_1_SOURCE} at the given times; `baseline` marks its first poll. */
export function playAuth0Us1Polls(
  steps: ReadonlyArray<{ readonly now: string; readonly items: readonly Item[]; readonly baseline?: boolean }>,
  start = new Map<string, TrackedItem>(),
): PollOutcome[] {
  return playPolls(
    steps.map((step) => ({ ctx: auth0Us1Context(step.now, step.baseline), items: step.items })),
    start,
  );
}

