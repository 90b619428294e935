import { DiskFullError, isDiskFull } from '../engine/disk-full.js';
import { RunLockedError, withRunLock } from '../engine/run-lock.js';
import { writeReport, type ReportOptions } from '../report/index.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { shown } from './run-dir.js';

/**
 * The one-line CliError for what a run can meet besides bad input: another process writing its
 * folder (exit 2, like a folder that exists), a full disk (exit 1; the folder stays
 * resumable). Anything else comes back as it was.
 */
export function runFailure(err: unknown): unknown {
  if (err instanceof RunLockedError) return new CliError(err.code, err.message.split(err.dir).join(shown(err.dir)), EXIT_INVALID_INPUT);
  if (err instanceof DiskFullError) return new CliError(err.code, err.message.split(err.dir).join(shown(err.dir)));
  return err;
}

/** report.html of a finished run, written holding the run's lock; a full disk says how to finish it. */
export async function writeRunReport(dir: string, opts: ReportOptions = {}): Promise<string> {
  try {
    return await withRunLock(dir, () => writeReport(dir, opts));
  } catch (err) {
    throw runFailure(isDiskFull(err) ? new DiskFullError(dir, 'writing the report', err instanceof Error ? err.message : String(err)) : err);
  }
}
