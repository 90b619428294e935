/**
 * calibration.json: what a calibration is (experiment, parameters, seeds, split, loss) and every
 * trial it evaluated — the point, each seed's run id and status, its train and held-out losses —
 * with the best trial and the time spent in runs and beside them. Rewritten after every batch of
 * trials, so an interrupted or crashed calibration leaves what it had.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ByMetric, SideLoss } from './loss.js';
import type { MoveKind } from './nelder-mead.js';

export const CALIBRATE_FILES = { info: 'calibration.json', fitted: 'fitted.yaml', report: 'calibration-report.html' } as const;

export interface TrialRun {
  run_id: string;
  seed: number;
  /** run.json's status after the trial (`failed` when the run has none). */
  status: string;
  /** The finished run folder was there already (this or an earlier calibration, a sweep, a run). */
  reused: boolean;
  /** Wall time of its child process (0 when reused). */
  child_ms: number;
  train: SideLoss | null;
  heldout: SideLoss | null;
  error: string | null;
}

export interface TrialRecord {
  /** 1-based, in evaluation order. */
  trial: number;
  /** The Nelder–Mead move that proposed the point. */
  kind: MoveKind;
  /** Parameter path → value. */
  point: Record<string, number>;
  /** The point in the optimiser's unit cube. */
  unit: number[];
  runs: TrialRun[];
  /** Mean over seeds of each run's train loss: what the optimiser minimises. Null if a run has none. */
  train_loss: number | null;
  heldout_loss: number | null;
  train_by_metric: ByMetric;
  heldout_by_metric: ByMetric;
  /** Lowest train loss of trials 1..this one. */
  best_so_far: number | null;
}

/** One batch of trials evaluated together, and where its wall time went. */
export interface BatchTiming {
  trials: number[];
  /** From the batch's start to its last loss. */
  wall_ms: number;
  /** Time with at least one run's child process alive. */
  runs_ms: number;
  /** Time spent reading runs' cascades for the loss (some of it while other runs ran). */
  loss_ms: number;
  /** Child processes started (runs not reused). */
  started: number;
}

export interface CalibrationFile {
  calibrate_id: string;
  experiment: string;
  file: string;
  base_overrides: string[];
  against: string | null;
  status: 'running' | 'completed' | 'interrupted' | 'failed';
  error: string | null;
  params: { path: string; lo: number; hi: number; scale: 'linear' | 'log'; integer: boolean; start: number }[];
  seeds: number[];
  budget: number;
  parallel: number;
  holdout: number;
  split: { train: string[]; heldout: string[]; unpaired: { cascade_id: string; source_post: string }[] };
  horizon_min: number;
  /** How the loss is computed, in words. */
  loss: string;
  optimiser: { method: string; step: number; tolerance: number; seed: number; restarts: number };
  trials: TrialRecord[];
  best: TrialRecord | null;
  timing: {
    /** Loading the experiment, checking the space, loading the dataset for the split. */
    setup_ms: number;
    batches: BatchTiming[];
    /** fitted.yaml and the report, at the end. */
    outputs_ms: number;
    wall_ms: number;
  };
  started_at: string;
  updated_at: string;
}

export const LOSS_DESCRIPTION =
  'per run: mean NRMSE (RMSE / max(real), analysis/nrmse.ts) over the side’s (cascade, metric) pairs, metrics scale, depth and max breadth, pairs with a null NRMSE left out and counted; per trial: mean over seeds. The optimiser minimises the train loss.';

/** Lowest train loss, earliest trial on ties; null when no trial has one. */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const t of trials) if (t.train_loss !== null && (best === null || t.train_loss < (best.train_loss as number))) best = t;
  return best;
}

export function writeCalibrationFile(dir: string, info: CalibrationFile): void {
  const path = join(dir, CALIBRATE_FILES.info);
  writeFileSync(`${path}.tmp-${process.pid}`, JSON.stringify(info, null, 2) + '\n');
  renameSync(`${path}.tmp-${process.pid}`, path);
}
