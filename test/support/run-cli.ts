// Runs the real CLI (bin/cli.ts, bundled once per test run: see cli-bundle.ts) in a child process, as `npm start` does,
// or its entry function in this process, and captures what it prints.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CLI_BUNDLE } from './cli-bundle.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', CLI_BUNDLE, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the CLI's entry function in this process (`runCli`, what bin/cli.ts calls), with its output captured: the same
 * commands, config reading, embedded store and outputs as `npm start`, without the second or so a child process costs.
 * Tests of the wiring itself (exit codes from the real process, the bundle) use {@link runCliProcess}.
 */
export async function runCliInProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd: string = REPO_ROOT): Promise<CliRun> {
  const { runCli } = await import('../../functions/cli/run-cli.js');
  // Each `npm start` is a new process: nothing a run caches in memory (Management API tokens) outlives it.
  const { forgetAuth0Tokens } = await import('../../functions/adapters/auth0-management-client.js');
  forgetAuth0Tokens();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await runCli(args, { stdout, stderr, env, cwd });
  return { code, stdout: out, stderr: err };
}

/**
 * A runner for a test file's many CLI runs: the first in a child process (the real `npm start`: the bundle, its exit
 * code), the rest in this process ({@link runCliInProcess}), which is what keeps such files fast.
 */
export function cliRunner(): (args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<CliRun> {
  let runs = 0;
  return (args, env = {}) => {
    runs += 1;
    return runs === 1 ? runCliProcess(args, env) : runCliInProcess(args, env);
  };
}
