// Local output: appends one event object per line to a file; a retried delivery first looks for the event in the file.
import { appendFile, mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PublishError } from '../core/errors.js';
import type { Output } from '../delivery/output-queue.js';

/**
 * The jsonl output, id `jsonl:<path>`. A retried delivery (an earlier attempt may have appended the event before the
 * run died) appends nothing when a line with that event id is already in the file, so each event is in it once.
 */
export function makeJsonlOutput(path: string): Output {
  let ready: Promise<unknown> | undefined;
  return {
    id: `jsonl:${path}`,
    async deliver(event, { retry }) {
      try {
        ready ??= mkdir(dirname(path), { recursive: true });
        await ready;
        let start = '';
        if (retry) {
          const file = await lookFor(path, event.id);
          if (file.holdsEvent) return;
          // The run that died may have left half a line: the event starts on a line of its own.
          if (file.tornLastLine) start = '\n';
        }
        await appendFile(path, `${start}${JSON.stringify(event)}\n`, 'utf8');
      } catch (error) {
        ready = undefined;
        throw new PublishError(event.id, `cannot append to ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/** Whether a line of the file is the event with this id, and whether its last line is cut short (read line by line). */
async function lookFor(path: string, eventId: string): Promise<{ holdsEvent: boolean; tornLastLine: boolean }> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { holdsEvent: false, tornLastLine: false };
    throw error;
  }
  try {
    const { size } = await file.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await file.read(last, 0, 1, size - 1);
    const tornLastLine = size > 0 && last.toString('utf8') !== '\n';
    const needle = JSON.stringify(eventId);
    for await (const line of file.readLines({ encoding: 'utf8', start: 0, autoClose: false })) {
      // Cheap filter first; a later event names this id too (in `previous`), so the match is made on the parsed line.
      if (!line.includes(needle)) continue;
      try {
        const parsed = JSON.parse(line) as { id?: unknown; schemaVersion?: unknown };
        if (parsed.schemaVersion !== undefined && parsed.id === eventId) return { holdsEvent: true, tornLastLine };
      } catch {
        // A torn line from a run that died mid-append is not the event.
      }
    }
    return { holdsEvent: false, tornLastLine };
  } finally {
    await file.close();
  }
}
