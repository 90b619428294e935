/**
 * The calibration loss, from the paired comparison of analysis/nrmse.ts:
 *
 * - one run, one side (train or held-out): the mean of NRMSE over every (cascade of that side,
 *   metric ∈ {scale, depth, max breadth}) pair with a defined NRMSE; pairs whose NRMSE is null
 *   (the real curve is 0 throughout, e.g. the depth of a cascade that never left its root) are
 *   left out and counted (`null_cells`);
 * - a trial: the mean of its runs' losses over seeds (each seed weighs the same); per metric
 *   likewise.
 *
 * The optimiser minimises the trial's train loss; the held-out loss is recorded beside it and
 * never steers the search.
 */
import { CASCADE_METRICS, type CascadeMetric } from '../analysis/curves.js';
import { compareCascades, type CascadeComparison, type PairRow } from '../analysis/nrmse.js';
import { withSimDb } from '../analysis/open.js';
import { analysisSettings, type AnalysisSettings } from '../analysis/settings.js';
import type { Experiment } from '../config/load.js';
import type { CascadeSplit } from './split.js';

export type ByMetric = Record<CascadeMetric, number | null>;

export interface SideLoss {
  /** Mean NRMSE over the side's (cascade, metric) pairs with a defined NRMSE; null when there is none. */
  loss: number | null;
  /** Pairs averaged. */
  cells: number;
  /** Pairs left out because their NRMSE is null. */
  null_cells: number;
  /** Cascades of the side the run has no pair for (expected none). */
  missing: string[];
  /** Mean NRMSE per metric over the side's cascades. */
  by_metric: ByMetric;
}

export interface RunLoss {
  train: SideLoss;
  heldout: SideLoss;
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The loss of one side from a run's pair rows. */
export function sideLoss(pairs: readonly PairRow[], cascades: readonly string[]): SideLoss {
  const wanted = new Set(cascades);
  const mine = pairs.filter((p) => wanted.has(p.cascade_id));
  const defined = mine.filter((p) => p.nrmse !== null);
  const seen = new Set(mine.map((p) => p.cascade_id));
  const by_metric = Object.fromEntries(CASCADE_METRICS.map((m) => [m, mean(defined.filter((p) => p.metric === m).map((p) => p.nrmse as number))])) as ByMetric;
  return {
    loss: mean(defined.map((p) => p.nrmse as number)),
    cells: defined.length,
    null_cells: mine.length - defined.length,
    missing: cascades.filter((c) => !seen.has(c)),
    by_metric,
  };
}

export function runLossOf(pairs: readonly PairRow[], split: CascadeSplit): RunLoss {
  return { train: sideLoss(pairs, split.train), heldout: sideLoss(pairs, split.heldout) };
}

/**
 * How calibrate reads a run: the experiment's `analysis:` (cascade horizon) and step, tracking
 * only the real cascades' source posts (what the loss needs; the other tracked posts are the
 * report's business).
 */
export function lossSettings(exp: Experiment): AnalysisSettings {
  const s = analysisSettings(exp.analysis, exp.clock.step_ms);
  return { ...s, track: { top: 0, labels: [], seeds: false, posts: [], datasetPosts: [] } };
}

/** Opens a finished run's sim.duckdb (read-only) and compares its cascades with the real ones. */
export function compareRun(runDir: string, settings: AnalysisSettings): Promise<CascadeComparison> {
  return withSimDb(`${runDir}/sim.duckdb`, (db) => compareCascades(db, settings));
}

/** Mean over seeds of a side's loss (null when a run has none). */
export function trialMean(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return mean(values as number[]);
}

/** Mean over seeds per metric. */
export function trialByMetric(sides: readonly SideLoss[]): ByMetric {
  return Object.fromEntries(CASCADE_METRICS.map((m) => [m, trialMean(sides.map((s) => s.by_metric[m]))])) as ByMetric;
}
