/**
 * `socialsim report <sweep-dir>`: the sweep report and recommender table written again from
 * the sweep's own records (sweep.json) and each run's sim.duckdb, e.g. after the metrics
 * gained a column or a run was resumed by hand.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRunInfo, RUN_FILES } from '../engine/run-folder.js';
import { readRunMetrics, type IndexRow } from './index-db.js';
import { readSweepFile, sweepRunFolders } from './run-sweep.js';
import { writeSweepReport } from './report.js';

export async function reportSweep(sweepDir: string): Promise<string> {
  const info = readSweepFile(sweepDir);
  const folders = sweepRunFolders(sweepDir, info);
  const rows: IndexRow[] = [];
  for (const [i, r] of info.runs.entries()) {
    const runDir = folders[i]!;
    const run = existsSync(join(runDir, RUN_FILES.info)) ? readRunInfo(runDir) : undefined;
    const metrics = run && existsSync(join(runDir, RUN_FILES.db)) ? await readRunMetrics(runDir, run.wall_ms) : null;
    rows.push({
      run_id: r.run_id,
      status: run?.status ?? 'pending',
      seed: run?.seed ?? (typeof r.params['seed'] === 'number' ? r.params['seed'] : 0),
      config_hash: r.config_hash,
      run_dir: runDir,
      params: r.params,
      metrics,
      error: run?.error ?? null,
    });
  }
  return writeSweepReport(sweepDir, info.params, rows);
}
