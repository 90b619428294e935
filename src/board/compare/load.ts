/**
 * What the compare page shows, read through the board's read-only handles: two runs' series
 * (with the branch relation between them, if any) or a sweep's condition means.
 */
import { join } from 'node:path';
import { conditionLabel, conditionKeys } from '../../sweep/conditions.js';
import { BoardError } from '../http.js';
import { resolveRunDir } from '../results.js';
import type { BoardServices } from '../services.js';
import { conditionMeans, type ConditionPoint, type SweepRunSeries } from './conditions.js';
import { sweepMembers, type RunChoice, type SweepChoice } from './runs.js';
import { runSeries, type StepFigures } from './series.js';

export interface PairData {
  a: { run: string; series: StepFigures[] };
  b: { run: string; series: StepFigures[] };
  /** Set when one run is a branch of the other: which one, and the step it branched at. */
  branch: { child: 'a' | 'b'; at_step: number } | null;
}

export async function loadPair(resultsDir: string, services: BoardServices, runs: readonly RunChoice[], a: string, b: string): Promise<PairData> {
  const read = async (run: string): Promise<StepFigures[]> => services.dbs.use(resolveRunDir(resultsDir, run), runSeries);
  const choiceA = runs.find((r) => r.run === a);
  const choiceB = runs.find((r) => r.run === b);
  let branch: PairData['branch'] = null;
  if (choiceA?.branch_of === b && choiceA.branch_at_step !== null) branch = { child: 'a', at_step: choiceA.branch_at_step };
  else if (choiceB?.branch_of === a && choiceB.branch_at_step !== null) branch = { child: 'b', at_step: choiceB.branch_at_step };
  return { a: { run: a, series: await read(a) }, b: { run: b, series: await read(b) }, branch };
}

export interface SweepData {
  sweep: string;
  params: string[];
  /** Condition labels in sweep order. */
  conditions: string[];
  points: ConditionPoint[];
  /** Each run of the sweep: its condition, and whether its series are in the means (and why not). */
  runs: { run_id: string; run: string | null; condition: string; seed: unknown; included: boolean; note: string }[];
}

export async function loadSweep(resultsDir: string, services: BoardServices, sweeps: readonly SweepChoice[], sweep: string): Promise<SweepData> {
  // Only sweeps the listing found: the address cannot name anything else.
  if (!sweeps.some((s) => s.sweep === sweep)) throw new BoardError(404, `no sweep "${sweep.slice(0, 200)}" in this results folder`);
  const { params, members } = sweepMembers(resultsDir, join(resultsDir, ...sweep.split('/')));
  const keys = conditionKeys(params);
  const withSeries: SweepRunSeries[] = [];
  const runs: SweepData['runs'] = [];
  for (const m of members) {
    const condition = conditionLabel(keys, m.params);
    const row = { run_id: m.run_id, run: m.run, condition, seed: m.params.seed ?? null };
    if (m.run === null) {
      runs.push({ ...row, included: false, note: 'not run yet' });
      continue;
    }
    try {
      const series = await services.dbs.use(resolveRunDir(resultsDir, m.run), runSeries);
      withSeries.push({ params: m.params, series });
      runs.push({ ...row, included: true, note: '' });
    } catch (err) {
      // A run still being written (409) or without a database is left out and says so.
      if (!(err instanceof BoardError)) throw err;
      runs.push({ ...row, included: false, note: err.message });
    }
  }
  const conditions = [...new Set(members.map((m) => conditionLabel(keys, m.params)))];
  return { sweep, params, conditions, points: conditionMeans(params, withSeries), runs };
}
