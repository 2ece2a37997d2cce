// Fails when a runtime dependency (what the functions bundle and the CLI runs) has a known high or critical
// vulnerability. A registry without the audit endpoint cannot answer: that is said plainly, and not counted as a pass.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`audit: npm audit gave no report (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`);
  process.exit(1);
}
if (report.statusCode || report.error) {
  const why = report.message ?? report.error?.summary ?? 'unknown error';
  console.log(`audit: NOT CHECKED: the registry cannot answer audit requests here (${why})`);
  process.exit(0);
}
const counts = report.metadata?.vulnerabilities ?? {};
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`audit: runtime dependencies: ${JSON.stringify(counts)}`);
if (serious > 0) {
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity === 'high' || v.severity === 'critical') console.error(`audit: ${v.severity}: ${name} (${v.range})`);
  }
  process.exit(1);
}
