// One local run at a time per state directory: a lock file naming the run that holds the directory.
import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file, inside the state directory (the embedded store's own files sit beside it). */
export const LOCK_FILE_NAME = 'watcher.lock';

/** A lock file whose content cannot be read yet is a run starting up; one this old is a run that died starting up. */
const UNREADABLE_LOCK_STALE_MS = 10_000;
/** Slack between a process's start and the time its lock says it started (clock tick and boot-time rounding). */
const START_TIME_SLACK_MS = 2_000;

/** Who holds a state directory: written into the lock file as JSON. */
export interface LockHolder {
  readonly pid: number;
  /** When the run took the lock (wall-clock time, not `--now`). */
  readonly startedAt: string;
  readonly host: string;
}

/** The local state directory cannot be used for this run; its message names the directory and what to do. */
export class StateDirError extends Error {
  override readonly name: string = 'StateDirError';
  constructor(
    readonly dir: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Another live run holds the state directory. */
export class StateDirBusyError extends StateDirError {
  override readonly name = 'StateDirBusyError';
  constructor(
    dir: string,
    readonly holder: LockHolder | undefined,
    options?: ErrorOptions,
  ) {
    super(
      dir,
      holder
        ? `busy: another run holds ${dir} since ${holder.startedAt} (pid ${holder.pid}${onHost(holder)})`
        : `busy: another process holds ${dir}`,
      options,
    );
  }
}

export interface StateDirLock {
  /** Removes the lock file if it is still this run's. Also done when the process exits. */
  release(): void;
}

/**
 * Takes the state directory for this process: creates the lock file exclusively (O_EXCL) with this process's pid and
 * start time. A lock whose process is gone (no such pid on this host, or a pid reused by a process that started
 * after the lock was taken) is stale and taken over; a live one throws {@link StateDirBusyError}. The directory must
 * exist. The embedded store's own database lock backs this up should two runs take over a stale lock at once.
 */
export async function lockStateDir(dir: string): Promise<StateDirLock> {
  const path = join(dir, LOCK_FILE_NAME);
  const mine: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), host: hostname() };
  const content = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await writeFile(path, content, { flag: 'wx' });
      return held(path, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const found = await readLock(path);
    if (found === undefined) continue; // released meanwhile: try again
    if (!isStale(found)) throw new StateDirBusyError(dir, found.holder);
    // Remove it only if it is still the stale lock just read, not one a faster run has just put in its place.
    if ((await readLock(path))?.raw === found.raw) await unlink(path).catch(ignoreMissing);
  }
  throw new StateDirBusyError(dir, (await readLock(path))?.holder);
}

/** Another machine's run (a shared directory) is named with its host. */
const onHost = (holder: LockHolder) => (holder.host === hostname() ? '' : ` on ${holder.host}`);

function held(path: string, content: string): StateDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // Already gone (the directory was moved or deleted during the run): nothing to release.
    }
  };
  process.once('exit', release);
  return { release };
}

interface FoundLock {
  readonly raw: string;
  /** Undefined while the file is being written, or when it is not a lock this code wrote. */
  readonly holder?: LockHolder;
  readonly modifiedAt: number;
}

async function readLock(path: string): Promise<FoundLock | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { raw, holder: parseHolder(raw), modifiedAt: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (Number.isInteger(value.pid) && typeof value.startedAt === 'string' && typeof value.host === 'string') {
      return { pid: value.pid!, startedAt: value.startedAt, host: value.host };
    }
  } catch {
    // Not (yet) a complete lock.
  }
  return undefined;
}

function isStale({ holder, modifiedAt }: FoundLock): boolean {
  if (!holder) return Date.now() - modifiedAt > UNREADABLE_LOCK_STALE_MS;
  // Processes of another machine (a shared directory) cannot be checked: its lock stands until removed by hand.
  if (holder.host !== hostname()) return false;
  // This process has not taken the lock, so a lock naming its pid is a dead run's whose pid was handed out again
  // (containers start every run with the same pids).
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const started = processStartTime(holder.pid);
  return started !== undefined && started > Date.parse(holder.startedAt) + START_TIME_SLACK_MS;
}

/** When a process started, from /proc on Linux (epoch ms); undefined where that cannot be read. */
function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22 overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return Number.isFinite(ticks) && Number.isFinite(bootTime) ? bootTime * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
