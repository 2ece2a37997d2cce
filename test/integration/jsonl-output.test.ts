// The jsonl output on a real file: a retried delivery appends nothing when the event is already in the file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJsonlOutput } from '../../functions/adapters/jsonl-output.js';
import { PublishError } from '../../functions/core/errors.js';
import type { WatcherEvent } from '../../functions/core/model.js';
import { numberedUpdateEvent } from '../support/numbered-update-event.js';

const event = (n: number, previous?: WatcherEvent): WatcherEvent => ({
  ...numberedUpdateEvent(n),
  ...(previous && { previous: { id: previous.id, detectedAt: previous.detectedAt } }),
});

describe('jsonl output', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-jsonl-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  const ids = async (path: string) =>
    (await readFile(path, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as WatcherEvent).id);

  it('is named by its path and creates the directory', async () => {
    const path = join(dir, 'a', 'events.jsonl');
    const output = makeJsonlOutput(path);
    expect(output.id).toBe(`jsonl:${path}`);
    await output.deliver(event(1), { retry: false });
    expect(await ids(path)).toEqual([event(1).id]);
  });

  it('appends a retried event only when no line of the file is that event, on a line of its own', async () => {
    const path = join(dir, 'retry.jsonl');
    const output = makeJsonlOutput(path);
    const first = event(1);
    // A later event names the first in `previous`, and the run that died left half a line: neither is the event.
    await writeFile(path, `${JSON.stringify(event(2, first))}\n{"schemaVersion":1,"id":"${first.id}","ty`);
    await output.deliver(first, { retry: true });
    await output.deliver(first, { retry: true });
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.slice(2)).toEqual([JSON.stringify(first), '']);
    // Not a retry: nothing to look for (the drain says when an earlier attempt may have delivered it).
    await output.deliver(event(3), { retry: false });
    expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('appends a retried event to a file that does not exist yet', async () => {
    const path = join(dir, 'fresh', 'events.jsonl');
    await makeJsonlOutput(path).deliver(event(3), { retry: true });
    expect(await ids(path)).toEqual([event(3).id]);
  });

  it('fails naming the path when the file cannot be written', async () => {
    const output = makeJsonlOutput(dir); // a directory
    const error = await output.deliver(event(4), { retry: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toContain(`cannot append to ${dir}`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});
