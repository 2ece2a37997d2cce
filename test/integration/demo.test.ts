// `npm run demo` keeps working: the offline replay reaches Slack, email and the digest.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-cli.js';

describe('npm run demo', () => {
  it('replays the outage offline and shows the Slack thread, the emails and the digests, each message whole', async () => {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', (exit) => resolve({ code: exit, stdout: text }));
    });
    expect(code).toBe(0);
    expect(stdout).toContain("reply in the incident's thread, also sent to the channel");
    expect(stdout).toContain('Subject: [MAJOR] Auth0 incident resolved: Tenant Logs and Group Memberships');
    expect(stdout).toMatch(/Subject: \[MAJOR\] Watcher cannot read Auth0 status \(US-5\) \(3 failures\)/);
    expect(stdout).toContain('Subject: [Auth0 digest] Oct 7: 1 open incident, 1 resolved, 1 RCA owed');
    expect(stdout).toContain('Root-cause analysis published');
    // Whole messages: every email down to its last line (the event id), no line cut short.
    const emails = stdout.split('\n').filter((line) => line.includes('Email to subscribers')).length;
    expect(emails).toBeGreaterThan(5);
    expect(stdout.split('\n').filter((line) => /│ Event id: [0-9a-f]{32} \(/.test(line))).toHaveLength(emails);
    expect(stdout).not.toMatch(/…$/m);
  }, 60_000);
});
