import { DiskFullError, isDiskFull } from '../engine/disk-full.js';
import { RunLockedError, withRunLock } from '../engine/run-lock.js';
import { join } from 'node:path';
import type { ReportOptions } from '../report/index.js';
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
    // Imported when a run has finished: vega, VADER and the NLP packages are not loaded by a
    // command that stops before (a refused input, --max-steps, a failure).
    const { writeReport } = await import('../report/index.js');
    return await withRunLock(dir, () => writeReport(dir, opts));
  } catch (err) {
    throw runFailure(isDiskFull(err) ? new DiskFullError(dir, 'writing the report', err instanceof Error ? err.message : String(err)) : err);
  }
}

/** What a finished run leaves besides its database. */
export interface RunOutputs {
  readonly reportPath: string;
  /** analysis.duckdb, or null when the experiment's analysis.enable is []. */
  readonly analysisPath: string | null;
}

/**
 * report.html and the analyses the run's experiment enables (analysis.enable, read from its
 * experiment.resolved.yaml; default all) in analysis.duckdb, holding the run's lock.
 */
export async function writeRunOutputs(dir: string, opts: ReportOptions = {}): Promise<RunOutputs> {
  const reportPath = await writeRunReport(dir, opts);
  const [{ runAnalysisSettings }, { ANALYSIS_DB, analyzeRun }, { ANALYSIS_NAMES }] = await Promise.all([
    import('../analysis/settings.js'),
    import('../analysis/store.js'),
    import('../analysis/suite.js'),
  ]);
  const enabled = runAnalysisSettings(dir).enable ?? ANALYSIS_NAMES;
  if (enabled.length === 0) return { reportPath, analysisPath: null };
  try {
    await withRunLock(dir, () => analyzeRun(dir, enabled));
  } catch (err) {
    throw runFailure(isDiskFull(err) ? new DiskFullError(dir, 'writing the analyses', err instanceof Error ? err.message : String(err)) : err);
  }
  return { reportPath, analysisPath: join(dir, ANALYSIS_DB) };
}
