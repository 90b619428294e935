/** The end of a calibration: fitted.yaml and calibration-report.html for its best trial. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fittedYaml, fragmentOf, rawExperiment } from './fitted.js';
import { compareRun } from './loss.js';
import type { CalibrationPlan } from './plan.js';
import { bestTrial, CALIBRATE_FILES, type TrialRecord } from './record.js';
import { writeCalibrationReport, type FitData } from './report.js';
import { assignment } from './space.js';

const fixed = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

/** `path=value` of the best trial, in parameter order. */
export const fittedAssignments = (plan: CalibrationPlan, best: TrialRecord): string[] => plan.specs.map((s) => assignment(s, best.point[s.path]!));

export async function writeOutputs(plan: CalibrationPlan, trials: readonly TrialRecord[], status: string): Promise<{ fittedPath: string | null; reportPath: string | null }> {
  const best = bestTrial(trials);
  if (!best) return { fittedPath: null, reportPath: null };
  const assignments = fittedAssignments(plan, best);
  const sets = plan.against ? plan.baseOverrides.slice(0, -1) : plan.baseOverrides;
  const header = [
    `Fitted by socialsim calibrate ${plan.id} on ${plan.file}${status === 'interrupted' ? ' (interrupted: the best so far)' : ''}:`,
    `trial ${best.trial} of ${trials.length}, seeds ${plan.seeds.join(', ')}; train NRMSE ${fixed(best.train_loss)} on ${plan.split.train.length} cascades, held-out NRMSE ${fixed(best.heldout_loss)} on ${plan.split.heldout.length}.`,
    ...(plan.against ? [`Cascades from --against ${plan.against}.`] : []),
    ...(sets.length > 0 ? [`The runs also had ${sets.map((o) => `--set ${o}`).join(' ')}.`] : []),
  ];
  const fittedPath = join(plan.dir, CALIBRATE_FILES.fitted);
  writeFileSync(fittedPath, fittedYaml(fragmentOf(rawExperiment(plan.text, plan.baseOverrides), assignments), assignments, header));
  const runDir = (id: string): string => join(plan.resultsRoot, plan.base.name, id);
  const fit: FitData = { comparisons: await Promise.all(best.runs.map(async (r) => ({ seed: r.seed, runId: r.run_id, comparison: await compareRun(runDir(r.run_id), plan.settings) }))) };
  return { fittedPath, reportPath: writeCalibrationReport(plan, trials, best, fit, status) };
}
