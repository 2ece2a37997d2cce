// The digest's email subject: the date in the reader's zone and the counts that matter, within the one subject rule
// of the text-safety toolkit (pure).
import { periodEndInstant, type PreparedDigest } from './digest-model.js';
import type { EventType } from './model.js';
import { subscriptionSubjectParts } from './subscription-health.js';
import { SUBJECT_MAX_CHARS, toSubjectAscii } from './text/subject.js';
import { formatInZone, parseTime, usableTimeZone } from './text/time.js';
import { truncateChars } from './text/truncate.js';
import { plural } from './text/words.js';

/**
 * The digest's subject: `[Auth0 digest] Oct 7: ` and what matters most first (open incidents, failing sources,
 * subscription problems, …) as whole parts while they fit, then "..."; printable ASCII, at most
 * {@link SUBJECT_MAX_CHARS} characters.
 */
export function renderDigestSubject(digest: PreparedDigest): string {
  const { input } = digest;
  const zone = usableTimeZone(input.timeZone);
  const end = periodEndInstant(input);
  const short = (instant: number): string => formatInZone(instant, zone, { month: 'short', day: 'numeric' });
  let when = end === undefined ? 'digest' : short(end);
  const start = parseTime(input.from);
  if (input.frequency === 'weekly' && end !== undefined && start !== undefined) {
    const from = short(start);
    const [fromMonth, fromDay] = from.split(' ');
    const [toMonth, toDay] = when.split(' ');
    when =
      fromMonth === toMonth && fromDay !== undefined && toDay !== undefined
        ? `${from}-${toDay}`
        : `${from}-${when}`;
  }
  const prefix = `[Auth0 ${input.frequency === 'weekly' ? 'weekly ' : ''}digest] ${when}: `;

  const failing = digest.sources.filter((entry) => entry.state === 'failing').length;
  const silent = digest.sources.filter((entry) => entry.state === 'silent').length;
  const parts: string[] = [];
  const open = digest.openIncidentCount;
  if (open > 0) parts.push(`${open} open ${open === 1 ? 'incident' : 'incidents'}`);
  if (failing > 0) parts.push(failing === 1 ? 'source failing' : `${failing} sources failing`);
  if (silent > 0) parts.push(silent === 1 ? 'source silent' : `${silent} sources silent`);
  if (input.subscriptions) parts.push(...subscriptionSubjectParts(input.subscriptions));
  if (digest.resolved.length > 0) parts.push(`${digest.resolved.length} resolved`);
  if (digest.rcaOwed.length > 0) parts.push(`${digest.rcaOwed.length} RCA owed`);
  if (digest.rcaPublished.length > 0) parts.push(`${digest.rcaPublished.length} RCA published`);
  const attention = digest.changesNeedingAttention.length;
  const changes = attention + digest.otherChanges.length;
  if (attention > 0) parts.push(`${attention} ${attention === 1 ? 'change needs' : 'changes need'} attention`);
  else if (changes > 0) parts.push(plural(changes, 'change-log entry', 'change-log entries'));
  if (digest.advisories.length > 0) parts.push(plural(digest.advisories.length, 'advisory', 'advisories'));
  if (digest.openMaintenance.length > 0) parts.push(`${digest.openMaintenance.length} maintenance open`);
  if (digest.tenant.eventCount > 0) parts.push(plural(digest.tenant.eventCount, 'tenant event'));

  if (digest.quiet) parts.unshift(failing > 0 ? 'no new events' : 'all quiet');
  else if (parts.length === 0) {
    const itemEvents = countAll(digest.counts) - digest.sourceEvents.length;
    const sourceEvents = digest.sourceEvents.length;
    parts.push(itemEvents > 0 ? plural(itemEvents, 'update') : plural(sourceEvents, 'watcher health change'));
  }

  // Whole parts in priority order while they fit, then "...": a count is never cut in half.
  let subject = toSubjectAscii(prefix).trimEnd();
  for (const [index, part] of parts.entries()) {
    const next = `${subject}${index === 0 ? ' ' : ', '}${part}`;
    if (next.length > SUBJECT_MAX_CHARS - (index < parts.length - 1 ? 5 : 0)) {
      subject = `${subject}${index === 0 ? ' ' : ', '}...`;
      break;
    }
    subject = next;
  }
  return truncateChars(subject, SUBJECT_MAX_CHARS, '...');
}

function countAll(counts: Partial<Record<EventType, number>>): number {
  return Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
}
