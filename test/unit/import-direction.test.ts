// Imports point one way (docs/architecture.md): the core depends on nothing of ours outside it, sources and use cases
// never reach into adapters, and lib/ reads the functions' contract, config and registries, never a runtime adapter.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The repository paths a file imports from our own tree (relative specifiers), `.js` read as `.ts`. */
function localImportsOf(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => m[1]!);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

/** `file → import` for each import of `files` that `allowed` refuses. */
function offending(files: readonly string[], allowed: (target: string) => boolean): string[] {
  return files.flatMap((file) => localImportsOf(file).filter((target) => !allowed(target)).map((target) => `${file} → ${target}`));
}

describe('imports point one way', () => {
  it('reads the imports it checks (a file of each layer imports something of ours)', () => {
    expect(localImportsOf('functions/core/diff-items.ts')).toContain('functions/core/diff-shared.ts');
    expect(localImportsOf('lib/watcher-stack.ts')).toContain('functions/contract.ts');
  });

  it('keeps the core free of everything of ours outside functions/core', () => {
    expect(offending(tsFilesUnder('functions/core'), (target) => target.startsWith('functions/core/'))).toEqual([]);
  });

  it('keeps source plug-ins and use cases off the adapters (they declare ports; adapters implement them)', () => {
    const useCases = [
      ...tsFilesUnder('functions/sources'),
      'functions/poll/poll-source.ts',
      'functions/poll/poll-items.ts',
      'functions/poll/publish-pending.ts',
      'functions/stream/poll-stream.ts',
      'functions/digest/run-digest.ts',
      'functions/dispatch/dispatch-polls.ts',
      'functions/channels/deliver-to-channel.ts',
      'functions/channels/consume-route-queue.ts',
    ];
    expect(offending(useCases, (target) => !target.startsWith('functions/adapters/'))).toEqual([]);
  });

  it('lets lib/ read the contract, config, registries and plug-in facts, never an adapter or a handler', () => {
    const runtime = (target: string) =>
      target.startsWith('functions/adapters/') || /^functions\/[^/]+\/handler\.ts$/.test(target) || target.endsWith('/handler.ts');
    expect(offending(tsFilesUnder('lib'), (target) => !runtime(target))).toEqual([]);
  });
});
