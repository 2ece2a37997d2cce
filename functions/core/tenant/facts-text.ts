// A tenant-log event's facts as labelled lines of plain text, the same in emails, Slack and digests (each renderer
// escapes them for its format).
import type { TenantEventFacts } from '../model.js';
import { cleanLine } from '../text/clean-line.js';
import { formatTime, formatWindow } from '../text/time.js';

/** `[label, value]` pairs, vendor strings cleaned to one line, times in `timeZone` (default UTC); only the facts present. */
export function tenantFactLines(facts: TenantEventFacts | undefined, timeZone?: string): Array<readonly [string, string]> {
  if (facts === undefined) return [];
  const lines: Array<readonly [string, string]> = [];
  const text = (value: string | undefined, max: number): string => (value === undefined ? '' : cleanLine(value, max));
  const window = facts.windowMinutes === undefined ? '' : ` (window ${facts.windowMinutes} min)`;
  const logType = text(facts.logType, 60);
  // A gap counts nothing: the logs it lost are unknown.
  if (facts.count > 0) lines.push(['Count', `${facts.count}${logType === '' ? '' : ` ${logType}`} logs${window}`]);
  if (facts.baseline !== undefined) lines.push(['Baseline', `${facts.baseline} per ${facts.windowMinutes ?? '?'} min`]);
  const client = [text(facts.clientName, 100), text(facts.clientId, 100)].filter((part) => part !== '');
  if (client.length > 0) lines.push(['Client', client.length === 2 ? `${client[0]} (${client[1]})` : (client[0] ?? '')]);
  if (facts.bucket !== undefined) lines.push(['Bucket', text(facts.bucket, 100)]);
  if (facts.path !== undefined) lines.push(['Path', text(facts.path, 200)]);
  if (facts.connection !== undefined) {
    const strategy = text(facts.strategy, 60);
    lines.push(['Connection', `${text(facts.connection, 100)}${strategy === '' ? '' : ` (${strategy})`}`]);
  }
  if (facts.feature !== undefined) {
    const name = text(facts.feature.name, 200);
    const id = text(facts.feature.id, 100);
    lines.push(['Feature', name === '' || name === id ? id : `${name} (${id})`]);
  }
  const span = formatWindow(facts.from, facts.to, timeZone);
  if (span !== undefined) lines.push(['Logs', facts.to === undefined && facts.from !== undefined ? formatTime(facts.from, timeZone) : span]);
  return lines;
}
