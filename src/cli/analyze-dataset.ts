/**
 * `socialsim analyze <experiment.yaml>`: the analyses of a dataset on its own, before any run.
 * The experiment's step 0 is built in a temporary folder (accounts, follows and the dataset's
 * posts as a run would open with them, no step taken), analysed by the same code as a run, and
 * its analysis.duckdb kept as `<out>/<experiment>/dataset-analysis.duckdb`: the real side holds
 * the dataset, the simulated side is empty.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYSIS_DB, analyzeRun, type AnalysisRecord } from '../analysis/store.js';
import { loadExperiment } from '../config/load.js';
import { runExperiment } from '../engine/run.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

export const DATASET_ANALYSIS = 'dataset-analysis.duckdb';

export async function analyzeDataset(file: string, names: readonly string[], out: string): Promise<{ path: string; records: AnalysisRecord[] }> {
  const exp = loadExperiment(file);
  if (!exp.dataset.users && !exp.dataset.posts) {
    throw new CliError('analyze.no_dataset', `${file} loads no dataset (dataset.users or dataset.posts): there is nothing real to analyse; run it and analyse the run folder instead`, EXIT_INVALID_INPUT);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'socialsim-dataset-'));
  try {
    const { dir } = await runExperiment(exp, { resultsRoot: tmp, quiet: true, maxSteps: 0 });
    const records = await analyzeRun(dir, names);
    const target = join(out, exp.name);
    mkdirSync(target, { recursive: true });
    const path = join(target, DATASET_ANALYSIS);
    copyFileSync(join(dir, ANALYSIS_DB), path);
    return { path, records };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
