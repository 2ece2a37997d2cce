// Runs the bundled poll handler in this fresh process, as Lambda would: import once, invoke it `times` times.
// Reports on fd 3 (JSON): import time, per invocation the outcome, wall and CPU time and the bytes logged, and the
// process's peak RSS after the import and at the end. Usage: node poll-child.mjs <bundle file> <source id> <times>

/**
 * Peak RSS of this process: VmHWM, the high-water mark of the address space exec created. Not getrusage's maxrss,
 * which on Linux also remembers the RSS of the parent's copy this process was forked from before exec.
 */
function peakRssBytes() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, sourceId, times = '1'] = process.argv.slice(2);
let logged = 0;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    logged += Buffer.byteLength(chunk);
    return write(chunk, ...rest);
  };
}
const importStart = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - importStart;
const afterImportRssBytes = peakRssBytes();
const invocations = [];
for (let i = 0; i < Number(times); i += 1) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const before = logged;
  const result = await handler({ sourceId });
  const used = process.cpuUsage(cpu);
  invocations.push({
    outcome: result.outcome,
    published: result.published,
    wallMs: performance.now() - start,
    cpuMs: (used.user + used.system) / 1000,
    logBytes: logged - before,
  });
}
writeSync(3, JSON.stringify({ importMs, afterImportRssBytes, invocations, maxRssBytes: peakRssBytes() }));
