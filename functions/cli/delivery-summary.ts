// The CLI's account of local delivery after a poll: per output what was delivered, what waits, what is parked, and why.
import type { DeliveryReport, OutputReport, RefusedEvent } from '../delivery/deliver-outputs.js';

/** Whether every output delivered its queue this run: none failing or busy, no event refused. */
export function deliveredEverything(report: DeliveryReport): boolean {
  return report.outputs.every((output) => output.outcome === 'ok' && output.refusedNow.length === 0);
}

/** The summary lines, e.g. `  slack:incidents  failing  delivered 0, waiting 4, parked 0; failing: … (held until …)`. */
export function formatDeliveryReport(report: DeliveryReport, maxRefusals: number): string {
  const rows = [...report.outputs.map((o) => o.outputId), ...report.removed.map((r) => r.outputId)];
  const width = Math.max(0, ...rows.map((id) => id.length));
  const lines: string[] = [];
  for (const output of report.outputs) {
    lines.push(`  ${output.outputId.padEnd(width)}  ${output.outcome.padEnd(7)}  ${counts(output)}${problem(output)}`);
    const parkedNow = new Set(output.refusedNow.filter((r) => r.parked).map((r) => r.eventId));
    for (const refused of output.refusedNow.filter((r) => !r.parked)) {
      lines.push(`      refused ${describe(refused)}: ${refused.reason}; retried next run (${refused.refusals} of ${maxRefusals} tries)`);
    }
    for (const parked of output.parked) {
      lines.push(`      parked${parkedNow.has(parked.eventId) ? ' now' : ''} ${describe(parked)}: ${parked.reason}; not retried`);
    }
  }
  for (const removed of report.removed) {
    const since = removed.lastConfiguredAt ? ` since ${removed.lastConfiguredAt}` : '';
    const what =
      removed.dropped !== undefined
        ? `not in the config${since}: its queue is dropped (${plural(removed.dropped, 'event')})`
        : `not in the config${since}: ${plural(removed.kept, 'event')} kept${removed.dropAt ? ` until ${removed.dropAt}` : ''}; put it back to deliver them`;
    lines.push(`  ${removed.outputId.padEnd(width)}  ${'removed'.padEnd(7)}  ${what}`);
  }
  const failing = report.outputs.filter((o) => o.outcome !== 'ok').length;
  const refusing = report.outputs.filter((o) => o.outcome === 'ok' && o.refusedNow.length > 0).length;
  const troubles = [failing && `${failing} failing`, refusing && `${refusing} refused an event`].filter(Boolean);
  const headline = `Delivered to ${plural(report.outputs.length, 'output')}: ${troubles.length ? troubles.join(', ') : 'all delivered'}.`;
  return `${headline}\n${lines.join('\n')}\n`;
}

function counts(output: OutputReport): string {
  const held = output.held ? ` (${output.held.count} held for quiet hours until ${output.held.until})` : '';
  return `delivered ${output.delivered}, waiting ${output.waiting}${held}, parked ${output.parked.length}`;
}

function problem(output: OutputReport): string {
  if (output.outcome === 'busy') return '; another run is delivering to it';
  if (!output.failure) return '';
  const next = output.failure.scope === 'route' ? 'its events are held until it is fixed' : 'retried next run';
  return `; failing: ${output.failure.reason} (${next})`;
}

function describe(event: RefusedEvent): string {
  // The title is vendor text: no control characters (terminal escapes) reach the terminal.
  // eslint-disable-next-line no-control-regex
  const title = event.title.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');
  return `${event.eventId} (${event.type} "${title.length > 80 ? `${title.slice(0, 79)}…` : title}")`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
