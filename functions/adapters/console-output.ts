// Local output: prints each event readably to a terminal stream.
import type { WatcherEvent } from '../core/model.js';
import type { Output } from '../delivery/output-queue.js';

/** Removes control characters (terminal escape sequences included) from untrusted vendor text. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, '').trim();
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The readable form of an event: a headline, the latest update or summary, then regions, link and id. */
export function formatEventForConsole(event: WatcherEvent): string {
  const lines = [`● [${event.severity.toUpperCase()}] ${event.type} · ${clean(event.vendor)} · ${event.source}`, `  ${clean(event.title)}`];
  const body = event.update
    ? `${clean(event.update.label)} (${formatTime(event.update.at)}): ${clean(event.update.text)}`
    : clean(event.summary);
  lines.push(`  ${body.length > 600 ? `${body.slice(0, 599)}…` : body}`);
  const facts = [
    event.status && `status ${event.status}`,
    event.regions?.length ? `regions ${event.regions.join(', ')}` : undefined,
    event.changeType && `change type ${event.changeType}`,
    event.packages?.length
      ? `packages ${event.packages.map((p) => `${p.name}${p.firstPatchedVersion ? ` (fixed in ${p.firstPatchedVersion})` : ''}`).join(', ')}`
      : undefined,
    `at ${formatTime(event.occurredAt)}`,
  ].filter(Boolean);
  lines.push(`  ${facts.join(' · ')}`);
  // Watcher-health events of an output have no link.
  if (event.url !== '') lines.push(`  ${clean(event.url)}`);
  lines.push(`  event ${event.id}`);
  return lines.join('\n');
}

/**
 * The console output, id `console`. It cannot tell what it printed: a run that dies between printing an event and
 * removing it from the queue prints it again on the next run (with the same event id, on the last line).
 */
export function makeConsoleOutput(stream: NodeJS.WritableStream = process.stdout): Output {
  return {
    id: 'console',
    async deliver(event) {
      stream.write(`${formatEventForConsole(event)}\n\n`);
    },
  };
}
