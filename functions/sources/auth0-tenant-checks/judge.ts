// The tenant checks' state machine (pure): each checked thing is passing or failing; `tenant.check_failed` is announced
// once when it starts failing (on the first run too: a misconfiguration nobody was told about is news),
// `tenant.check_passed` once when it passes again (or, for a log stream, when the failing stream is deleted). A thing
// that keeps failing, or keeps passing, says nothing; a first run where everything passes is silent.
import { makeEvent, type EventSourceInfo } from '../../core/event-factory.js';
import { EVENT_TYPE_FACTS } from '../../core/event-types.js';
import type { WatcherEvent } from '../../core/model.js';
import type { ProbeState } from '../source.js';
import { CHECK_DOCS, type CheckFinding } from './checks.js';
import { CHECK_NAMES, type CheckName } from './config-schema.js';

/** What the probe remembers of one checked thing. */
export interface CheckItemState {
  readonly check: CheckName;
  readonly subject: string;
  readonly failing: boolean;
  /** When the current outcome began, ISO 8601. */
  readonly since: string;
  /** What fails (`built-in-provider`, `paused`), while failing. */
  readonly reason?: string;
}

/** The probe's state: plain JSON, one small entry per checked thing. */
export type TenantChecksState = { readonly v: 1; readonly items: Readonly<Record<string, CheckItemState>> };

export interface JudgedChecks {
  readonly state: TenantChecksState;
  readonly events: WatcherEvent[];
  /** Checked things failing now, among the checks run. */
  readonly failing: number;
}

/**
 * Judges this run's findings against the previous state. Things of checks that did not run (turned off in the config)
 * keep their state untouched, so turning a check off and on again does not announce it twice.
 */
export function judgeChecks(
  previous: ProbeState | undefined,
  findings: readonly CheckFinding[],
  ran: readonly CheckName[],
  ctx: { readonly source: EventSourceInfo; readonly now: Date },
): JudgedChecks {
  const before = readState(previous);
  const nowIso = ctx.now.toISOString();
  const items: Record<string, CheckItemState> = {};
  const events: WatcherEvent[] = [];
  for (const [itemId, item] of Object.entries(before)) if (!ran.includes(item.check)) items[itemId] = item;

  const passed = (itemId: string, old: CheckItemState, summary: string) =>
    events.push(
      makeEvent(ctx.source, 'tenant.check_passed', `passed after failing since ${old.since}`, ctx.now, {
        itemId,
        title: `${old.subject}: check passing again`,
        url: CHECK_DOCS[old.check],
        severity: 'info',
        occurredAt: nowIso,
        summary,
        status: EVENT_TYPE_FACTS['tenant.check_passed'].impliedStatus,
        check: old.check,
      }),
    );

  for (const finding of findings) {
    const old = before[finding.itemId];
    const { failing } = finding;
    if (failing) {
      if (old?.failing) {
        items[finding.itemId] = old;
        continue;
      }
      items[finding.itemId] = { check: finding.check, subject: finding.subject, failing: true, since: nowIso, reason: failing.reason };
      events.push(
        makeEvent(ctx.source, 'tenant.check_failed', `failing since ${nowIso}`, ctx.now, {
          itemId: finding.itemId,
          title: failing.title,
          url: CHECK_DOCS[finding.check],
          severity: failing.severity,
          occurredAt: nowIso,
          summary: failing.summary,
          status: EVENT_TYPE_FACTS['tenant.check_failed'].impliedStatus,
          check: finding.check,
          action: failing.action,
        }),
      );
      continue;
    }
    if (old?.failing) passed(finding.itemId, old, finding.passing ?? `${finding.subject} passes.`);
    const since = old && !old.failing ? old.since : nowIso;
    items[finding.itemId] = { check: finding.check, subject: finding.subject, failing: false, since };
  }

  // A thing of a check that ran but is no longer there (a deleted log stream): a failing one is over.
  const found = new Set(findings.map((finding) => finding.itemId));
  for (const [itemId, old] of Object.entries(before)) {
    if (!ran.includes(old.check) || found.has(itemId)) continue;
    if (old.failing) passed(itemId, old, `${old.subject} no longer exists, so it no longer fails.`);
  }

  const failingNow = Object.values(items).filter((item) => item.failing && ran.includes(item.check)).length;
  return { state: { v: 1, items }, events, failing: failingNow };
}

/** The previous state's items; an unreadable state (another shape) counts as none, like a first run. */
function readState(previous: ProbeState | undefined): Record<string, CheckItemState> {
  if (previous?.v !== 1 || typeof previous.items !== 'object' || previous.items === null) return {};
  const items: Record<string, CheckItemState> = {};
  for (const [itemId, value] of Object.entries(previous.items as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const item = value as Partial<CheckItemState>;
    if (!CHECK_NAMES.includes(item.check as CheckName) || typeof item.failing !== 'boolean') continue;
    if (typeof item.since !== 'string' || typeof item.subject !== 'string') continue;
    items[itemId] = {
      check: item.check as CheckName,
      subject: item.subject,
      failing: item.failing,
      since: item.since,
      ...(typeof item.reason === 'string' && { reason: item.reason }),
    };
  }
  return items;
}
