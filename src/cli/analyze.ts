import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { textTable } from '../analysis/format.js';
import { ANALYSIS_DB, analyzeRun, unknownAnalyses, type AnalysisRecord } from '../analysis/store.js';
import { ANALYSES } from '../analysis/suite.js';
import { readSweepFile, SWEEP_FILES, sweepRunFolders } from '../sweep/run-sweep.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { withRunLock } from '../engine/run-lock.js';
import { shown, simDbOf } from './run-dir.js';
import { runFailure } from './run-guard.js';

/** The run folders of a sweep that hold a database (runs not started yet are skipped). */
function sweepRunDirs(sweepDir: string): string[] {
  return sweepRunFolders(sweepDir, readSweepFile(sweepDir)).filter((d) => existsSync(join(d, 'sim.duckdb')));
}

/** The file written and what it holds; `file` is analysis.duckdb's path. */
function summary(file: string, records: readonly AnalysisRecord[]): string {
  const table = textTable(
    ['analysis', 'tables', 'rows', 'seconds'],
    records.map((r) => [r.name, r.tables.join(', '), r.rows.toLocaleString('en-US'), r.seconds.toFixed(2)]),
  );
  return `${shown(file)}\n${table}\n`;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description(`compute the analyses (${ANALYSES.map((a) => a.name).join(', ')}) of a run, or of every run of a sweep, into analysis.duckdb beside sim.duckdb`)
    .argument('<run-dir>', 'results/<experiment>/<run-id>, a sweep folder results/<experiment>/sweep-<id>, or an experiment file (its dataset alone)')
    .option('--only <names>', 'comma-separated analyses to compute (default: all)')
    .option('--out <dir>', 'for an experiment file: results root for <experiment>/dataset-analysis.duckdb', 'results')
    .option('-q, --quiet', 'print only the files written')
    .action(async (dir: string, opts: { only?: string; out: string; quiet?: boolean }) => {
      const names = opts.only?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? ANALYSES.map((a) => a.name);
      const unknown = unknownAnalyses(names);
      if (unknown.length > 0 || names.length === 0) {
        throw new CliError('analyze.unknown', `unknown analysis: ${unknown.join(', ') || '(none named)'}; choose from ${ANALYSES.map((a) => a.name).join(', ')}`, EXIT_INVALID_INPUT);
      }
      if (/\.ya?ml$/i.test(dir) && existsSync(dir) && statSync(dir).isFile()) {
        const { analyzeDataset } = await import('./analyze-dataset.js');
        const { path, records } = await analyzeDataset(dir, names, opts.out);
        process.stdout.write(opts.quiet ? `${shown(path)}\n` : summary(path, records));
        return;
      }
      const dirs = existsSync(join(dir, SWEEP_FILES.info)) ? sweepRunDirs(dir) : [dirname(simDbOf(dir, 'analyze'))];
      for (const runDir of dirs) {
        // Holding the run's lock: a run still being written is refused with its writer's PID.
        let records: AnalysisRecord[];
        try {
          records = await withRunLock(runDir, () => analyzeRun(runDir, names));
        } catch (err) {
          throw runFailure(err);
        }
        process.stdout.write(opts.quiet ? `${shown(join(runDir, ANALYSIS_DB))}\n` : summary(join(runDir, ANALYSIS_DB), records));
      }
    });
}
