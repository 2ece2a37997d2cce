// The facts an event carries beyond its title and summary (tenant-log counts, a tenant check, a synthetic login's
// outcome, an allow-list change, a deprecation's dates) as labelled lines of plain text, the same in emails, Slack and
// digests: each renderer escapes them for its format. Vendor strings are cleaned to one bounded line each.
import type { WatcherEvent } from './model.js';
import { tenantFactLines } from './tenant/facts-text.js';
import { cleanLine } from './text/clean-line.js';
import { formatTime } from './text/time.js';
import { listWithMore, plural } from './text/words.js';

/** The fields of an event (or of a Slack thread's state) that {@link eventFactLines} reads. */
export type FactFields = Pick<WatcherEvent, 'tenant' | 'check' | 'action' | 'synthetic' | 'allowlist' | 'deprecation'>;

/** CIDRs listed per line; the rest are counted ("and 12 more"). */
const MAX_LISTED = 20;

/** `[label, value]` pairs, only the facts present; times in `timeZone` (default UTC). */
export function eventFactLines(event: FactFields, timeZone?: string): Array<readonly [string, string]> {
  const lines: Array<readonly [string, string]> = [...tenantFactLines(event.tenant, timeZone)];
  const text = (value: string | undefined, max: number): string => (value === undefined ? '' : cleanLine(value, max));
  if (event.check !== undefined) lines.push(['Check', text(event.check, 60)]);
  const synthetic = event.synthetic;
  if (synthetic !== undefined) {
    if (synthetic.latencyMs !== undefined) {
      const threshold = synthetic.thresholdMs === undefined ? '' : ` (threshold ${synthetic.thresholdMs} ms)`;
      lines.push(['Latency', `${Math.round(synthetic.latencyMs)} ms${threshold}`]);
    }
    if (synthetic.consecutive !== undefined) lines.push(['In a row', String(synthetic.consecutive)]);
    if (synthetic.cause !== undefined) lines.push(['Cause', text(synthetic.cause, 300)]);
    if (synthetic.httpStatus !== undefined) lines.push(['HTTP status', String(synthetic.httpStatus)]);
  }
  const allowlist = event.allowlist;
  if (allowlist !== undefined) {
    lines.push(['Region', text(allowlist.region, 20)]);
    const cidrs = (list: readonly string[]) => listWithMore(list.map((cidr) => cleanLine(cidr, 50)), MAX_LISTED);
    if (allowlist.added.length > 0) lines.push(['Added', cidrs(allowlist.added)]);
    if (allowlist.removed.length > 0) lines.push(['Removed', cidrs(allowlist.removed)]);
    if (allowlist.effectiveFrom !== undefined) lines.push(['Takes effect', formatTime(allowlist.effectiveFrom, timeZone)]);
    // Auth0's own words about the change, a few entries (each already one line: `2026-12-01 EU add 198.51.100.10/32`).
    if (allowlist.changelog !== undefined && allowlist.changelog.length > 0) {
      const more = allowlist.changelog.length > 3 ? ` and ${allowlist.changelog.length - 3} more` : '';
      lines.push(['Auth0 changelog', `${allowlist.changelog.slice(0, 3).map((line) => cleanLine(line, 200)).join('; ')}${more}`]);
    }
  }
  const deprecation = event.deprecation;
  if (deprecation !== undefined) {
    if (deprecation.deprecatedOn !== undefined) lines.push(['Deprecated', text(deprecation.deprecatedOn, 40)]);
    if (deprecation.endOfLife !== undefined) {
      const days = deprecation.daysLeft;
      const left = days === undefined ? '' : days < 0 ? ' (passed)' : days === 0 ? ' (today)' : ` (${plural(days, 'day')} left)`;
      lines.push(['End of life', `${text(deprecation.endOfLife, 40)}${left}`]);
    }
  }
  if (event.action !== undefined) lines.push(['What to do', text(event.action, 300)]);
  return lines;
}
