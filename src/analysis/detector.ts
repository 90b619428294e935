/**
 * A detector of simulated posts: logistic regression on standardised features, scored out of
 * fold (k-fold cross-validation, folds given by the caller so they come from the data, not from
 * a random draw), and summarised by its ROC AUC: 0.5 means the two kinds cannot be told apart
 * from these features, 1 that they always can.
 *
 * Fitting is plain batch gradient descent on the class-balanced log loss with a small L2
 * penalty (the classes rarely have equal sizes: a dataset has far fewer posts than a run).
 * Features missing in a row (NaN) take the training fold's mean.
 */
import { rocAuc } from './divergence.js';

const ITERATIONS = 300;
const LEARNING_RATE = 0.5;
const L2 = 1e-3;

export interface DetectorResult {
  /** Out-of-fold ROC AUC; NaN when a fold lacks a class or there are fewer than 2 folds. */
  auc: number;
  folds: number;
  rows: number;
}

interface Model {
  mean: number[];
  sd: number[];
  w: number[];
  b: number;
}

function fit(x: readonly (readonly number[])[], y: readonly boolean[]): Model {
  const d = x[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  const seen = new Array<number>(d).fill(0);
  for (const row of x) row.forEach((v, j) => { if (!Number.isNaN(v)) { mean[j]! += v; seen[j]!++; } });
  for (let j = 0; j < d; j++) mean[j] = seen[j]! > 0 ? mean[j]! / seen[j]! : 0;
  for (const row of x) row.forEach((v, j) => { if (!Number.isNaN(v)) sd[j]! += (v - mean[j]!) ** 2; });
  for (let j = 0; j < d; j++) sd[j] = seen[j]! > 1 ? Math.sqrt(sd[j]! / (seen[j]! - 1)) || 1 : 1;
  const z = x.map((row) => row.map((v, j) => (Number.isNaN(v) ? 0 : (v - mean[j]!) / sd[j]!)));
  const positives = y.filter(Boolean).length;
  const wPos = positives > 0 ? y.length / (2 * positives) : 0;
  const wNeg = positives < y.length ? y.length / (2 * (y.length - positives)) : 0;
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let it = 0; it < ITERATIONS; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < z.length; i++) {
      const row = z[i]!;
      let s = b;
      for (let j = 0; j < d; j++) s += w[j]! * row[j]!;
      const p = 1 / (1 + Math.exp(-s));
      const err = (p - (y[i] ? 1 : 0)) * (y[i] ? wPos : wNeg);
      for (let j = 0; j < d; j++) gw[j]! += err * row[j]!;
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j]! -= LEARNING_RATE * (gw[j]! / z.length + L2 * w[j]!);
    b -= LEARNING_RATE * (gb / z.length);
  }
  return { mean, sd, w, b };
}

function score(m: Model, row: readonly number[]): number {
  let s = m.b;
  row.forEach((v, j) => { s += m.w[j]! * (Number.isNaN(v) ? 0 : (v - m.mean[j]!) / m.sd[j]!); });
  return s;
}

/** Out-of-fold AUC of a logistic detector of `positive` rows; `fold[i]` in 0..k−1. */
export function crossValidatedAuc(x: readonly (readonly number[])[], positive: readonly boolean[], fold: readonly number[]): DetectorResult {
  const folds = [...new Set(fold)].sort((a, b) => a - b);
  if (folds.length < 2) return { auc: Number.NaN, folds: folds.length, rows: x.length };
  const scores = new Array<number>(x.length).fill(0);
  for (const f of folds) {
    const train = x.flatMap((_, i) => (fold[i] !== f ? [i] : []));
    const trainY = train.map((i) => positive[i]!);
    if (trainY.every(Boolean) || !trainY.some(Boolean)) return { auc: Number.NaN, folds: folds.length, rows: x.length };
    const model = fit(train.map((i) => x[i]!), trainY);
    x.forEach((row, i) => { if (fold[i] === f) scores[i] = score(model, row); });
  }
  return { auc: rocAuc(scores, positive), folds: folds.length, rows: x.length };
}
