// Local output: appends one event object per line to a file.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PublishError } from '../core/errors.js';
import type { Publisher } from '../core/ports.js';

export function makeJsonlOutput(path: string): Publisher {
  let ready: Promise<unknown> | undefined;
  return {
    async publish(event) {
      try {
        ready ??= mkdir(dirname(path), { recursive: true });
        await ready;
        await appendFile(path, `${JSON.stringify(event)}\n`, 'utf8');
      } catch (error) {
        throw new PublishError(event.id, `cannot append to ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
