/**
 * What the compare page offers to pick: the runs and sweeps under the results folder, from their
 * JSON files only (cli/run-list.ts), with each branch's parent and each sweep's runs given as
 * board addresses so the page can preselect them.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { findRuns } from '../../engine/run-list.js';
import { readSweepFile, sweepRunFolders } from '../../sweep/run-sweep.js';
import { runAddress } from '../results.js';

export interface RunChoice {
  run: string;
  experiment: string;
  status: string;
  seed: number | null;
  steps_completed: number;
  /** The parent's address when this run is a branch of a run in this folder. */
  branch_of: string | null;
  branch_at_step: number | null;
  /** The address of the sweep that lists this run. */
  sweep: string | null;
}

export interface SweepChoice {
  sweep: string;
  experiment: string;
  runs: number;
}

/** `dir` as a board address, or null when it is not inside the results folder. */
function addressOf(resultsDir: string, dir: string): string | null {
  const rel = relative(resultsDir, dir);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : runAddress(resultsDir, dir);
}

/**
 * The address of a branch's parent among `addresses`. run.json keeps the parent's folder as the
 * branch command was given it: absolute, or relative to wherever that command ran. So: the
 * folder itself when it lies in the results folder, else the listed run ending in the same
 * `<experiment>/<run-id>` (a branch is made beside its parent by default).
 */
export function parentAddress(resultsDir: string, branchOf: string, addresses: ReadonlySet<string>): string | null {
  const direct = addressOf(resultsDir, resolve(branchOf));
  if (direct !== null && addresses.has(direct)) return direct;
  const tail = branchOf.split(/[\\/]+/).filter(Boolean).slice(-2).join('/');
  const matches = [...addresses].filter((a) => a === tail || a.endsWith(`/${tail}`));
  return matches.length === 1 ? matches[0]! : null;
}

export function compareChoices(resultsDir: string): { runs: RunChoice[]; sweeps: SweepChoice[] } {
  const runs: RunChoice[] = [];
  const sweeps: SweepChoice[] = [];
  for (const f of findRuns(resultsDir)) {
    if (f.kind === 'sweep') sweeps.push({ sweep: runAddress(resultsDir, f.path), experiment: f.experiment, runs: f.runs });
    if (f.kind !== 'run') continue;
    runs.push({
      run: runAddress(resultsDir, f.path),
      experiment: f.experiment,
      status: f.status,
      seed: f.seed,
      steps_completed: f.steps_completed,
      branch_of: f.branch_of ?? null,
      branch_at_step: f.branch_at_step ?? null,
      sweep: f.sweep === undefined ? null : addressOf(resultsDir, f.sweep),
    });
  }
  const addresses = new Set(runs.map((r) => r.run));
  for (const r of runs) if (r.branch_of !== null) r.branch_of = parentAddress(resultsDir, r.branch_of, addresses);
  return { runs, sweeps };
}

export interface SweepMember {
  /** The run's address, or null when its folder is missing (not run yet). */
  run: string | null;
  run_id: string;
  params: Record<string, unknown>;
}

/** A sweep's swept parameter names and its runs, in sweep.json's order. */
export function sweepMembers(resultsDir: string, sweepDir: string): { params: string[]; members: SweepMember[] } {
  const info = readSweepFile(sweepDir);
  const folders = sweepRunFolders(sweepDir, info);
  return {
    params: info.params,
    members: info.runs.map((r, i) => ({
      run: existsSync(join(folders[i]!, 'run.json')) ? addressOf(resultsDir, folders[i]!) : null,
      run_id: r.run_id,
      params: r.params,
    })),
  };
}
