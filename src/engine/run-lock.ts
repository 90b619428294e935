import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `run.lock` in a run (or sweep) folder: the PID and start time of the process writing it, so a
 * second process (resume, run --force, a sweep resumed while its children still run) refuses
 * instead of racing it. A lock whose process is gone (kill -9, a crash) is stale and taken over;
 * the start time tells a PID the system reused from the writer that held it.
 */
export const LOCK_FILE = 'run.lock';

interface LockRecord {
  pid: number;
  /** /proc/<pid>/stat's start time (clock ticks since boot); null where /proc is missing. */
  start: string | null;
}

/** Another live process writes the folder. */
export class RunLockedError extends Error {
  readonly code = 'run.locked';
  constructor(
    readonly dir: string,
    readonly pid: number,
    what = 'run',
  ) {
    super(`this ${what} is being written by PID ${pid} (${dir}); wait for it to finish, or stop it (kill ${pid}) and run socialsim resume ${dir}`);
  }
}

/** Folders this process holds, with how many callers hold each (continueRun inside runExperiment …). */
const held = new Map<string, number>();
let exitHook = false;

function startTime(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the ")" that ends the command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(lock: LockRecord): boolean {
  try {
    process.kill(lock.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(lock.pid);
  return lock.start === null || now === null || now === lock.start;
}

function readLock(dir: string): LockRecord | null {
  try {
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Partial<LockRecord>;
    return typeof lock.pid === 'number' ? { pid: lock.pid, start: typeof lock.start === 'string' ? lock.start : null } : null;
  } catch {
    return null; // none, or half-written by a process killed while writing it: not a live writer
  }
}

/** The PID of the live process (not this one) writing `dir`, or null. */
export function liveWriter(dir: string): number | null {
  const lock = readLock(dir);
  return lock && lock.pid !== process.pid && alive(lock) ? lock.pid : null;
}

/**
 * Takes `dir` for this process, or throws RunLockedError naming the live writer. Taken again by
 * the same process, it only counts; `releaseRunLock` removes the file at the last release.
 */
export function acquireRunLock(dir: string, what = 'run'): void {
  const key = resolve(dir);
  const count = held.get(key) ?? 0;
  if (count > 0) {
    held.set(key, count + 1);
    return;
  }
  const record = JSON.stringify({ pid: process.pid, start: startTime(process.pid) }) + '\n';
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(join(dir, LOCK_FILE), record, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = liveWriter(dir);
      if (pid !== null) throw new RunLockedError(dir, pid, what);
      // Another process took the stale lock over between our two tries.
      if (attempt > 0) throw new RunLockedError(dir, readLock(dir)?.pid ?? -1, what);
      // Stale (its process died): take it over.
      try {
        unlinkSync(join(dir, LOCK_FILE));
      } catch {
        // already gone
      }
    }
  }
  held.set(key, 1);
  if (!exitHook) {
    exitHook = true;
    // A process that ends by an exception still frees its folders (kill -9 cannot: the lock goes stale).
    process.on('exit', () => {
      for (const d of held.keys()) removeLock(d);
    });
  }
}

export function releaseRunLock(dir: string): void {
  const key = resolve(dir);
  const count = held.get(key) ?? 0;
  if (count > 1) {
    held.set(key, count - 1);
    return;
  }
  held.delete(key);
  if (count === 1) removeLock(key);
}

function removeLock(dir: string): void {
  try {
    if (readLock(dir)?.pid === process.pid) unlinkSync(join(dir, LOCK_FILE));
  } catch {
    // the folder is gone (a test cleaned up) or the disk refuses: a stale lock is harmless
  }
}

/** Runs `work` holding `dir`'s lock. */
export async function withRunLock<T>(dir: string, work: () => Promise<T>, what = 'run'): Promise<T> {
  acquireRunLock(dir, what);
  try {
    return await work();
  } finally {
    releaseRunLock(dir);
  }
}
