/**
 * Calibrate's overhead per trial beside the runs themselves (issue #12: < 5 %).
 *   npm run bench:calibrate                         the README example, budget 10 (20 runs)
 *   npm run bench:calibrate -- --budget 20 --seeds 2 --parallel 2 [--set clock.timesteps=30]
 * Calibrates experiments/oasis-format.yaml (repost_base 0.01..0.3, like_base 0.01..0.2) into a
 * fresh temp results folder (no run is reused), then reads calibration.json's timing:
 *
 * - the runs themselves: per batch of trials, the time with at least one run's child process
 *   alive (process start, the simulation, its commit; what `socialsim run` would cost);
 * - beside them, per batch: the batch's wall time minus that — planning the trial's runs,
 *   reading each finished run's cascades for the loss when no other run hides it, the
 *   optimiser, rewriting calibration.json;
 * - one-off: setup (loading and checking the experiment, the dataset for the split) and the
 *   outputs at the end (fitted.yaml, the report).
 *
 * Prints the overhead per trial in ms and as a share of the runs' time per trial, with and
 * without the one-off parts. Deletes the temp folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCalibration } from '../src/calibrate/plan.js';
import { runCalibration } from '../src/calibrate/run-calibration.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const sets = process.argv.flatMap((a, i) => (a === '--set' && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
const budget = arg('--budget', 10);
const seeds = arg('--seeds', 2);
const parallel = arg('--parallel', 2);
const FILE = new URL('../experiments/oasis-format.yaml', import.meta.url).pathname;
const PARAMS = ['models.stat.repost_base=0.01..0.3', 'models.stat.like_base=0.01..0.2'];

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

const root = mkdtempSync(join(tmpdir(), 'socialsim-bench-calibrate-'));
try {
  const t0 = performance.now();
  const plan = await planCalibration(FILE, { params: PARAMS, seeds, holdout: 0.3, overrides: sets }, root);
  const setupMs = performance.now() - t0;
  process.stdout.write(`calibrate bench: ${FILE.split('/').slice(-2).join('/')}${sets.length > 0 ? ` --set ${sets.join(' --set ')}` : ''}, ${PARAMS.length} parameters, budget ${budget} trials × ${seeds} seeds, --parallel ${parallel}, fresh results folder\n`);
  const outcome = await runCalibration(plan, { budget, parallel, quiet: true, setupMs });
  const wall = performance.now() - t0;
  const { timing, trials } = outcome.info;
  const batchWall = timing.batches.reduce((a, b) => a + b.wall_ms, 0);
  const runsMs = timing.batches.reduce((a, b) => a + b.runs_ms, 0);
  const lossMs = timing.batches.reduce((a, b) => a + b.loss_ms, 0);
  const beside = batchWall - runsMs;
  const oneOff = timing.setup_ms + timing.outputs_ms;
  const runs = trials.flatMap((t) => t.runs).filter((r) => !r.reused);
  const simMs = runs.map((r) => JSON.parse(readFileSync(join(root, plan.base.name, r.run_id, 'run.json'), 'utf8')) as { wall_ms: number }).reduce((a, r) => a + r.wall_ms, 0);
  const childMs = runs.reduce((a, r) => a + r.child_ms, 0);
  const n = trials.length;
  process.stdout.write(
    [
      `trials ${n}, runs ${runs.length} (${outcome.runs.reused} reused), wall ${s(wall)}; best held-out NRMSE ${outcome.best?.heldout_loss?.toFixed(3)} (train ${outcome.best?.train_loss?.toFixed(3)})`,
      `the runs themselves: ${s(runsMs)} with a run's process alive (${s(runsMs / n)} per trial); a run's process ${s(childMs / runs.length)} on average, of which the simulation (run.json wall) ${s(simMs / runs.length)}`,
      `beside the runs: ${Math.round(beside / n)} ms per trial = ${pct(beside / runsMs)} of the runs' time (reading cascades for the loss: ${Math.round(lossMs / n)} ms per trial, partly while other runs ran)`,
      `one-off: setup ${Math.round(timing.setup_ms)} ms, fitted.yaml + report ${Math.round(timing.outputs_ms)} ms; all overhead ${Math.round((beside + oneOff) / n)} ms per trial = ${pct((beside + oneOff) / runsMs)}`,
      `overhead per trial beside the runs: ${pct(beside / runsMs)} (target < 5 %)`,
    ].join('\n') + '\n',
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
