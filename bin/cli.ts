// Entry point of the local CLI (`npm start`).
import { runCli } from '../functions/cli/run-cli.js';

// The SDK warns that releases after January 2027 need Node 22; the lockfile pins this release, so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** One line on stderr for what nothing else handled, never a stack trace; the state directory's lock goes on exit. */
function fail(error: unknown): void {
  process.stderr.write(`auth0-ops-watcher: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

// An error thrown inside a library's callback (the embedded store's, say) reaches no promise of the run: end the run.
process.on('uncaughtException', (error) => {
  fail(error);
  process.exit();
});
process.on('unhandledRejection', (reason) => {
  fail(reason);
  process.exit();
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() })
  .then((code) => {
    process.exitCode = code;
  })
  .catch(fail);
