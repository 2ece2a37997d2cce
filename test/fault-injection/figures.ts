// Prints the figures of a fault-injection suite (docs/reliability.md quotes them); with FAULT_FIGURES_DIR set,
// also writes them there as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function recordFigures(suite: string, figures: Record<string, unknown>): Promise<void> {
  process.stdout.write(`\nfault-injection figures (${suite}): ${JSON.stringify(figures)}\n`);
  const dir = process.env['FAULT_FIGURES_DIR'];
  if (dir) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${suite}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  }
}
