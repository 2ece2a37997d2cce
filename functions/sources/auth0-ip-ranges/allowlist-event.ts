// The `allowlist.changed` event of one region whose published outbound IP addresses changed (pure). Its title and
// summary name the CIDRs, a few of them and "and N more" beyond; the event's `allowlist` field lists them (bounded by
// the event budgets), and links the list itself.
import { contentHash, makeEvent, shorten, type EventSourceInfo } from '../../core/event-factory.js';
import type { Severity, WatcherEvent } from '../../core/model.js';
import { listWithMore, plural } from '../../core/text/words.js';
import type { RegionChange } from './judge.js';

/** CIDRs named in an event's title, and in its summary, per direction; the rest are counted. */
const TITLE_CIDRS = 3;
const SUMMARY_CIDRS = 10;
const SUMMARY_MAX_CHARS = 500;

/**
 * Added addresses are `major`: until firewalls admit them, Auth0's calls from them (custom database scripts, Actions,
 * log streams, webhooks) are refused. A change that only removes addresses is `minor`: nothing breaks, the old rules
 * are merely no longer needed.
 */
export function allowlistSeverity(change: Pick<RegionChange, 'added'>): Severity {
  return change.added.length > 0 ? 'major' : 'minor';
}

/**
 * The event of one region's change. Its id is the region, the list before and after, and the list's own stamp: the
 * same change seen again (a run repeated after a crash) has the same id, and a list that changes back and again later
 * does not.
 */
export function allowlistChangedEvent(
  source: EventSourceInfo,
  change: RegionChange,
  context: { readonly url: string; readonly lastUpdatedAt: string; readonly now: Date },
): WatcherEvent {
  const { region, added, removed } = change;
  const changeKey = ['allowlist', region, contentHash(change.before.join(',')), contentHash(change.after.join(',')), context.lastUpdatedAt].join(
    '\u0000',
  );
  const parts = (max: number) => [
    ...(added.length > 0 ? [`${plural(added.length, 'range')} added (${listWithMore(added, max)})`] : []),
    ...(removed.length > 0 ? [`${plural(removed.length, 'range')} removed (${listWithMore(removed, max)})`] : []),
  ];
  const when = change.effectiveFrom === undefined ? '' : ` Auth0's changelog dates the change ${change.effectiveFrom}.`;
  const summary = shorten(`Auth0's outbound IP addresses for region ${region} changed: ${parts(SUMMARY_CIDRS).join('; ')}.${when}`, SUMMARY_MAX_CHARS);
  // A date already reached (or a change without one) leaves no time to wait: allow them now.
  const by = change.effectiveFrom !== undefined && change.effectiveFrom > context.now.toISOString().slice(0, 10) ? ` before ${change.effectiveFrom}` : ' now';
  const action =
    added.length > 0
      ? `Allow the added ranges in the firewalls that admit Auth0's calls to your services (custom database connections, Actions, log streams)${by}${
          removed.length > 0 ? '; then remove the removed ones' : ''
        }.`
      : 'Remove the removed ranges from the firewalls that admit Auth0\'s calls once nothing of yours relies on them.';
  return makeEvent(source, 'allowlist.changed', changeKey, context.now, {
    itemId: region,
    title: `${region}: ${parts(TITLE_CIDRS).join(', ')}`,
    url: context.url,
    severity: allowlistSeverity(change),
    occurredAt: context.lastUpdatedAt,
    summary,
    action,
    allowlist: {
      region,
      added,
      removed,
      ...(change.changelog.length > 0 && { changelog: change.changelog }),
      ...(change.effectiveFrom !== undefined && { effectiveFrom: change.effectiveFrom }),
    },
  });
}
