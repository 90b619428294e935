import { accessSync, constants, realpathSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

/** Free space below which a results root is refused: a small run's folder is a few MB. */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Kernel file systems that look like folders but hold no files (mkdir there can loop forever). */
const PSEUDO = ['/proc', '/sys', '/dev'];

/**
 * Checks a results root (`--out`) before anything starts: not under /proc, /sys or /dev, a
 * folder (or a path whose nearest existing part is one), writable, with space left. One
 * CliError (exit 2) says which, instead of an EROFS / ENOTDIR / ENOENT trace mid-run.
 */
export function checkOutDir(out: string, minFree = MIN_FREE_BYTES): void {
  const bad = (why: string): CliError => new CliError('cli.bad_out', `--out ${out}: ${why}`, EXIT_INVALID_INPUT);
  let path = resolve(out);
  // The nearest part that exists: the run makes the rest.
  try {
    while (!exists(path)) {
      const up = dirname(path);
      if (up === path) throw bad('no part of this path exists');
      path = up;
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw bad(`${path} cannot be reached (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const real = realpathSync(path);
  if (PSEUDO.some((p) => real === p || real.startsWith(p + sep))) throw bad(`${real} is a kernel file system, not a place for results; choose a folder on disk`);
  if (!statSync(real).isDirectory()) throw bad(`${real} is a file, not a folder`);
  try {
    accessSync(real, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw bad(code === 'EROFS' ? `${real} is on a read-only file system` : `${real} is not writable by this user`);
  }
  const fs = statfsSync(real);
  const free = fs.bavail * fs.bsize;
  if (free < minFree) throw bad(`only ${mb(free)} free on the disk holding ${real} (at least ${mb(minFree)} needed); free space or choose another folder`);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    // ENOTDIR: a file stands where a folder of the path should be; the loop walks up to it.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

function mb(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))} MB`;
}
